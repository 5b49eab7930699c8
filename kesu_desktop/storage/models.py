"""SQLAlchemy models: reference data, the case projection and the append-only event log.

Every key is a client-made UUID so offline offices never collide; codes (office, department,
category) are the stable business keys that cases refer to, so reference data can be copied
between databases without rewriting cases.

No ``from __future__ import annotations`` here, on purpose: Python then evaluates each ``Mapped[...]``
once as the class is made, where with string annotations SQLAlchemy's declarative scan would clean up
and ``eval`` all of them again (about 550) on every start, a fifth of this module's import (issue 16).
Every name an annotation uses must therefore be imported at run time, not under ``TYPE_CHECKING``.
"""

import uuid
from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from kesu_desktop.domain.ids import uuid7
from kesu_desktop.storage.types import JSONDocument, UTCDateTime

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime()}


class Office(Base):
    __tablename__ = "offices"
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    code: Mapped[str] = mapped_column(String(8), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")
    created_at: Mapped[datetime]


class Department(Base):
    __tablename__ = "departments"
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    code: Mapped[str] = mapped_column(String(8), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Category(Base):
    __tablename__ = "categories"
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    parent_code: Mapped[str | None] = mapped_column(String(32))
    default_department_code: Mapped[str | None] = mapped_column(String(8))
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class User(Base):
    __tablename__ = "users"
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(16))
    office_code: Mapped[str] = mapped_column(String(8))
    department_code: Mapped[str | None] = mapped_column(String(8))
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]


class Setting(Base):
    """Office-wide configuration as text; scope '' is company-wide, otherwise an office code."""

    __tablename__ = "settings"
    __table_args__ = (UniqueConstraint("scope", "key"),)
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    scope: Mapped[str] = mapped_column(String(8), default="")
    key: Mapped[str] = mapped_column(String(64))
    value: Mapped[str] = mapped_column(Text)


class LoginThrottle(Base):
    """Failed sign-ins counted per user name and per desk (node id), and the lock-out they led to.

    Rows exist for names that are no user too, so a lock-out says nothing about whether a name exists.
    The rule is in docs/security.md (services.users).
    """

    __tablename__ = "login_throttle"
    __table_args__ = (UniqueConstraint("kind", "key"),)
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    #: ``user`` (the name as typed) or ``desk`` (the node id the attempts came from).
    kind: Mapped[str] = mapped_column(String(8))
    key: Mapped[str] = mapped_column(String(200))
    #: Failures since the last success, unlock or lock-out.
    failures: Mapped[int] = mapped_column(Integer, default=0)
    #: Lock-outs so far; each lasts twice as long as the one before.
    lockouts: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[datetime | None]
    locked_until: Mapped[datetime | None]


class CalendarOverride(Base):
    """An administrator's word on one date (a holiday the bundled data does not know, a make-up day)."""

    __tablename__ = "calendar_overrides"
    __table_args__ = (UniqueConstraint("scope", "day"),)
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    scope: Mapped[str] = mapped_column(String(8), default="")
    day: Mapped[date] = mapped_column(Date)
    is_working: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str] = mapped_column(String(200), default="")


class CalendarYear(Base):
    """A year whose holiday arrangement an administrator imported (``kesu admin calendar-import``).

    The imported days themselves are ``calendar_overrides`` rows; this row is what says the year is
    known, so its deadlines stop being marked estimated (``domain.calendar.Coverage``).
    """

    __tablename__ = "calendar_years"
    __table_args__ = (UniqueConstraint("scope", "year"),)
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    scope: Mapped[str] = mapped_column(String(8), default="")
    year: Mapped[int] = mapped_column(Integer)
    #: How many dates the import listed, and the file's SHA-256: which text the year came from.
    days: Mapped[int] = mapped_column(Integer)
    source_sha256: Mapped[str] = mapped_column(String(64))
    imported_by: Mapped[str] = mapped_column(String(64))
    imported_at: Mapped[datetime]


