"""Named scenarios that each tell one story, selected with ``--preset NAME``."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Preset:
    name: str
    summary: str
    options: dict[str, Any]


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
    Preset("elasticnet", "the elastic net mixes both: it shrinks like L2 and, with enough L1, stops at 0 too",
           {"reg": "l1,l2,elasticnet", "lam": 0.5, "l1_ratio": 0.5}),
)}


def preset_options(name: str) -> dict[str, Any]:
    from .config import ConfigError

    if not isinstance(name, str) or name not in PRESETS:
        raise ConfigError("preset", name, f"must be one of {', '.join(PRESETS)}")
    return dict(PRESETS[name].options)
