"""Export the filtered case list to an Excel workbook (.xlsx) or a CSV file, and record who did it.

Why it looks the way it does:

- **The list's rows, exactly.** The cases are the ones ``list_cases`` would page through for the same
  filter (``queries.filtered``: the reader's scope, then the filter), newest first, with no row cap.
- **Streamed.** Rows come from the database in chunks (``yield_per``) and go straight into openpyxl's
  write-only sheet or the CSV writer, so a 100 000-case export holds a chunk in memory, not the list.
- **Never half a file under the real name.** Everything is written to a temporary file in the target's
  folder and renamed into place only when complete (a crash, a full disk or a cancel leaves the old
  file or nothing). A cancelled export removes its temporary file and records nothing.
- **Personal data as the role may see it.** The phone goes through ``privacy.phone_for``, the rule the
  list uses: a department user's or an admin's export holds masked numbers only.
- **Recorded.** A finished export is an ``admin_changes`` row (entity ``export``: who, which file,
  which filter in codes, how many rows, whether phones were masked), written in the same transaction
  that puts the file in place, so 管理 → 变更记录 shows every list that left the desk.
- **Safe to open.** Codes are shown as names, times in the reader's office zone (real Excel date-times
  in .xlsx, ``YYYY-MM-DD HH:MM`` text in .csv). A CSV cell starting with ``= + - @`` (or a tab or
  carriage return) gets a leading apostrophe so Excel never runs it as a formula; in .xlsx every text is
  written as text, never as a formula. The CSV starts with a UTF-8 BOM so Excel reads Chinese correctly.
"""

from __future__ import annotations

import contextlib
import csv
import os
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kesu_desktop.domain.enums import Channel, Priority, Severity, Status
from kesu_desktop.domain.errors import ValidationError
from kesu_desktop.domain.localtime import zone_info
from kesu_desktop.domain.privacy import phone_for, sees_full_phone
from kesu_desktop.i18n import _
from kesu_desktop.services.actor import Actor
from kesu_desktop.services.admin_log import record_change
from kesu_desktop.services.desk import Desk
from kesu_desktop.services.queries import CaseFilter, filtered
from kesu_desktop.services.reference import reference_names
from kesu_desktop.storage.models import Case, Office, User

ExportFormat = Literal["xlsx", "csv"]
#: ``progress(done, total)``; returning False cancels the export (None or True go on).
Progress = Callable[[int, int], bool | None]

FORMATS: dict[str, ExportFormat] = {".xlsx": "xlsx", ".csv": "csv"}
#: Rows fetched from the database at a time, and how often progress is reported.
CHUNK = 1000
#: ``admin_changes.entity_key`` holds at most this many characters of the file name.
KEY_LENGTH = 120
#: Characters Excel refuses in a cell (openpyxl's ``ILLEGAL_CHARACTERS_RE``: C0 controls but tab and
#: line breaks); dropped from free text so one odd description cannot break a whole workbook.
_ILLEGAL = dict.fromkeys([*range(0, 9), 11, 12, *range(14, 32)])
#: A CSV cell starting with one of these is a formula to Excel (CSV injection); it is prefixed with '.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: Texts openpyxl would store as an Excel error value instead of a string.
_ERROR_TEXTS = frozenset({"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A"})

#: The selected columns, in the order the file shows them (``_headers`` gives their titles).
_COLUMNS = (
    Case.case_no,
    Case.created_at,
    Case.office_code,
    Case.channel,
    Case.category,
    Case.severity,
    Case.priority,
    Case.status,
    Case.customer_name,
    Case.phone,
    Case.phone_ext,
    Case.product,
    Case.description,
    Case.department_code,
    Case.assignee,
    Case.respond_by,
    Case.resolve_by,
    Case.responded_at,
    Case.resolved_at,
    Case.closed_at,
    Case.is_repeat,
    Case.escalation_level,
    Case.survey_efficiency,
    Case.survey_attitude,
    Case.survey_solution,
)
#: Which output columns are times (shown in the reader's zone) and their widths in .xlsx.
_TIME_COLUMNS = frozenset({1, 14, 15, 16, 17, 18})
_WIDTHS = (24, 17, 14, 14, 14, 9, 9, 11, 12, 15, 20, 50, 14, 12, 17, 17, 17, 17, 17, 9, 9, 9, 9, 9)


@dataclass(frozen=True)
class ExportResult:
    """What a finished export wrote: where, how many cases, in which format, and whether phones were
    masked for the reader's role."""

    path: Path
    rows: int
    format: ExportFormat
    masked: bool

    def to_json(self) -> dict[str, Any]:
        return {"path": str(self.path), "rows": self.rows, "format": self.format, "masked": self.masked}


