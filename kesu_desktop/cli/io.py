"""Reading JSON input and writing results for the ``kesu`` command."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from kesu_desktop.domain.errors import Conflict, NotFound, ValidationError
from kesu_desktop.i18n import _


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
