"""The main window: for now the case list with a search box, a status bar and the menus.

The later desktop issue adds dock panels (registration, case detail, reply editor…) around this
central list; they will refresh themselves from ``tasks.app_signals().sig_cases_changed``, as the list
does, rather than being called by this window.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, Signal, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QPlainTextEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from kesu_desktop import __version__, services
from kesu_desktop.domain.enums import Priority, Role, Status
from kesu_desktop.domain.errors import KesuError
from kesu_desktop.i18n import _
from kesu_desktop.services import CaseFilter, CaseRow, CaseView
from kesu_desktop.ui import tasks
from kesu_desktop.ui.case_list_model import CaseListModel, label_of, local_time

LIST_LIMIT = 200
_DB_KINDS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


Loaded = tuple[dict[str, str], list[CaseRow]]


def _load_cases(desk: services.Desk, actor: services.Actor, search: str) -> Loaded:
    """Runs on the worker: category names and one page of cases, in one trip."""
    names = {c.code: c.name for c in services.categories(desk)}
    return names, services.list_cases(desk, actor, CaseFilter(limit=LIST_LIMIT, search=search or None))


def case_text(case: CaseView, category_names: dict[str, str]) -> str:
    """A read-only summary with the timeline, until the case-detail dock exists."""
    lines = [
        f"{case.case_no}  {label_of(Status, case.status)} · {label_of(Priority, case.priority)} · "
        f"{category_names.get(case.category, case.category)}",
        _("客户：{name}  电话：{phone}").format(name=case.customer_name, phone=case.phone),
        _("描述：{text}").format(text=case.description),
    ]
    if case.demand:
        lines.append(_("诉求：{text}").format(text=case.demand))
    lines += ["", _("时间线：")]
    lines += [f"  {local_time(e.at)}  {e.actor}  {e.kind}" for e in case.events]
    return "\n".join(lines)


class MainWindow(QMainWindow):
    """客诉台 Kesu Desk: the signed-in user's case list."""

    #: Emitted with the number of rows after each successful load (tests and screenshots wait on it).
    sig_cases_loaded = Signal(int)
    #: Emitted with a one-line message when a load fails.
    sig_load_failed = Signal(str)

    def __init__(self, desk: services.Desk, actor: services.Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk, self.actor = desk, actor
        self.model = CaseListModel(self)
        self.search = QLineEdit(clearButtonEnabled=True)
        self.search.returnPressed.connect(self.on_refresh)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.table.doubleClicked.connect(self.on_row_double_clicked)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.addWidget(self.search)
        layout.addWidget(self.table)
        self.setCentralWidget(central)
        self.user_label, self.office_label, self.db_label, self.count_label = (QLabel() for _i in range(4))
        for label in (self.count_label, self.user_label, self.office_label, self.db_label):
            self.statusBar().addPermanentWidget(label)
        self._build_menus()
        self.retranslate_ui()
        tasks.app_signals().sig_cases_changed.connect(self.on_cases_changed)
        self.on_refresh()

    def _build_menus(self) -> None:
        self.file_menu = self.menuBar().addMenu("")
        self.refresh_action = QAction(self, shortcut=QKeySequence("F5"))
        self.refresh_action.triggered.connect(self.on_refresh)
        self.quit_action = QAction(self, shortcut=QKeySequence("Ctrl+Q"))
        self.quit_action.triggered.connect(self.close)
        self.file_menu.addAction(self.refresh_action)
        self.file_menu.addSeparator()
        self.file_menu.addAction(self.quit_action)
        self.help_menu = self.menuBar().addMenu("")
        self.about_action = QAction(self)
        self.about_action.triggered.connect(self.on_about)
        self.help_menu.addAction(self.about_action)

    def retranslate_ui(self) -> None:
        self.setWindowTitle(_("客诉台 Kesu Desk"))
        self.file_menu.setTitle(_("文件"))
        self.refresh_action.setText(_("刷新"))
        self.quit_action.setText(_("退出"))
        self.help_menu.setTitle(_("帮助"))
        self.about_action.setText(_("关于"))
        self.search.setPlaceholderText(_("搜索客户、描述、诉求或案件编号（回车）"))
        self.user_label.setText(
            _("用户：{name}（{role}）").format(name=self.actor.display_name, role=Role(self.actor.role).label)
        )
        self.office_label.setText(_("网点：{code}").format(code=self.actor.office_code))
        kind = self.desk.db.kind
        self.db_label.setText(_("数据库：{kind}").format(kind=_DB_KINDS.get(kind, kind)))
        self.model.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, self.model.columnCount() - 1)

    @Slot()
    def on_refresh(self) -> None:
        desk, actor, search = self.desk, self.actor, self.search.text().strip()
        self.statusBar().showMessage(_("正在加载…"))
        tasks.run(lambda: _load_cases(desk, actor, search), on_result=self.on_cases_loaded,
                  on_error=self.on_load_failed, context=self)

    @Slot(list)
    def on_cases_changed(self, _ids: list) -> None:
        self.on_refresh()

    def on_cases_loaded(self, loaded: Loaded) -> None:
        names, rows = loaded
        self.model.set_rows(rows, names)
        self.statusBar().clearMessage()
        self.count_label.setText(_("共 {n} 件").format(n=len(rows)))
        self.sig_cases_loaded.emit(len(rows))

    def on_load_failed(self, exc: BaseException) -> None:
        message = str(exc) if isinstance(exc, KesuError) else _("案件列表加载失败")
        self.statusBar().showMessage(message)
        if not isinstance(exc, KesuError):
            tasks.unexpected(exc)
        self.sig_load_failed.emit(message)

    @Slot(QModelIndex)
    def on_row_double_clicked(self, index: QModelIndex) -> None:
        desk, actor, case_no = self.desk, self.actor, self.model.row_at(index.row()).case_no
        tasks.run(lambda: services.get_case(desk, actor, case_no), on_result=self.on_case_loaded,
                  on_error=self.on_case_failed, context=self)

    def on_case_loaded(self, case: CaseView) -> None:
        dialog = QDialog(self, windowTitle=case.case_no)
        text = QPlainTextEdit(case_text(case, self.model.category_names), readOnly=True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(_("关闭"))
        buttons.rejected.connect(dialog.reject)
        layout = QVBoxLayout(dialog)
        layout.addWidget(text)
        layout.addWidget(buttons)
        dialog.resize(640, 420)
        dialog.open()

    def on_case_failed(self, exc: BaseException) -> None:
        if isinstance(exc, KesuError):
            QMessageBox.warning(self, _("无法打开案件"), str(exc))
        else:
            tasks.unexpected(exc)

    @Slot()
    def on_about(self) -> None:
        text = _("客诉台 Kesu Desk {version}\n面向服务窗口的客户投诉处理系统。").format(version=__version__)
        credits = _("界面字体：文泉驿微米黑（Apache 2.0）")
        QMessageBox.about(self, _("关于客诉台"), f"{text}\n\n{credits}")
