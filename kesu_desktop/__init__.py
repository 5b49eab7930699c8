"""Kesu Desk (客诉台): complaint handling for service counters.

``__version__`` has one source, ``pyproject.toml``: a source checkout reads it from there (so a
version bump shows at once, even before the editable install is refreshed); an installed or frozen
copy reads the installed distribution's metadata (the PyInstaller spec bundles it). It is looked up
on first use (PEP 562), so importing the package costs no file read and no ``importlib.metadata``.
"""

from __future__ import annotations

import sys
from pathlib import Path

DISTRIBUTION = "kesu-desktop"
#: What is shown when neither a ``pyproject.toml`` nor installed metadata can be found.
UNKNOWN_VERSION = "0+unknown"


def _source_version() -> str | None:
    """The version in the checkout's ``pyproject.toml``, when this package runs from a checkout."""
    if getattr(sys, "frozen", False):
        return None
    pyproject = Path(__file__).resolve().parent.parent / "pyproject.toml"
    try:
        import tomllib

        with pyproject.open("rb") as f:
            project = tomllib.load(f).get("project", {})
    except (OSError, ValueError):
        return None
    version = project.get("version") if project.get("name") == DISTRIBUTION else None
    return version if isinstance(version, str) else None


def read_version() -> str:
    """The product's version: the checkout's ``pyproject.toml``, else the installed metadata."""
    version = _source_version()
    if version:
        return version
    from importlib import metadata

    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return UNKNOWN_VERSION


def __getattr__(name: str) -> str:
    if name == "__version__":
        version = read_version()
        globals()["__version__"] = version
        return version
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