class CaseSerial(Base):
    """The last serial handed out per office, department and day; one row locked per allocation."""

    __tablename__ = "case_serials"
    office_code: Mapped[str] = mapped_column(String(8), primary_key=True)
    department_code: Mapped[str] = mapped_column(String(8), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    last_serial: Mapped[int] = mapped_column(Integer)


class Case(Base):
    """The current state of a case: a projection of its events, updated in the same transaction."""

    __tablename__ = "cases"
    __table_args__ = (
        Index("ix_cases_created", "created_at", "id"),
        Index("ix_cases_status_created", "status", "created_at"),
        Index("ix_cases_priority_created", "priority", "created_at"),
        Index("ix_cases_category_created", "category", "created_at"),
        Index("ix_cases_department_status", "department_code", "status"),
        Index("ix_cases_department_created", "department_code", "created_at", "id"),
        Index("ix_cases_office_created", "office_code", "created_at"),
        Index("ix_cases_next_due", "next_due_at"),
        Index("ix_cases_phone", "phone"),
        Index("ix_cases_phone_last4", "phone_last4"),
        Index("ix_cases_account", "account_no"),
        Index("ix_cases_office_category_created", "office_code", "category", "created_at"),
        # Partial on both databases (WHERE assignee_id IS NOT NULL, migration 0015). Only SQLite's clause
        # is spelt here: a ``postgresql_*`` argument makes SQLAlchemy import its whole PostgreSQL dialect
        # to check it, on every start of every desk and ``kesu`` command (issue 16); the schema comes
        # from the migrations (nothing creates tables from these models).
        Index(
            "ix_cases_assignee_created",
            "assignee_id",
            "created_at",
            sqlite_where=text("assignee_id IS NOT NULL"),
        ),
    )
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    case_no: Mapped[str] = mapped_column(String(40), unique=True)
    office_code: Mapped[str] = mapped_column(String(8))
    reg_department_code: Mapped[str] = mapped_column(String(8))
    department_code: Mapped[str | None] = mapped_column(String(8))
    assignee_id: Mapped[uuid.UUID | None]
    assignee: Mapped[str | None] = mapped_column(String(64))
    customer_name: Mapped[str] = mapped_column(String(50))
    phone: Mapped[str] = mapped_column(String(20))
    phone_last4: Mapped[str] = mapped_column(String(4))
    #: The extension (分机) written after the number, digits only; apart so the number stays the key.
    phone_ext: Mapped[str | None] = mapped_column(String(10))
    email: Mapped[str | None] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(String(200))
    account_no: Mapped[str | None] = mapped_column(String(64))
    member_level: Mapped[str | None] = mapped_column(String(32))
    room_no: Mapped[str | None] = mapped_column(String(32))
    employer: Mapped[str | None] = mapped_column(String(200))
    channel: Mapped[str] = mapped_column(String(16))
    occurred_at: Mapped[datetime | None]
    location: Mapped[str | None] = mapped_column(String(200))
    product: Mapped[str | None] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    demand: Mapped[str | None] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(32))
    severity: Mapped[str] = mapped_column(String(16))
    priority: Mapped[str] = mapped_column(String(4))
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    is_repeat: Mapped[bool] = mapped_column(Boolean, default=False)
    validity: Mapped[str | None] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16))
    escalation_level: Mapped[int] = mapped_column(Integer, default=0)
    plan_needs_manager: Mapped[bool] = mapped_column(Boolean, default=False)
    respond_by: Mapped[datetime | None]
    plan_by: Mapped[datetime | None]
    resolve_by: Mapped[datetime | None]
    update_by: Mapped[datetime | None]
    survey_by: Mapped[datetime | None]
    callback_by: Mapped[datetime | None]
    next_due_at: Mapped[datetime | None]
    responded_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    confirmed_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    survey_efficiency: Mapped[int | None]
    survey_attitude: Mapped[int | None]
    survey_solution: Mapped[int | None]
    registered_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    last_hlc: Mapped[str] = mapped_column(String(24))
    deleted_at: Mapped[datetime | None]
    #: Set while the case waits on the customer or a third party; the resolution clock is paused.
    held_at: Mapped[datetime | None]


