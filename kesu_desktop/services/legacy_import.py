"""Importing a legacy complaint register (客户投诉登记表, an Excel workbook) as cases.

How it goes: ``read_register`` reads the sheet (openpyxl read-only, streamed) through a column mapping
(a saved JSON file, or guessed from common headers); ``import_register`` checks every row with the
registration's rules plus the register's own (unknown category, missing field, registration date in the
future), reports each bad row, and — unless it is a dry run — writes every valid row in ONE transaction
(none at all with ``all_or_nothing`` when any row is bad).

Decisions (docs/cli.md, ``kesu import``):

* An imported case is a case like any other: its first event is a ``registered`` event (sync and the
  integrity checks know cases by it), dated the sheet's registration time, with ``imported`` details
  (source file name, its SHA-256, the sheet row, the row's key) and a ``note`` the timeline shows. The
  event's HLC is the real time of the import, so the timeline also says when it was recorded.
* The case number is of the registration date (in the office's zone), with the importing user's
  department, serials reserved inside the same transaction (a refused import leaves no gap).
* The sheet's status is kept; a closed case gets ``closed_at`` (the sheet's, else its registration time),
  resolved or later cases ``resolved_at`` likewise; from assignment on the case is in the category's
  responsible department. Deadlines are computed as at registration from the registration time, so an
  imported open case of last month is overdue at once — which is what it is.
* The repeat and mass-complaint rules are not applied: the register is history, not new complaints.
* Running the same import twice adds nothing: each row has a key (its legacy number when a column gives
  one, else the SHA-256 of its normalised fields) looked for among the imported cases of the same phone
  numbers, inside the writing transaction (PostgreSQL: under an advisory lock, so two imports at once
  cannot both add a row).
* Administrators, managers and supervisors may import.
"""

from __future__ import annotations

import hashlib
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from kesu_desktop.domain.case_number import format_case_no
from kesu_desktop.domain.enums import Role, Status
from kesu_desktop.domain.errors import NotAllowed, ValidationError
from kesu_desktop.domain.ids import uuid7
from kesu_desktop.domain.register_mapping import (
    IMPORT_FIELDS,
    REQUIRED_FIELDS,
    TIME_FIELDS,
    RegisterMapping,
    cell_instant,
    cell_text,
    channel_names,
    guess_mapping,
    match_code,
    missing_columns,
    normalize_header,
    row_key,
    status_names,
)
from kesu_desktop.domain.validation import REGISTRATION_FIELDS, Registration, validate_registration
from kesu_desktop.i18n import _
from kesu_desktop.services.actor import Actor
from kesu_desktop.services.desk import Desk
from kesu_desktop.services.new_cases import new_case_rows
from kesu_desktop.services.reference import OfficeRules, office_rules, shown_name
from kesu_desktop.services.registration import registered_event, registration_day, registration_department
from kesu_desktop.storage.bulk import CaseTables
from kesu_desktop.storage.models import BranchRole, Case, CaseEvent, Category, SyncLink
from kesu_desktop.storage.serials import reserve_serials

#: Roles that may import a register: it writes many cases at once, under the importer's name.
IMPORT_ROLES = frozenset({Role.ADMIN, Role.MANAGER, Role.SUPERVISOR})
#: Rows shown in a preview (the desktop's dialog).
PREVIEW_ROWS = 20
#: Phones per lookup of earlier imports (an IN list well below every driver's parameter limit).
_IN_CHUNK = 500
#: Statuses from which a case is in its category's responsible department.
_ASSIGNED_ON = frozenset(
    {
        Status.ASSIGNED,
        Status.PLAN_PROPOSED,
        Status.IN_PROGRESS,
        Status.RESOLVED,
        Status.CONFIRMED,
        Status.SURVEYED,
        Status.CLOSED,
        Status.ESCALATED,
    }
)
_RESOLVED_ON = frozenset({Status.RESOLVED, Status.CONFIRMED, Status.SURVEYED, Status.CLOSED})
#: Any fixed number: the PostgreSQL advisory lock imports take (one import writes at a time).
_ADVISORY_KEY = 0x4B45535549  # "KESUI"

Progress = Callable[[int, int], None]


def _preview_text(value: Any) -> str:
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    return cell_text(value) or ""


@dataclass(frozen=True)
class SheetRow:
    """One data row of the sheet: its row number in Excel and its cells by field (defaults applied)."""

    number: int
    values: dict[str, Any]


