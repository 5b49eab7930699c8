"""Hearing about other desks' writes: PostgreSQL LISTEN/NOTIFY, or SQLite's data_version. No Qt here.

Shared mode means many desks on one PostgreSQL. Migration 0011's triggers send ``NOTIFY kesu_events``
(payload: the case id) for every event and ``NOTIFY kesu_alerts`` (payload: the office code) for every
alert written; a listener holds one dedicated autocommit connection of its own (never a pooled one: a
pooled connection goes back to the pool and its LISTEN with it) and hands out what changed.

Why a reconnect reports ``everything``: PostgreSQL keeps no notification for a session that is gone,
so whatever was written while the connection was down is unknown; the only safe catch-up is to reload
everything shown. Likewise a dropped connection is never an error to the caller: the listener waits
and tries again with a growing pause, and the desk keeps working on its ordinary connections.

SQLite has no NOTIFY, but several processes of one desk share the file (GUI, CLI, watcher):
``PRAGMA data_version`` on one connection changes whenever another connection commits, so a poll
every half second says "something changed", never which case.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import time
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from sqlalchemy.engine import make_url

from kesu_desktop.storage.database import Database

if TYPE_CHECKING:
    import psycopg  # imported by the PostgreSQL listener when it connects: SQLite never needs it

log = logging.getLogger(__name__)

EVENTS_CHANNEL = "kesu_events"
ALERTS_CHANNEL = "kesu_alerts"
#: Pauses between reconnection attempts (seconds); the last one repeats.
BACKOFF_S = (0.5, 1.0, 2.0, 5.0, 10.0)
#: After this long without a notification the listening connection is checked with a query, so a
#: connection that died silently is noticed (and the catch-up made) within about this time.
PING_AFTER_S = 15.0
#: Once one notification arrived, how long to keep collecting the burst it belongs to.
BURST_S = 0.05
#: How often SQLite's data_version is read.
SQLITE_POLL_S = 0.5


@dataclass(frozen=True)
class Changes:
    """What other writers changed since the last wait: cases by id, alerts, or possibly anything."""

    case_ids: frozenset[uuid.UUID] = frozenset()
    alerts: bool = False
    #: Not known what changed (a reconnect, or SQLite): reload everything shown.
    everything: bool = False

    def __bool__(self) -> bool:
        return bool(self.case_ids) or self.alerts or self.everything

    def merge(self, other: Changes) -> Changes:
        return Changes(
            self.case_ids | other.case_ids, self.alerts or other.alerts, self.everything or other.everything
        )


class Listener(Protocol):
    def wait(self, timeout_s: float) -> Changes:
        """Block up to ``timeout_s`` for changes; an empty ``Changes`` when none came. Never raises for a
        lost connection."""
        ...

    def close(self) -> None: ...


def conninfo(url: str) -> str:
    """The libpq URI of a Database URL: the same server, user, password and options, without the
    SQLAlchemy driver part (``postgresql+psycopg://`` → ``postgresql://``)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


class PgListener:
    """``LISTEN kesu_events; LISTEN kesu_alerts`` on a dedicated connection, reconnecting with backoff.

    Not thread-safe: one thread calls ``wait`` and, at the end, ``close``.
    """

    def __init__(self, url: str, *, backoff: tuple[float, ...] = BACKOFF_S) -> None:
        self._conninfo = conninfo(url)
        self._backoff = backoff
        self._conn: psycopg.Connection | None = None
        self._failures = 0
        self._next_try = 0.0
        self._last_heard = time.monotonic()
        #: Any connection after the first attempt (made here) may have missed notifications.
        self._catch_up = False
        self._connect()  # at once, so notifications from now on are heard (if the server is up)
        self._catch_up = True

    @property
    def connected(self) -> bool:
        return self._conn is not None and not self._conn.closed

    @property
    def backend_pid(self) -> int | None:
        """The server process of the listening connection (tests terminate it)."""
        return self._conn.info.backend_pid if self.connected and self._conn is not None else None

    def _connect(self) -> Changes:
        """Try to (re)connect now; after a reconnect everything may have changed."""
        import psycopg

        try:
            conn = psycopg.connect(
                self._conninfo,
                autocommit=True,
                connect_timeout=5,
                application_name="kesu-desk-listener",
                keepalives=1,
                keepalives_idle=10,
                keepalives_interval=5,
                keepalives_count=3,
            )
            conn.execute(f"LISTEN {EVENTS_CHANNEL}")
            conn.execute(f"LISTEN {ALERTS_CHANNEL}")
        except psycopg.Error as exc:
            delay = self._backoff[min(self._failures, len(self._backoff) - 1)]
            self._failures += 1
            self._next_try = time.monotonic() + delay
            if self._failures == 1:
                log.warning("change listener cannot connect (retrying): %s", str(exc).strip())
            return Changes()
        self._conn = conn
        self._failures = 0
        self._last_heard = time.monotonic()
        if self._catch_up:
            log.info("change listener reconnected: reloading everything")
        return Changes(everything=self._catch_up)

    def _drop(self, exc: BaseException) -> None:
        log.warning("change listener lost its connection (reconnecting): %s", str(exc).strip())
        if self._conn is not None:
            with contextlib.suppress(Exception):
                self._conn.close()
        self._conn = None
        self._failures = 0
        self._next_try = time.monotonic()  # the first retry is immediate

    def wait(self, timeout_s: float) -> Changes:
        import psycopg  # loaded already: __init__ connected (or tried to)

        deadline = time.monotonic() + max(0.0, timeout_s)
        while self._conn is None:
            if time.monotonic() >= self._next_try:
                changes = self._connect()
                if self._conn is not None:
                    return changes
            now = time.monotonic()
            if now >= deadline:
                return Changes()
            time.sleep(max(0.0, min(self._next_try, deadline) - now))
        try:
            return self._listen(deadline)
        except psycopg.Error as exc:
            self._drop(exc)
            return Changes()

    def _listen(self, deadline: float) -> Changes:
        assert self._conn is not None
        remaining = max(0.0, deadline - time.monotonic())
        heard = list(self._conn.notifies(timeout=remaining, stop_after=1))
        if heard:
            heard += self._conn.notifies(timeout=BURST_S)  # the rest of a burst, in one answer
            self._last_heard = time.monotonic()
        elif time.monotonic() - self._last_heard >= PING_AFTER_S:
            self._conn.execute("SELECT 1")  # raises if the connection died without a word
            self._last_heard = time.monotonic()
        ids: set[uuid.UUID] = set()
        alerts = False
        for note in heard:
            if note.channel == EVENTS_CHANNEL:
                try:
                    ids.add(uuid.UUID(note.payload))
                except ValueError:
                    return Changes(frozenset(ids), alerts, everything=True)
            elif note.channel == ALERTS_CHANNEL:
                alerts = True
        return Changes(frozenset(ids), alerts)

    def close(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(Exception):
                self._conn.close()
        self._conn = None


class SqlitePoller:
    """Reads ``PRAGMA data_version`` on a connection of its own; any commit by another connection to the
    file (another process, or another Database in this one) reports ``everything``."""

    def __init__(self, path: str, *, interval_s: float = SQLITE_POLL_S) -> None:
        self._path = path
        self._interval = interval_s
        self._conn: sqlite3.Connection | None = None
        self._version: int | None = None
        self._open()

    def _open(self) -> bool:
        try:
            conn = sqlite3.connect(self._path, timeout=5, check_same_thread=False, isolation_level=None)
            version = conn.execute("PRAGMA data_version").fetchone()[0]
        except sqlite3.Error as exc:
            log.warning("change poller cannot read the database (retrying): %s", exc)
            return False
        self._conn, self._version = conn, version
        return True

    def _read(self) -> int | None:
        if self._conn is None and not self._open():
            return None
        assert self._conn is not None
        try:
            return int(self._conn.execute("PRAGMA data_version").fetchone()[0])
        except sqlite3.Error as exc:
            log.warning("change poller lost the database (reopening): %s", exc)
            with contextlib.suppress(Exception):
                self._conn.close()
            self._conn = None
            return None

    def wait(self, timeout_s: float) -> Changes:
        deadline = time.monotonic() + max(0.0, timeout_s)
        while True:
            had = self._conn is not None
            version = self._read()
            if version is not None and (not had or version != self._version):
                self._version = version
                return Changes(everything=True)
            left = deadline - time.monotonic()
            if left <= 0:
                return Changes()
            time.sleep(min(self._interval, left))

    def close(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(Exception):
                self._conn.close()
        self._conn = None


class QuietListener:
    """For a database nobody else can write (SQLite in memory): waits, reports nothing."""

    def wait(self, timeout_s: float) -> Changes:
        time.sleep(max(0.0, timeout_s))
        return Changes()

    def close(self) -> None:
        pass


def open_listener(db: Database) -> Listener:
    """The listener that fits ``db``: NOTIFY on PostgreSQL, data_version on a SQLite file."""
    if db.kind == "postgresql":
        return PgListener(db.url)
    path = make_url(db.url).database
    if not path or path == ":memory:" or path.startswith("file::memory:"):
        return QuietListener()
    return SqlitePoller(path)
