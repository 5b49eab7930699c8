"""Guard against a Qt binding that leaks references to None/True/False.

PySide6 6.12.0 on Python 3.11 drops one reference to ``None`` per void Qt call and to ``True`` per
emitted bool; after a few thousand service calls a long counter session would abort with
"none_dealloc". This test fails on such a binding, so an upgrade cannot bring the crash back unnoticed.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QLabel


class _Emitter(QObject):
    sig = Signal(bool, object)


def test_qt_calls_and_signals_keep_none_and_true_alive(qtbot) -> None:
    label = QLabel()
    qtbot.addWidget(label)
    emitter = _Emitter()
    emitter.sig.connect(lambda flag, value: None)
    none_before, true_before = sys.getrefcount(None), sys.getrefcount(True)
    for _ in range(2000):
        label.setText("客诉台")
        emitter.sig.emit(True, None)
    assert sys.getrefcount(None) >= none_before - 50
    assert sys.getrefcount(True) >= true_before - 50
