"""The deadline watcher on its own Qt thread: a timer there calls ``services.watch_tick`` every few seconds.

The tick is a service like any other; this only schedules it and passes on what it did: new alerts
(``sig_new_alerts``, for the dock and the tray) and the cases it changed, broadcast on
``tasks.app_signals().sig_cases_changed`` like every other write, so views reload as after any write.

It runs on a thread of its own (``ui.base.periodic.PeriodicWorker``, which says why, and why the
garbage collector is held off while it works): the scan runs forever on a timer and must never queue
behind (or in front of) what the clerk is doing; ``watch_tick`` opens its own short sessions, so it is
safe to call from any thread.

Signals are emitted on the worker thread; receivers on the GUI thread get them queued, and the change
broadcast is re-emitted by ``app_signals()`` on the GUI thread (a queued signal-to-signal connection),
exactly where ``tasks`` emits it. Nothing here imports Qt widgets.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt, Signal

from kesu_desktop import services
from kesu_desktop.i18n import _
from kesu_desktop.logs import log_unexpected
from kesu_desktop.ui.base import tasks
from kesu_desktop.ui.base.periodic import PeriodicWorker

log = logging.getLogger(__name__)

#: Used when the configured interval cannot be read (the backend's own default).
DEFAULT_INTERVAL_S = 30


class DeadlineWatcher(PeriodicWorker):
    """Ticks ``services.watch_tick(desk)`` on a worker thread; reports new alerts, changes, ticks, failures.

    ``interval`` (seconds) overrides the configured ``services.watch_interval_seconds``, which is
    otherwise read on the worker thread when the watcher starts (no query on the GUI thread).
    """

    thread_name = "kesu-deadline-watcher"

    #: New alerts of one tick (``list[services.AlertView]``); only emitted when the list is not empty.
    sig_new_alerts = Signal(list)
    #: A tick finished; how many deadlines it examined.
    sig_ticked = Signal(int)
    #: A tick failed; the message a user may read (the traceback is in the log file).
    sig_failed = Signal(str)
    # From the worker thread to the application-wide broadcast (re-emitted on the GUI thread).
    _sig_cases_changed = Signal(list)

    def __init__(
        self, desk: services.Desk, actor: services.Actor | None = None, interval: float | None = None
    ) -> None:
        super().__init__()
        self._desk, self._actor = desk, actor
        self._interval = interval
        # Made here, on the GUI thread, so the broadcast object lives there and re-emits there.
        self._sig_cases_changed.connect(
            tasks.app_signals().sig_cases_changed, Qt.ConnectionType.QueuedConnection
        )

    def tick_now(self) -> None:
        """Ask for one tick as soon as the worker is free (menu 立即检查, tests). Ignored when stopped."""
        self.run_now()

    def interval_seconds(self) -> float:
        if self._interval is not None:
            return self._interval
        if self._actor is None:
            return DEFAULT_INTERVAL_S
        try:
            return services.watch_interval_seconds(self._desk, self._actor)
        except Exception as exc:  # a broken setting must not keep the watcher from running
            log_unexpected(exc)
            return DEFAULT_INTERVAL_S

    def work(self) -> None:
        """One scan; never raises: a failure is logged and reported, and the next tick tries again."""
        try:
            result = services.watch_tick(self._desk)
        except Exception as exc:
            path = log_unexpected(exc)
            self.sig_failed.emit(_("检查期限失败，详情已写入日志：{path}").format(path=path))
            return
        if result.changed_case_ids:
            self._sig_cases_changed.emit(list(result.changed_case_ids))
        if result.new_alerts:
            self.sig_new_alerts.emit(list(result.new_alerts))
        self.sig_ticked.emit(result.examined)
