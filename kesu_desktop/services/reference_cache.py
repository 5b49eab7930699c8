"""What a desk keeps of the reference data between transactions, until the data changes.

Registering a complaint reads the office's policy and business calendar, the category list, the names
the timeline shows and whether this database is a branch. Building those (a ``Policy`` from settings,
a ``BusinessCalendar`` with its holiday table) costs more than the registration's own writes; they
change a few times a year. So a desk builds them once and asks, per transaction, one question: has
``reference_version.n`` moved? Triggers on every table they come from bump it (migration 0013), so a
change by anyone — this desk, another desk on the shared server, the CLI, a sync apply, SQL typed by
an administrator — is seen by the next transaction.

Thread-safe: the deadline watcher's thread and the window's share a desk.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from kesu_desktop.storage.models import ReferenceVersion

T = TypeVar("T")

# A Core statement on the table, not an ORM query: it runs at the start of every registration.
_VERSION = select(ReferenceVersion.__table__.c.n).where(ReferenceVersion.__table__.c.id == 1)


class ReferenceSnapshot:
    """The values built at one version of the reference data, each built on first use."""

    def __init__(self, version: int | None) -> None:
        self.version = version
        self._values: dict[Any, Any] = {}
        self._lock = threading.Lock()

    def get(self, key: Any, build: Callable[[], T]) -> T:
        """The value under ``key``, built (by ``build``, in the caller's transaction) if not yet."""
        with self._lock:
            if key in self._values:
                return self._values[key]  # type: ignore[no-any-return]
        value = build()
        with self._lock:
            return self._values.setdefault(key, value)  # type: ignore[no-any-return]


class ReferenceCache:
    """One desk's snapshots: the current one, replaced when the stored version moves."""

    def __init__(self) -> None:
        self._snapshot = ReferenceSnapshot(None)
        self._lock = threading.Lock()

    def snapshot(self, session: Session) -> ReferenceSnapshot:
        """The snapshot for the version this transaction sees (one indexed read)."""
        version = session.scalar(_VERSION)
        with self._lock:
            if version is None or self._snapshot.version != version:
                # None: a database without the version row (never migrated past 0012) caches nothing.
                self._snapshot = ReferenceSnapshot(version)
            return self._snapshot