@dataclass(frozen=True)
class ImportPlan:
    """A register as read: the mapping used, the sheet's headers and its data rows."""

    source: str
    sha256: str
    sheet: str
    mapping: RegisterMapping
    headers: list[str]
    rows: list[SheetRow]

    def preview(self, limit: int = PREVIEW_ROWS) -> list[dict[str, str]]:
        """The first rows as text by field, for a preview table (times as 2025-05-01 09:00)."""
        return [
            {"row": str(r.number), **{k: _preview_text(v) for k, v in r.values.items()}}
            for r in self.rows[:limit]
        ]

    def mapped_fields(self) -> list[str]:
        """The fields this plan fills, in the order of IMPORT_FIELDS."""
        given = set(self.mapping.columns.values()) | set(self.mapping.defaults)
        return [name for name in IMPORT_FIELDS if name in given]


@dataclass(frozen=True)
class RowError:
    """One bad cell: the sheet row number, the field and why (in the user's language)."""

    row: int
    field: str
    message: str

    def as_json(self) -> dict[str, Any]:
        return {"row": self.row, "field": self.field, "message": self.message}


@dataclass
class ImportReport:
    """What an import found and did. ``imported`` is 0 for a dry run and for a refused all-or-nothing."""

    rows: int
    valid: int
    invalid: list[RowError]
    imported: int
    duplicates: int
    dry_run: bool = False
    all_or_nothing: bool = False
    #: True when all-or-nothing refused the import because some row was bad.
    refused: bool = False
    source: str = ""
    sha256: str = ""
    case_nos: list[str] = field(default_factory=list)

    @property
    def invalid_rows(self) -> list[int]:
        """The sheet rows with at least one error, in order."""
        return sorted({e.row for e in self.invalid})

    def as_json(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "valid": self.valid,
            "invalid": [e.as_json() for e in self.invalid],
            "imported": self.imported,
            "duplicates": self.duplicates,
            "dry_run": self.dry_run,
            "all_or_nothing": self.all_or_nothing,
            "refused": self.refused,
            "source": self.source,
            "sha256": self.sha256,
            "case_nos": list(self.case_nos),
        }


# -- mapping files ------------------------------------------------------------------------------


def load_mapping(path: str | Path) -> RegisterMapping:
    """A saved mapping file (UTF-8 JSON), checked; bad content is a ValidationError on ``mapping``."""
    import json

    try:
        data = json.loads(Path(path).read_text(encoding="utf-8-sig"))
    except OSError as exc:
        raise ValidationError.single("mapping", _("无法读取映射文件：{reason}").format(reason=exc)) from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValidationError.single(
            "mapping", _("映射文件不是有效的 JSON：{reason}").format(reason=exc)
        ) from None
    return RegisterMapping.from_json(data)


