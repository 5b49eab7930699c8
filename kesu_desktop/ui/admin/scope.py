"""What the 时限与规则 and 工作日历 dialogs share: the 全公司 / office chooser and showing a failure.

Settings and calendar days are stored company-wide or for one office (the office's win); both dialogs
let the administrator pick which, from the offices the services list.
"""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QLabel, QWidget

from kesu_desktop import services
from kesu_desktop.i18n import _
from kesu_desktop.ui.base.form_errors import failure_text, show_error


class ScopeCombo(QComboBox):
    """全公司 first, then every office (``code name``); ``office()`` is None for 全公司."""

    def __init__(self, desk: services.Desk, actor: services.Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.addItem(_("全公司"), None)
        self.setMinimumContentsLength(16)
        for office in services.list_offices(desk, actor):  # a handful of rows, read once on opening
            self.addItem(f"{office.code} {office.name}", office.code)

    def office(self) -> str | None:
        return self.currentData()


def show_failure(label: QLabel, exc: BaseException) -> None:
    show_error(label, failure_text(exc))
