"""时限与规则: every time limit and automatic-rule switch of the policy, company-wide or for one office.

Each field shows its built-in default beside it (grey) and, for an office, the company-wide value it
inherits while it has none of its own (the field's placeholder). 保存 sends only the fields changed,
all at once (``services.set_settings``): a single bad value refuses the lot, its message under its
field, and nothing is stored. Emptying a field removes the stored value.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from kesu_desktop import services
from kesu_desktop.domain.errors import ValidationError
from kesu_desktop.i18n import _
from kesu_desktop.ui.admin.scope import ScopeCombo, failure_text, show_failure
from kesu_desktop.ui.base import tasks
from kesu_desktop.ui.base.form_errors import error_label, show_error
from kesu_desktop.ui.base.formatting import HINT_STYLE


def _truthy(value: str) -> bool:
    return value.strip().lower() in ("true", "1")


class _Field:
    """One setting's editor, its default beside it and its error label under it."""

    def __init__(self, row: services.SettingRow) -> None:
        self.row = row
        self.widget = QWidget()
        line = QHBoxLayout()
        line.setContentsMargins(0, 0, 0, 0)
        self.edit: QLineEdit | None = None
        self.check: QCheckBox | None = None
        if row.kind == "bool":
            self.check = QCheckBox()
            line.addWidget(self.check)
        else:
            self.edit = QLineEdit()
            self.edit.setMaximumWidth(260 if row.kind == "hours" else 140)
            self.edit.setToolTip(row.hint)
            line.addWidget(self.edit)
        self.default = QLabel()
        self.default.setStyleSheet(HINT_STYLE)
        line.addWidget(self.default)
        line.addStretch(1)
        box = QVBoxLayout(self.widget)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(2)
        box.addLayout(line)
        self.error = error_label()
        box.addWidget(self.error)
        self.initial: str = ""
        self.load(row)

    def effective(self, row: services.SettingRow) -> str:
        return row.stored if row.stored is not None else row.inherited or row.default

    def load(self, row: services.SettingRow) -> None:
        self.row = row
        show_error(self.error, "")
        if self.check is not None:
            self.check.setChecked(_truthy(self.effective(row)))
            self.initial = "true" if self.check.isChecked() else "false"
            shown = _("是") if _truthy(row.default) else _("否")
            self.default.setText(_("默认：{value}").format(value=shown))
        else:
            assert self.edit is not None
            self.edit.setText(row.stored or "")
            self.edit.setPlaceholderText(row.inherited or row.default)
            self.initial = row.stored or ""
            text = _("默认：{value}").format(value=row.default)
            if row.inherited is not None:
                text += "  " + _("全公司：{value}").format(value=row.inherited)
            self.default.setText(text)

    def current(self) -> str:
        if self.check is not None:
            return "true" if self.check.isChecked() else "false"
        assert self.edit is not None
        return self.edit.text().strip()

    def changed(self) -> bool:
        return self.current() != self.initial


class SettingsDialog(QDialog):
    def __init__(self, desk: services.Desk, actor: services.Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk, self.actor = desk, actor
        self.fields: dict[str, _Field] = {}
        self.setWindowTitle(_("时限与规则"))
        self.scope = ScopeCombo(desk, actor, self)
        self.scope.currentIndexChanged.connect(lambda _i: self.reload())
        top = QHBoxLayout()
        self.scope_label = QLabel(_("适用范围："))
        top.addWidget(self.scope_label)
        top.addWidget(self.scope)
        top.addStretch(1)
        self.intro = QLabel(
            _(
                "时长写作数字加单位：h 自然小时，wh 工作小时，wd 工作日。留空表示沿用全公司设置或默认值；"
                "网点的设置优先于全公司。"
            )
        )
        self.intro.setWordWrap(True)
        self.intro.setStyleSheet(HINT_STYLE)
        self.body = QWidget()
        self.body_layout = QVBoxLayout(self.body)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.body)
        self.status = error_label()
        self.saved = QLabel()
        self.saved.setStyleSheet(HINT_STYLE)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Close
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText(_("保存"))
        self.save_button.setDefault(True)
        self.buttons.button(QDialogButtonBox.StandardButton.Close).setText(_("关闭"))
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.intro)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.status)
        layout.addWidget(self.saved)
        layout.addWidget(self.buttons)
        self.resize(760, 660)
        self.reload()

    # --- data ---------------------------------------------------------------------------------------
    def reload(self) -> None:
        office = self.scope.office()
        tasks.run(
            lambda: services.setting_rows(self.desk, self.actor, office=office),
            on_result=self._fill,
            on_error=lambda exc: show_failure(self.status, exc),
            context=self,
        )

    def _fill(self, rows: list[services.SettingRow]) -> None:
        show_error(self.status, "")
        if not self.fields:
            self._build(rows)
        office = self.scope.office()
        for row in rows:
            field = self.fields[row.key]
            field.load(row)
            settable = not (row.company_only and office is not None)
            field.widget.setEnabled(settable)
            field.widget.setToolTip("" if settable else _("只能在全公司范围设置"))

    def _build(self, rows: list[services.SettingRow]) -> None:
        groups: dict[str, QFormLayout] = {}
        for row in rows:
            form = groups.get(row.group)
            if form is None:
                box = QGroupBox(row.group)
                form = QFormLayout(box)
                form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
                form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
                groups[row.group] = form
                self.body_layout.addWidget(box)
            field = _Field(row)
            label = QLabel(row.label)
            label.setToolTip(row.key)
            if field.edit is not None:
                label.setBuddy(field.edit)
            form.addRow(label, field.widget)
            self.fields[row.key] = field
        self.body_layout.addStretch(1)

    def changes(self) -> dict[str, str | None]:
        """The fields the administrator changed: new text, or None to remove a stored value."""
        return {key: field.current() or None for key, field in self.fields.items() if field.changed()}

    def save(self) -> None:
        for field in self.fields.values():
            show_error(field.error, "")
        show_error(self.status, "")
        values = self.changes()
        if not values:
            self.saved.setText(_("没有改动"))
            return
        office = self.scope.office()
        self.save_button.setEnabled(False)
        tasks.run(
            lambda: services.set_settings(self.desk, self.actor, values, office=office),
            on_result=self._saved,
            on_error=self._refused,
            context=self,
        )

    def _saved(self, changed: list[str]) -> None:
        self.save_button.setEnabled(True)
        self.saved.setText(_("已保存 {n} 项设置").format(n=len(changed)))
        self.reload()

    def _refused(self, exc: BaseException) -> None:
        self.save_button.setEnabled(True)
        self.saved.setText("")
        if isinstance(exc, ValidationError):
            rest = []
            for key, message in exc.errors.items():
                field = self.fields.get(key)
                if field is None:
                    rest.append(message)
                else:
                    show_error(field.error, message)
            show_error(self.status, "\n".join(rest) or _("有设置值无效，均未保存：请按提示修改"))
            return
        show_error(self.status, failure_text(exc))
