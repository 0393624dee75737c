"""Named scenarios that each tell one story, selected with ``--preset NAME``."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Preset:
    name: str
    summary: str
    options: dict[str, Any]


TWO = {"features": 2, "w0": (0.2, 1.5), "lr": 0.15, "steps": 150}

PRESETS = {p.name: p for p in (
    Preset("seed", "L1 lands on exactly 0 at step 24 while L2 settles at 0.2006 (λ = 0.5, lr = 0.1)", {}),
    Preset("chatter", "constant-step subgradient descent bounces in a band about 0; proximal lands on it",
           {"reg": "l1", "l1_update": "subgradient,proximal", "steps": 120}),
    Preset("below-threshold", "λ = 0.2 is below 2|mean(x·y)| = 0.335: L1 shrinks w but stops short of 0",
           {"lam": 0.2}),
    Preset("diminishing-step", "with lr/sqrt(t+1) the subgradient's bounces shrink and it closes in on 0",
           {"reg": "l1", "l1_update": "subgradient,proximal", "schedule": "inv_sqrt", "steps": 400}),
    Preset("divergence", "lr = 1.3 is past L2's stable bound 1/(a+λ) = 1.198: each step overshoots further",
           {"reg": "l2", "lr": 1.3, "steps": 40, "allow_divergence": True}),
    Preset("elasticnet", "the elastic net mixes both: it shrinks w further than L2 (to 0.0726, against 0.2006), "
           "but its L1 part λα = 0.25 is below 2|b| = 0.335, so it stops short of 0",
           {"reg": "l1,l2,elasticnet", "lam": 0.5, "l1_ratio": 0.5}),
    Preset("diamond", "two weights, the textbook picture: L1 lands on the diamond's corner (w2 = 0), "
           "L2 on the circle, off both axes",
           {**TWO, "corr": 0.5, "w_true": (1.2, 0.1), "lam": 0.6}),
    Preset("correlated", "two alike features (ρ = 0.9), the truth mostly x1 (1.0, 0.2): from the origin L1 "
           "keeps x1 alone (w2 exactly 0), L2 shares the weight between both",
           {**TWO, "w0": (0.0, 0.0), "corr": 0.9, "w_true": (1.0, 0.2), "lam": 1.0, "lr": 0.2, "steps": 200}),
    Preset("diamond-small-lambda", "two weights, λ = 0.15 below both thresholds: L1 shrinks both "
           "weights and keeps them, like L2",
           {**TWO, "corr": 0.5, "w_true": (1.2, 0.1), "lam": 0.15}),
    Preset("lambda-path", "λ as the clock: L1's minimum slides to exactly 0 at λ = 2|b| = 0.335 and stays; "
           "L2's follows b/(a+λ) and never arrives",
           {"animate": "lam", "hold_start": 1.0}),
    Preset("lasso-path", "two weights as λ grows: the lasso drops w2 at λ = 0.3 and w1 at 2.5, sliding onto an "
           "axis; ridge only shrinks",
           {"features": 2, "corr": 0.5, "w_true": (1.2, 0.1), "animate": "lam", "hold_start": 1.0}),
    Preset("tibshirani", "eight weights, Tibshirani's truth (3, 1.5, 0, 0, 2, 0, 0, 0) with ρ = 0.5: L1 keeps x1, x2 "
           "and x5 and sets the other five exactly to 0; L2 keeps all eight",
           {"features": 8, "corr": 0.5, "noise": 1.0, "lam": 2.5}),
    Preset("diabetes-path", "the diabetes data (442 patients, 10 features), λ as the clock: the lasso drops the "
           "features one by one, bmi and s5 last (exactly 0 from λ = 84.6 and 90.3); ridge keeps all ten",
           {"data": "diabetes", "animate": "lam", "lam_scale": "log", "lam_range": (0.1, 140.0), "hold_start": 1.0}),
    Preset("many-sparse", "50 features, 5 of them informative: L1 keeps exactly those 5 (x1, x11, x21, x31, x41) "
           "and sets the other 45 exactly to 0; L2 keeps all 50",
           {"features": 50, "n_points": 100, "noise": 0.5, "lam": 0.5}),
    Preset("how-often", "300 random problems of two weights at λ = 1: about two in three of L1's minimisers have a "
           "weight exactly 0 (66%), none of L2's; L1's dots pile up on the axes",
           {"animate": "trials", "features": 2, "lam": 1.0}),
    Preset("how-often-many", "300 random problems of eight weights at λ = 0.5: nine in ten of L1's minimisers have "
           "a weight exactly 0 (91%) and 28% of all its weights are, none of L2's",
           {"animate": "trials", "features": 8, "lam": 0.5}),
    Preset("sgd-l1", "stochastic gradient descent, one point a step (λ = 1): the subgradient jitters about 0 and "
           "never stays, while the cumulative penalty and the proximal step land on exactly 0 and stay",
           {"reg": "l1", "lam": 1.0, "batch_size": 1, "l1_update": "subgradient,cumulative,proximal",
            "steps": 400}),
    Preset("adam-vs-adamw", "L2 in the gradient or weight decay beside the step: the same with gradient descent, "
           "but with Adam the decay (AdamW) ends at 0.4665, off L2's minimiser 0.2006, where Adam + L2 lands",
           {"reg": "l2,decay", "optimizer": "gd,adam", "lr": 0.05, "steps": 300}),
    Preset("momentum", "momentum (β = 0.9) overshoots the minimiser to -0.35 and swings back, while plain "
           "gradient descent slides down to 0.2006",
           {"reg": "l2", "optimizer": "gd,momentum", "steps": 150}),
)}


def preset_options(name: str) -> dict[str, Any]:
    from .errors import ConfigError

    if not isinstance(name, str) or name not in PRESETS:
        raise ConfigError("preset", name, f"must be one of {', '.join(PRESETS)}")
    return dict(PRESETS[name].options)
