"""The running installation: a database, a clock, a node identity and its hybrid logical clock.

Every use case takes a Desk. It holds no per-request state, so one Desk serves a whole GUI session,
a CLI invocation or a benchmark.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from kesu_desktop.domain.ids import HybridLogicalClock, Timestamp
from kesu_desktop.services.clock import Clock, SystemClock
from kesu_desktop.storage.database import Database
from kesu_desktop.storage.migrate import upgrade


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


@dataclass
class Desk:
    db: Database
    clock: Clock = field(default_factory=SystemClock)
    node_id: str = field(default_factory=load_node_id)
    hlc: HybridLogicalClock = field(default_factory=HybridLogicalClock)

    @classmethod
    def open(cls, url: str, *, clock: Clock | None = None, node_id: str | None = None) -> Desk:
        """Open (and migrate if needed) the database at ``url``."""
        db = Database(url)
        upgrade(db)
        return cls(db=db, clock=clock or SystemClock(), node_id=node_id or load_node_id())

    def stamp(self, after: str | None = None) -> str:
        """The next HLC stamp, later than ``after`` (the case's last stamp): a case's events stay ordered."""
        wall_ms = int(self.clock.now().timestamp() * 1000)
        if after:
            return self.hlc.observe(Timestamp.decode(after), wall_ms).encode()
        return self.hlc.tick(wall_ms).encode()

    def close(self) -> None:
        self.db.dispose()
