"""regviz-anim: animations of gradient descent with L1 and L2 regularization."""
__version__ = "0.1.0"
