"""Background sync of a branch with its central, every few minutes on a thread of its own.

Runs ``sync.sync_now`` (docs/sync.md) when the window is shown and then every ``SYNC_INTERVAL_S``
seconds; 立即同步 asks for a run at once. A central that cannot be reached is not an error to show in
a dialog: the status bar says so and the next run tries again. On a database that is no branch (the
central itself, a single desk) nothing is scheduled. Rows the sync pulled reach the panels through
``sig_cases_changed`` like any other write.

The sync package is imported by the worker on its first run (after the window is shown), not with the
main window: building the window does not need it (issue 16, fast start).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal

from kesu_desktop import services
from kesu_desktop.domain.errors import KesuError
from kesu_desktop.i18n import _
from kesu_desktop.logs import log_unexpected
from kesu_desktop.ui.base import tasks
from kesu_desktop.ui.base.formatting import local_time
from kesu_desktop.ui.base.periodic import PeriodicWorker

if TYPE_CHECKING:
    from kesu_desktop import sync

#: Between two background syncs when the central is reachable (seconds).
SYNC_INTERVAL_S = 300


class BranchSync(PeriodicWorker):
    """Syncs the branch on its own thread; reports progress, the outcome and the status bar's state."""

    thread_name = "kesu-branch-sync"

    #: A sync began.
    sig_started = Signal()
    #: (stage, rows so far): ``push``, ``pull`` or ``reference``.
    sig_progress = Signal(str, int)
    #: A sync finished: the ``sync.SyncReport``.
    sig_finished = Signal(object)
    #: A sync failed: the message a user may read.
    sig_failed = Signal(str)
    #: The branch's ``sync.SyncStatus`` after a run (None: this database is no branch).
    sig_status = Signal(object)
    _sig_cases_changed = Signal(list)

    def __init__(self, desk: services.Desk, actor: services.Actor, interval: float | None = None) -> None:
        super().__init__()
        self._desk, self._actor = desk, actor
        self._interval = SYNC_INTERVAL_S if interval is None else interval
        self._sig_cases_changed.connect(
            tasks.app_signals().sig_cases_changed, Qt.ConnectionType.QueuedConnection
        )

    def interval_seconds(self) -> float | None:
        """No timer on a database that is no branch, or on one that exchanges carried files only."""
        status = self._status()
        if status is None or not status.networked:
            return None
        return self._interval

    def work(self) -> None:
        """One sync; never raises (a failure is reported and the next run tries again)."""
        status = self._status()
        if status is None or not status.networked:
            self.sig_status.emit(status)
            return
        self.sig_started.emit()
        from kesu_desktop import sync  # loaded already: _status imported it

        try:
            report = sync.sync_now(self._desk, self._actor, progress=self.sig_progress.emit)
        except Exception as exc:
            self.sig_failed.emit(self._message(exc))
        else:
            if report.pulled:
                self._sig_cases_changed.emit([])  # anything may have changed
            self.sig_finished.emit(report)
        self.sig_status.emit(self._status())

    def _status(self) -> sync.SyncStatus | None:
        try:
            from kesu_desktop import sync

            return sync.sync_status(self._desk)
        except Exception as exc:  # the status is a nicety: never let it stop the sync
            log_unexpected(exc)
            return None

    @staticmethod
    def _message(exc: Exception) -> str:
        from kesu_desktop import sync

        if sync.is_unreachable(exc):
            return _("连不上中心，稍后自动重试")
        if isinstance(exc, KesuError):
            return str(exc)
        path = log_unexpected(exc)
        return _("同步失败，详情已写入日志：{path}").format(path=path)


def status_text(
    status: sync.SyncStatus | None, zone: str, *, running: bool = False, problem: str | None = None
) -> str:
    """What the status bar says about sync (times in ``zone``, the user's office's)."""
    if status is None:
        return _("同步：未启用")
    if running:
        return _("同步：进行中…")
    if status.last_sync_at is None:
        last = _("从未同步")
    else:
        last = _("上次 {when}").format(when=local_time(status.last_sync_at, zone, "month_minute"))
    text = _("同步：{last}，待同步 {n} 项").format(last=last, n=status.pending)
    if not status.networked:
        text = _("同步：仅文件交换，待同步 {n} 项").format(n=status.pending)
    if problem:
        text += _("（{problem}）").format(problem=problem)
    return text
