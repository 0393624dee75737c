"""The package version: recorded in every sidecar and JSON document."""
__version__ = "0.3.0"
