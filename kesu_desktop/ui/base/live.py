"""Other desks' writes, live: a thread that waits on ``services.watch_changes`` and tells the panels.

On PostgreSQL the services' watcher hears ``NOTIFY`` from the event and alert triggers (migration
0011); on a SQLite file it notices another process's commit. What it hears is re-broadcast the way
every local write is: the changed case ids (or ``[]``, "anything may have changed", after a reconnect
or on SQLite) on ``tasks.app_signals().sig_cases_changed``, so the list, the open case, the reply
panels and the alerts reload themselves as after a write made here; ``sig_alerts_changed`` tells the
alerts panel about alerts another desk's watcher raised or acknowledged.

Why a ``QThread`` with its own loop rather than ``ui.tasks`` or a timer on the GUI thread: the wait
blocks (it is what makes the refresh immediate) and lasts the whole session, so it must neither hold the
one task worker nor the GUI. It wakes every ``POLL_S`` to see whether it was asked to stop, so closing
the window waits at most about that long. The watcher's own connection never serves anything else;
its failures are logged and retried, never shown as errors: the desk works without live refresh.

Signals are emitted on this thread; receivers on the GUI thread get them queued. Python's garbage
collector does not run here (the app collects on the GUI thread only, see ``app._collect_on_gui_thread``).
"""

from __future__ import annotations

import logging
import threading

from PySide6.QtCore import QThread, Signal

from kesu_desktop import services
from kesu_desktop.logs import log_unexpected
from kesu_desktop.ui.base import tasks

log = logging.getLogger(__name__)

#: How long one wait lasts before the thread looks at its stop flag.
POLL_S = 0.5
#: After an unexpected failure of the watcher itself, the pause before it is made again.
RETRY_S = 5.0
#: How long ``stop`` waits for the thread (a wait in progress ends within ``POLL_S``).
STOP_TIMEOUT_MS = 10_000


class LiveUpdates(QThread):
    """Waits for other desks' changes and broadcasts them; ``start`` once, ``stop`` on close."""

    #: Each batch of changes heard (``services.Changes``), for whoever wants more than the broadcast.
    sig_changes = Signal(object)
    #: Alerts were written or acknowledged by some desk (or possibly were: after a reconnect).
    sig_alerts_changed = Signal()
    # To the application-wide broadcast, re-emitted on the GUI thread (queued signal-to-signal).
    _sig_cases_changed = Signal(list)

    def __init__(self, desk: services.Desk) -> None:
        super().__init__()  # lives on the GUI thread; only ``run`` executes on the new thread
        self.setObjectName("kesu-live-updates")
        self._desk = desk
        self._stopping = threading.Event()
        #: Set once the watcher is listening (tests wait for it before another desk writes).
        self.listening = threading.Event()
        self._sig_cases_changed.connect(tasks.app_signals().sig_cases_changed)

    def begin(self) -> None:
        """Start listening; does nothing while it already is (a window shown again restarts it)."""
        if self.isRunning():
            return
        self._stopping.clear()
        self.start(QThread.Priority.LowPriority)

    def stop(self) -> bool:
        """Ask the loop to end and wait for it; safe to call any number of times, started or not."""
        self._stopping.set()
        if not self.isRunning():
            return True
        finished = self.wait(STOP_TIMEOUT_MS)
        if not finished:
            log.warning("the live-update thread did not stop within %d ms", STOP_TIMEOUT_MS)
        return finished

    def run(self) -> None:
        """The thread's loop. Never raises: a failure is logged and the watcher made again."""
        while not self._stopping.is_set():
            try:
                watcher = services.watch_changes(self._desk)
            except Exception as exc:
                log_unexpected(exc)
                self._stopping.wait(RETRY_S)
                continue
            try:
                self.listening.set()
                self._listen(watcher)
            except Exception as exc:
                log_unexpected(exc)
                self._stopping.wait(RETRY_S)
            finally:
                watcher.close()

    def _listen(self, watcher: services.ChangeWatcher) -> None:
        while not self._stopping.is_set():
            changes = watcher.wait(POLL_S)
            if not changes or self._stopping.is_set():
                continue
            self.sig_changes.emit(changes)
            if changes.everything:
                self._sig_cases_changed.emit([])
            elif changes.case_ids:
                self._sig_cases_changed.emit(list(changes.case_ids))
            if changes.alerts or changes.everything:
                self.sig_alerts_changed.emit()
