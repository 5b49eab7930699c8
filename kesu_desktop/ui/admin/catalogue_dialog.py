"""部门与类别: the responsible departments and the complaint categories, one tab each.

A category names the department its new cases go to (责任部门). Nothing is deleted: 停用 takes a
department or category out of the registration and transfer choices, and the cases that already
use it keep showing its name. A department that active categories still route to cannot be
deactivated; the message names those categories.
"""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QLineEdit, QTabWidget, QWidget

from kesu_desktop import services
from kesu_desktop.i18n import _
from kesu_desktop.ui.admin.record_pane import AdminDialog, RecordPane, state_text


class DepartmentsPane(RecordPane):
    def __init__(self, desk: services.Desk, actor: services.Actor, parent: QWidget | None = None) -> None:
        super().__init__([_("代码"), _("名称"), _("状态")], parent)
        self.desk, self.actor = desk, actor
        self.code = self.add_field("code", _("代码"), QLineEdit())
        self.code.setPlaceholderText(_("例如 QA（编入案件编号）"))
        self.code.setMaxLength(8)
        self.name = self.add_field("name", _("名称"), QLineEdit())
        self.add_field("active", "", QWidget())  # where a refused deactivation is explained
        self.reload()

    def cells(self, row: services.DepartmentView) -> list[str]:
        return [row.code, row.name, state_text(row.active)]

    def reload(self, keep: str | None = None) -> None:
        self.call(
            lambda: services.list_departments(self.desk, self.actor), lambda rows: self.fill(rows, keep)
        )

    def show_record(self, record: services.DepartmentView | None) -> None:
        self.code.setReadOnly(record is not None)
        self.code.setText(record.code if record else "")
        self.name.setText(record.name if record else "")
        if record is None:
            self.code.setFocus()

    def save(self) -> None:
        code, name = self.code.text(), self.name.text()
        if self.editing is None:
            self.call(
                lambda: services.add_department(self.desk, self.actor, code, name),
                lambda view: self.saved(view, _("已添加部门“{name}”").format(name=view.name)),
            )
            return
        code = self.editing.code
        self.call(
            lambda: services.set_department(self.desk, self.actor, code, name=name),
            lambda view: self.saved(view, _("已保存部门“{name}”").format(name=view.name)),
        )

    def toggle_active(self) -> None:
        record = self.editing
        if record is None:
            return
        active = not record.active
        text = _("已启用部门“{name}”") if active else _("已停用部门“{name}”")
        self.call(
            lambda: services.set_department(self.desk, self.actor, record.code, active=active),
            lambda view: self.saved(view, text.format(name=view.name)),
        )


class CategoriesPane(RecordPane):
    def __init__(self, desk: services.Desk, actor: services.Actor, parent: QWidget | None = None) -> None:
        super().__init__([_("代码"), _("名称"), _("责任部门"), _("状态")], parent)
        self.desk, self.actor = desk, actor
        self.names: dict[str, str] = {}
        self.code = self.add_field("code", _("代码"), QLineEdit())
        self.code.setPlaceholderText(_("例如 packaging"))
        self.code.setMaxLength(32)
        self.name = self.add_field("name", _("名称"), QLineEdit())
        self.department = self.add_field("department", _("责任部门"), QComboBox())
        self.parent_category = self.add_field("parent", _("上级类别"), QComboBox())
        self.refresh_choices()
        self.reload()

    def refresh_choices(self) -> None:
        """The department and parent choices (read again when the 部门 tab may have changed them)."""
        chosen = self.department.currentData()
        self.department.clear()
        self.department.addItem(_("（不指定）"), "")
        self.names = {}
        for dept in services.list_departments(self.desk, self.actor):
            self.names[dept.code] = dept.name
            if dept.active:
                self.department.addItem(f"{dept.code} {dept.name}", dept.code)
        self.department.setCurrentIndex(max(0, self.department.findData(chosen)))
        self.parent_category.clear()
        self.parent_category.addItem(_("（无）"), "")
        for cat in services.list_categories(self.desk, self.actor, include_inactive=False):
            self.parent_category.addItem(cat.name, cat.code)

    def cells(self, row: services.CategoryView) -> list[str]:
        dept = row.department_code or ""
        shown = f"{dept} {self.names.get(dept, '')}".strip()
        return [row.code, row.name, shown, state_text(row.active)]

    def reload(self, keep: str | None = None) -> None:
        self.call(lambda: services.list_categories(self.desk, self.actor), lambda rows: self.fill(rows, keep))

    def show_record(self, record: services.CategoryView | None) -> None:
        self.code.setReadOnly(record is not None)
        self.parent_category.setEnabled(record is None)  # set when the category is added
        self.code.setText(record.code if record else "")
        self.name.setText(record.name if record else "")
        dept = record.department_code if record else ""
        index = self.department.findData(dept or "")
        if index < 0 and dept:  # routed to a department deactivated since: show it as it is
            self.department.addItem(f"{dept} {self.names.get(dept, '')}" + _("（已停用）"), dept)
            index = self.department.count() - 1
        self.department.setCurrentIndex(max(0, index))
        parent = record.parent_code if record else ""
        self.parent_category.setCurrentIndex(max(0, self.parent_category.findData(parent or "")))
        if record is None:
            self.code.setFocus()

    def save(self) -> None:
        code, name = self.code.text(), self.name.text()
        department = self.department.currentData() or ""
        if self.editing is None:
            parent = self.parent_category.currentData() or None
            self.call(
                lambda: services.add_category(
                    self.desk, self.actor, code, name, department=department, parent=parent
                ),
                lambda view: self.saved(view, _("已添加类别“{name}”").format(name=view.name)),
            )
            return
        code = self.editing.code
        self.call(
            lambda: services.set_category(self.desk, self.actor, code, name=name, department=department),
            lambda view: self.saved(view, _("已保存类别“{name}”").format(name=view.name)),
        )

    def toggle_active(self) -> None:
        record = self.editing
        if record is None:
            return
        active = not record.active
        text = _("已启用类别“{name}”") if active else _("已停用类别“{name}”：登记时不再可选")
        self.call(
            lambda: services.set_category(self.desk, self.actor, record.code, active=active),
            lambda view: self.saved(view, text.format(name=view.name)),
        )


class CatalogueTabs(QTabWidget):
    def __init__(self, desk: services.Desk, actor: services.Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.departments = DepartmentsPane(desk, actor)
        self.categories = CategoriesPane(desk, actor)
        self.addTab(self.departments, _("部门"))
        self.addTab(self.categories, _("投诉类别"))
        self.currentChanged.connect(self._changed)

    def _changed(self, index: int) -> None:
        if self.widget(index) is self.categories:
            self.categories.refresh_choices()
            self.categories.reload(keep=self.categories.editing.code if self.categories.editing else None)


def catalogue_dialog(
    desk: services.Desk, actor: services.Actor, parent: QWidget | None = None
) -> AdminDialog:
    return AdminDialog(_("部门与类别"), CatalogueTabs(desk, actor), parent)
