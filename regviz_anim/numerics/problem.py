"""Least squares on any number of weights, ``y = X·w``, with an L1 and an L2 penalty, solved exactly.

The objective of every run is

    F(w) = mean((y - X·w)²) + l1·‖w‖₁ + l2·‖w‖²
         = wᵀAw - 2bᵀw + mean(y²) + l1·‖w‖₁ + l2·‖w‖²,    A = XᵀX/n,  b = Xᵀy/n

which covers no penalty (l1 = l2 = 0), L1 (l1 = λ), L2 (l2 = λ) and the elastic net
(l1 = λα, l2 = λ(1 - α)). With one weight, ``a = mean(x²)`` and ``b = mean(x·y)``, the minimiser is

    w* = sign(b)·max(|b| - l1/2, 0) / (a + l2)

so L1 lands on exactly 0 once ``l1 ≥ 2|b|`` while L2 alone never does unless ``b = 0``. With
two weights the minimiser is found exactly from the optimality (KKT) conditions over every
support and sign pattern (:func:`exact_minimiser`); with more, by the lasso's exact homotopy
(:mod:`regviz_anim.numerics.lasso`). The data are made here (:func:`make_dataset`) or read from a
CSV file (:func:`read_table`). The penalties themselves are in :mod:`regviz_anim.numerics.penalties`.
"""
from __future__ import annotations

import csv
import itertools
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

MAX_FEATURES = 100  # the most weights a problem may have
LOSS_BLOCK = 1 << 20  # residuals worked out at once, at most

__all__ = ["Dataset", "make_dataset", "read_table", "sparse_truth", "exact_minimiser", "is_unique", "DataError"]

BUILT_IN = {"diabetes": ("diabetes.csv", "progression")}  # name -> (file in regviz_anim/data, its target)


