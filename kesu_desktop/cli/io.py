"""Reading JSON input and writing results for the ``kesu`` command."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from kesu_desktop import services
from kesu_desktop.domain.errors import Conflict, NotFound, ValidationError
from kesu_desktop.i18n import _, join_items


def read_json_object(source: str | None, *, default_empty: bool) -> dict[str, Any]:
    """One JSON object from a file or ``-`` (stdin); bad JSON is a field error on ``input``."""
    if source is None:
        # Piped input is read even without "-"; at an interactive terminal an omitted file means {}.
        if default_empty and (sys.stdin is None or sys.stdin.isatty()):
            return {}
        source = "-"
    try:
        text = (
            (sys.stdin.read() if sys.stdin else "")
            if source == "-"
            else Path(source).read_text(encoding="utf-8")
        )
    except FileNotFoundError:
        raise ValidationError.single("input", _("文件不存在：{path}").format(path=source)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ValidationError.single("input", _("无法读取输入：{error}").format(error=exc)) from None
    if not text.strip():
        if default_empty:
            return {}
        raise ValidationError.single("input", _("没有输入：请提供一个 JSON 对象（文件或标准输入）"))
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValidationError.single(
            "input",
            _("不是有效的 JSON（第 {line} 行第 {col} 列）：{msg}").format(
                line=exc.lineno, col=exc.colno, msg=exc.msg
            ),
        ) from None
    if not isinstance(data, dict):
        raise ValidationError.single("input", _("输入必须是一个 JSON 对象"))
    return data


def read_text_file(source: str, field: str = "file") -> str:
    """A UTF-8 text file (or ``-`` for stdin); a missing or unreadable file is a field error."""
    try:
        return sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ValidationError.single(field, _("文件不存在：{path}").format(path=source)) from None
    except UnicodeDecodeError:
        raise ValidationError.single(
            field, _("文件须为 UTF-8 编码的文本：{path}").format(path=source)
        ) from None
    except OSError as exc:
        raise ValidationError.single(field, _("无法读取文件：{error}").format(error=exc)) from None


def note_estimated(desk: services.Desk, actor: services.Actor, deadlines: Iterable[datetime | None]) -> None:
    """On stderr (stdout stays the JSON a script reads): which deadlines are only estimates, and why."""
    due = [moment for moment in deadlines if moment is not None]
    years = services.calendar_coverage(desk, actor).uncovered_in(due)
    if not years:
        return
    shown = join_items(str(year) for year in years)
    print(
        _(
            "注意：有截止时间落在 {years} 年，该年的节假日安排尚未导入，按周一至周五估算；"
            "管理员可用 kesu admin calendar-import 导入国务院办公厅公布的安排"
        ).format(years=shown),
        file=sys.stderr,
    )


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def input_error_lines(exc: ValidationError | NotFound | Conflict) -> list[str]:
    """The ``field: message`` lines of exit code 2, one per bad field (docs/cli.md, Exit codes).

    An unknown case number or a duplicate name is bad input like any other, so it is reported the same
    way, under the field the error names (``case_no``), never as a bare ``error: …``.
    """
    if isinstance(exc, ValidationError):
        return [f"{field}: {message}" for field, message in exc.errors.items()]
    return [f"{getattr(exc, 'field', 'input') or 'input'}: {exc}"]
