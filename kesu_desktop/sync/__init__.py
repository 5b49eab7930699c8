"""Many desks, one truth: branches that work offline and sync with the central later (docs/sync.md).

The public API the desktop and the CLI call; nothing here imports Qt.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from kesu_desktop.services import Desk
from kesu_desktop.sync.network import SyncReport, branch_link, pending_count, sync_now


@dataclass(frozen=True)
class SyncStatus:
    """What the status bar shows on a branch."""

    office: str
    last_sync_at: datetime | None
    pending: int
    agreed: bool | None
    #: False for a branch made from a carried file: it exchanges files only.
    networked: bool = True


def sync_status(desk: Desk) -> SyncStatus | None:
    """The branch's sync state, or None on a database that is no branch (the central, a single desk)."""
    with desk.db.read() as session:
        link = branch_link(session)
        if link is None:
            return None
        result = link.last_result or {}
        return SyncStatus(
            office=link.office_code,
            last_sync_at=link.last_sync_at,
            pending=pending_count(session, link),
            agreed=result.get("agree") if result else None,
            networked=bool(link.central_url),
        )


def is_unreachable(exc: BaseException) -> bool:
    """Whether a sync failed because the central could not be reached (try again later), not a bug."""
    from sqlalchemy.exc import DBAPIError, OperationalError

    if isinstance(exc, OperationalError):
        return True
    if isinstance(exc, DBAPIError):
        return bool(exc.connection_invalidated)
    return isinstance(exc, OSError)


__all__ = ["SyncReport", "SyncStatus", "is_unreachable", "sync_now", "sync_status"]
