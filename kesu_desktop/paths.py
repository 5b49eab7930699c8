"""The one place that knows where files live: bundled resources, and the user's data folders.

Works for the source tree and for a frozen (PyInstaller) build, where bundled files sit under
``sys._MEIPASS``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import platformdirs

APP_NAME = "kesu-desk"
APP_AUTHOR = "Kesu"


def _root() -> Path:
    frozen = getattr(sys, "_MEIPASS", None)
    return Path(frozen) if frozen else Path(__file__).resolve().parent.parent


def resources_dir() -> Path:
    return _root() / "resources"


def translations_dir() -> Path:
    return _root() / "translations"


def user_data_dir() -> Path:
    override = os.environ.get("KESU_DATA_DIR")
    return Path(override) if override else Path(platformdirs.user_data_dir(APP_NAME, APP_AUTHOR))


def user_config_dir() -> Path:
    override = os.environ.get("KESU_DATA_DIR")
    return Path(override) if override else Path(platformdirs.user_config_dir(APP_NAME, APP_AUTHOR))


def user_log_dir() -> Path:
    override = os.environ.get("KESU_DATA_DIR")
    return Path(override) / "logs" if override else Path(platformdirs.user_log_dir(APP_NAME, APP_AUTHOR))


def default_database_url() -> str:
    return f"sqlite:///{user_data_dir() / 'kesu.db'}"


def database_url(flag: str | None) -> str:
    """``--db`` wins, then ``KESU_DATABASE_URL``, then the file in the user's data folder."""
    if flag:
        return flag
    env = os.environ.get("KESU_DATABASE_URL")
    if env:
        return env
    path = user_data_dir()
    path.mkdir(parents=True, exist_ok=True)
    return default_database_url()
