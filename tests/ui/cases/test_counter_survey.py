"""满意度回访 at the counter: Alt+S from the case detail, three digits, Ctrl+Enter — and it is recorded."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from kesu_desktop import services
from kesu_desktop.domain.enums import Action
from kesu_desktop.ui.cases.action_dialogs import ActionDialog
from kesu_desktop.ui.cases.case_detail import CaseDetailView
from tests.helpers.ui import open_office, register


def test_three_digits_take_the_survey(qtbot: QtBot, tmp_path: Path) -> None:
    o = open_office(tmp_path)
    case = register(o)
    services.act(o.desk, o.lily, case.case_no, "verify", {"valid": True})
    services.act(o.desk, o.bob, case.case_no, "assign", {"department": "AS", "assignee": "dave"})
    services.act(
        o.desk, o.dave, case.case_no, "plan", {"measures": "上门维修", "due": "2026-12-30T10:00:00+08:00"}
    )
    services.act(o.desk, o.carol, case.case_no, "approve_plan", {})
    services.act(o.desk, o.dave, case.case_no, "resolve", {"result": "已修好"})
    services.act(o.desk, o.lily, case.case_no, "confirm", {"opinion": "满意"})

    view = CaseDetailView(o.desk, o.lily)
    qtbot.addWidget(view)
    view.resize(900, 900)
    view.show()
    with qtbot.waitSignal(view.sig_case_loaded, timeout=10_000):
        view.show_case(case.case_no)
    view.activateWindow()
    qtbot.waitUntil(view.isActiveWindow)
    assert view.action_buttons[Action.SURVEY].text() == "满意度回访(&S)"

    qtbot.keyClick(view, Qt.Key.Key_S, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: isinstance(QApplication.activeModalWidget(), ActionDialog))
    dialog = QApplication.activeModalWidget()
    assert isinstance(dialog, ActionDialog) and dialog.action is Action.SURVEY
    # type only once the dialog holds the keyboard (on a loaded machine it is activated a moment later)
    qtbot.waitUntil(lambda: dialog.isActiveWindow() and dialog.isAncestorOf(QApplication.focusWidget()))
    for digit in (Qt.Key.Key_5, Qt.Key.Key_4, Qt.Key.Key_5):
        qtbot.keyClick(QApplication.focusWidget(), digit)
    assert dialog.fields["comment"].focus.hasFocus()  # the three scores are done, on to the comment
    with qtbot.waitSignal(dialog.sig_acted, timeout=10_000):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)

    surveyed = services.get_case(o.desk, o.lily, case.case_no)
    assert (surveyed.survey_efficiency, surveyed.survey_attitude, surveyed.survey_solution) == (5, 4, 5)
    assert surveyed.status == "surveyed"
    o.desk.close()