def _headers() -> list[str]:
    """The column titles in the current language (a function: the language may change at run time)."""
    return [
        _("案件编号"),
        _("登记时间"),
        _("受理网点"),
        _("渠道"),
        _("投诉类别"),
        _("严重程度"),
        _("优先级"),
        _("当前状态"),
        _("客户姓名"),
        _("联系电话"),
        _("涉及产品/服务"),
        _("投诉描述"),
        _("责任部门"),
        _("处理人"),
        _("响应期限"),
        _("解决期限"),
        _("首次响应"),
        _("解决时间"),
        _("归档时间"),
        _("重复投诉"),
        _("升级次数"),
        _("处理时效（分）"),
        _("服务态度（分）"),
        _("解决方案（分）"),
    ]


def export_format(path: str | Path) -> ExportFormat:
    """The format the file name asks for (.xlsx or .csv, any case), else an ``output`` field error."""
    fmt = FORMATS.get(Path(path).suffix.lower())
    if fmt is None:
        raise ValidationError.single(
            "output",
            _("不支持的导出格式“{suffix}”：文件名须以 .xlsx 或 .csv 结尾").format(suffix=Path(path).suffix),
        )
    return fmt


def filter_codes(flt: CaseFilter) -> dict[str, Any]:
    """The filter as the record keeps it: codes and plain values, only the conditions that were set."""
    codes: dict[str, Any] = {
        "status": flt.status.value if flt.status else None,
        "priority": flt.priority.value if flt.priority else None,
        "category": flt.category,
        "department": flt.department,
        "office": flt.office,
        "mine": flt.assigned_to_me or None,
        "overdue": flt.overdue or None,
        "search": flt.search,
    }
    return {key: value for key, value in codes.items() if value is not None}


class _Shaper:
    """Turns one selected row into the cells the file shows: names for codes, local times, the phone as
    the reader may see it. Built once per export with the lookups it needs."""

    def __init__(self, session: Session, actor: Actor) -> None:
        self.role = actor.role
        self.zone = zone_info(actor.timezone)
        self.names = reference_names(session)
        self.offices = {code: name for code, name in session.execute(select(Office.code, Office.name))}
        self.people = {u: n for u, n in session.execute(select(User.username, User.display_name))}
        self.labels: dict[type[StrEnum], dict[str, str]] = {
            enum: {member.value: member.label for member in enum}  # type: ignore[attr-defined]
            for enum in (Channel, Severity, Priority, Status)
        }
        self.yes, self.no = _("是"), _("否")
        self.with_extension = _("{phone} 转 {ext}")

    def local(self, value: datetime | None) -> datetime | None:
        """The instant as the reader's office wall-clock time, without a zone (Excel has none)."""
        if value is None:
            return None
        return value.astimezone(self.zone).replace(tzinfo=None, microsecond=0)

    def phone(self, phone: str, ext: str | None) -> str:
        shown = phone_for(self.role, phone)
        shown = shown[3:] if shown.startswith("+86") else shown  # as the counter reads it: 13800138000
        return self.with_extension.format(phone=shown, ext=ext) if ext else shown

    def row(self, r: Sequence[Any]) -> list[Any]:
        channels, severities = self.labels[Channel], self.labels[Severity]
        priorities, statuses = self.labels[Priority], self.labels[Status]
        local = self.local
        return [
            r[0],
            local(r[1]),
            self.offices.get(r[2], r[2]),
            channels.get(r[3], r[3]),
            self.names.get(r[4], r[4]),
            severities.get(r[5], r[5]),
            priorities.get(r[6], r[6]),
            statuses.get(r[7], r[7]),
            r[8],
            self.phone(r[9], r[10]),
            r[11],
            r[12],
            self.names.get(r[13], r[13]) if r[13] else None,
            self.people.get(r[14], r[14]) if r[14] else None,
            local(r[15]),
            local(r[16]),
            local(r[17]),
            local(r[18]),
            local(r[19]),
            self.yes if r[20] else self.no,
            r[21],
            r[22],
            r[23],
            r[24],
        ]


def _csv_cell(value: Any) -> Any:
    """A value as CSV text: local times ``YYYY-MM-DD HH:MM``; formula-looking text defanged with '."""
    if isinstance(value, str):
        return "'" + value if value.startswith(_FORMULA_START) else value
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return value


