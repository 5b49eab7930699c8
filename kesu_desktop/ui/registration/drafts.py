"""Draft autosave for the registration form: a half-typed complaint survives a crash or a power cut.

Why a JSON file per user in the user data folder (not QSettings, not the database): it must be written
many times a minute without touching the shared database, it belongs to this desk and this user only,
and it must be readable by the next start even if the database cannot be opened. Every write goes to a
temporary file that is flushed to disk and then renamed over the old draft (``os.replace`` is atomic),
so a power cut leaves either the previous draft or the new one, never half a file.
"""

from __future__ import annotations

import json
import logging
import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kesu_desktop import paths

_log = logging.getLogger(__name__)
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


@dataclass(frozen=True)
class Draft:
    """What was on the form, and when it was last written (UTC)."""

    saved_at: datetime
    values: dict[str, Any]


class DraftStore:
    """One user's registration draft on disk: ``<data dir>/drafts/registration-<username>.json``."""

    def __init__(self, username: str) -> None:
        safe = _UNSAFE.sub("_", username) or "_"
        self.path: Path = paths.user_data_dir() / "drafts" / f"registration-{safe}.json"

    def load(self) -> Draft | None:
        """The stored draft, or None when there is none, it is empty, or it cannot be read."""
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
            values = raw["values"]
            saved_at = datetime.fromisoformat(raw["saved_at"])
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError) as exc:
            # A damaged draft must not stop the form from opening; it is only a convenience copy.
            _log.warning("ignoring unreadable draft %s: %s", self.path, exc)
            return None
        if not isinstance(values, dict) or not values:
            return None
        return Draft(saved_at=saved_at, values=values)

    def save(self, values: dict[str, Any], *, now: datetime | None = None) -> None:
        """Write the draft atomically (temporary file, fsync, rename)."""
        payload = {"saved_at": (now or datetime.now(UTC)).isoformat(), "values": values}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(self.path.name + ".tmp")
        with tmp.open("w", encoding="utf-8") as handle:
            json.dump(payload, handle, ensure_ascii=False, indent=1)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, self.path)

    def clear(self) -> None:
        """Forget the draft (after a successful save or when the user discards it)."""
        self.path.unlink(missing_ok=True)
