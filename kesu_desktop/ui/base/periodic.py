"""Work repeated on a timer on a thread of its own: the base of the deadline watcher and background sync.

Why a dedicated ``QThread`` rather than ``ui.base.tasks``: the work runs forever on a timer and may
take long (a sync of thousands of rows), so it must never queue behind (or in front of) what the clerk
is doing. Why the object itself moves to the thread: its timer and its slots then live there, and Qt
queues every request from the GUI thread (start, ``run_now``, stop) into that thread's event loop, so
no lock is needed. On stop the object moves itself back to the thread that created it before the loop
ends, so it can be restarted or garbage-collected safely from the GUI.

Why the collector is held off while the work runs (``GcGate``): Python's cyclic garbage collector runs
in whichever thread happens to allocate when its counter overflows; if that collection frees a cycle
holding a GUI-thread ``QObject``, the C++ object is destroyed on this thread while the GUI thread
works, which was seen to deadlock. So the worker switches automatic collection off for the length of
its slot and hands switching it back on to the GUI thread.
"""

from __future__ import annotations

import gc
import logging
import threading

from PySide6.QtCore import QCoreApplication, QObject, Qt, QThread, QTimer, Signal, Slot

log = logging.getLogger(__name__)

#: How long ``stop`` waits for work in progress to finish before giving up on the thread.
STOP_TIMEOUT_MS = 30_000


class GcGate(QObject):
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


class PeriodicWorker(QObject):
    """Calls ``work()`` on its own thread at start and then every ``interval_seconds()``.

    Subclasses define ``work`` (runs on the worker thread, must not raise) and may override
    ``interval_seconds`` (called once per start, on the worker thread, so it may query) and
    ``thread_name``.
    """

    thread_name = "kesu-periodic"

    _sig_run_requested = Signal()
    _sig_stop_requested = Signal()
    _sig_release_gc = Signal()

    def __init__(self) -> None:
        super().__init__()  # no parent: an object with a parent cannot move to another thread
        self._home = self.thread()
        self._timer: QTimer | None = None
        #: The thread of the current (or last) run; kept after stop so callers can check it finished.
        self.worker_thread: QThread | None = None
        self._sig_run_requested.connect(self._on_run, Qt.ConnectionType.QueuedConnection)
        self._sig_stop_requested.connect(self._on_stop, Qt.ConnectionType.QueuedConnection)
        self._gc_gate = GcGate()  # made here, so it lives on the GUI thread
        self._sig_release_gc.connect(self._gc_gate.release, Qt.ConnectionType.QueuedConnection)

    # --- to override --------------------------------------------------------------------------------
    def work(self) -> None:
        raise NotImplementedError

    def interval_seconds(self) -> float | None:
        """Seconds between runs; None runs only on start and on ``run_now``."""
        return None

    # --- GUI-thread API -----------------------------------------------------------------------------
    def is_running(self) -> bool:
        return self.worker_thread is not None and self.worker_thread.isRunning()

    def interval_ms(self) -> int:
        """The timer's interval as configured when it started (0 before the first start or without one)."""
        return self._timer.interval() if self._timer is not None and self._timer.isActive() else 0

    def start(self) -> None:
        """Start the thread and its timer; the first run happens at once. Does nothing when running."""
        if self.is_running():
            return
        thread = QThread()
        thread.setObjectName(self.thread_name)
        self.worker_thread = thread
        self.moveToThread(thread)
        thread.started.connect(self._on_started)
        thread.start(QThread.Priority.LowPriority)

    def run_now(self) -> None:
        """Ask for one run as soon as the worker is free. Ignored when stopped."""
        if self.is_running():
            self._sig_run_requested.emit()

    def stop(self) -> bool:
        """Stop the timer in its thread, end the thread and wait for it; safe to call any number of times.

        Returns whether the thread is finished (False only if work hung past ``STOP_TIMEOUT_MS``).
        """
        thread = self.worker_thread
        if thread is None or thread.isFinished() or not thread.isRunning():
            return True
        self._sig_stop_requested.emit()
        finished = thread.wait(STOP_TIMEOUT_MS)
        if not finished:
            log.warning("%s did not stop within %d ms", self.thread_name, STOP_TIMEOUT_MS)
        QCoreApplication.sendPostedEvents(self._gc_gate)  # a last queued release, so collection resumes
        return finished

    # --- worker-thread slots ------------------------------------------------------------------------
    @Slot()
    def _on_started(self) -> None:
        self._gc_gate.hold()
        try:
            seconds = self.interval_seconds()
        finally:
            self._sig_release_gc.emit()
        if self._timer is None:
            self._timer = QTimer(self)  # a child: it lives (and later moves home) with this object
            self._timer.timeout.connect(self._on_run)
        if seconds is not None:
            self._timer.setInterval(max(1, round(seconds * 1000)))
            self._timer.start()
        self._on_run()

    @Slot()
    def _on_run(self) -> None:
        self._gc_gate.hold()
        try:
            self.work()
        finally:
            self._sig_release_gc.emit()

    @Slot()
    def _on_stop(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        thread = self.thread()
        self.moveToThread(self._home)  # push ourselves (and the timer) home before the loop ends
        thread.quit()