def _write_csv(target: Path, header: list[str], rows: Iterator[list[Any]]) -> None:
    # utf-8-sig: the BOM tells Excel the file is UTF-8 (without it, Chinese opens as mojibake)
    with open(target, "x", encoding="utf-8-sig", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(header)
        for row in rows:
            writer.writerow([_csv_cell(v) for v in row])
        file.flush()
        os.fsync(file.fileno())


def _write_xlsx(target: Path, header: list[str], rows: Iterator[list[Any]]) -> None:
    # openpyxl is imported here: the services package loads fast and without it until someone exports
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("案件清单"))
    for index, width in enumerate(_WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    titles = []
    for title in header:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = bold
        titles.append(cell)
    sheet.append(titles)

    def as_text(value: str) -> Any:
        """Text stays text: a leading = would make openpyxl write a formula, #N/A an error value."""
        if value.startswith("=") or value in _ERROR_TEXTS:
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"
            return cell
        return value

    try:
        for row in rows:
            for index in (2, 4, 8, 9, 10, 11, 12, 13):  # typed texts: names, a description, a phone…
                value = row[index]
                if value:
                    value = value.translate(_ILLEGAL)
                    row[index] = as_text(value) if value[0] == "=" or value[0] == "#" else value
            sheet.append(row)
    except BaseException:
        _discard(sheet)
        raise
    book.save(target)


def _discard(sheet: Any) -> None:
    """Close an unfinished write-only sheet and delete the temporary file openpyxl streams it into.

    openpyxl only does this in ``save``; a cancelled export would otherwise leave a growing
    ``openpyxl.*`` file in the system's temp folder until the process exits (and noisy generator errors).
    """
    with contextlib.suppress(Exception):
        sheet.close()
    writer = getattr(sheet, "_writer", None)
    if writer is not None:
        with contextlib.suppress(Exception):
            writer.cleanup()


def _temporary(target: Path) -> Path:
    """A unique hidden name beside the target: renamed into place only once complete."""
    return target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.tmp")


class _Cancelled(Exception):
    """Raised inside the row stream when ``progress`` answers False."""


def export_cases(
    desk: Desk,
    actor: Actor,
    flt: CaseFilter,
    path: str | Path,
    *,
    progress: Progress | None = None,
) -> ExportResult | None:
    """Write every case of ``flt`` that ``actor`` may see to ``path`` (.xlsx or .csv); record it.

    ``flt.limit`` and ``flt.after`` (the list's paging) are ignored: an export holds all the rows.
    ``progress(done, total)`` is called as rows are written; returning False cancels: the partial file
    is removed, nothing is recorded, and the result is None. Raises ValidationError (``output``) for an
    unknown extension or a folder that cannot be written.
    """
    target = Path(path)
    fmt = export_format(target)
    if not target.parent.is_dir():
        raise ValidationError.single("output", _("文件夹不存在：{folder}").format(folder=str(target.parent)))
    if target.is_dir():
        raise ValidationError.single("output", _("这是一个文件夹，不是文件：{path}").format(path=str(target)))
    header = _headers()
    temp = _temporary(target)
    written = 0
    try:
        with desk.db.read() as session:
            now = desk.clock.now()
            total = session.scalar(
                select(func.count()).select_from(
                    filtered(session, select(Case.id), actor, flt, now).subquery()
                )
            )
            total = int(total or 0)
            query = filtered(session, select(*_COLUMNS), actor, flt, now).order_by(
                Case.created_at.desc(), Case.id.desc()
            )
            shaper = _Shaper(session, actor)
            if progress is not None and progress(0, total) is False:
                return None

            def rows() -> Iterator[list[Any]]:
                nonlocal written
                result = session.execute(query.execution_options(yield_per=CHUNK))
                try:
                    for partition in result.partitions():
                        for r in partition:
                            yield shaper.row(r)
                        written += len(partition)
                        if progress is not None and progress(written, max(total, written)) is False:
                            raise _Cancelled
                finally:
                    result.close()

            try:
                (_write_xlsx if fmt == "xlsx" else _write_csv)(temp, header, rows())
            except _Cancelled:
                return None
            except OSError as exc:
                raise ValidationError.single(
                    "output",
                    _("无法写入文件 {path}：{reason}").format(path=str(target), reason=exc.strerror or exc),
                ) from exc
        masked = not sees_full_phone(actor.role)
        after = {"format": fmt, "filter": filter_codes(flt), "rows": written, "masked": masked}
        _record_and_place(desk, actor, temp, target, after)
        return ExportResult(target, written, fmt, masked)
    finally:
        with contextlib.suppress(OSError):  # gone already once renamed into place
            temp.unlink(missing_ok=True)


def _record_and_place(desk: Desk, actor: Actor, temp: Path, target: Path, after: dict[str, Any]) -> None:
    """Record the export and rename the finished file into place, in one write transaction.

    The record is flushed first and the rename done before the commit: a refused record leaves no file,
    and a commit that fails after the rename removes the file again, so no export goes unrecorded.
    """
    placed = False
    try:
        with desk.db.write() as session:
            record_change(session, desk, actor, "export", target.name[:KEY_LENGTH], None, after)
            session.flush()
            try:
                os.replace(temp, target)
            except OSError as exc:
                raise ValidationError.single(
                    "output",
                    _("无法写入文件 {path}：{reason}").format(path=str(target), reason=exc.strerror or exc),
                ) from exc
            placed = True
    except BaseException:
        if placed:
            with contextlib.suppress(OSError):
                target.unlink(missing_ok=True)
        raise
