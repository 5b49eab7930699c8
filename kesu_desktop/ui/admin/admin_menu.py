"""The 管理 menu: one entry per administration dialog, each opened modal over the main window."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QDialog, QMenu, QWidget

from kesu_desktop import services
from kesu_desktop.i18n import _

#: A dialog factory: (desk, actor, parent) -> the dialog to open.
DialogFactory = Callable[[services.Desk, services.Actor, QWidget], QDialog]


# Each dialog's module is imported when the dialog is opened, not when the menu is built: together they
# load what the main window does not need (the certificate dialog the printing package: ReportLab,
# pyHanko), and the window, this menu included, must paint fast (issue 16). Plain import statements, so
# the import linter and PyInstaller still see them.


def _open_users_dialog(desk: services.Desk, actor: services.Actor, parent: QWidget) -> QDialog:
    from kesu_desktop.ui.admin.users_dialog import users_dialog

    return users_dialog(desk, actor, parent)


def _open_offices_dialog(desk: services.Desk, actor: services.Actor, parent: QWidget) -> QDialog:
    from kesu_desktop.ui.admin.offices_dialog import offices_dialog

    return offices_dialog(desk, actor, parent)


def _open_catalogue_dialog(desk: services.Desk, actor: services.Actor, parent: QWidget) -> QDialog:
    from kesu_desktop.ui.admin.catalogue_dialog import catalogue_dialog

    return catalogue_dialog(desk, actor, parent)


def _open_settings_dialog(desk: services.Desk, actor: services.Actor, parent: QWidget) -> QDialog:
    from kesu_desktop.ui.admin.settings_dialog import SettingsDialog

    return SettingsDialog(desk, actor, parent)


def _open_calendar_dialog(desk: services.Desk, actor: services.Actor, parent: QWidget) -> QDialog:
    from kesu_desktop.ui.admin.calendar_dialog import CalendarDialog

    return CalendarDialog(desk, actor, parent)


def _open_templates_dialog(desk: services.Desk, actor: services.Actor, parent: QWidget) -> QDialog:
    from kesu_desktop.ui.admin.templates_dialog import TemplatesDialog

    return TemplatesDialog(desk, actor, parent)


def _open_certificate_dialog(desk: services.Desk, actor: services.Actor, parent: QWidget) -> QDialog:
    from kesu_desktop.ui.admin.certificate_dialog import CertificateDialog

    return CertificateDialog(desk, actor, parent)


def _open_changes_dialog(desk: services.Desk, actor: services.Actor, parent: QWidget) -> QDialog:
    from kesu_desktop.ui.admin.changes_dialog import ChangesDialog

    return ChangesDialog(desk, actor, parent)


def _entries() -> list[tuple[str, DialogFactory]]:
    """(menu text, factory) in menu order; each dialog's module is imported when it is opened."""
    # The texts are msgids: AdminMenu.retranslate_ui shows them through _().
    return [
        ("用户…", _open_users_dialog),  # not translated here: _() when shown
        ("营业网点…", _open_offices_dialog),  # not translated here: _() when shown
        ("部门与类别…", _open_catalogue_dialog),  # not translated here: _() when shown
        ("时限与规则…", _open_settings_dialog),  # not translated here: _() when shown
        ("工作日历…", _open_calendar_dialog),  # not translated here: _() when shown
        ("回复模板与用语…", _open_templates_dialog),  # not translated here: _() when shown
        ("签名证书与印章…", _open_certificate_dialog),  # not translated here: _() when shown
        ("变更记录…", _open_changes_dialog),  # not translated here: _() when shown
    ]


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
