"""The deadline watcher on its own Qt thread: a timer there calls ``services.watch_tick`` every few seconds.

The tick is a service like any other; this only schedules it and passes on what it did: new alerts
(``sig_new_alerts``, for the dock and the tray) and the cases it changed, broadcast on
``tasks.app_signals().sig_cases_changed`` like every other write, so views reload as after any write.

Why a dedicated ``QThread`` rather than ``ui.tasks``: the scan runs forever on a timer and must never
queue behind (or in front of) what the clerk is doing; ``watch_tick`` opens its own short sessions, so it
is safe to call from any thread. Why the object itself moves to the thread: its timer and its tick slot
then live there, and Qt queues every request from the GUI thread (start, ``tick_now``, stop) into that
thread's event loop, so no lock is needed. On stop the object moves itself back to the thread that
created it before the loop ends, so it can be restarted or garbage-collected safely from the GUI.

Signals are emitted on the worker thread; receivers on the GUI thread get them queued, and the change
broadcast is re-emitted by ``app_signals()`` on the GUI thread (a queued signal-to-signal connection),
exactly where ``tasks`` emits it. Nothing here imports Qt widgets.

Why the collector is held off during a tick (``_GcGate``): Python's cyclic garbage collector runs in
whichever thread happens to allocate when its counter overflows, and a tick allocates thousands of
objects. If that collection frees a cycle holding a widget or any other GUI-thread ``QObject`` (an
exception's traceback frames are the usual carrier), the C++ object is destroyed on this thread while
the GUI thread works: this was seen to deadlock (``~QObject`` holding Qt's connection lock waits for
the GIL that the GUI thread holds inside ``QLabel.setText``). So the worker switches automatic
collection off for the length of its slot and hands switching it back on to the GUI thread, where
the deferred collection then runs.
"""

from __future__ import annotations

import gc
import logging
import threading

from PySide6.QtCore import QCoreApplication, QObject, Qt, QThread, QTimer, Signal, Slot

from kesu_desktop import services
from kesu_desktop.i18n import _
from kesu_desktop.logs import log_unexpected
from kesu_desktop.ui.base import tasks

log = logging.getLogger(__name__)

#: Used when the configured interval cannot be read (the backend's own default).
DEFAULT_INTERVAL_S = 30
#: How long ``stop`` waits for a tick in progress to finish before giving up on the thread.
STOP_TIMEOUT_MS = 30_000


class _GcGate(QObject):
    """Automatic garbage collection off while any worker slot runs; back on from the GUI thread.

    Lives on the GUI thread (it never moves): ``release`` is reached by a queued signal, so collection
    is re-enabled, and the collection it deferred runs, there. Counted, so overlapping holds nest.
    """

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._holds = 0
        self._was_enabled = False

    def hold(self) -> None:
        with self._lock:
            if self._holds == 0:
                self._was_enabled = gc.isenabled()
                gc.disable()
            self._holds += 1

    @Slot()
    def release(self) -> None:
        with self._lock:
            if self._holds == 0:
                return
            self._holds -= 1
            if self._holds == 0 and self._was_enabled:
                gc.enable()


