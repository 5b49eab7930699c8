"""A sync process that dies by SIGKILL at an exact, chosen point (run by tests/sync/test_kill.py).

``python -m tests.helpers.sync_worker BRANCH_URL USER --batch-size N --die-at POINT:K``

Random kills from outside land wherever the scheduler puts them; this worker kills itself at the two
moments that matter most, to be sure each is hit on every run:

- ``central-commit:K``: right after the central committed the K-th push batch, before the branch
  records it (a lost COMMIT reply, by the client's death);
- ``local-commit:K``: inside the K-th pull transaction on the branch, with the batch and its
  checkpoint written but not yet committed.

The password is read from ``KESU_PASSWORD``. Progress is printed as ``push N`` / ``pull N`` lines.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from typing import Any

from sqlalchemy import Engine, event, inspect
from sqlalchemy.orm import Session

from kesu_desktop import services
from kesu_desktop.storage.models import SyncBranch, SyncLink
from kesu_desktop.sync.network import sync_now

_counts = {"central-commit": 0, "local-commit": 0}
_armed = {"local": False}


def _die() -> None:
    sys.stdout.flush()
    os.kill(os.getpid(), signal.SIGKILL)


def _changed(obj: Any, attribute: str) -> bool:
    return bool(getattr(inspect(obj).attrs, attribute).history.has_changes())


def install(point: str, nth: int) -> None:
    """Arm the death at ``point`` (see the module docstring) on its ``nth`` occurrence."""

    @event.listens_for(Session, "after_flush")
    def note(session: Session, _ctx: Any) -> None:
        for obj in [*session.new, *session.dirty]:
            if isinstance(obj, SyncBranch) and _changed(obj, "pushed_through"):
                session.info["pushed"] = True
            if isinstance(obj, SyncLink) and _changed(obj, "pulled_through"):
                _counts["local-commit"] += 1
                if point == "local-commit" and _counts["local-commit"] == nth:
                    _armed["local"] = True

    @event.listens_for(Session, "after_commit")
    def central_committed(session: Session) -> None:
        if session.info.pop("pushed", False):
            _counts["central-commit"] += 1
            if point == "central-commit" and _counts["central-commit"] == nth:
                _die()

    @event.listens_for(Engine, "commit")
    def before_local_commit(conn: Any) -> None:
        if _armed["local"] and conn.dialect.name == "sqlite":
            _die()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("db")
    parser.add_argument("user")
    parser.add_argument("--batch-size", type=int, default=10)
    parser.add_argument("--die-at", default="")
    args = parser.parse_args()
    if args.die_at:
        point, nth = args.die_at.split(":")
        assert point in _counts, point
        install(point, int(nth))
    desk = services.Desk.open(args.db)
    actor = services.login(desk, args.user, os.environ["KESU_PASSWORD"])

    def progress(stage: str, count: int) -> None:
        print(f"{stage} {count}", flush=True)

    report = sync_now(desk, actor, batch_size=args.batch_size, progress=progress)
    print(f"done agree={report.agree}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