@dataclass(frozen=True, eq=False)
class Dataset:
    """The points: ``X`` (n rows, one column per weight) and ``y``; ``A`` and ``b`` decide everything."""

    X: np.ndarray
    y: np.ndarray
    names: tuple[str, ...] | None = None  # the features' names (a CSV's columns); None: x1, x2, ...
    target: str | None = None             # what y is (a CSV's target column)

    @property
    def features(self) -> int:
        return self.X.shape[1]

    @property
    def feature_names(self) -> tuple[str, ...]:
        if self.names is not None:
            return self.names
        return ("x",) if self.features == 1 else tuple(f"x{j + 1}" for j in range(self.features))

    @property
    def x(self) -> np.ndarray:
        """The single feature of a one-weight problem."""
        return self.X[:, 0]

    @cached_property
    def A(self) -> np.ndarray:
        """``XᵀX/n``: the curvature of the data loss (halved). With one weight, ``a = mean(x²)``."""
        if self.features == 1:
            return np.array([[float(np.mean(self.x * self.x))]])
        return self.X.T @ self.X / len(self.y)

    @cached_property
    def b(self) -> np.ndarray:
        """``Xᵀy/n``: where the data pull the weights. With one weight, ``b = mean(x·y)``."""
        if self.features == 1:
            return np.array([float(np.mean(self.x * self.y))])
        return self.X.T @ self.y / len(self.y)

    def weights(self, w) -> np.ndarray:
        """``w`` as an array of shape (..., d); with one weight a bare number or array is allowed."""
        w = np.asarray(w, dtype=float)
        if self.features == 1 and (w.ndim == 0 or w.shape[-1] != 1):
            w = w[..., None]
        return w

    def data_loss(self, w):
        """``mean((y - X·w)²)`` for weights ``w`` of shape (..., d); a long run of weights a block
        of rows at a time, so that the (rows, n) residuals never fill memory."""
        w = self.weights(w)
        if w.ndim != 2 or len(w) * len(self.y) <= LOSS_BLOCK:
            return np.mean((self.y - w @ self.X.T) ** 2, axis=-1)
        rows = max(1, LOSS_BLOCK // len(self.y))
        return np.concatenate([np.mean((self.y - w[i:i + rows] @ self.X.T) ** 2, axis=-1)
                               for i in range(0, len(w), rows)])

    def data_loss_surface(self, w) -> np.ndarray:
        """``data_loss`` from its quadratic form ``wᵀAw − 2bᵀw + mean(y²)``, for a picture's grid of
        weights: the residuals would cost a point per weight each (a 241² grid of two weights and 20
        points: 9 ms against 1). Its rounding, a few ε of those terms, moves a contour a pixel at most."""
        w = self.weights(w)
        return np.sum((w @ self.A) * w, axis=-1) - 2.0 * (w @ self.b) + self._mean_square

    @cached_property
    def _mean_square(self) -> float:
        return float(np.mean(self.y * self.y))

    def data_gradient(self, w: np.ndarray) -> np.ndarray:
        """``∇L(w) = 2(A·w - b)`` for weights of shape (..., d): one step's, or a whole run's."""
        w = np.asarray(w, dtype=float)
        return 2.0 * (w @ self.A.T - self.b)


def correlations(d: int, corr: float) -> np.ndarray:
    """``ρ^|i−j|`` between features i and j (for two features: ρ)."""
    i = np.arange(d)
    return corr ** np.abs(i[:, None] - i[None, :]).astype(float)


def standardised_features(n: int, corr: float, rng: np.random.Generator, d: int = 2) -> np.ndarray:
    """``d`` columns with mean 0, variance 1 and sample correlations exactly ``ρ^|i−j|`` (to
    rounding) when the points allow it (``d < n``); with more weights than that, drawn with those
    correlations and each column standardised."""
    z = rng.standard_normal((n, d))
    z -= z.mean(axis=0)
    chol = np.linalg.cholesky(correlations(d, corr))
    if d < n:
        q, r = np.linalg.qr(z)
        q *= np.sign(np.diag(r))  # a unique orthonormal basis: the first column follows z's first
        return np.sqrt(n) * q @ chol.T
    x = z @ chol.T
    x -= x.mean(axis=0)
    return x / x.std(axis=0)


def sparse_truth(d: int) -> tuple[float, ...]:
    """The truth for ``d ≥ 3`` weights when none is given. Eight weights: Tibshirani's (1996)
    β = (3, 1.5, 0, 0, 2, 0, 0, 0). Otherwise ``max(2, d // 10)`` weights are nonzero, spread
    evenly from the first (at ``round(i·d/k)``), taking 3, 1.5, 2 in turn; the rest are 0."""
    if d == 8:
        return (3.0, 1.5, 0.0, 0.0, 2.0, 0.0, 0.0, 0.0)
    k = max(2, d // 10)
    w = [0.0] * d
    for i in range(k):
        w[round(i * d / k)] = (3.0, 1.5, 2.0)[i % 3]
    return tuple(w)


def make_dataset(
    *, w_true=0.5, n_points: int = 20, x_range: tuple[float, float] = (-1.0, 1.0),
    noise: float = 0.0, seed: int = 0, features: int = 1, corr: float = 0.0,
) -> Dataset:
    """One weight: ``x`` evenly spaced on ``[lo, hi)`` (the default is ``arange(-1, 1, 0.1)``).
    Several: standardised features with correlations ``ρ^|i−j|`` drawn from ``seed``. Then
    ``y = X·w_true + noise``."""
    rng = np.random.default_rng(seed)
    if features == 1:
        lo, hi = x_range
        x = lo + (hi - lo) / n_points * np.arange(n_points)
        X = x[:, None]
        y = float(np.ravel(w_true)[0]) * x
    else:
        X = standardised_features(n_points, corr, rng, features)
        y = X @ np.broadcast_to(np.asarray(w_true, dtype=float), (features,))
    if noise:
        y = y + noise * rng.standard_normal(n_points)
    return Dataset(X=X, y=y)


class DataError(ValueError):
    """A data file that cannot be read as numbers: the message names the row and the column."""


def _number(text: str, row: int, column: str) -> float:
    text = text.strip()
    if not text:
        raise DataError(f"row {row}, column {column}: a missing value")
    try:
        value = float(text)
    except ValueError:
        raise DataError(f"row {row}, column {column}: {text!r} is not a number") from None
    if not np.isfinite(value):
        raise DataError(f"row {row}, column {column}: {text!r} is not a finite number")
    return value


def read_table(source: str | Path, target: str | None, columns: tuple[str, ...] | None = None) -> Dataset:
    """A CSV file with a header row (or a built-in data set's name) as a Dataset: the features
    (every column but ``target``, or ``columns``) standardised to mean 0 and variance 1 (dividing
    by n), ``y`` the target centred, so that no intercept is needed. Raises DataError naming the
    row and column of what is wrong."""
    if str(source) in BUILT_IN:
        file, default_target = BUILT_IN[str(source)]
        path = Path(__file__).resolve().parent.parent / "data" / file
        target = target or default_target
    else:
        path = Path(source)
    if target is None:
        raise DataError("say which column is the target: --target COLUMN")
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            rows = list(csv.reader(handle))
    except FileNotFoundError:
        raise DataError("no such file") from None
    except IsADirectoryError:
        raise DataError("is a folder, not a CSV file") from None
    except UnicodeDecodeError:
        raise DataError("is not a text (CSV) file") from None
    except OSError as error:
        raise DataError(error.strerror or str(error)) from None
    except csv.Error as error:
        raise DataError(f"is not a CSV file: {error}") from None
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise DataError("is empty: a CSV file with a header row is needed")
    header = [cell.strip() for cell in rows[0]]
    if len(set(header)) != len(header):
        twice = sorted({h for h in header if header.count(h) > 1})
        raise DataError(f"the header names a column twice: {', '.join(twice)}")
    if target not in header:
        raise DataError(f"no column {target!r} for --target; the columns are {', '.join(header)}")
    wanted = list(columns) if columns else [h for h in header if h != target]
    if not wanted:
        raise DataError("has no feature column besides the target")
    for name in wanted:
        if name not in header:
            raise DataError(f"no column {name!r} for --columns; the columns are {', '.join(header)}")
        if name == target:
            raise DataError(f"--columns names the target {target!r}")
    body = [(i, row) for i, row in enumerate(rows[1:], start=2) if any(cell.strip() for cell in row)]
    if len(body) < 2:
        raise DataError("needs at least 2 rows of data")
    index = {name: header.index(name) for name in [target] + wanted}
    values = np.empty((len(body), len(index)))
    for r, (line, row) in enumerate(body):
        if len(row) != len(header):
            raise DataError(f"row {line}: {len(row)} values for {len(header)} columns")
        for c, (name, at) in enumerate(index.items()):
            values[r, c] = _number(row[at], line, name)
    y, X = values[:, 0], values[:, 1:]
    spread = X.std(axis=0)
    for name, sd in zip(wanted, spread):
        if sd == 0.0:
            raise DataError(f"column {name} is constant: it cannot be standardised")
    X = (X - X.mean(axis=0)) / spread
    return Dataset(X=X, y=y - y.mean(), names=tuple(wanted), target=target)


def _solve(M: np.ndarray, r: np.ndarray) -> np.ndarray:
    """``M⁻¹r``; where ``M`` is singular to rounding, the solution of least norm (by the SVD)."""
    if len(r) == 1:
        return r / M[0, 0]
    if np.linalg.matrix_rank(M) < len(r):
        return np.linalg.lstsq(M, r, rcond=None)[0]
    return np.linalg.solve(M, r)


def _objective(A: np.ndarray, b: np.ndarray, l1: float, l2: float, w: np.ndarray) -> float:
    return float(w @ A @ w - 2.0 * b @ w + l1 * np.abs(w).sum() + l2 * w @ w)


def exact_minimiser(A: np.ndarray, b: np.ndarray, l1: float, l2: float) -> np.ndarray:
    """The minimiser of ``wᵀAw - 2bᵀw + l1·‖w‖₁ + l2·‖w‖²``, exactly: no iteration, no tolerance.

    For a support S and signs s on it, ``w_S = (A_SS + l2·I)⁻¹(b_S - (l1/2)·s)`` is the
    minimiser when ``sign(w_S) = s`` and every j outside S has ``|(A·w - b)_j| ≤ l1/2``. When
    ``A + l2·I`` is positive definite exactly one (support, sign) candidate passes. Should rounding
    let none pass (``A`` nearly singular), the candidate of the least objective is the minimiser:
    each candidate whose signs hold is a point of the objective, and the minimiser is one of them.
    When ``A + l2·I`` is singular to rounding the minimisers form a line (see :func:`is_unique`);
    with ``l1 = 0`` this gives the one of least norm.
    """
    d = len(b)
    if d >= 3:  # the homotopy: exact, and linear in the knots rather than exponential in d
        from .lasso import minimiser

        return minimiser(A, b, l1, l2)
    if l1 == 0.0:
        return _solve(A + l2 * np.eye(d), b)
    best = None
    candidates = [np.zeros(d)]
    for size in range(d + 1):
        for support in itertools.combinations(range(d), size):
            S = list(support)
            for signs in itertools.product((1.0, -1.0), repeat=size):
                w = np.zeros(d)
                if S:
                    M = A[np.ix_(S, S)] + l2 * np.eye(size)
                    if abs(np.linalg.det(M)) < 1e-300 or (size > 1 and np.linalg.matrix_rank(M) < size):
                        continue
                    w[S] = _solve(M, b[S] - 0.5 * l1 * np.array(signs))
                    if np.any(w[S] * np.array(signs) <= 0.0):
                        continue
                    candidates.append(w)
                rest = [j for j in range(d) if j not in support]
                if rest and np.any(np.abs((A @ w - b)[rest]) > 0.5 * l1 * (1 + 1e-12)):
                    continue
                if best is None:
                    best = w
    if best is None:
        return min(candidates, key=lambda w: _objective(A, b, l1, l2, w))
    return best


def is_unique(A: np.ndarray, l2: float) -> bool:
    """Whether the objective has one minimiser: ``A + l2·I`` is nonsingular (to rounding)."""
    return np.linalg.matrix_rank(A + l2 * np.eye(len(A))) == len(A)
