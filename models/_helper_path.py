"""Lets the example models run from a checkout without `pip install ./python`."""
import pathlib
import sys

try:
    import alflow_model  # noqa: F401  (installed)
except ImportError:
    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "python"))
