"""The running installation: a database, two clocks, a node identity and its hybrid logical clock.

Every use case takes a Desk. It holds no per-request state, so one Desk serves a whole GUI session,
a CLI invocation or a benchmark.

The two clocks: ``clock`` says what time the user states the event happened (the event's ``at``, the
deadlines); ``wall`` is when the desk really recorded it (the HLC stamp, sign-in lock-outs). They are the
same real clock unless ``--now``/``KESU_NOW`` overrides the stated one, which the database must allow
(``allow_clock_override``), so a stated time can never hide when something was written.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from kesu_desktop.domain.errors import NotAllowed
from kesu_desktop.domain.ids import HybridLogicalClock, Timestamp
from kesu_desktop.i18n import _
from kesu_desktop.services.clock import Clock, FixedClock, SystemClock
from kesu_desktop.services.reference_cache import ReferenceCache
from kesu_desktop.storage.database import Database
from kesu_desktop.storage.migrate import upgrade
from kesu_desktop.storage.models import Setting, SyncLink

#: The company-wide setting that lets ``--now``/``KESU_NOW`` state the time (for tests and demos).
CLOCK_OVERRIDE_SETTING = "allow_clock_override"


def node_id_file() -> Path:
    from kesu_desktop.paths import user_config_dir

    return user_config_dir() / "node_id"


def load_node_id() -> str:
    """This installation's identity, made once and kept in the user's config folder."""
    explicit = os.environ.get("KESU_NODE_ID")
    if explicit:
        return explicit
    path = node_id_file()
    try:
        existing = path.read_text(encoding="utf-8").strip()
        if existing:
            return existing
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    node = str(uuid.uuid4())
    path.write_text(node, encoding="utf-8")
    return node


class CorrectedClock:
    """A clock corrected by the central's: a branch's stated "now" when nobody states one."""

    def __init__(self, base: Clock, offset_ms: int) -> None:
        self.base, self.offset = base, timedelta(milliseconds=offset_ms)

    def now(self) -> datetime:
        return self.base.now() + self.offset


def _stored_offset(db: Database) -> int:
    """The clock offset the last sync measured (0 on a database that is no branch)."""
    with db.read() as session:
        value = session.scalar(select(SyncLink.clock_offset_ms).limit(1))
    return int(value or 0)


@dataclass
class Desk:
    db: Database
    clock: Clock = field(default_factory=SystemClock)
    node_id: str = field(default_factory=load_node_id)
    hlc: HybridLogicalClock = field(default_factory=HybridLogicalClock)
    #: The real wall clock: HLC stamps and sign-in lock-outs; never overridden by ``--now``.
    wall: Clock = field(default_factory=SystemClock)
    #: On a branch: the central's clock minus ``wall``, as the last sync measured it. Added to every
    #: HLC stamp, so a branch whose clock is a day off neither wins every conflict nor reorders the
    #: timeline (docs/sync.md, clock safety).
    wall_offset_ms: int = 0
    #: The policies, calendars and lists built from the reference data, until it changes.
    reference: ReferenceCache = field(default_factory=ReferenceCache, repr=False, compare=False)

    @classmethod
    def open(cls, url: str, *, clock: Clock | None = None, node_id: str | None = None) -> Desk:
        """Open (and migrate if needed) the database at ``url``."""
        db = Database(url)
        upgrade(db)
        offset = _stored_offset(db)
        stated = clock or (CorrectedClock(SystemClock(), offset) if offset else SystemClock())
        return cls(db=db, clock=stated, node_id=node_id or load_node_id(), wall_offset_ms=offset)

    def stamp(self, after: str | None = None) -> str:
        """The next HLC stamp, later than ``after`` (the case's last stamp): a case's events stay ordered."""
        wall_ms = int(self.wall.now().timestamp() * 1000) + self.wall_offset_ms
        if after:
            return self.hlc.observe(Timestamp.decode(after), wall_ms).encode()
        return self.hlc.tick(wall_ms).encode()

    def allows_clock_override(self) -> bool:
        """Whether an administrator let this database take a stated time (company-wide setting)."""
        with self.db.read() as session:
            value = session.scalar(
                select(Setting.value).where(Setting.scope == "", Setting.key == CLOCK_OVERRIDE_SETTING)
            )
        return (value or "").strip().lower() in ("true", "1")

    def state_time(self, instant: datetime) -> None:
        """Use ``instant`` as the stated "now" (``--now``); refused unless the database allows it.

        Only the stated clock changes: stamps still come from ``wall``, so the record shows both.
        """
        if not self.allows_clock_override():
            raise NotAllowed(_("now: 本数据库不允许指定时间（管理员可设置 allow_clock_override）"))
        self.clock = FixedClock(instant)

    def close(self) -> None:
        self.db.dispose()
