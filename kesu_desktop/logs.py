"""Unexpected errors go to a log file in the user's log folder, never as a traceback on screen."""

from __future__ import annotations

import logging
import traceback
from datetime import UTC, datetime
from pathlib import Path

from kesu_desktop.paths import user_log_dir


def log_file() -> Path:
    return user_log_dir() / "kesu.log"


def log_unexpected(exc: BaseException) -> Path:
    path = log_file()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as fh:
            fh.write(f"\n--- {datetime.now(UTC).isoformat()}\n")
            fh.write("".join(traceback.format_exception(exc)))
    except OSError:
        logging.getLogger("kesu").exception("could not write the log file")
    return path