def save_mapping(mapping: RegisterMapping, path: str | Path) -> None:
    """Write a mapping as JSON a clerk can edit (headers in Chinese kept readable)."""
    import json

    Path(path).write_text(
        json.dumps(mapping.as_json(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )


# -- reading ------------------------------------------------------------------------------------


def _file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_register(path: str | Path, mapping: RegisterMapping | None = None) -> ImportPlan:
    """Read the register's sheet through ``mapping`` (guessed from the header row when None).

    Streams the workbook (openpyxl read-only), so a sheet of many thousand rows is read in one pass.
    Fully blank rows are skipped. Raises ValidationError (``file``, ``mapping.*``) when the file is no
    workbook, the sheet is missing, or a required field has no column.
    """
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    source = Path(path)
    try:
        sha = _file_digest(source)
        book = load_workbook(source, read_only=True, data_only=True)
    except OSError as exc:
        raise ValidationError.single("file", _("无法读取文件：{reason}").format(reason=exc)) from None
    except (InvalidFileException, ValueError, KeyError) as exc:
        raise ValidationError.single(
            "file", _("不是有效的 Excel 工作簿（.xlsx）：{reason}").format(reason=exc)
        ) from None
    except Exception as exc:  # zipfile.BadZipFile and friends: not a workbook at all
        raise ValidationError.single(
            "file", _("不是有效的 Excel 工作簿（.xlsx）：{reason}").format(reason=exc)
        ) from None
    try:
        header_row = mapping.header_row if mapping else 1
        if mapping is not None and mapping.sheet:
            if mapping.sheet not in book.sheetnames:
                raise ValidationError.single(
                    "mapping.sheet",
                    _("工作簿中没有工作表“{sheet}”，现有：{names}").format(
                        sheet=mapping.sheet, names=", ".join(book.sheetnames)
                    ),
                )
            sheet = book[mapping.sheet]
        else:
            sheet = book.worksheets[0]
        if hasattr(sheet, "reset_dimensions"):
            sheet.reset_dimensions()  # a size stored wrongly by another program must not cut rows off
        rows = sheet.iter_rows(min_row=header_row, values_only=True)
        headers_raw = next(rows, None) or ()
        headers = [normalize_header(str(h)) if h is not None else "" for h in headers_raw]
        if mapping is None:
            mapping = guess_mapping(headers, header_row=header_row)
        missing = missing_columns(mapping)
        if missing:
            raise ValidationError.single(
                "mapping.columns",
                _("缺少必需字段的列：{fields}（表头：{headers}）；请用映射文件指定").format(
                    fields=", ".join(missing), headers=", ".join(h for h in headers if h)
                ),
            )
        index = [(i, mapping.columns[h]) for i, h in enumerate(headers) if h in mapping.columns]
        absent = [h for h in mapping.columns if h not in headers]
        if absent:
            raise ValidationError.single(
                "mapping.columns", _("表头中没有这些列：{headers}").format(headers=", ".join(absent))
            )
        plan_rows: list[SheetRow] = []
        for number, cells in enumerate(rows, start=header_row + 1):
            values: dict[str, Any] = {}
            for i, name in index:
                value = cells[i] if i < len(cells) else None
                if isinstance(value, str):
                    value = value.strip() or None
                if value is not None:
                    values[name] = value
            if not values and all(c is None or (isinstance(c, str) and not c.strip()) for c in cells):
                continue
            for name, value in mapping.defaults.items():
                values.setdefault(name, value)
            plan_rows.append(SheetRow(number, values))
        return ImportPlan(source.name, sha, sheet.title, mapping, headers, plan_rows)
    finally:
        book.close()


# -- checking -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Checked:
    row: int
    registration: Registration
    registered_at: datetime
    status: Status
    closed_at: datetime | None
    key: str


@dataclass(frozen=True)
class _Reference:
    categories: dict[str, list[str]]
    departments: dict[str, str | None]
    channels: dict[str, list[str]]
    statuses: dict[str, list[str]]


def _reference(session: Session) -> _Reference:
    categories: dict[str, list[str]] = {}
    departments: dict[str, str | None] = {}
    for code, name, department in session.execute(
        select(Category.code, Category.name, Category.default_department_code).where(
            Category.active.is_(True)
        )
    ):
        categories[code] = [name, shown_name(name)]
        departments[code] = department
    return _Reference(categories, departments, channel_names(), status_names())


_URGENT_WORDS = frozenset({"true", "1", "yes", "y", "是", "紧急"})  # not translated


def _check_row(row: SheetRow, ref: _Reference, zone: Any, now: datetime) -> _Checked | list[RowError]:
    """One row checked by the registration's rules and the register's own; every bad field reported."""
    errors: dict[str, str] = {}
    v = row.values
    for name in REQUIRED_FIELDS:
        if cell_text(v.get(name)) is None:
            errors[name] = _("必填")
    times: dict[str, datetime | None] = {}
    for name in TIME_FIELDS:
        if name in errors or cell_text(v.get(name)) is None:
            times[name] = None
            continue
        try:
            times[name] = cell_instant(v[name], zone).astimezone(UTC)
        except ValueError as exc:
            errors[name] = str(exc)
            times[name] = None
    registered_at = times["registered_at"]
    if registered_at is not None and registered_at > now:
        errors["registered_at"] = _("登记时间不能晚于现在")
    closed_at = times["closed_at"]
    if closed_at is not None and registered_at is not None and closed_at < registered_at:
        errors["closed_at"] = _("结案时间早于登记时间")
    data: dict[str, Any] = {}
    for name in REGISTRATION_FIELDS:
        if name in errors or name == "urgent":
            continue
        value = cell_text(v.get(name))
        if value is None:
            continue
        if name == "occurred_at":
            value = times["occurred_at"].isoformat() if times["occurred_at"] else None
        elif name == "channel":
            code = match_code(value, ref.channels)
            if code is None:
                errors[name] = _("未知的投诉渠道“{value}”").format(value=value)
                continue
            value = code
        elif name == "category":
            code = match_code(value, ref.categories)
            if code is None:
                errors[name] = _("未知的投诉类别“{value}”").format(value=value)
                continue
            value = code
        if value is not None:
            data[name] = value
    urgent = cell_text(v.get("urgent"))
    if urgent is not None:
        data["urgent"] = urgent.casefold() in _URGENT_WORDS
    status = Status.REGISTERED
    status_text = cell_text(v.get("status"))
    if status_text is not None:
        code = match_code(status_text, ref.statuses)
        if code is None:
            errors["status"] = _("未知的处理状态“{value}”").format(value=status_text)
        else:
            status = Status(code)
    registration: Registration | None = None
    try:
        registration = validate_registration(data, categories=ref.categories.keys(), now=now)
    except ValidationError as exc:
        for name, message in exc.errors.items():
            errors.setdefault(name, message)
    if errors or registration is None or registered_at is None:
        order = {name: i for i, name in enumerate(IMPORT_FIELDS)}
        return [RowError(row.number, k, errors[k]) for k in sorted(errors, key=lambda k: order.get(k, 99))]
    if status is Status.CLOSED and closed_at is None:
        closed_at = registered_at
    key_fields = {
        "case_ref": cell_text(v.get("case_ref")),
        "customer_name": registration.customer_name,
        "phone": registration.phone,
        "channel": registration.channel.value,
        "category": registration.category,
        "description": registration.description,
        "registered_at": registered_at,
    }
    return _Checked(row.number, registration, registered_at, status, closed_at, row_key(key_fields))


def _imported_keys(session: Session, phones: Iterable[str]) -> set[str]:
    """Keys of the rows already imported for these phone numbers (from their ``registered`` events).

    Only the key is read out of each payload (JSON path on both databases), never the whole event.
    """
    keys: set[str] = set()
    wanted = sorted(set(phones))
    key = CaseEvent.payload[("imported", "key")].as_string()
    # Two plain index lookups rather than a join: right after a bulk load PostgreSQL's statistics are
    # stale, and the join it then plans rescans the events once per case.
    for start in range(0, len(wanted), _IN_CHUNK):
        ids = list(session.scalars(select(Case.id).where(Case.phone.in_(wanted[start : start + _IN_CHUNK]))))
        for first in range(0, len(ids), _IN_CHUNK):
            query = select(key).where(
                CaseEvent.case_id.in_(ids[first : first + _IN_CHUNK]), CaseEvent.kind == "registered"
            )
            keys.update(k for k in session.scalars(query) if k)
    return keys


def may_import_register(actor: Actor) -> bool:
    """Whether the actor may import a register (the desktop shows its menu entry only then)."""
    return actor.role in IMPORT_ROLES


def _check_may_import(actor: Actor) -> None:
    if not may_import_register(actor):
        raise NotAllowed(_("只有管理员、经理和客服主管可以导入登记表"))


def _refuse_branch_office_at_central(session: Session, office_code: str) -> None:
    """As registration: an office served by a branch numbers its cases there only."""
    if session.scalar(select(SyncLink.id).limit(1)) is not None:
        return
    if session.scalar(select(BranchRole.role_name).where(BranchRole.office_code == office_code)) is not None:
        raise NotAllowed(
            _("网点 {office} 由分支机构登记投诉（编号在分支机构发放）：请在分支机构导入").format(
                office=office_code
            )
        )


# -- the use case -------------------------------------------------------------------------------


def import_register(
    desk: Desk,
    actor: Actor,
    source: str | Path | ImportPlan,
    *,
    mapping: RegisterMapping | None = None,
    dry_run: bool = False,
    all_or_nothing: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Check a register and (unless ``dry_run``) import its valid, not yet imported rows in one transaction.

    ``source`` is the workbook's path or a plan ``read_register`` made (the desktop reads once for its
    preview). With ``all_or_nothing`` any bad row refuses the whole import (``refused``, nothing
    written). ``progress(done, total)`` is called while rows are checked and written.
    """
    _check_may_import(actor)
    plan = source if isinstance(source, ImportPlan) else read_register(source, mapping)
    now = desk.clock.now()
    total = len(plan.rows)
    if dry_run:
        with desk.db.read() as session:
            report = _run(
                session, desk, actor, plan, now, write=False, all_or_nothing=all_or_nothing, progress=progress
            )
        if progress is not None:
            progress(total, total)
        return report
    with desk.db.write() as session:
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _ADVISORY_KEY})
        report = _run(
            session, desk, actor, plan, now, write=True, all_or_nothing=all_or_nothing, progress=progress
        )
    if progress is not None:
        progress(2 * total, 2 * total)
    return report


def _run(
    session: Session,
    desk: Desk,
    actor: Actor,
    plan: ImportPlan,
    now: datetime,
    *,
    write: bool,
    all_or_nothing: bool,
    progress: Progress | None,
) -> ImportReport:
    office = office_rules(session, actor.office_code)
    ref = _reference(session)
    zone = office.calendar.tz
    total = len(plan.rows)
    invalid: list[RowError] = []
    valid: list[_Checked] = []
    for i, row in enumerate(plan.rows):
        checked = _check_row(row, ref, zone, now)
        if isinstance(checked, list):
            invalid.extend(checked)
        else:
            valid.append(checked)
        if progress is not None and i % 200 == 0:
            progress(i, total * (2 if write else 1))
    known = _imported_keys(session, [c.registration.phone for c in valid])
    new: list[_Checked] = []
    duplicates = 0
    for checked in valid:
        if checked.key in known:
            duplicates += 1
        else:
            known.add(checked.key)
            new.append(checked)
    report = ImportReport(
        rows=total,
        valid=len(valid),
        invalid=invalid,
        imported=0,
        duplicates=duplicates,
        dry_run=not write,
        all_or_nothing=all_or_nothing,
        refused=all_or_nothing and bool(invalid),
        source=plan.source,
        sha256=plan.sha256,
    )
    if not write or report.refused or not new:
        return report
    _refuse_branch_office_at_central(session, actor.office_code)
    report.case_nos = _write(session, desk, actor, plan, office, ref, new, now, progress)
    report.imported = len(new)
    return report


def _case_numbers(session: Session, actor: Actor, office: OfficeRules, rows: Sequence[_Checked]) -> list[str]:
    """Numbers of the registration days, one block of serials per day, in registration order."""
    department = registration_department(actor)
    days = [registration_day(office, c.registered_at) for c in rows]
    next_serial = {
        day: reserve_serials(session, actor.office_code, department, day, n)
        for day, n in sorted(Counter(days).items())
    }
    numbers = []
    for day in days:
        numbers.append(format_case_no(day, actor.office_code, department, next_serial[day]))
        next_serial[day] += 1
    return numbers


def _write(
    session: Session,
    desk: Desk,
    actor: Actor,
    plan: ImportPlan,
    office: OfficeRules,
    ref: _Reference,
    rows: list[_Checked],
    now: datetime,
    progress: Progress | None,
) -> list[str]:
    """The new cases through the bulk write path (storage/bulk.py): one statement per table."""
    rows = sorted(rows, key=lambda c: (c.registered_at, c.row))
    numbers = _case_numbers(session, actor, office, rows)
    tables = CaseTables(session.get_bind().dialect)
    cases: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    watches: list[dict[str, Any]] = []
    documents: list[tuple[uuid.UUID, list[str], str]] = []
    total = len(plan.rows)
    for i, (checked, case_no) in enumerate(zip(rows, numbers, strict=True)):
        case_id = uuid7(int(checked.registered_at.timestamp() * 1000))
        fields, info = registered_event(
            checked.registration,
            office,
            case_id=case_id,
            case_no=case_no,
            office_code=actor.office_code,
            reg_department=registration_department(actor),
            registered_by=actor.username,
            at=checked.registered_at,
            repeat_of=[],
            mass=False,
        )
        fields.update(_status_fields(checked, ref))
        info["imported"] = {
            "source": plan.source,
            "sha256": plan.sha256,
            "row": checked.row,
            "key": checked.key,
        }
        info["note"] = _("自旧登记表导入：{source} 第 {row} 行").format(source=plan.source, row=checked.row)
        built = new_case_rows(
            tables, desk, actor, fields, info, office.policy, at=checked.registered_at, now=now
        )
        cases.append(vars(built.case))
        events.append(built.event)
        watches.append(built.watch)
        documents.append(built.document)
        if progress is not None and i % 200 == 0:
            progress(total + i, 2 * total)
    tables.write(session, tables.params(cases, events, [], watches, documents))
    return [c["case_no"] for c in cases]


def _status_fields(checked: _Checked, ref: _Reference) -> dict[str, Any]:
    """What the sheet's status gives the case beyond ``registered``: see the module docstring."""
    status = checked.status
    out: dict[str, Any] = {"status": status.value}
    if status is Status.REGISTERED:
        return out
    out["validity"] = "invalid" if status is Status.INVALID else "valid"
    if status in _ASSIGNED_ON:
        department = ref.departments.get(checked.registration.category)
        if department:
            out["department_code"] = department
    if status in _RESOLVED_ON:
        out["resolved_at"] = checked.closed_at or checked.registered_at
    if status is Status.CLOSED:
        out["closed_at"] = checked.closed_at or checked.registered_at
    if status is Status.ESCALATED:
        out["escalation_level"] = 1
    return out
