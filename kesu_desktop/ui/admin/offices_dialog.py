"""营业网点: every office with its zone and the follow-up phone its letters print; add one or change one.

The code is fixed once added (it is in every case number the office issued). The follow-up phone
(跟进电话 on the receipt) and the organisation (the letters' heading) are the office's own; left empty,
the company-wide value applies, or the office's name for the heading.
"""

from __future__ import annotations

from zoneinfo import available_timezones

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCompleter, QLineEdit, QWidget

from kesu_desktop import services
from kesu_desktop.i18n import _
from kesu_desktop.ui.admin.record_pane import AdminDialog, RecordPane

#: Wide enough for a long Chinese office name (about 24 characters) to be read whole.
NAME_MIN_WIDTH = 340


class OfficesPane(RecordPane):
    def __init__(self, desk: services.Desk, actor: services.Actor, parent: QWidget | None = None) -> None:
        super().__init__([_("代码"), _("名称"), _("时区"), _("跟进电话")], parent, toggle=False, form_share=3)
        self.desk, self.actor = desk, actor
        self.code = self.add_field("code", _("代码"), QLineEdit())
        self.code.setPlaceholderText(_("例如 SZ01"))
        self.code.setMaxLength(8)
        self.name = self.add_field("name", _("名称"), QLineEdit())
        self.name.setMinimumWidth(NAME_MIN_WIDTH)
        self.timezone = self.add_field("timezone", _("时区"), QLineEdit())
        self.timezone.setPlaceholderText("Asia/Shanghai")
        completer = QCompleter(sorted(available_timezones()), self.timezone)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.timezone.setCompleter(completer)
        self.contact = self.add_field("contact", _("跟进电话"), QLineEdit())
        self.contact.setPlaceholderText(_("回执上的跟进电话，例如 010-65123456"))
        self.organisation = self.add_field("organisation", _("文书单位名称"), QLineEdit())
        self.organisation.setPlaceholderText(_("留空则用网点名称"))
        self.reload()

    def cells(self, row: services.OfficeView) -> list[str]:
        return [row.code, row.name, row.timezone, row.contact]

    def reload(self, keep: str | None = None) -> None:
        self.call(lambda: services.list_offices(self.desk, self.actor), lambda rows: self.fill(rows, keep))

    def show_record(self, record: services.OfficeView | None) -> None:
        self.code.setReadOnly(record is not None)
        if record is None:
            for edit in (self.code, self.name, self.contact, self.organisation):
                edit.clear()
            self.timezone.setText("Asia/Shanghai")
            self.code.setFocus()
            return
        self.code.setText(record.code)
        self.name.setText(record.name)
        self.timezone.setText(record.timezone)
        self.contact.setText(record.contact)
        self.organisation.setText(record.organisation)

    def save(self) -> None:
        code, name, zone = self.code.text(), self.name.text(), self.timezone.text()
        contact, organisation = self.contact.text(), self.organisation.text()
        if self.editing is None:
            self.call(
                lambda: services.add_office(
                    self.desk, self.actor, code, name, zone, contact=contact, organisation=organisation
                ),
                lambda view: self.saved(view, _("已添加网点“{code}”").format(code=view.code)),
            )
            return
        code = self.editing.code
        self.call(
            lambda: services.set_office(
                self.desk,
                self.actor,
                code,
                name=name,
                timezone=zone,
                contact=contact,
                organisation=organisation,
            ),
            lambda view: self.saved(view, _("已保存网点“{code}”").format(code=view.code)),
        )


def offices_dialog(desk: services.Desk, actor: services.Actor, parent: QWidget | None = None) -> AdminDialog:
    return AdminDialog(_("营业网点"), OfficesPane(desk, actor), parent)