class CaseEvent(Base):
    """One immutable fact about a case. Never updated, never deleted.

    Each node chains its own events (``seq``, ``prev_hash``, ``hash``; see storage/eventlog.py), so a
    rewritten, removed or reordered event shows when the chain is recomputed.
    """

    __tablename__ = "case_events"
    __table_args__ = (
        Index("ix_case_events_case_hlc", "case_id", "hlc"),
        Index("ix_case_events_hlc", "hlc"),
        Index("ix_case_events_node_seq", "node_id", "seq", unique=True),
    )
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"))
    hlc: Mapped[str] = mapped_column(String(24))
    node_id: Mapped[str] = mapped_column(String(64))
    actor_id: Mapped[uuid.UUID | None]
    actor: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(40))
    at: Mapped[datetime]
    payload: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    #: Position in its node's chain (1, 2, …): the order the node wrote its events in.
    seq: Mapped[int] = mapped_column(Integer)
    #: SHA-256 (hex) of the node's previous event; 64 zeros for a node's first event.
    prev_hash: Mapped[str] = mapped_column(String(64))
    #: SHA-256 (hex) of this event's canonical content (eventlog.event_hash).
    hash: Mapped[str] = mapped_column(String(64))


class NodeChainHead(Base):
    """The last event each node wrote: read and advanced in the writing transaction, so two processes
    sharing a node id (the CLI and the desktop on one machine) never fork the chain."""

    __tablename__ = "node_chain_heads"
    node_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_event_id: Mapped[uuid.UUID | None]
    last_hash: Mapped[str] = mapped_column(String(64))
    count: Mapped[int] = mapped_column(Integer)


class CaseLink(Base):
    """A relation between two cases (repeat complaint of an earlier case, member of a mass complaint)."""

    __tablename__ = "case_links"
    #: The mass-complaint rule asks whether a case is already in a group (migration 0016).
    __table_args__ = (Index("ix_case_links_linked", "linked_case_id", "kind"),)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    linked_case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)


class Attachment(Base):
    """Evidence a customer brought (photos, receipts). Bytes live in the database so backups and sync
    carry them; the event log records the file's name and SHA-256, never the bytes."""

    __tablename__ = "attachments"
    __table_args__ = (Index("ix_attachments_case", "case_id"),)
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"))
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]


class ReplyTemplate(Base):
    """Reply wording an admin can edit; one active template per kind."""

    __tablename__ = "reply_templates"
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    kind: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    body: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime]


class Phrase(Base):
    """A sentence of the phrase library: recommended, or forbidden with a better suggestion."""

    __tablename__ = "phrases"
    __table_args__ = (UniqueConstraint("kind", "text"),)
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    kind: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(String(200))
    suggestion: Mapped[str] = mapped_column(String(200), default="")
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Reply(Base):
    """A reply to the customer being written, waiting for approval, or approved."""

    __tablename__ = "replies"
    __table_args__ = (Index("ix_replies_case", "case_id"), Index("ix_replies_status", "status"))
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"))
    kind: Mapped[str] = mapped_column(String(16))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))
    author: Mapped[str] = mapped_column(String(64))
    reviewer: Mapped[str | None] = mapped_column(String(64))
    review_comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class CaseWatch(Base):
    """The deadline watcher's bookkeeping (not case state): when to look at a case next.

    Kept out of ``cases`` so the projection stays a pure fold of events; derivable at any time.
    """

    __tablename__ = "case_watch"
    __table_args__ = (Index("ix_case_watch_next", "next_alert_at"),)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    next_alert_at: Mapped[datetime | None]


class Alert(Base):
    """A deadline that became due soon or overdue (or a reminder), announced once, kept until acknowledged."""

    __tablename__ = "alerts"
    __table_args__ = (
        UniqueConstraint("dedupe_key"),
        Index("ix_alerts_open", "acknowledged_at", "created_at"),
    )
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    #: What makes an alert the same alert: case, deadline, state and due instant (or the report month).
    dedupe_key: Mapped[str] = mapped_column(String(120))
    case_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("cases.id"))
    case_no: Mapped[str | None] = mapped_column(String(40))
    office_code: Mapped[str] = mapped_column(String(8))
    department_code: Mapped[str | None] = mapped_column(String(8))
    assignee_id: Mapped[uuid.UUID | None]
    priority: Mapped[str | None] = mapped_column(String(4))
    deadline: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16))
    due_at: Mapped[datetime]
    message: Mapped[str] = mapped_column(String(400))
    created_at: Mapped[datetime]
    acknowledged_at: Mapped[datetime | None]
    acknowledged_by: Mapped[str | None] = mapped_column(String(64))
    snoozed_until: Mapped[datetime | None]


