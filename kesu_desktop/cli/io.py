"""Reading JSON input and writing results for the ``kesu`` command."""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from kesu_desktop import services
from kesu_desktop.domain.errors import Conflict, NotFound, ValidationError
from kesu_desktop.domain.text import MAX_NUMBER_DIGITS, printable
from kesu_desktop.i18n import _, join_items

#: The largest JSON input read (a complaint with a long description is a few tens of kilobytes).
MAX_INPUT_BYTES = 2 * 1024 * 1024
#: The deepest nesting of arrays and objects accepted; the desk's inputs are flat objects.
MAX_DEPTH = 32


def _read_bytes(source: str) -> bytes:
    """The raw bytes of a file or of stdin, at most MAX_INPUT_BYTES + 1 (to tell "too large")."""
    if source == "-":
        if sys.stdin is None:
            return b""
        buffer = getattr(sys.stdin, "buffer", None)
        if buffer is not None:
            return buffer.read(MAX_INPUT_BYTES + 1)
        text = sys.stdin.read(MAX_INPUT_BYTES + 1)  # a StringIO in tests: already text
        return text.encode("utf-8", errors="surrogatepass")
    with Path(source).open("rb") as handle:
        return handle.read(MAX_INPUT_BYTES + 1)


def decode_input(data: bytes, field: str = "input") -> str:
    """UTF-8 (a leading BOM accepted) or a field error naming where the bad bytes are."""
    if len(data) > MAX_INPUT_BYTES:
        raise ValidationError.single(field, _("输入过大：最多 {n} 字节").format(n=MAX_INPUT_BYTES))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError.single(
            field,
            _("输入不是有效的 UTF-8（第 {pos} 字节起：{bytes}）；请把文件另存为 UTF-8").format(
                pos=exc.start + 1, bytes=data[exc.start : exc.start + 4].hex(" ")
            ),
        ) from None


def _refuse_constant(name: str) -> Any:
    raise ValidationError.single("input", _("不接受 {name}：数字须为有限值").format(name=name))


def _parse_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_NUMBER_DIGITS:
        raise ValidationError.single("input", _("数字过长：最多 {n} 位").format(n=MAX_NUMBER_DIGITS))
    return int(text)


def _parse_float(text: str) -> float:
    if len(text) > MAX_NUMBER_DIGITS + 10:
        raise ValidationError.single("input", _("数字过长：最多 {n} 位").format(n=MAX_NUMBER_DIGITS))
    value = float(text)
    if not math.isfinite(value):
        raise ValidationError.single("input", _("数字超出范围：{text}").format(text=text[:20]))
    return value


def _too_deep(text: str) -> bool:
    """Whether arrays/objects nest deeper than MAX_DEPTH (counted outside strings, before parsing)."""
    depth, in_string, escaped = 0, False, False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return True
        elif char in "]}":
            depth -= 1
    return False


def parse_json(text: str) -> Any:
    """JSON with limits: depth, number length, no NaN/Infinity; every refusal a field error on ``input``."""
    if _too_deep(text):
        raise ValidationError.single("input", _("JSON 嵌套过深：最多 {n} 层").format(n=MAX_DEPTH))
    try:
        return json.loads(
            text, parse_constant=_refuse_constant, parse_int=_parse_int, parse_float=_parse_float
        )
    except json.JSONDecodeError as exc:
        raise ValidationError.single(
            "input",
            _("不是有效的 JSON（第 {line} 行第 {col} 列）：{msg}").format(
                line=exc.lineno, col=exc.colno, msg=exc.msg
            ),
        ) from None
    except RecursionError:
        raise ValidationError.single("input", _("JSON 嵌套过深：最多 {n} 层").format(n=MAX_DEPTH)) from None
    except ValueError as exc:  # int() beyond sys.get_int_max_str_digits, should the hook be bypassed
        raise ValidationError.single("input", _("数字无法读取：{error}").format(error=exc)) from None


def read_json_object(source: str | None, *, default_empty: bool) -> dict[str, Any]:
    """One JSON object from a file or ``-`` (stdin); bad bytes or bad JSON are a field error on ``input``."""
    if source is None:
        # Piped input is read even without "-"; at an interactive terminal an omitted file means {}.
        if default_empty and (sys.stdin is None or sys.stdin.isatty()):
            return {}
        source = "-"
    try:
        text = decode_input(_read_bytes(source))
    except FileNotFoundError:
        raise ValidationError.single("input", _("文件不存在：{path}").format(path=source)) from None
    except OSError as exc:
        raise ValidationError.single("input", _("无法读取输入：{error}").format(error=exc)) from None
    if not text.strip():
        if default_empty:
            return {}
        raise ValidationError.single("input", _("没有输入：请提供一个 JSON 对象（文件或标准输入）"))
    data = parse_json(text)
    if not isinstance(data, dict):
        raise ValidationError.single("input", _("输入必须是一个 JSON 对象"))
    return data


def read_text_file(source: str, field: str = "file") -> str:
    """A UTF-8 text file (or ``-`` for stdin); a missing or unreadable file is a field error."""
    try:
        return decode_input(_read_bytes(source), field)
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
    way, under the field the error names (``case_no``), never as a bare ``error: …``. Fields and
    messages are escaped (domain/text.printable): a quoted newline or surrogate never breaks the format.
    """
    if isinstance(exc, ValidationError):
        return [f"{printable(str(name))}: {printable(str(message))}" for name, message in exc.errors.items()]
    return [f"{printable(getattr(exc, 'field', 'input') or 'input')}: {printable(str(exc))}"]
