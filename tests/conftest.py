import os

from hypothesis import settings

os.environ.setdefault("MPLBACKEND", "Agg")  # headless, also in subprocesses

# The same examples on every run, so that CI is reproducible; HYPOTHESIS_PROFILE=explore draws
# new ones (and keeps what fails in .hypothesis/, replayed until fixed).
settings.register_profile("ci", derandomize=True, database=None)
settings.register_profile("explore")
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
