import os

os.environ.setdefault("MPLBACKEND", "Agg")  # headless, also in subprocesses