class DeadlineWatcher(QObject):
    """Ticks ``services.watch_tick(desk)`` on a worker thread; reports new alerts, changes, ticks, failures.

    ``interval`` (seconds) overrides the configured ``services.watch_interval_seconds``, which is
    otherwise read on the worker thread when the watcher starts (no query on the GUI thread).
    """

    #: New alerts of one tick (``list[services.AlertView]``); only emitted when the list is not empty.
    sig_new_alerts = Signal(list)
    #: A tick finished; how many deadlines it examined.
    sig_ticked = Signal(int)
    #: A tick failed; the message a user may read (the traceback is in the log file).
    sig_failed = Signal(str)

    # Requests from the GUI thread, queued into the worker thread's event loop.
    _sig_tick_requested = Signal()
    _sig_stop_requested = Signal()
    # From the worker thread to the GC gate on the GUI thread.
    _sig_release_gc = Signal()
    # From the worker thread to the application-wide broadcast (re-emitted on the GUI thread).
    _sig_cases_changed = Signal(list)

    def __init__(
        self, desk: services.Desk, actor: services.Actor | None = None, interval: float | None = None
    ) -> None:
        super().__init__()  # no parent: an object with a parent cannot move to another thread
        self._desk, self._actor = desk, actor
        self._interval = interval
        self._home = self.thread()  # where it returns on stop: the thread that made it (the GUI's)
        self._timer: QTimer | None = None
        #: The thread of the current (or last) run; kept after stop so callers can check it finished.
        self.worker_thread: QThread | None = None
        self._sig_tick_requested.connect(self._on_tick, Qt.ConnectionType.QueuedConnection)
        self._sig_stop_requested.connect(self._on_stop, Qt.ConnectionType.QueuedConnection)
        self._gc_gate = _GcGate()  # made here, so it lives on the GUI thread
        self._sig_release_gc.connect(self._gc_gate.release, Qt.ConnectionType.QueuedConnection)
        # Made here, on the GUI thread, so the broadcast object lives there and re-emits there.
        self._sig_cases_changed.connect(
            tasks.app_signals().sig_cases_changed, Qt.ConnectionType.QueuedConnection
        )

    # --- GUI-thread API ---------------------------------------------------------------------------
    def is_running(self) -> bool:
        return self.worker_thread is not None and self.worker_thread.isRunning()

    def interval_ms(self) -> int:
        """The timer's interval as configured when it started (0 before the first start)."""
        return self._timer.interval() if self._timer is not None else 0

    def start(self) -> None:
        """Start the thread and its timer; the first tick runs at once. Does nothing when running."""
        if self.is_running():
            return
        thread = QThread()
        thread.setObjectName("kesu-deadline-watcher")
        self.worker_thread = thread
        self.moveToThread(thread)
        thread.started.connect(self._on_started)
        thread.start(QThread.Priority.LowPriority)

    def tick_now(self) -> None:
        """Ask for one tick as soon as the worker is free (menu 立即检查, tests). Ignored when stopped."""
        if self.is_running():
            self._sig_tick_requested.emit()

    def stop(self) -> bool:
        """Stop the timer in its thread, end the thread and wait for it; safe to call any number of times.

        Returns whether the thread is finished (False only if a tick hung past ``STOP_TIMEOUT_MS``).
        """
        thread = self.worker_thread
        if thread is None or thread.isFinished() or not thread.isRunning():
            return True
        self._sig_stop_requested.emit()
        finished = thread.wait(STOP_TIMEOUT_MS)
        if not finished:
            log.warning("the deadline watcher did not stop within %d ms", STOP_TIMEOUT_MS)
        QCoreApplication.sendPostedEvents(self._gc_gate)  # a last queued release, so collection resumes
        return finished

    # --- worker-thread slots ----------------------------------------------------------------------
    @Slot()
    def _on_started(self) -> None:
        self._gc_gate.hold()  # reading the setting is a query: no collection on this thread meanwhile
        try:
            seconds = self._interval if self._interval is not None else self._configured_interval()
        finally:
            self._sig_release_gc.emit()
        if self._timer is None:
            self._timer = QTimer(self)  # a child: it lives (and later moves home) with this object
            self._timer.timeout.connect(self._on_tick)
        self._timer.setInterval(max(1, round(seconds * 1000)))
        self._timer.start()
        self._on_tick()

    def _configured_interval(self) -> float:
        if self._actor is None:
            return DEFAULT_INTERVAL_S
        try:
            return services.watch_interval_seconds(self._desk, self._actor)
        except Exception as exc:  # a broken setting must not keep the watcher from running
            log_unexpected(exc)
            return DEFAULT_INTERVAL_S

    @Slot()
    def _on_tick(self) -> None:
        """One scan, with garbage collection held off (see the module docstring)."""
        self._gc_gate.hold()
        try:
            self._tick()
        finally:
            self._sig_release_gc.emit()

    def _tick(self) -> None:
        """Never raises: a failure is logged and reported, and the next tick tries again."""
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

    @Slot()
    def _on_stop(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        thread = self.thread()
        self.moveToThread(self._home)  # push ourselves (and the timer) home before the loop ends
        thread.quit()
