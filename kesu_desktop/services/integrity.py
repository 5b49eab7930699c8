"""Is the event log still what the desks wrote? Recomputing every node's hash chain says.

Each node chains its own events (storage/eventlog.py): ``seq`` 1, 2, …, each event's ``prev_hash`` the
previous event's ``hash``, each ``hash`` the SHA-256 of the event's canonical content. Walking a node's
events in ``seq`` order therefore finds

- **content changed**: an event's content no longer gives its stored hash (a field rewritten by SQL);
- **event missing**: a gap in ``seq``, or fewer events than the node's chain head counts (removed,
  truncated);
- **order changed**: an event's ``prev_hash`` is the hash of another event of the node, not of the one
  before it (events renumbered);
- **unknown prev**: an event's ``prev_hash`` is nobody's (an event replaced by one made up);
- **head mismatch**: the chain is whole but ends elsewhere than the node's head row says.

Only the first break of each node is named: after it, nothing in that chain can be trusted more.

A node with no chain head on this database is a **replica** chain: another node's events copied here
(a branch holds only its office's events of the central's nodes, so those chains have gaps). Every
event's own hash is still checked, and its ``prev_hash`` wherever the previous event is present, but
a gap is no break and there is no head to compare the end with; such nodes are reported as
``replica`` so a node that should have a head (this database's own) does not pass unnoticed.
This detects tampering by anyone who does not also recompute every later hash and the head; a
knowing attacker with write access can forge a chain, so desks connect as the least-privilege role
of ``db_role_sql`` (no UPDATE, DELETE, TRUNCATE or ALTER on case_events), and a node's head hash
(reported here) can be noted elsewhere, or carried by sync to other offices, to anchor it.

The events are streamed in (node, seq) order along the unique index, so 100,000 events take seconds.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from sqlalchemy import func, select

from kesu_desktop.domain.enums import Role
from kesu_desktop.domain.errors import NotAllowed, NotFound, ValidationError
from kesu_desktop.i18n import _
from kesu_desktop.services.actor import Actor
from kesu_desktop.services.desk import Desk
from kesu_desktop.storage import eventlog
from kesu_desktop.storage.models import Case, CaseEvent, NodeChainHead

#: Who may check the log: those who answer for the office's records.
VERIFIERS = frozenset({Role.SUPERVISOR, Role.MANAGER, Role.ADMIN})
_STREAM = 2000


class BreakKind(StrEnum):
    CONTENT_CHANGED = "content_changed"
    EVENT_MISSING = "event_missing"
    ORDER_CHANGED = "order_changed"
    UNKNOWN_PREV = "unknown_prev"
    HEAD_MISMATCH = "head_mismatch"

    @property
    def label(self) -> str:
        return {
            BreakKind.CONTENT_CHANGED: _("内容被改动"),
            BreakKind.EVENT_MISSING: _("事件缺失"),
            BreakKind.ORDER_CHANGED: _("顺序被改动"),
            BreakKind.UNKNOWN_PREV: _("前一事件未知"),
            BreakKind.HEAD_MISMATCH: _("链头不符"),
        }[self]


@dataclass(frozen=True)
class ChainBreak:
    """Where a node's chain first breaks: the event (when there is one to name) and what is wrong."""

    kind: BreakKind
    event_id: uuid.UUID | None
    seq: int | None
    case_no: str | None
    detail: str

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "what": self.kind.label,
            "event_id": None if self.event_id is None else str(self.event_id),
            "seq": self.seq,
            "case_no": self.case_no,
            "detail": self.detail,
        }


@dataclass(frozen=True)
class NodeChain:
    node_id: str
    events: int
    head_hash: str | None
    first_break: ChainBreak | None
    #: No chain head here: a copy of another node's events, gaps allowed (see the module's doc).
    replica: bool = False

    def as_json(self) -> dict[str, Any]:
        return {
            "node_id": self.node_id,
            "events": self.events,
            "head_hash": self.head_hash,
            "first_break": None if self.first_break is None else self.first_break.as_json(),
            "replica": self.replica,
        }


@dataclass(frozen=True)
class LogReport:
    nodes: list[NodeChain] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return all(node.first_break is None for node in self.nodes)

    @property
    def breaks(self) -> list[NodeChain]:
        return [node for node in self.nodes if node.first_break is not None]

    def as_json(self) -> dict[str, Any]:
        return {"intact": self.intact, "nodes": [node.as_json() for node in self.nodes]}


@dataclass(frozen=True)
class _Head:
    last_event_id: uuid.UUID | None
    last_hash: str
    count: int


