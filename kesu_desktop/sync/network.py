"""``kesu sync``: a branch exchanges its office's rows with the central over the network.

Order of one sync (docs/sync.md):

1. **Clock**: the central's clock is read; the difference is stored and added to this branch's HLC
   stamps from then on, and a large difference is reported.
2. **Reference data** from the central, when its hash changed.
3. **Push**, batch by batch: the rows written here that the central has not stored, each batch one
   central transaction (``INSERT … ON CONFLICT DO NOTHING`` semantics: sync/apply.py skips what is
   there) that also records how far it got (``sync_branches``); then the branch records the same.
   If the COMMIT reply is lost, the next sync reads the central's record and moves on.
4. **Pull**, batch by batch: the central's feed of the office after the branch's checkpoint, each batch
   applied in one branch transaction (``synchronous=FULL``) that also writes the checkpoint.
5. **Check**: both sides count the office's events and hash their ids; exit 0 only when they agree.

Every step can be interrupted anywhere: nothing is half-applied, and the next sync resumes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from kesu_desktop.domain.enums import Role
from kesu_desktop.domain.errors import NotAllowed, ValidationError
from kesu_desktop.i18n import _
from kesu_desktop.services import Actor, Desk
from kesu_desktop.storage.database import Database
from kesu_desktop.storage.models import Case, CaseConflict, CaseEvent, SyncBranch, SyncFeed, SyncLink
from kesu_desktop.sync.apply import BatchRefused, apply_batch
from kesu_desktop.sync.batch import Batch, case_histories, read_feed, referenced_cases, registered_cases
from kesu_desktop.sync.reference import apply_snapshot, snapshot

BATCH_SIZE = 2000
#: A clock this far from the central's is reported to the user (stamps are corrected either way).
SKEW_WARNING_MS = 5 * 60 * 1000
CENTRAL = "central"

Progress = Callable[[str, int], None]


@dataclass
class SyncReport:
    office: str
    pushed: int = 0
    pulled: int = 0
    conflicts: int = 0
    checkpoint: int = 0
    pushed_through: int = 0
    central_events: int = 0
    local_events: int = 0
    central_hash: str = ""
    local_hash: str = ""
    skew_ms: int = 0
    reference_rows: int = 0
    refused: list[str] = field(default_factory=list)

    @property
    def agree(self) -> bool:
        return self.central_events == self.local_events and self.central_hash == self.local_hash

    @property
    def skew_reported(self) -> bool:
        return abs(self.skew_ms) >= SKEW_WARNING_MS

    def as_json(self) -> dict[str, Any]:
        return {
            "office": self.office,
            "pushed": self.pushed,
            "pulled": self.pulled,
            "conflicts": self.conflicts,
            "checkpoint": self.checkpoint,
            "pushed_through": self.pushed_through,
            "central_events": self.central_events,
            "local_events": self.local_events,
            "central_hash": self.central_hash,
            "local_hash": self.local_hash,
            "agree": self.agree,
            "skew_ms": self.skew_ms,
            "reference_rows": self.reference_rows,
            "refused": self.refused,
        }


def quarantine(batch: Batch, reason: str) -> Path:
    """Keep a refused batch as a file for whoever looks into it (nothing of it was applied)."""
    from kesu_desktop.fileio import write_atomically
    from kesu_desktop.paths import user_data_dir

    folder = user_data_dir() / "quarantine"
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    target = folder / f"{stamp}-{batch.office}-{batch.after}-{batch.through}.json"
    body = {"reason": reason, "batch": batch.as_json()}
    write_atomically(target, json.dumps(body, ensure_ascii=False).encode("utf-8"))
    return target


def branch_link(session: Session) -> SyncLink | None:
    return session.scalar(select(SyncLink).limit(1))


def _link_for(desk: Desk, actor: Actor) -> SyncLink:
    with desk.db.read() as session:
        link = branch_link(session)
        if link is not None:
            session.expunge(link)  # a detached copy: the cursors below are ours to move
    if link is None:
        raise ValidationError.single("db", _("本数据库不是分支机构（请先用 kesu init --branch-of 创建）"))
    if not link.central_url:
        raise ValidationError.single(
            "db",
            _("本分支机构没有与中心的网络连接（由同步文件创建）：请用 kesu sync export / import 交换文件"),
        )
    if actor.role is not Role.ADMIN and actor.office_code != link.office_code:
        raise NotAllowed(_("只有本网点的用户可以同步"))
    return link


def office_digest(session: Session, office: str) -> tuple[int, str]:
    """How many events the office's cases have here, and a SHA-256 of their ids in order."""
    ids = session.scalars(
        select(CaseEvent.id).join(Case, Case.id == CaseEvent.case_id).where(Case.office_code == office)
    ).all()
    digest = hashlib.sha256()
    for event_id in sorted(str(i) for i in ids):
        digest.update(event_id.encode())
    return len(ids), digest.hexdigest()


def pending_count(session: Session, link: SyncLink) -> int:
    """Rows written here that the central has not stored yet (the status bar's 待同步)."""
    return int(
        session.scalar(
            select(func.count())
            .select_from(SyncFeed)
            .where(
                SyncFeed.office_code == link.office_code,
                SyncFeed.seq > link.pushed_through,
                SyncFeed.source.is_(None),
            )
        )
        or 0
    )


def _central_offset_ms(central: Database, wall: Callable[[], datetime]) -> int:
    before = wall()
    with central.read() as session:
        theirs = session.scalar(text("SELECT clock_timestamp()"))
    after = wall()
    mine = before + (after - before) / 2
    return int((theirs.astimezone(UTC) - mine).total_seconds() * 1000)


