"""Errors shown under the field they concern, shared by every form and dialog.

A message box that says "代码须为…" without pointing at the field makes people guess; a red label under
the field does not, and takes no room until it has something to say.
"""

from __future__ import annotations

from PySide6.QtWidgets import QLabel

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