class CaseDocument(Base):
    """A document issued on a case (receipt, letter, record, report): the exact PDF handed out.

    The bytes are kept so a paper that comes back can be checked against what was issued; the event
    log records only the hashes. ``content_sha256`` is the hash printed in the page's QR code (of the
    document's facts, since a PDF cannot contain its own hash).
    """

    __tablename__ = "case_documents"
    __table_args__ = (Index("ix_case_documents_case", "case_id"), Index("ix_case_documents_sha", "sha256"))
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"))
    kind: Mapped[str] = mapped_column(String(16))
    sha256: Mapped[str] = mapped_column(String(64))
    content_sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    pages: Mapped[int] = mapped_column(Integer)
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    cert_fingerprint: Mapped[str | None] = mapped_column(String(64))
    issued_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]


class CaseSignature(Base):
    """A signature captured on the signature pad: the pen strokes and the picture drawn on letters."""

    __tablename__ = "case_signatures"
    __table_args__ = (Index("ix_case_signatures_case", "case_id"),)
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"))
    #: The document kind the signature is for (receipt, confirmation) and who signed (customer, staff).
    purpose: Mapped[str] = mapped_column(String(16))
    signer_role: Mapped[str] = mapped_column(String(16))
    signer: Mapped[str] = mapped_column(String(50))
    strokes: Mapped[list[Any]] = mapped_column(JSONDocument)
    png: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    captured_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]


class SigningCertificate(Base):
    """The organisation's document-signing certificate (PKCS#12), imported by an admin or self-signed.

    Every desk signs with the active one, so it lives in the shared database; the newest active row is
    used, older ones stay so letters they signed still verify.
    """

    __tablename__ = "signing_certificates"
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    subject: Mapped[str] = mapped_column(String(200))
    fingerprint: Mapped[str] = mapped_column(String(64), unique=True)
    pkcs12: Mapped[bytes] = mapped_column(LargeBinary)
    password: Mapped[bytes | None] = mapped_column(LargeBinary)
    cert_pem: Mapped[str] = mapped_column(Text)
    not_before: Mapped[datetime]
    not_after: Mapped[datetime]
    self_signed: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]


class PrintAsset(Base):
    """A picture printed on letters, set by an admin: the organisation's seal (``seal``)."""

    __tablename__ = "print_assets"
    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    content_type: Mapped[str] = mapped_column(String(100))
    updated_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime]


