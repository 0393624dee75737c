"""The panels a frame can show, by name. A panel is one small module (numpy only; it draws on the
axes it is handed) with:

- ``FEATURES``: the numbers of weights it can show;
- ``MODES``: what it can animate: ``"steps"`` (gradient descent at one λ), ``"lam"`` (the path);
- ``BIG`` (optional): it wants the largest cell of the layout;
- ``draw(ax, data, style)``: draws its static part on ``ax`` and returns ``update(k)``, which moves
  its moving artists (made through ``style.animated``) to frame index ``k`` (a step, or a λ of the grid).

A new view is a new module and one line here.
"""
from . import curves, fit, gap, gradient, loss, path, plane, weight

PANELS = {
    "loss": loss,
    "weight": weight,
    "fit": fit,
    "gradient": gradient,
    "plane": plane,
    "gap": gap,
    "curves": curves,
    "path": path,
}

DEFAULT_PANELS = {
    ("steps", 1): ("loss", "weight", "fit", "gradient"),
    ("steps", 2): ("plane", "weight", "gap", "gradient"),
    ("lam", 1): ("curves", "path", "fit"),
    ("lam", 2): ("plane", "path"),
}
