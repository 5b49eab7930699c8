"""The main window: dock panels only, arranged by one of two layouts (``ui.layouts``).

Panels: 登记, 案件列表, 详情, 回复, 回复审批, 提醒, 冲突 (supervisors and up). There is no fixed centre:
the front desk starts on the registration-first layout, everyone else on the work queue, and
视图 switches between them. Each user's arrangement of each layout is remembered (QSettings), and
重置布局 lays the current one out afresh at shares of a window that fits the screen.

The window only wires panels together (selecting a case shows it in the detail and the reply editor);
panels refresh themselves from ``tasks.app_signals().sig_cases_changed``. The layouts are saved per
user and restored on the next start.

The deadline watcher (``ui.alerts.watcher_thread.DeadlineWatcher``) starts when the window is first
shown and stops, thread and all, when it closes; its new alerts refresh the 提醒 panel and may raise a
tray balloon, the panel's count is the status bar's 提醒：N, and the cases it escalates reach the panels
through ``sig_cases_changed`` like any other write. Likewise the live-update thread
(``ui.base.live.LiveUpdates``: NOTIFY on PostgreSQL, the file's data_version on SQLite) starts on the
first show and stops on close; other desks' writes reach the panels through ``sig_cases_changed`` and
their alerts refresh the 提醒 panel. On a branch office's database the background sync
(``ui.sync.background_sync.BranchSync``) starts on the first show too, runs every few minutes and on
立即同步 (F9), and keeps the status bar's 同步 field current.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QCoreApplication, QSettings, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeySequence, QShowEvent
from PySide6.QtWidgets import QLabel, QMainWindow, QMessageBox, QToolButton, QVBoxLayout, QWidget

from kesu_desktop import __version__, i18n, services
from kesu_desktop.domain.enums import DocumentKind, Role
from kesu_desktop.i18n import _, join_clauses
from kesu_desktop.ui.admin.admin_menu import AdminMenu
from kesu_desktop.ui.alerts.alerts_view import AlertsView
from kesu_desktop.ui.alerts.tray import AlertTray
from kesu_desktop.ui.alerts.watcher_thread import DeadlineWatcher
from kesu_desktop.ui.base import tasks
from kesu_desktop.ui.base.language import apply_language, remember_language
from kesu_desktop.ui.base.live import LiveUpdates
from kesu_desktop.ui.base.notice_banner import NoticeBanner
from kesu_desktop.ui.base.panels import Panel
from kesu_desktop.ui.cases.case_detail import CaseDetailView
from kesu_desktop.ui.cases.case_list import CaseListView
from kesu_desktop.ui.cases.import_dialog import ImportRegisterDialog
from kesu_desktop.ui.layouts import LayoutName, arrange, default_layout, fit
from kesu_desktop.ui.printing.print_actions import PrintController
from kesu_desktop.ui.printing.print_menu import PrintMenu
from kesu_desktop.ui.registration.registration_form import RegistrationForm
from kesu_desktop.ui.replies.reply_editor import ReplyEditor
from kesu_desktop.ui.replies.reply_review import ReplyReviewView
from kesu_desktop.ui.reports.monthly_dialog import MonthlyReportDialog
from kesu_desktop.ui.reports.statistics_view import StatisticsView, office_today
from kesu_desktop.ui.sync.background_sync import BranchSync, status_text
from kesu_desktop.ui.sync.conflicts_view import ConflictsView

_DB_KINDS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
#: 2: the case detail became a panel and there are two layouts (older saved states are not restored).
LAYOUT_VERSION = 2
#: The window's size on a first start, shrunk to the screen when that is smaller.
START_SIZE = (1400, 860)
#: How long a failed deadline check stays in the status bar.
WATCH_FAILED_MS = 15_000
#: Who sees the 冲突 panel (the services decide what it lists: services.conflicts_for).
CONFLICT_SETTLERS = (Role.SUPERVISOR, Role.MANAGER, Role.ADMIN)


class MainWindow(QMainWindow):
    """What counter staff and specialists live in all day."""

    #: The list's first page arrived (and, when there is a case, the newest one is open).
    sig_cases_loaded = Signal(int)
    sig_load_failed = Signal(str)

    def __init__(
        self,
        desk: services.Desk,
        actor: services.Actor,
        parent: QWidget | None = None,
        *,
        remember_layout: bool = True,
    ) -> None:
        """``remember_layout=False`` (screenshots) neither restores nor saves the user's layouts."""
        super().__init__(parent)
        self.desk, self.actor = desk, actor
        self.remember_layout = remember_layout
        self.setObjectName("KesuMainWindow")
        self.setDockNestingEnabled(True)
        self.detail = CaseDetailView(desk, actor)
        self.notice = NoticeBanner()  # above the detail: e.g. next year's holidays not loaded (admins)
        self.log_notice = NoticeBanner()  # the event log was rewritten outside the app (admins)
        detail_column = QWidget()
        column = QVBoxLayout(detail_column)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.notice)
        column.addWidget(self.log_notice)
        column.addWidget(self.detail, 1)
        detail_column.setFocusProxy(self.detail)
        # No central widget: the panels share the whole window, so either layout can give its main
        # panel the larger part (a hidden centre takes no space).
        centre = QWidget()
        self.setCentralWidget(centre)
        centre.hide()
        self.case_list = CaseListView(desk, actor)
        self.registration = RegistrationForm(desk, actor)
        self.reply = ReplyEditor(desk, actor)
        self.review = ReplyReviewView(desk, actor)
        self.alerts = AlertsView(desk, actor)
        self.watcher = DeadlineWatcher(desk, actor)
        self.live = LiveUpdates(desk)
        self.sync_worker = BranchSync(desk, actor)
        self._sync_status: object = None
        self._sync_problem: str | None = None
        self._sync_running = False
        self.tray = AlertTray(self)
        self._alert_count: int | None = None
        self.panels = {
            "list": Panel("dock_case_list", _("案件列表"), self.case_list, self),
            "detail": Panel("dock_case_detail", _("详情"), detail_column, self),
            "register": Panel("dock_registration", _("登记"), self.registration, self),
            "reply": Panel("dock_reply", _("回复"), self.reply, self),
            "review": Panel("dock_reply_review", _("回复审批"), self.review, self),
            "alerts": Panel("dock_alerts", _("提醒"), self.alerts, self),
        }
        self.conflicts: ConflictsView | None = None
        if actor.role in CONFLICT_SETTLERS:
            self.conflicts = ConflictsView(desk, actor)
            self.panels["conflicts"] = Panel("dock_conflicts", _("冲突"), self.conflicts, self)
        self.statistics: StatisticsView | None = None
        if services.may_read_reports(actor):
            self.statistics = StatisticsView(desk, actor)
            self.panels["statistics"] = Panel("dock_statistics", _("统计"), self.statistics, self)
        self.layout_name = default_layout(actor.role)
        self._build_menus()
        self._build_status_bar()
        self._wire()
        self._first_page = True
        self.retranslate_ui()
        self._restore_layout()
        self.check_calendar()
        QTimer.singleShot(0, self.check_event_log)  # once the window is up: it reads the whole log

    # --- layout -------------------------------------------------------------------------------------
    def _settings_key(self, *parts: str) -> str:
        return "/".join(("layouts", self.actor.username, *parts))

    def _restore_layout(self) -> None:
        """The user's last layout, window size and panel arrangement; defaults fitted to the screen."""
        if not self.remember_layout:
            self.resize(*START_SIZE)
            self._apply_layout(self.layout_name)
            return
        settings = QSettings()
        saved = settings.value(self._settings_key("current"))
        if saved in {name.value for name in LayoutName}:
            self.layout_name = LayoutName(str(saved))
        geometry = settings.value(self._settings_key("geometry"))
        if not (isinstance(geometry, QByteArray) and self.restoreGeometry(geometry)):
            self.resize(*START_SIZE)
        self.fit_to_screen()
        self._apply_layout(self.layout_name)

    def _apply_layout(self, name: LayoutName) -> None:
        """Show ``name`` as this user left it, or laid out afresh when they never used it."""
        self.layout_name = name
        state = QSettings().value(self._settings_key(name.value, "state")) if self.remember_layout else None
        arrange(self, self.panels, name, self.actor.role)
        if isinstance(state, QByteArray):
            self.restoreState(state, LAYOUT_VERSION)
        self._check_layout_action()

    def save_layout(self) -> None:
        if not self.remember_layout:
            return
        settings = QSettings()
        settings.setValue(self._settings_key("geometry"), self.saveGeometry())
        settings.setValue(self._settings_key("current"), self.layout_name.value)
        settings.setValue(self._settings_key(self.layout_name.value, "state"), self.saveState(LAYOUT_VERSION))
        settings.sync()

    @Slot(object)
    def switch_layout(self, name: LayoutName) -> None:
        """视图 → 登记优先布局 / 工作队列布局; the current arrangement is kept for the way back."""
        if name is self.layout_name:
            return
        if self.remember_layout:
            state = self.saveState(LAYOUT_VERSION)
            QSettings().setValue(self._settings_key(self.layout_name.value, "state"), state)
        self._apply_layout(name)

    @Slot(str)
    def switch_language(self, language: str) -> None:
        """视图 → 语言: this user's language on this desk from now on, applied to the open window at once
        (the texts every panel sets in ``retranslate_ui``; a dialog opened later speaks it too)."""
        remember_language(self.actor.username, language)
        if language == i18n.current_language():
            return
        apply_language(language)
        self.retranslate_ui()
        self.on_refresh()
        self.detail.reload()
        message = _("界面语言已切换为 {name}").format(name=i18n.language_name(language))
        self.statusBar().showMessage(message, 8000)

    @Slot()
    def on_reset_layout(self) -> None:
        """The current layout afresh, in a window no larger than the screen it is on."""
        QSettings().remove(self._settings_key(self.layout_name.value, "state"))
        self.fit_to_screen()
        arrange(self, self.panels, self.layout_name, self.actor.role)

    def fit_to_screen(self) -> None:
        """Shrink the window to the screen's free area (a layout saved on a larger screen)."""
        screen = self.screen()
        if screen is None:
            return
        free = screen.availableGeometry()
        if self.isMaximized() or (self.width() <= free.width() and self.height() <= free.height()):
            return
        self.resize(min(self.width(), free.width()), min(self.height(), free.height()))
        self.move(free.topLeft())

    def resize_and_fit(self, width: int, height: int) -> None:
        """Resize and share the new size out between the panels (screenshots, a test's screen)."""
        self.resize(width, height)
        fit(self, self.panels, self.layout_name)

    def _check_layout_action(self) -> None:
        for action in self.layout_actions.actions():
            action.setChecked(action.data() == self.layout_name.value)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.watcher.start()  # idempotent: only the first show starts it
        self.live.begin()  # likewise
        self.sync_worker.start()  # likewise; schedules nothing on a database that is no branch

    def closeEvent(self, event: QCloseEvent) -> None:
        self.watcher.stop()  # the thread is finished when this returns
        self.live.stop()
        self.sync_worker.stop()
        self.tray.hide()
        self.save_layout()
        super().closeEvent(event)

    # --- menus and status bar -----------------------------------------------------------------------
    def _action(self, menu, text: str, slot, shortcut: QKeySequence | str | None = None) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        self.menu_file = bar.addMenu("")
        self.act_new = self._action(self.menu_file, "", self.on_new_registration, "Ctrl+N")
        self.act_refresh = self._action(self.menu_file, "", self.on_refresh, QKeySequence.StandardKey.Refresh)
        self.act_sync = self._action(self.menu_file, "", self.on_sync_now, "F9")
        self.act_sync.setEnabled(False)  # until the sync worker says this is a branch
        self.menu_file.addSeparator()
        # 导出… is the case list's own action (Ctrl+E there); the menu offers it from anywhere.
        self.menu_file.addAction(self.case_list.export_action)
        self.act_import: QAction | None = None
        if services.may_import_register(self.actor):
            self.act_import = self._action(self.menu_file, "", self.on_import_register, "Ctrl+Shift+I")
        self.menu_file.addSeparator()
        self.act_quit = self._action(self.menu_file, "", self.close, QKeySequence.StandardKey.Quit)
        self.menu_case = bar.addMenu("")
        self.act_find = self._action(self.menu_case, "", self.on_find, "Ctrl+F")
        self.act_list = self._action(self.menu_case, "", lambda: self.panels["list"].reveal(), "Ctrl+1")
        self.act_detail = self._action(self.menu_case, "", lambda: self.panels["detail"].reveal(), "Ctrl+2")
        self.act_reply = self._action(self.menu_case, "", lambda: self.panels["reply"].reveal(), "Ctrl+R")
        self.act_alerts = self._action(self.menu_case, "", lambda: self.panels["alerts"].reveal(), "Ctrl+3")
        self.act_check_now = self._action(self.menu_case, "", self.on_check_now, "Shift+F5")
        self.act_statistics: QAction | None = None
        self.act_monthly: QAction | None = None
        if self.statistics is not None:
            self.menu_case.addSeparator()
            self.act_statistics = self._action(self.menu_case, "", self.on_statistics, "Ctrl+4")
            self.act_monthly = self._action(self.menu_case, "", self.on_monthly_report, "Ctrl+Shift+M")
        self.printer = PrintController(self.desk, self.actor, self)
        self.menu_print = PrintMenu(
            self.printer, lambda: self.detail.case, self.case_list.selected_case_nos, self
        )
        bar.addMenu(self.menu_print)
        self.print_button = QToolButton(popupMode=QToolButton.ToolButtonPopupMode.InstantPopup)
        self.print_button.setMenu(self.menu_print)
        # The arrow is in the text: the style's own indicator overlaps short Chinese labels.
        self.print_button.setStyleSheet("QToolButton::menu-indicator { image: none; width: 0; }")
        self.detail.add_header_tool(self.print_button)
        # Right-click in the case list offers the batch print of the selected cases.
        self.case_list.table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.case_list.table.addAction(self.menu_print.batch)
        self.menu_view = bar.addMenu("")
        self.layout_actions = QActionGroup(self)
        for index, name in enumerate(LayoutName, start=1):
            action = self._action(
                self.menu_view, "", lambda _c=False, n=name: self.switch_layout(n), f"Ctrl+Shift+{index}"
            )
            action.setCheckable(True)
            action.setData(name.value)
            self.layout_actions.addAction(action)
        self.menu_view.addSeparator()
        for panel in self.panels.values():
            self.menu_view.addAction(panel.toggleViewAction())
        self.menu_view.addSeparator()
        self.act_reset = self._action(self.menu_view, "", self.on_reset_layout)
        self.menu_language = self.menu_view.addMenu("")
        self.language_actions = QActionGroup(self)
        for language in i18n.LANGUAGES:
            action = self.menu_language.addAction(i18n.language_name(language))
            action.setCheckable(True)
            action.setChecked(language == i18n.current_language())
            action.setData(language)
            action.triggered.connect(lambda _c=False, code=language: self.switch_language(code))
            self.language_actions.addAction(action)
        self.menu_admin: AdminMenu | None = None
        if self.actor.role is Role.ADMIN:
            self.menu_admin = AdminMenu(self.desk, self.actor, self)
            bar.addMenu(self.menu_admin)
        self.menu_help = bar.addMenu("")
        self.act_about = self._action(
            self.menu_help, "", self.on_about, QKeySequence.StandardKey.HelpContents
        )

    def _build_status_bar(self) -> None:
        self._status_user, self._status_db = QLabel(), QLabel()
        self._status_sync, self._status_alerts = QLabel(), QLabel()
        for label in (self._status_alerts, self._status_user, self._status_sync, self._status_db):
            self.statusBar().addPermanentWidget(label)

    def retranslate_ui(self) -> None:
        self.setWindowTitle(_("客诉台 Kesu Desk"))
        self.menu_file.setTitle(_("文件(&F)"))
        self.act_new.setText(_("新登记(&N)"))
        self.act_refresh.setText(_("刷新(&R)"))
        self.act_sync.setText(_("立即同步(&S)"))
        self.act_sync.setToolTip(_("与中心交换本网点的案件（分支机构）"))
        self.act_quit.setText(_("退出(&Q)"))
        if self.act_import is not None:
            self.act_import.setText(_("导入登记表(&I)…"))
        self.menu_case.setTitle(_("案件(&C)"))
        self.act_find.setText(_("查找案件…"))
        self.act_list.setText(_("转到案件列表"))
        self.act_detail.setText(_("转到案件详情"))
        self.act_reply.setText(_("撰写回复"))
        self.act_alerts.setText(_("转到提醒"))
        self.act_check_now.setText(_("立即检查期限"))
        if self.act_statistics is not None and self.act_monthly is not None:
            self.act_statistics.setText(_("统计(&T)"))
            self.act_monthly.setText(_("月度投诉分析报告(&M)…"))
        self.menu_view.setTitle(_("视图(&V)"))
        self.act_reset.setText(_("重置布局"))
        self.menu_language.setTitle(_("语言(&L)"))
        for action in self.layout_actions.actions():
            action.setText(LayoutName(action.data()).label)
        self.menu_print.retranslate_ui()
        self.print_button.setText(_("打印 ▾"))
        self.print_button.setToolTip(_("打印本案件的回执、回复函、确认表、处理单或升级报告"))
        if self.menu_admin is not None:
            self.menu_admin.retranslate_ui()
        self.menu_help.setTitle(_("帮助(&H)"))
        self.act_about.setText(_("关于客诉台"))
        for key, title in (
            ("list", _("案件列表")),
            ("detail", _("详情")),
            ("register", _("登记")),
            ("reply", _("回复")),
            ("review", _("回复审批")),
            ("alerts", _("提醒")),
            ("conflicts", _("冲突")),
            ("statistics", _("统计")),
        ):
            if key in self.panels:
                self.panels[key].setWindowTitle(title)
        a = self.actor
        self._status_user.setText(_("用户：{name}（{role}）").format(name=a.display_name, role=a.role.label))
        self._status_db.setText(
            _("网点：{office}  数据库：{kind}").format(
                office=a.office_code, kind=_DB_KINDS.get(self.desk.db.kind, self.desk.db.kind)
            )
        )
        self._show_sync_status()
        self._show_alert_count()
        for view in (self.case_list, self.registration, self.reply, self.review, self.alerts, self.detail):
            view.retranslate_ui()
        if self.conflicts is not None:
            self.conflicts.retranslate_ui()
        if self.statistics is not None:
            self.statistics.retranslate_ui()
        self.notice.retranslate_ui()
        self.log_notice.retranslate_ui()

    # --- wiring -------------------------------------------------------------------------------------
    def _wire(self) -> None:
        self.case_list.sig_case_activated.connect(self.on_activated)
        self.case_list.sig_page_loaded.connect(self.on_page_loaded)
        self.alerts.sig_case_activated.connect(self.on_activated)
        self.alerts.sig_count_changed.connect(self.on_alert_count)
        self.alerts.sig_count_changed.connect(self.tray.set_count)
        self.watcher.sig_new_alerts.connect(self.alerts.on_new_alerts)
        self.watcher.sig_new_alerts.connect(self.tray.on_new_alerts)
        self.watcher.sig_failed.connect(self.on_watch_failed)
        self.live.sig_alerts_changed.connect(self.on_live_alerts)
        self.sync_worker.sig_started.connect(self.on_sync_started)
        self.sync_worker.sig_progress.connect(self.on_sync_progress)
        self.sync_worker.sig_finished.connect(self.on_sync_finished)
        self.sync_worker.sig_failed.connect(self.on_sync_failed)
        self.sync_worker.sig_status.connect(self.on_sync_status)
        if self.conflicts is not None:
            self.conflicts.sig_case_activated.connect(self.on_activated)
        app = QCoreApplication.instance()
        if app is not None:  # a quit that bypasses closeEvent must not leave the thread running
            app.aboutToQuit.connect(self.on_about_to_quit)
        self.registration.sig_registered.connect(self.open_case)
        self.registration.sig_print_receipt.connect(
            lambda case_no: self.printer.issue(DocumentKind.RECEIPT, case_no)
        )
        self.registration.sig_sign_receipt.connect(
            lambda case: self.printer.capture_signature(DocumentKind.RECEIPT, case)
        )
        self.detail.sig_case_loaded.connect(self.on_detail_loaded)
        if self.statistics is not None:
            self.statistics.sig_filter_requested.connect(self.on_statistics_filter)
            self.statistics.sig_report_requested.connect(self.on_monthly_report)
            self.alerts.sig_report_activated.connect(self.on_monthly_report)

    @Slot()
    def on_statistics(self) -> None:
        if self.statistics is not None:
            self.panels["statistics"].reveal()
            if self.statistics.figures is None:
                self.statistics.refresh()

    @Slot()
    def on_import_register(self) -> None:
        """文件 → 导入登记表: the legacy register dialog; the list reloads when it closes."""
        dialog = ImportRegisterDialog(self.desk, self.actor, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda _code: self.on_refresh())
        dialog.open()

    def on_monthly_report(self) -> None:
        """The report of last month (the one due by the 5th), for the office the statistics show."""
        office = self.statistics.office_combo.currentData() if self.statistics is not None else None
        today = office_today(self.desk, self.actor).addMonths(-1)
        dialog = MonthlyReportDialog(
            self.desk, self.actor, self, month=f"{today.year():04d}-{today.month():02d}", office=office
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    @Slot(str, str)
    def on_statistics_filter(self, dimension: str, code: str) -> None:
        """A bar of the statistics clicked: the case list shows just those cases."""
        listing = self.case_list
        if dimension == "office":
            listing.office_edit.setText(code)
        else:
            combo = listing.category_combo if dimension == "category" else listing.department_combo
            index = combo.findData(code)
            if index < 0:
                return  # an inactive category or department: the list offers only active ones
            combo.setCurrentIndex(index)
        listing.on_filter_changed()
        self.panels["list"].reveal()

    @Slot(str)
    def open_case(self, case_no: str) -> None:
        self.detail.show_case(case_no)
        self.reply.set_case(case_no)

    @Slot(str)
    def on_activated(self, case_no: str) -> None:
        """A case picked from a list: open it and bring the detail to the front (it may be a tab)."""
        self.open_case(case_no)
        self.panels["detail"].show()
        self.panels["detail"].raise_()

    @Slot(int)
    def on_page_loaded(self, rows: int) -> None:
        if not self._first_page:
            return
        self._first_page = False
        newest = self.case_list.first_case_no() if rows else None
        if newest:
            self.open_case(newest)
        else:
            self.sig_cases_loaded.emit(0)

    @Slot(str)
    def on_detail_loaded(self, _case_no: str) -> None:
        self.menu_print.update_state()  # its shortcuts act on the case now shown
        QTimer.singleShot(0, lambda: self.sig_cases_loaded.emit(self.case_list.loaded_rows()))

    @Slot(int)
    def on_alert_count(self, count: int) -> None:
        self._alert_count = count
        self._show_alert_count()

    def _show_alert_count(self) -> None:
        count = "…" if self._alert_count is None else self._alert_count
        self._status_alerts.setText(_("提醒：{n}").format(n=count))

    # The watcher lives on its own thread: a signal connected straight to one of its methods would be
    # queued to that thread, so the window's own slots call it from here, on the GUI thread.
    @Slot()
    def on_check_now(self) -> None:
        self.watcher.tick_now()

    @Slot()
    def on_about_to_quit(self) -> None:
        self.watcher.stop()
        self.live.stop()
        self.sync_worker.stop()

    # --- sync (a branch office) -----------------------------------------------------------------
    @Slot()
    def on_sync_now(self) -> None:
        self.sync_worker.run_now()

    @Slot()
    def on_sync_started(self) -> None:
        self._sync_running, self._sync_problem = True, None
        self._show_sync_status()

    @Slot(str, int)
    def on_sync_progress(self, stage: str, rows: int) -> None:
        if rows:
            what = {"push": _("推送"), "pull": _("拉取")}.get(stage, _("基础数据"))
            self._status_sync.setText(_("同步：{what} {n} 行…").format(what=what, n=rows))

    @Slot(object)
    def on_sync_finished(self, report: object) -> None:
        self._sync_running = False
        notes = []
        if getattr(report, "conflicts", 0):
            notes.append(_("{n} 项冲突待处理（见“冲突”）").format(n=report.conflicts))  # type: ignore[attr-defined]
        if getattr(report, "skew_reported", False):
            seconds = round(report.skew_ms / 1000)  # type: ignore[attr-defined]
            notes.append(_("本机时钟与中心相差 {s} 秒，已按中心时间校正").format(s=seconds))
        if not getattr(report, "agree", True):
            notes.append(_("同步后双方事件不一致，请再同步一次；仍不一致请联系管理员"))
        if notes:
            self.statusBar().showMessage(
                _("同步完成：{notes}").format(notes=join_clauses(notes)), WATCH_FAILED_MS
            )

    @Slot(str)
    def on_sync_failed(self, message: str) -> None:
        self._sync_running, self._sync_problem = False, message
        self._show_sync_status()

    @Slot(object)
    def on_sync_status(self, status: object) -> None:
        self._sync_status = status
        self._sync_running = False
        networked = bool(getattr(status, "networked", False))
        self.act_sync.setEnabled(networked)
        self._show_sync_status()

    def _show_sync_status(self) -> None:
        self._status_sync.setText(
            status_text(
                self._sync_status,  # type: ignore[arg-type]
                self.actor.timezone,
                running=self._sync_running,
                problem=self._sync_problem,
            )
        )

    @Slot()
    def on_live_alerts(self) -> None:
        """Another desk raised or acknowledged alerts: the panel reloads (the tray only counts them)."""
        self.alerts.on_new_alerts([])

    @Slot(str)
    def on_watch_failed(self, message: str) -> None:
        self.statusBar().showMessage(message, WATCH_FAILED_MS)

    @Slot()
    def check_calendar(self) -> None:
        """Ask whether a year's holidays need importing; the services word a notice for admins only."""
        tasks.run(
            lambda: services.calendar_coverage(self.desk, self.actor),
            on_result=lambda coverage: self.notice.show_notice(coverage.notice or ""),
            context=self,
        )

    @Slot()
    def check_event_log(self) -> None:
        """Recompute the event log's hash chains in the background; an administrator is warned when one
        is broken (nobody else can act on it, so nobody else pays for the check)."""
        if self.actor.role is not Role.ADMIN:
            return
        tasks.run(
            lambda: services.event_log_notice(self.desk, self.actor),
            on_result=self.log_notice.show_notice,
            context=self,
        )

    @Slot()
    def on_new_registration(self) -> None:
        self.panels["register"].reveal()

    @Slot()
    def on_find(self) -> None:
        self.panels["list"].reveal()
        self.case_list.focus_search()

    @Slot()
    def on_refresh(self) -> None:
        self.case_list.refresh()
        self.alerts.refresh()

    @Slot()
    def on_about(self) -> None:
        QMessageBox.about(
            self,
            _("关于客诉台"),
            _("客诉台 Kesu Desk {version}\n面向服务柜台的客户投诉处理系统。").format(version=__version__),
        )