class SyncFeed(Base):
    """Every synced row, numbered per office without gaps in commit order (storage/feed.py)."""

    __tablename__ = "sync_feed"
    office_code: Mapped[str] = mapped_column(String(8), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    #: The table of the row (``case_events``, ``attachments``, …) and its key as text.
    item_table: Mapped[str] = mapped_column(String(32))
    item_id: Mapped[str] = mapped_column(String(120))
    #: Which sync link brought the row here (None: written on this database), so it is not sent back.
    source: Mapped[str | None] = mapped_column(String(64))


class SyncFeedHead(Base):
    """The last feed number given out per office; its row lock orders the feed by commit."""

    __tablename__ = "sync_feed_heads"
    office_code: Mapped[str] = mapped_column(String(8), primary_key=True)
    last_seq: Mapped[int] = mapped_column(BigInteger)


class SyncLink(Base):
    """On a branch: its office, its central (with the branch role's credentials) and both cursors."""

    __tablename__ = "sync_links"
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    office_code: Mapped[str] = mapped_column(String(8))
    central_url: Mapped[str | None] = mapped_column(Text)
    #: This branch's identity towards the central (the feed's ``source`` of rows it pushed).
    branch_id: Mapped[str] = mapped_column(String(64))
    #: The central's feed number up to which everything has been applied here.
    pulled_through: Mapped[int] = mapped_column(BigInteger, default=0)
    #: This branch's feed number up to which the central has stored everything.
    pushed_through: Mapped[int] = mapped_column(BigInteger, default=0)
    reference_hash: Mapped[str | None] = mapped_column(String(64))
    #: Central clock minus this machine's clock at the last sync, added to HLC stamps.
    clock_offset_ms: Mapped[int] = mapped_column(BigInteger, default=0)
    last_sync_at: Mapped[datetime | None]
    last_result: Mapped[dict[str, Any] | None] = mapped_column(JSONDocument)
    created_at: Mapped[datetime]


class SyncBranch(Base):
    """On the central: each branch's cursors as the central recorded them (checked against the branch's)."""

    __tablename__ = "sync_branches"
    branch_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    office_code: Mapped[str] = mapped_column(String(8))
    pushed_through: Mapped[int] = mapped_column(BigInteger, default=0)
    pulled_through: Mapped[int] = mapped_column(BigInteger, default=0)
    last_seen_at: Mapped[datetime | None]


class OfficeKey(Base):
    """The secret that authenticates an office's carried bundles (HMAC-SHA256)."""

    __tablename__ = "office_keys"
    office_code: Mapped[str] = mapped_column(String(8), primary_key=True)
    key: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime]


class BranchRole(Base):
    """A PostgreSQL role a branch connects to the central with; row-level security reads its office here."""

    __tablename__ = "branch_roles"
    role_name: Mapped[str] = mapped_column(String(63), primary_key=True)
    office_code: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime]


class CaseConflict(Base):
    """A value that lost to a concurrent one, or clashing workflow transitions (derived from the events).

    Recomputed whenever a case's events change (sync/merge.py), the same on every node.
    """

    __tablename__ = "case_conflicts"
    __table_args__ = (Index("ix_case_conflicts_case", "case_id"),)
    #: ``lost_event_id:field``: stable, so re-deriving never duplicates a conflict.
    id: Mapped[str] = mapped_column(String(120), primary_key=True)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"))
    #: ``field`` (a single-valued field) or ``workflow`` (two concurrent transitions).
    kind: Mapped[str] = mapped_column(String(16))
    field: Mapped[str] = mapped_column(String(40))
    kept: Mapped[Any] = mapped_column(JSONDocument, nullable=True)
    lost: Mapped[Any] = mapped_column(JSONDocument, nullable=True)
    kept_by: Mapped[str] = mapped_column(String(64))
    lost_by: Mapped[str] = mapped_column(String(64))
    kept_event_id: Mapped[uuid.UUID]
    lost_event_id: Mapped[uuid.UUID]
    resolved: Mapped[bool] = mapped_column(Boolean, default=False)


class AdminChange(Base):
    """One administrator's change to users, offices, reference data or settings: who, when, before, after.

    Append-only by use (nothing updates or deletes it); reference data has no event log of its own, and
    an auditor must be able to ask who made a Saturday a working day or moved a clerk to another office.
    """

    __tablename__ = "admin_changes"
    __table_args__ = (Index("ix_admin_changes_entity", "entity", "entity_key"),)
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(64))
    node_id: Mapped[str] = mapped_column(String(64))
    #: what was changed: ``user``, ``office``, ``department``, ``category``, ``setting``, ``calendar``,
    #: ``reply_template``, ``phrase``, ``certificate``, ``seal``
    entity: Mapped[str] = mapped_column(String(16))
    entity_key: Mapped[str] = mapped_column(String(120))
    before: Mapped[Any] = mapped_column(JSONDocument, nullable=True)
    after: Mapped[Any] = mapped_column(JSONDocument, nullable=True)


class ReferenceVersion(Base):
    """One row whose ``n`` triggers bump on every change of the reference data (migration 0013).

    Why: registering a complaint needs the office's policy, its business calendar and the category list;
    building them costs more than the registration's own writes, so a desk keeps them and re-reads only
    when this number moved — whoever changed the data (services/reference_cache.py).
    """

    __tablename__ = "reference_version"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    n: Mapped[int] = mapped_column(BigInteger)
