"""The 管理 menu: one entry per administration dialog, each opened modal over the main window."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QDialog, QMenu, QWidget

from kesu_desktop import services
from kesu_desktop.i18n import _

#: A dialog factory: (desk, actor, parent) -> the dialog to open.
DialogFactory = Callable[[services.Desk, services.Actor, QWidget], QDialog]


def _entries() -> list[tuple[str, DialogFactory]]:
    """(menu text, factory) in menu order; the dialogs are imported here so the menu stays one list."""
    entries: list[tuple[str, DialogFactory]] = []
    from kesu_desktop.ui.admin.catalogue_dialog import catalogue_dialog
    from kesu_desktop.ui.admin.offices_dialog import offices_dialog
    from kesu_desktop.ui.admin.users_dialog import users_dialog

    entries += [
        ("用户…", users_dialog),  # not translated here: _() when shown
        ("营业网点…", offices_dialog),  # not translated here: _() when shown
        ("部门与类别…", catalogue_dialog),  # not translated here: _() when shown
    ]
    from kesu_desktop.ui.admin.calendar_dialog import CalendarDialog
    from kesu_desktop.ui.admin.certificate_dialog import CertificateDialog
    from kesu_desktop.ui.admin.changes_dialog import ChangesDialog
    from kesu_desktop.ui.admin.settings_dialog import SettingsDialog
    from kesu_desktop.ui.admin.templates_dialog import TemplatesDialog

    # The texts are msgids: AdminMenu.retranslate_ui shows them through _().
    entries += [
        ("时限与规则…", SettingsDialog),  # not translated here: _() when shown
        ("工作日历…", CalendarDialog),  # not translated here: _() when shown
        ("回复模板与用语…", TemplatesDialog),  # not translated here: _() when shown
        ("签名证书与印章…", CertificateDialog),  # not translated here: _() when shown
        ("变更记录…", ChangesDialog),  # not translated here: _() when shown
    ]
    return entries


class AdminMenu(QMenu):
    """管理(&M): shown to administrators only (the services refuse everyone else anyway)."""

    def __init__(self, desk: services.Desk, actor: services.Actor, parent: QWidget) -> None:
        super().__init__(parent)
        self.desk, self.actor = desk, actor
        self._window = parent
        self._actions = []
        for text, factory in _entries():
            action = self.addAction(text)
            action.triggered.connect(lambda _checked=False, f=factory: self.open(f))
            self._actions.append((action, text))
        self.retranslate_ui()

    def open(self, factory: DialogFactory) -> QDialog:
        dialog = factory(self.desk, self.actor, self._window)
        dialog.open()
        return dialog

    def retranslate_ui(self) -> None:
        self.setTitle(_("管理(&M)"))
        for action, text in self._actions:
            action.setText(_(text))
