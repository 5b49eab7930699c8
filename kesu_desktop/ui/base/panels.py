"""Dock panels: each a small QDockWidget with a stable object name, so layouts can be saved per user."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QWidget

ALL_AREAS = (
    Qt.DockWidgetArea.LeftDockWidgetArea
    | Qt.DockWidgetArea.RightDockWidgetArea
    | Qt.DockWidgetArea.TopDockWidgetArea
    | Qt.DockWidgetArea.BottomDockWidgetArea
)


class Panel(QDockWidget):
    """A dock around one view. The object name is what ``saveState`` remembers; never change it."""

    def __init__(self, object_name: str, title: str, view: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(title, parent)
        self.setObjectName(object_name)
        self.setAllowedAreas(ALL_AREAS)
        self.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetClosable
            | QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
        )
        self.setWidget(view)
        self.view = view

    def reveal(self) -> None:
        """Show the panel, bring its tab to the front and give it the keyboard."""
        self.show()
        self.raise_()
        self.view.setFocus()
