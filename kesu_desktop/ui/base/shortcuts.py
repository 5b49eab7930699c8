"""Panel-scoped keyboard shortcuts: active while focus is inside the panel, so docks never clash."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QWidget


def panel_shortcuts(panel: QWidget, bindings: Iterable[tuple[str, Callable[[], None]]]) -> list[QShortcut]:
    made = []
    for keys, slot in bindings:
        shortcut = QShortcut(QKeySequence(keys), panel, context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(slot)
        made.append(shortcut)
    return made
