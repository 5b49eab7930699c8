"""Pure rules of importing a legacy complaint register (客户投诉登记表): column mapping, cell reading,
matching names to codes, and the idempotence key of a row.

Pure (no I/O, zone and "now" passed in) so the service, the CLI and the desktop's preview all read a
sheet the same way, and the rules can be tested without a workbook or a database.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from kesu_desktop.domain.enums import Channel, Status
from kesu_desktop.domain.errors import ValidationError
from kesu_desktop.domain.validation import REGISTRATION_FIELDS
from kesu_desktop.i18n import _

#: Fields a sheet column may fill: the registration's, plus what only a legacy register has.
#: ``registered_at`` is the case's registration time (its number's date), ``case_ref`` the sheet's own
#: number of the complaint (then the idempotence key), ``closed_at`` when it was closed.
EXTRA_FIELDS = ("registered_at", "status", "closed_at", "case_ref")
IMPORT_FIELDS = (*REGISTRATION_FIELDS, *EXTRA_FIELDS)
#: Fields whose cells are instants.
TIME_FIELDS = ("registered_at", "occurred_at", "closed_at")
#: Fields a row must give (the registration's required ones and the registration time).
REQUIRED_FIELDS = ("customer_name", "phone", "channel", "category", "description", "registered_at")

# Common headers of legacy registers and the field each one is. Looked for in the sheet, never shown.
_HEADER_GUESSES: dict[str, str] = {
    "客户姓名": "customer_name",  # not translated
    "客户名称": "customer_name",  # not translated
    "投诉人": "customer_name",  # not translated
    "姓名": "customer_name",  # not translated
    "联系电话": "phone",  # not translated
    "电话": "phone",  # not translated
    "手机": "phone",  # not translated
    "手机号": "phone",  # not translated
    "手机号码": "phone",  # not translated
    "分机": "phone_ext",  # not translated
    "分机号": "phone_ext",  # not translated
    "电子邮箱": "email",  # not translated
    "邮箱": "email",  # not translated
    "地址": "address",  # not translated
    "客户地址": "address",  # not translated
    "账号": "account_no",  # not translated
    "客户账号": "account_no",  # not translated
    "会员等级": "member_level",  # not translated
    "房号": "room_no",  # not translated
    "工作单位": "employer",  # not translated
    "投诉渠道": "channel",  # not translated
    "渠道": "channel",  # not translated
    "来源": "channel",  # not translated
    "投诉类别": "category",  # not translated
    "投诉类型": "category",  # not translated
    "类别": "category",  # not translated
    "类型": "category",  # not translated
    "投诉内容": "description",  # not translated
    "问题描述": "description",  # not translated
    "投诉描述": "description",  # not translated
    "内容": "description",  # not translated
    "客户诉求": "demand",  # not translated
    "诉求": "demand",  # not translated
    "产品": "product",  # not translated
    "产品名称": "product",  # not translated
    "涉及产品": "product",  # not translated
    "发生时间": "occurred_at",  # not translated
    "发生地点": "location",  # not translated
    "地点": "location",  # not translated
    "登记时间": "registered_at",  # not translated
    "登记日期": "registered_at",  # not translated
    "投诉时间": "registered_at",  # not translated
    "投诉日期": "registered_at",  # not translated
    "受理时间": "registered_at",  # not translated
    "受理日期": "registered_at",  # not translated
    "状态": "status",  # not translated
    "处理状态": "status",  # not translated
    "结案时间": "closed_at",  # not translated
    "办结时间": "closed_at",  # not translated
    "关闭时间": "closed_at",  # not translated
    "投诉编号": "case_ref",  # not translated
    "登记编号": "case_ref",  # not translated
    "编号": "case_ref",  # not translated
    "工单号": "case_ref",  # not translated
}

# Status words of legacy registers beside the desk's own labels (Status.label). Never shown.
_STATUS_WORDS: dict[str, Status] = {
    "待处理": Status.REGISTERED,  # not translated
    "未处理": Status.REGISTERED,  # not translated
    "新登记": Status.REGISTERED,  # not translated
    "已受理": Status.VERIFIED,  # not translated
    "处理中": Status.IN_PROGRESS,  # not translated
    "已处理": Status.RESOLVED,  # not translated
    "已结案": Status.CLOSED,  # not translated
    "已办结": Status.CLOSED,  # not translated
    "已关闭": Status.CLOSED,  # not translated
    "结案": Status.CLOSED,  # not translated
    "办结": Status.CLOSED,  # not translated
    "无效": Status.INVALID,  # not translated
}


@dataclass(frozen=True)
class RegisterMapping:
    """Which sheet column fills which field, and values for fields no column gives.

    Saved as JSON (``as_json``) so a clerk can edit it and reuse it for next month's sheet:
    ``{"sheet": null, "header_row": 1, "columns": {"客户姓名": "customer_name", …}, "defaults": {…}}``.
    """

    columns: dict[str, str]
    sheet: str | None = None
    header_row: int = 1
    defaults: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "sheet": self.sheet,
            "header_row": self.header_row,
            "columns": dict(self.columns),
            "defaults": dict(self.defaults),
        }

    @classmethod
    def from_json(cls, data: Any) -> RegisterMapping:
        """A mapping file's content, checked: unknown fields and bad shapes are field errors."""
        errors: dict[str, str] = {}
        if not isinstance(data, Mapping):
            raise ValidationError.single("mapping", _("映射文件须为 JSON 对象"))
        columns = data.get("columns")
        if not isinstance(columns, Mapping) or not columns:
            errors["mapping.columns"] = _("须为非空对象：表头文字 → 字段")
            columns = {}
        clean: dict[str, str] = {}
        for header, name in columns.items():
            if not isinstance(name, str) or name not in IMPORT_FIELDS:
                errors.setdefault(
                    "mapping.columns",
                    _("未知字段“{name}”，可选：{allowed}").format(
                        name=name, allowed=", ".join(IMPORT_FIELDS)
                    ),
                )
                continue
            clean[normalize_header(str(header))] = name
        defaults = data.get("defaults") or {}
        if not isinstance(defaults, Mapping) or any(k not in IMPORT_FIELDS for k in defaults):
            errors["mapping.defaults"] = _("须为对象，键为字段名：{allowed}").format(
                allowed=", ".join(IMPORT_FIELDS)
            )
            defaults = {}
        header_row = data.get("header_row", 1)
        if isinstance(header_row, bool) or not isinstance(header_row, int) or not 1 <= header_row <= 1000:
            errors["mapping.header_row"] = _("须为 1 到 1000 之间的整数")
            header_row = 1
        sheet = data.get("sheet")
        if sheet is not None and not isinstance(sheet, str):
            errors["mapping.sheet"] = _("须为工作表名称或 null")
            sheet = None
        if errors:
            raise ValidationError(errors)
        return cls(columns=clean, sheet=sheet, header_row=header_row, defaults=dict(defaults))


