"""The one background-work API: run a service call off the GUI thread, get the answer back on it.

Why one worker thread: every service call (reads and writes) goes through a single-thread pool, so a
desk never has two SQLite writers of its own and results arrive in the order the calls were made (the
newest search result is always the last one delivered). Why a relay object: the worker only emits a
signal; the ``Task`` that receives it lives on the GUI thread, so Qt queues the delivery there and
callbacks may touch widgets freely.

After a successful write, pass ``cases_changed`` so the helper broadcasts ``sig_cases_changed`` on
the application-wide ``app_signals()``: every view refreshes itself from that one signal, and views
never call each other.
"""

from __future__ import annotations

import sys
import uuid
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import shiboken6
from PySide6.QtCore import QEventLoop, QObject, QThreadPool, Signal, Slot

from kesu_desktop.domain.errors import KesuError

T = TypeVar("T")

ResultCallback = Callable[[Any], None]
ErrorCallback = Callable[[BaseException], None]


class AppSignals(QObject):
    """Application-wide broadcasts; views subscribe here instead of to each other."""

    #: Case ids (``uuid.UUID``) that a write changed; an empty list means "anything may have changed".
    sig_cases_changed = Signal(list)


_signals: AppSignals | None = None
_pool: QThreadPool | None = None
#: Tasks in flight, kept alive here until their answer has been delivered.
_pending: set[Task] = set()


def app_signals() -> AppSignals:
    global _signals
    if _signals is None:
        _signals = AppSignals()
    return _signals


def _worker_pool() -> QThreadPool:
    global _pool
    if _pool is None:
        _pool = QThreadPool()
        _pool.setMaxThreadCount(1)  # one worker: serialised database access, answers in call order
    return _pool


def unexpected(exc: BaseException) -> None:
    """Hand an error nobody expected to ``sys.excepthook`` (the app's hook logs it and tells the user)."""
    sys.excepthook(type(exc), exc, exc.__traceback__)


class Task(QObject):
    """One call in flight. Connect to its signals, or pass callbacks to ``run``."""

    sig_result = Signal(object)
    sig_error = Signal(object)
    sig_finished = Signal()
    _sig_deliver = Signal(bool, object)  # emitted on the worker thread, received on the GUI thread

    def __init__(
        self,
        fn: Callable[[], Any],
        on_result: ResultCallback | None,
        on_error: ErrorCallback | None,
        context: QObject | None,
        cases_changed: Callable[[Any], Iterable[uuid.UUID]] | None,
    ) -> None:
        super().__init__()
        self._fn = fn
        self._on_result = on_result
        self._on_error = on_error
        self._context = context
        self._cases_changed = cases_changed
        self.done = False
        self._sig_deliver.connect(self.on_deliver)

    def work(self) -> None:
        """Runs on the worker thread: call, then hand the outcome over. Never raises."""
        try:
            value = self._fn()
        except Exception as exc:
            self._sig_deliver.emit(False, exc)
        else:
            self._sig_deliver.emit(True, value)

    @Slot(bool, object)
    def on_deliver(self, ok: bool, value: Any) -> None:
        _pending.discard(self)
        self.done = True
        # A dialog closed while its call was running must not be called back.
        alive = self._context is None or shiboken6.isValid(self._context)
        if ok:
            if self._cases_changed is not None:
                app_signals().sig_cases_changed.emit(list(self._cases_changed(value)))
            if alive and self._on_result is not None:
                self._on_result(value)
            self.sig_result.emit(value)
        elif alive and self._on_error is not None:
            self._on_error(value)
        elif self._on_error is None or not isinstance(value, KesuError):
            unexpected(value)  # nobody left to tell, but a bug must still reach the log
            self.sig_error.emit(value)
        self.sig_finished.emit()


def run(
    fn: Callable[[], T],
    *,
    on_result: Callable[[T], None] | None = None,
    on_error: ErrorCallback | None = None,
    context: QObject | None = None,
    cases_changed: Callable[[T], Iterable[uuid.UUID]] | None = None,
) -> Task:
    """Run ``fn`` on the worker thread; call ``on_result`` or ``on_error`` later on the GUI thread.

    ``context`` is the widget the callbacks belong to: if it has been deleted by then, they are skipped.
    Without ``on_error``, the error goes to ``unexpected`` so it is never swallowed.
    """
    task = Task(fn, on_result, on_error, context, cases_changed)
    _pending.add(task)
    _worker_pool().start(task.work)
    return task


def wait(fn: Callable[[], T]) -> T:
    """Run ``fn`` on the worker and keep the GUI responsive until it is done; return or raise its outcome.

    For start-up steps that must finish before the next window can exist (opening and migrating the
    database, checking set-up); interactive code uses ``run`` with callbacks instead.
    """
    loop = QEventLoop()
    outcome: dict[str, Any] = {}

    def keep(ok: bool, value: Any) -> None:
        outcome["ok" if ok else "error"] = value
        loop.quit()

    task = run(fn, on_result=lambda v: keep(True, v), on_error=lambda e: keep(False, e))
    if not task.done:
        loop.exec()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["ok"]


def wait_for_idle(msecs: int = 30_000) -> bool:
    """Let the worker finish what it is doing (before the database is closed at exit)."""
    return _worker_pool().waitForDone(msecs)
