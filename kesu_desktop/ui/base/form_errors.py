"""Errors shown under the field they concern, shared by every form and dialog.

A message box that says "代码须为…" without pointing at the field makes people guess; a red label under
the field does not, and takes no room until it has something to say.
"""

from __future__ import annotations

from PySide6.QtWidgets import QLabel

from kesu_desktop.domain.errors import KesuError
from kesu_desktop.i18n import _
from kesu_desktop.ui.base import tasks

ERROR_STYLE = "color: #c62828;"


def error_label() -> QLabel:
    """A red, wrapping label that takes no room until it has something to say."""
    label = QLabel()
    label.setStyleSheet(ERROR_STYLE)
    label.setWordWrap(True)
    label.hide()
    return label


def show_error(label: QLabel, text: str) -> None:
    label.setText(text)
    label.setVisible(bool(text))


def failure_text(exc: BaseException) -> str:
    """A service's refusal as one line; anything else is a bug and goes to the log as well."""
    if not isinstance(exc, KesuError):
        tasks.unexpected(exc)
        return _("操作失败，详情已写入日志")
    errors = getattr(exc, "errors", None)
    if isinstance(errors, dict) and errors:
        return "\n".join(str(message) for message in errors.values())
    return str(exc)
