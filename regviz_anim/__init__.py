"""regviz-anim: animations of gradient descent with L1 and L2 regularization.

``simulate`` needs numpy only; ``render`` and ``animate`` bring in matplotlib when called.
"""
__version__ = "0.3.0"

from .api import Animation, animate, explore, render, simulate  # noqa: E402
from .config import ConfigError  # noqa: E402

__all__ = ["simulate", "render", "animate", "explore", "Animation", "ConfigError", "__version__"]