@dataclass
class _Walk:
    """One node's chain as it is streamed past."""

    node_id: str
    #: No head row on this database: a gap in seq is allowed, only present links are checked.
    replica: bool = False
    count: int = 0
    last_seq: int = 0
    last_hash: str = eventlog.GENESIS
    hashes: set[str] = field(default_factory=set)
    #: (kind or None when the link must be classified at the end, event id, seq, case id, prev hash)
    suspect: tuple[BreakKind | None, uuid.UUID, int, uuid.UUID, str] | None = None


def verify_log(desk: Desk, actor: Actor, case_no: str | None = None) -> LogReport:
    """Recompute every node's chain (or, with ``case_no``, the chains of the nodes that wrote that case's
    events: a removed event can only show in its node's chain) and name each chain's first break."""
    if actor.role not in VERIFIERS:
        raise NotAllowed(_("只有主管、经理或管理员可以核验事件日志"))
    with desk.db.read() as session:
        heads = {
            node_id: _Head(last_event_id, last_hash, count)
            for node_id, last_event_id, last_hash, count in session.execute(
                select(
                    NodeChainHead.node_id,
                    NodeChainHead.last_event_id,
                    NodeChainHead.last_hash,
                    NodeChainHead.count,
                )
            )
        }
        nodes: set[str] | None = None
        if case_no is not None:
            case_no = case_no.strip()
            if not case_no:
                raise ValidationError.single("case_no", _("请填写案件编号"))
            case_id = session.scalar(select(Case.id).where(Case.case_no == case_no))
            if case_id is None:
                raise NotFound(_("案件“{case_no}”不存在").format(case_no=case_no), field="case_no")
            nodes = set(session.scalars(select(CaseEvent.node_id).where(CaseEvent.case_id == case_id)))
            heads = {k: v for k, v in heads.items() if k in nodes}
        events = CaseEvent.__table__.c
        query = select(
            events.id,
            events.case_id,
            events.hlc,
            events.node_id,
            events.actor_id,
            events.actor,
            events.kind,
            events.at,
            events.payload,
            events.seq,
            events.prev_hash,
            events.hash,
        ).order_by(events.node_id, events.seq)
        if nodes is not None:
            query = query.where(events.node_id.in_(nodes))
        walks: list[_Walk] = []
        walk: _Walk | None = None
        for row in session.execute(query.execution_options(yield_per=_STREAM)):
            if walk is None or walk.node_id != row.node_id:
                walk = _Walk(row.node_id, replica=row.node_id not in heads)
                walks.append(walk)
            _step(walk, row)
        seen = {w.node_id for w in walks}
        walks.extend(_Walk(node_id) for node_id in heads if node_id not in seen)
        result = [_finish(session, walk, heads.get(walk.node_id)) for walk in walks]
    return LogReport(sorted(result, key=lambda n: n.node_id))


def _step(walk: _Walk, row: Any) -> None:
    walk.count += 1
    walk.hashes.add(row.hash)
    if walk.suspect is None:
        if eventlog.event_hash(row) != row.hash:
            walk.suspect = (BreakKind.CONTENT_CHANGED, row.id, row.seq, row.case_id, row.prev_hash)
        elif row.seq != walk.last_seq + 1:
            if not walk.replica:  # a replica holds only some of the node's events: nothing to link to
                walk.suspect = (BreakKind.EVENT_MISSING, row.id, row.seq, row.case_id, row.prev_hash)
        elif row.prev_hash != walk.last_hash:
            walk.suspect = (None, row.id, row.seq, row.case_id, row.prev_hash)
    walk.last_seq, walk.last_hash = row.seq, row.hash


def _finish(session: Any, walk: _Walk, head: _Head | None) -> NodeChain:
    found: ChainBreak | None = None
    if walk.suspect is not None:
        kind, event_id, seq, case_id, prev_hash = walk.suspect
        if kind is None:
            kind = BreakKind.ORDER_CHANGED if prev_hash in walk.hashes else BreakKind.UNKNOWN_PREV
        found = ChainBreak(kind, event_id, seq, _case_no(session, case_id), _detail(kind, seq))
    elif walk.replica or head is None:
        pass  # no head to hold the end against (a walk without a head row is a replica)
    elif head.count > walk.count:
        found = ChainBreak(
            BreakKind.EVENT_MISSING,
            head.last_event_id,
            head.count,
            _event_case_no(session, head.last_event_id),
            _("链头记录了 {expected} 个事件，只找到 {found} 个（末尾的事件被删除）").format(
                expected=head.count, found=walk.count
            ),
        )
    elif head.count != walk.count or head.last_hash != walk.last_hash:
        found = ChainBreak(
            BreakKind.HEAD_MISMATCH,
            head.last_event_id,
            head.count,
            None,
            _("链头记录了 {expected} 个事件，找到 {found} 个，末尾的散列值不符").format(
                expected=head.count, found=walk.count
            ),
        )
    return NodeChain(
        walk.node_id, walk.count, None if head is None else head.last_hash, found, replica=walk.replica
    )


