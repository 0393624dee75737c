"""The numerical core: least squares with L1 and L2 penalties, solved exactly and by gradient
descent. Numpy only; it never imports matplotlib, the encoders or the front ends.

``simulate(scenario)`` runs the scenario's kind of animation (``KINDS``): its result is a
:class:`~.simulation.Simulation`, whichever the kind.
"""
from __future__ import annotations

from . import path, steps, trials
from .simulation import Run, Simulation

KINDS = {"steps": steps.simulate, "lam": path.simulate, "trials": trials.simulate}

__all__ = ["KINDS", "Run", "Simulation", "simulate"]


def simulate(scenario) -> Simulation:
    """Every run of ``scenario``, of its kind (``scenario.animate``). Bad combinations that only
    the data can reveal (a diverging run, features alike to rounding) are a ConfigError."""
    return KINDS[scenario.animate](scenario)
