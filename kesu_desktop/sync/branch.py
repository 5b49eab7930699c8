"""Creating a branch database: ``kesu --db BRANCH init --branch-of CENTRAL --office CODE``.

The admin's password is checked on the central; the central makes (or refreshes) the office's
PostgreSQL role (services.branch_access) and its bundle key; the branch keeps only the role's URL,
never the one it was given. Everything is then read through that role, so a branch is created with
exactly the rights it will sync with: the office's reference data, then its cases by a first pull.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select

from kesu_desktop.domain.enums import Role
from kesu_desktop.domain.errors import NotAllowed, ValidationError
from kesu_desktop.i18n import _
from kesu_desktop.services import Actor, Desk, login
from kesu_desktop.storage.database import Database
from kesu_desktop.storage.models import Office, SyncLink
from kesu_desktop.sync.bundle import ensure_office_key
from kesu_desktop.sync.network import SyncReport, sync_now
from kesu_desktop.sync.reference import apply_snapshot, snapshot


@dataclass
class BranchInit:
    office: str
    branch_id: str
    role: str
    report: SyncReport


def init_branch(
    branch: Desk,
    central_url: str,
    office_code: str,
    admin: str,
    password: str,
    *,
    progress: Callable[[str, int], None] | None = None,
) -> BranchInit:
    """Make ``branch`` (an empty, migrated database) a branch of ``office_code`` at the central."""
    from kesu_desktop.services.branch_access import create_branch_credentials

    office_code = office_code.strip().upper()
    with branch.db.read() as session:
        if session.scalar(select(Office.id).limit(1)) is not None:
            raise ValidationError.single("db", _("分支数据库必须是空的：这个数据库已经初始化过"))
    central = Desk.open(central_url, node_id=branch.node_id)
    try:
        actor: Actor = login(central, admin, password)
        if actor.role is not Role.ADMIN:
            raise NotAllowed(_("只有管理员可以创建分支机构"))
        with central.db.write() as session:
            if session.scalar(select(Office.id).where(Office.code == office_code)) is None:
                raise ValidationError.single(
                    "office", _("中心没有网点“{code}”（先用 kesu office add 添加）").format(code=office_code)
                )
            ensure_office_key(session, office_code)
        credentials = create_branch_credentials(central, actor, office_code)
    finally:
        central.close()
    role_db = Database(credentials.url)
    try:
        with role_db.read() as session:
            rows, blobs, digest = snapshot(session, office_code)
        with branch.db.write() as session:
            apply_snapshot(session, rows, blobs)
            link = SyncLink(
                office_code=office_code,
                central_url=credentials.url,
                branch_id=str(uuid.uuid4()),
                pulled_through=0,
                pushed_through=0,
                reference_hash=digest,
                clock_offset_ms=0,
                created_at=datetime.now(UTC),
            )
            session.add(link)
            session.flush()
            branch_id = link.branch_id
        branch_actor = login(branch, admin, password)
        report = sync_now(branch, branch_actor, progress=progress, central=role_db)
    finally:
        role_db.dispose()
    return BranchInit(office=office_code, branch_id=branch_id, role=credentials.role, report=report)