def _detail(kind: BreakKind, seq: int) -> str:
    if kind is BreakKind.CONTENT_CHANGED:
        return _("第 {seq} 个事件的内容与其散列值不符（被改写）").format(seq=seq)
    if kind is BreakKind.EVENT_MISSING:
        return _("第 {seq} 个事件之前有事件被删除").format(seq=seq)
    if kind is BreakKind.ORDER_CHANGED:
        return _("第 {seq} 个事件指向的前一事件不在它之前（顺序被改动）").format(seq=seq)
    return _("第 {seq} 个事件指向的前一事件不存在（被替换）").format(seq=seq)


def _case_no(session: Any, case_id: uuid.UUID | None) -> str | None:
    if case_id is None:
        return None
    return session.scalar(select(Case.case_no).where(Case.id == case_id))


def _event_case_no(session: Any, event_id: uuid.UUID | None) -> str | None:
    if event_id is None:
        return None
    return _case_no(session, session.scalar(select(CaseEvent.case_id).where(CaseEvent.id == event_id)))


# -- the desks' database role (PostgreSQL) ---------------------------------------------------------

_ROLE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")
#: What a desk does to each table besides case_events: read, add and change rows; delete only the rows
#: the app itself deletes (search entries rebuilt, alerts and watch entries cleared, drafts replaced).
_TABLE_PRIVILEGES = "SELECT, INSERT, UPDATE, DELETE"


def db_role_sql(name: str, *, password: str | None = None, database: str = "") -> list[str]:
    """The statements that make ``name`` the least-privilege role desks connect as (PostgreSQL).

    SELECT and INSERT on case_events and nothing else there (no UPDATE, DELETE, TRUNCATE), the rows
    of the other tables, the sequences; never the owner of any table, so it cannot ALTER a table or
    DISABLE its triggers, and not a superuser (NOSUPERUSER also means session_replication_role cannot
    be set). Migrations still run as the owner: an upgraded release is first opened by an admin.
    """
    if not _ROLE_NAME.fullmatch(name):
        raise ValidationError.single(
            "name", _("角色名只能用小写字母、数字和下划线，且不以数字开头（最多 63 个字符）")
        )
    login = "LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS"
    statements = [
        "DO $$ BEGIN "
        f"IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{name}') THEN CREATE ROLE {name}; END IF; "
        "END $$",
        f"ALTER ROLE {name} {login}" + ("" if password is None else " PASSWORD " + _literal(password)),
    ]
    if database:
        statements.append(f'GRANT CONNECT ON DATABASE "{database}" TO {name}')
    statements += [
        f"GRANT USAGE ON SCHEMA public TO {name}",
        f"REVOKE CREATE ON SCHEMA public FROM {name}",
        f"GRANT {_TABLE_PRIVILEGES} ON ALL TABLES IN SCHEMA public TO {name}",
        f"REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON case_events FROM {name}",
        f"REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON alembic_version FROM {name}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {name}",
    ]
    return statements


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def create_db_role(desk: Desk, actor: Actor, name: str, *, password: str | None = None) -> list[str]:
    """Make (or bring up to date) the desks' role on this PostgreSQL database; returns what was run,
    the password masked. Run it again after an upgrade that adds tables."""
    if actor.role is not Role.ADMIN:
        raise NotAllowed(_("只有管理员可以创建数据库角色"))
    if desk.db.kind != "postgresql":
        raise ValidationError.single("db", _("数据库角色只用于 PostgreSQL；SQLite 文件靠文件权限保护"))
    with desk.db.write() as session:
        database = session.scalar(select(func.current_database()))
        statements = db_role_sql(name, password=password, database=database or "")
        driver = session.connection().connection.driver_connection
        for statement in statements:
            driver.execute(statement)  # no parameters: the text is sent as it is (names were checked)
    return db_role_sql(name, password=None if password is None else "********", database=database or "")


def event_log_notice(desk: Desk, actor: Actor) -> str:
    """The desktop's start-up check: for an administrator, a warning naming each broken chain; for
    everyone else (and for an intact log) nothing — clerks can do nothing about it, and the check reads
    the whole log, so it is not run for them at all."""
    if actor.role is not Role.ADMIN:
        return ""
    report = verify_log(desk, actor)
    if report.intact:
        return ""
    lines = [_("事件日志被改动过（在本应用之外）：")]
    for node in report.breaks:
        found = node.first_break
        assert found is not None
        lines.append(
            _("节点 {node}：{what}，案件 {case}（{detail}）").format(
                node=node.node_id, what=found.kind.label, case=found.case_no or "-", detail=found.detail
            )
        )
    lines.append(_("请用 kesu verify-log 查看详情，并检查谁能直接写数据库。"))
    return "\n".join(lines)
