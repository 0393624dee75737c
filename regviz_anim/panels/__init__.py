"""The panels a frame can show, by name. A panel is one small module (numpy only; it draws on the
axes it is handed) with:

- ``FEATURES``: the numbers of weights it can show;
- ``BIG`` (optional): it wants the largest cell of the layout;
- ``draw(ax, data, style)``: draws its static part on ``ax`` and returns ``update(k)``, which moves
  its moving artists (made through ``style.animated``) to step ``k``.

A new view is a new module and one line here.
"""
from . import fit, gap, gradient, loss, plane, weight

PANELS = {
    "loss": loss,
    "weight": weight,
    "fit": fit,
    "gradient": gradient,
    "plane": plane,
    "gap": gap,
}

DEFAULT_PANELS = {1: ("loss", "weight", "fit", "gradient"), 2: ("plane", "weight", "gap", "gradient")}