def sync_now(
    desk: Desk,
    actor: Actor,
    *,
    batch_size: int = BATCH_SIZE,
    progress: Progress | None = None,
    central: Database | None = None,
) -> SyncReport:
    """One full sync of this branch with its central (see the module docstring)."""
    link = _link_for(desk, actor)
    own_central = central is None
    central = central or Database(link.central_url or "")
    local = Database(desk.db.url, durable=True)
    report = SyncReport(office=link.office_code)
    step = progress or (lambda _what, _n: None)
    try:
        report.skew_ms = _central_offset_ms(central, desk.wall.now)
        _store_offset(local, report.skew_ms, desk)
        step("reference", 0)
        report.reference_rows = _pull_reference(local, central, link.office_code)
        _push(local, central, link, report, batch_size, step)
        _pull(local, central, link, report, batch_size, step, desk)
        with central.read() as session:
            report.central_events, report.central_hash = office_digest(session, link.office_code)
        with local.write() as session:
            report.local_events, report.local_hash = office_digest(session, link.office_code)
            report.conflicts = _open_conflicts(session, link.office_code)
            row = session.get(SyncLink, link.id)
            assert row is not None
            row.last_sync_at = datetime.now(UTC)
            row.last_result = report.as_json()
            report.checkpoint, report.pushed_through = row.pulled_through, row.pushed_through
    finally:
        local.engine.dispose()
        if own_central:
            central.dispose()
    return report


def _store_offset(local: Database, offset_ms: int, desk: Desk) -> None:
    with local.write() as session:
        link = branch_link(session)
        assert link is not None
        link.clock_offset_ms = offset_ms
    desk.wall_offset_ms = offset_ms


def _open_conflicts(session: Session, office: str) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(CaseConflict)
            .join(Case, Case.id == CaseConflict.case_id)
            .where(Case.office_code == office, CaseConflict.resolved.is_(False))
        )
        or 0
    )


def _pull_reference(local: Database, central: Database, office: str) -> int:
    with central.read() as session:
        rows, blobs, digest = snapshot(session, office)
    with local.write() as session:
        link = branch_link(session)
        assert link is not None
        if link.reference_hash == digest:
            return 0
        changed = apply_snapshot(session, rows, blobs)
        link.reference_hash = digest
        return changed


def _push(
    local: Database, central: Database, link: SyncLink, report: SyncReport, size: int, step: Progress
) -> None:
    with central.write() as session:
        record = session.get(SyncBranch, link.branch_id)
        theirs = None if record is None else record.pushed_through
    if theirs is not None and theirs != link.pushed_through:
        # The central's record wins: ahead means a COMMIT whose reply was lost (skip what it has),
        # behind means a central restored from a backup (send again what it lost).
        with local.write() as session:
            row = session.get(SyncLink, link.id)
            assert row is not None
            row.pushed_through = link.pushed_through = theirs
    while True:
        with local.read() as session:
            batch = read_feed(session, link.office_code, link.pushed_through, size, local_only=True)
        if batch.through == batch.after:
            return
        with central.write() as session:
            try:
                result = apply_batch(session, batch, source=link.branch_id, now=datetime.now(UTC))
            except BatchRefused as exc:
                session.rollback()
                report.refused.append(str(exc))
                kept = quarantine(batch, str(exc))
                raise ValidationError.single(
                    "sync", _("批次被中心拒绝：{why}（已存放于 {path}）").format(why=exc, path=kept)
                ) from None
            record = session.get(SyncBranch, link.branch_id)
            if record is None:
                record = SyncBranch(branch_id=link.branch_id, office_code=link.office_code, pulled_through=0)
                session.add(record)
            record.pushed_through = batch.through
            record.last_seen_at = datetime.now(UTC)
        with local.write() as session:
            row = session.get(SyncLink, link.id)
            assert row is not None
            row.pushed_through = link.pushed_through = max(row.pushed_through, batch.through)
        report.pushed += result.events + result.rows
        step("push", report.pushed)


def _pull(
    local: Database,
    central: Database,
    link: SyncLink,
    report: SyncReport,
    size: int,
    step: Progress,
    desk: Desk,
) -> None:
    while True:
        with central.read() as session:
            batch = read_feed(
                session, link.office_code, link.pulled_through, size, exclude_source=link.branch_id
            )
            if batch.through == batch.after:
                break
            with local.read() as mine:
                known = set(mine.scalars(select(Case.id).where(Case.id.in_(list(referenced_cases(batch))))))
            missing = referenced_cases(batch) - known - registered_cases(batch)
            case_histories(session, missing, batch)
        with local.write() as session:
            try:
                result = apply_batch(session, batch, source=CENTRAL, now=desk.clock.now())
            except BatchRefused as exc:
                session.rollback()
                report.refused.append(str(exc))
                kept = quarantine(batch, str(exc))
                raise ValidationError.single(
                    "sync", _("中心的批次未通过校验：{why}（已存放于 {path}）").format(why=exc, path=kept)
                ) from None
            row = session.get(SyncLink, link.id)
            assert row is not None
            row.pulled_through = link.pulled_through = max(row.pulled_through, batch.through)
        report.pulled += result.events + result.rows
        step("pull", report.pulled)
    with central.write() as session:
        record = session.get(SyncBranch, link.branch_id)
        if record is not None:
            record.pulled_through = link.pulled_through
