"""regviz-anim: animations of gradient descent with L1 and L2 regularization.

``simulate`` needs numpy only; ``render`` and ``animate`` bring in matplotlib when called.
"""
from .api import Animation, animate, render, simulate
from .errors import ConfigError
from .notebook import explore
from .version import __version__

__all__ = ["simulate", "render", "animate", "explore", "Animation", "ConfigError", "__version__"]