def normalize_header(text: str) -> str:
    """A header as compared: NFKC (full-width letters and spaces), no surrounding or inner blanks, and
    without a trailing ``*`` or ``（必填）`` mark."""
    value = unicodedata.normalize("NFKC", text).strip()
    value = "".join(value.split())
    for mark in ("*", "(必填)"):  # not translated
        value = value.removesuffix(mark)
    return value


def guess_mapping(
    headers: Iterable[Any], *, sheet: str | None = None, header_row: int = 1
) -> RegisterMapping:
    """The mapping guessed from common Chinese headers (and field names used as headers); each field is
    taken by its first column."""
    columns: dict[str, str] = {}
    taken: set[str] = set()
    for raw in headers:
        if raw is None:
            continue
        header = normalize_header(str(raw))
        name = _HEADER_GUESSES.get(header) or (header if header in IMPORT_FIELDS else None)
        if name is not None and name not in taken:
            columns[header] = name
            taken.add(name)
    return RegisterMapping(columns=columns, sheet=sheet, header_row=header_row)


def missing_columns(mapping: RegisterMapping) -> list[str]:
    """Required fields neither a column nor a default gives: the sheet cannot be imported as mapped."""
    given = set(mapping.columns.values()) | set(mapping.defaults)
    return [name for name in REQUIRED_FIELDS if name not in given]


def cell_text(value: Any) -> str | None:
    """A cell as text: integers without ``.0`` (phone numbers typed as numbers), blanks as None."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    text = str(value).strip()
    return text or None


_DATE_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d",
    "%Y.%m.%d",
    "%Y%m%d",
    "%Y年%m月%d日 %H:%M",  # not translated
    "%Y年%m月%d日",  # not translated
)


def cell_instant(value: Any, zone: ZoneInfo) -> datetime:
    """A date or time cell as an aware instant; a time without zone is read in the office's ``zone``
    (the register was kept there). Raises ValueError with the reason."""
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, date):
        parsed = datetime.combine(value, time())
    else:
        text = cell_text(value)
        if text is None:
            raise ValueError(_("必填"))
        text = unicodedata.normalize("NFKC", text)
        parsed = None
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            for fmt in _DATE_FORMATS:
                try:
                    parsed = datetime.strptime(text, fmt)
                    break
                except ValueError:
                    continue
        if parsed is None:
            raise ValueError(
                _("无法识别的日期：{value}，应如 2026-03-05 或 2026-03-05 14:30").format(value=text)
            )
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)
    return parsed


def _folded(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split()).casefold()


def match_code(value: str, names: Mapping[str, Iterable[str]]) -> str | None:
    """The code a cell means: the code itself, or one of its names (case, width and blanks ignored)."""
    wanted = _folded(value)
    for code, labels in names.items():
        if wanted == _folded(code) or any(wanted == _folded(label) for label in labels):
            return code
    return None


def channel_names() -> dict[str, list[str]]:
    """Each channel's label and the parts of it (``电话/400热线`` → 电话, 400热线)."""
    return {c.value: [c.label, *c.label.split("/")] for c in Channel}


def status_names() -> dict[str, list[str]]:
    """Each status's label and the words legacy registers use for it."""
    names: dict[str, list[str]] = {s.value: [s.label] for s in Status}
    for word, status in _STATUS_WORDS.items():
        names[status.value].append(word)
    return names


def row_key(values: Mapping[str, Any]) -> str:
    """The idempotence key of a row: its legacy number when the sheet has one, else the SHA-256 of its
    normalised content (the validated fields), so the same complaint read twice gets the same key
    whatever row it is on and however its cells were typed."""
    ref = values.get("case_ref")
    if ref:
        return "ref:" + _folded(str(ref))
    content = {
        k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in values.items() if v is not None
    }
    digest = hashlib.sha256(
        json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()
    )
    return "sha256:" + digest.hexdigest()
