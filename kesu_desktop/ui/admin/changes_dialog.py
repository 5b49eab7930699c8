"""变更记录: who changed which administrative setting from what to what, and when (newest first).

The list is ``services.list_changes`` (administrators and managers); times are shown in the viewer's
office zone. The filter narrows it to one kind of object (users, offices, settings, the calendar …).
"""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kesu_desktop import services
from kesu_desktop.i18n import _, join_clauses
from kesu_desktop.ui.admin.scope import failure_text
from kesu_desktop.ui.base import tasks
from kesu_desktop.ui.base.form_errors import error_label, show_error
from kesu_desktop.ui.base.formatting import HINT_STYLE

#: Longest cell text; the tooltip holds the whole value (a template body can be long).
MAX_CELL = 80


def entity_names() -> dict[str, str]:
    """The kinds of object ``record_change`` is called with, as the filter names them."""
    return {
        "user": _("用户"),
        "office": _("营业网点"),
        "department": _("部门"),
        "category": _("投诉类别"),
        "setting": _("时限与规则"),
        "calendar": _("工作日历"),
        "reply_template": _("回复模板"),
        "phrase": _("用语库"),
        "certificate": _("签名证书"),
        "seal": _("印章图片"),
    }


def value_text(value: Any) -> str:
    """A recorded value as one line: plain text as is, a set of fields as ``name: value`` pairs."""
    if value is None:
        return "—"
    if isinstance(value, dict):
        return join_clauses(f"{key}: {value_text(item)}" for key, item in value.items())
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, str):
        return value.replace("\n", " ⏎ ")
    return json.dumps(value, ensure_ascii=False)


def object_text(change: services.ChangeView) -> str:
    """What was changed, as a person reads it: settings by their Chinese name, phrases by their text."""
    kind = entity_names().get(change.entity, change.entity)
    key = change.entity_key
    if change.entity in ("setting", "calendar") and ":" in key:
        scope, name = key.split(":", 1)
        where = _("全公司") if scope == "*" else scope
        return f"{kind} {where} {services.setting_label(name) if change.entity == 'setting' else name}"
    if change.entity == "phrase":
        for value in (change.after, change.before):
            if isinstance(value, dict) and value.get("text"):
                return f"{kind} {value['text']}"
        return f"{kind} {key[:8]}"
    return f"{kind} {key}"


class ChangesDialog(QDialog):
    def __init__(self, desk: services.Desk, actor: services.Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk, self.actor = desk, actor
        self.changes: list[services.ChangeView] = []
        self.setWindowTitle(_("变更记录"))
        self.entity = QComboBox()
        self.entity.addItem(_("全部"), None)
        for code, name in entity_names().items():
            self.entity.addItem(name, code)
        self.entity.currentIndexChanged.connect(lambda _i: self.reload())
        top = QHBoxLayout()
        top.addWidget(QLabel(_("对象类型：")))
        top.addWidget(self.entity)
        top.addStretch(1)
        self.count = QLabel()
        self.count.setStyleSheet(HINT_STYLE)
        top.addWidget(self.count)
        self.table = QTableWidget(0, 5)
        self.table.setHorizontalHeaderLabels([_("时间"), _("操作人"), _("对象"), _("变更前"), _("变更后")])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        for col in (0, 1, 2):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.status = error_label()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(_("关闭"))
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)
        layout.addWidget(buttons)
        self.resize(880, 560)
        self.reload()

    def reload(self) -> None:
        entity = self.entity.currentData()
        tasks.run(
            lambda: services.list_changes(self.desk, self.actor, entity=entity),
            on_result=self._fill,
            on_error=lambda exc: show_error(self.status, failure_text(exc)),
            context=self,
        )

    def _fill(self, changes: list[services.ChangeView]) -> None:
        show_error(self.status, "")
        self.changes = changes
        self.table.setRowCount(len(changes))
        for row, change in enumerate(changes):
            cells = [
                services.local_time(change.at, self.actor.timezone, "second"),
                change.actor,
                object_text(change),
                value_text(change.before),
                value_text(change.after),
            ]
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text if len(text) <= MAX_CELL else text[: MAX_CELL - 1] + "…")
                item.setToolTip(text)
                self.table.setItem(row, col, item)
        self.count.setText(_("共 {n} 条（最新在前）").format(n=len(changes)))

    def rows(self) -> list[list[str]]:
        """The table as shown (for tests and for copying)."""
        return [
            [self.table.item(r, c).toolTip() for c in range(self.table.columnCount())]
            for r in range(self.table.rowCount())
        ]
