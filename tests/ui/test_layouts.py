"""The window on counter screens: every role's layout fits 1280×720, nothing overlaps or is cut off.

What is checked is what a person would see: a visible panel lies inside the window and beside, never
over, another; every widget shown in a panel is inside the window; the registration form needs no
horizontal scroll bar at 1366×768 and wraps to one column in a narrow panel; Ctrl+F reaches the search
from whichever panel has the keyboard; a user's choice of layout survives a restart.
"""

from __future__ import annotations

import itertools

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import QAbstractScrollArea, QApplication, QWidget
from pytestqt.qtbot import QtBot

from kesu_desktop import services
from kesu_desktop.domain.enums import Role
from kesu_desktop.ui.layouts import LayoutName
from kesu_desktop.ui.main_window import MainWindow
from tests.helpers.ui import ADMIN_PASSWORD, CLERK_PASSWORD, open_window

ROLES = (Role.FRONT_DESK, Role.SPECIALIST, Role.SUPERVISOR, Role.ADMIN)


def _actor(desk: services.Desk, role: Role) -> services.Actor:
    if role is Role.ADMIN:
        return services.login(desk, "admin", ADMIN_PASSWORD)
    admin = services.login(desk, "admin", ADMIN_PASSWORD)
    name = f"u_{role.value}"
    services.add_user(desk, admin, username=name, password=CLERK_PASSWORD, role=role, display_name="测试员工")
    return services.login(desk, name, CLERK_PASSWORD)


def _global_rect(widget: QWidget) -> QRect:
    return QRect(widget.mapToGlobal(QPoint(0, 0)), widget.size())


def _shown(widget: QWidget) -> bool:
    return widget.isVisible() and not widget.visibleRegion().isEmpty()


def _inside_a_scroll_area(widget: QWidget, panel: QWidget) -> bool:
    """Widgets in a scroll area's viewport may lie past its edge: they are scrolled, not cut off."""
    parent = widget.parentWidget()
    while parent is not None and parent is not panel:
        if isinstance(parent, QAbstractScrollArea):
            return True
        parent = parent.parentWidget()
    return False


def _problems(window: MainWindow) -> list[str]:
    frame = _global_rect(window)
    problems = []
    shown = [(key, panel) for key, panel in window.panels.items() if _shown(panel)]
    for key, panel in shown:
        if not frame.contains(_global_rect(panel)):
            problems.append(f"panel {key} {_global_rect(panel)} outside the window {frame}")
        for child in panel.findChildren(QWidget):
            visible = _shown(child) and not _inside_a_scroll_area(child, panel)
            if visible and not frame.contains(_global_rect(child)):
                problems.append(f"{key}: {type(child).__name__} {child.objectName()} is cut off")
    for (a, first), (b, second) in itertools.combinations(shown, 2):
        if _global_rect(first).intersects(_global_rect(second)):
            problems.append(f"panels {a} and {b} overlap")
    for label in window.statusBar().findChildren(QWidget):
        if _shown(label) and not frame.contains(_global_rect(label)):
            problems.append(f"status bar {type(label).__name__} is cut off")
    return problems


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.value)
def test_every_roles_default_layout_fits_1280_by_720(
    qtbot: QtBot, seeded_desk: services.Desk, three_cases: list[services.CaseView], role: Role
) -> None:
    actor = _actor(seeded_desk, role)
    window = open_window(qtbot, seeded_desk, actor)
    expected = LayoutName.REGISTRATION if role is Role.FRONT_DESK else LayoutName.QUEUE
    assert window.layout_name is expected

    hint = window.minimumSizeHint()
    assert hint.width() <= 1280 and hint.height() <= 700, hint
    window.resize_and_fit(1280, 720)
    qtbot.waitUntil(lambda: window.size().width() == 1280)
    QApplication.processEvents()
    assert _problems(window) == []
    main = window.panels["register" if expected is LayoutName.REGISTRATION else "list"]
    assert _shown(main) and main.width() >= 0.4 * 1280  # the layout's main panel has the larger share
    assert _shown(window.panels["alerts"])


def test_the_other_layout_fits_too(qtbot: QtBot, seeded_desk: services.Desk, clerk: services.Actor) -> None:
    window = open_window(qtbot, seeded_desk, clerk)
    window.switch_layout(LayoutName.QUEUE)
    window.resize_and_fit(1280, 720)
    QApplication.processEvents()
    assert _problems(window) == []
    assert _shown(window.panels["list"]) and _shown(window.panels["detail"])


def test_the_counter_form_needs_no_sideways_scrolling(
    qtbot: QtBot, seeded_desk: services.Desk, clerk: services.Actor
) -> None:
    window = open_window(qtbot, seeded_desk, clerk)
    form = window.registration
    window.resize_and_fit(1366, 768)
    QApplication.processEvents()
    assert not form.scroll.horizontalScrollBar().isVisible()
    assert form._columns == 2  # the paper form's two columns fit
    phone = form.fields["phone"]
    assert (
        form.scroll.viewport()
        .rect()
        .contains(QRect(phone.mapTo(form.scroll.viewport(), QPoint(0, 0)), phone.size()))
    )

    window.resize_and_fit(900, 700)  # a narrow panel
    QApplication.processEvents()
    qtbot.waitUntil(lambda: form._columns == 1)
    assert not form.scroll.horizontalScrollBar().isVisible()
    assert form.fields["phone"].width() > 200  # one column, full width: the number is readable


def test_ctrl_f_reaches_the_search_from_every_panel(
    qtbot: QtBot, seeded_desk: services.Desk, clerk: services.Actor, three_cases: list[services.CaseView]
) -> None:
    window = open_window(qtbot, seeded_desk, clerk)
    targets = {
        "list": window.case_list.table,
        "register": window.registration.fields["customer_name"],
        "detail": window.detail,
        "alerts": window.alerts,
    }
    for key, widget in targets.items():
        window.panels[key].reveal()
        widget.setFocus()
        qtbot.keyClick(
            QApplication.focusWidget() or widget, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier
        )
        assert QApplication.focusWidget() is window.case_list.search, key


def test_the_layout_is_remembered_per_user_and_reset_fits_the_screen(
    qtbot: QtBot, seeded_desk: services.Desk, clerk: services.Actor
) -> None:
    window = open_window(qtbot, seeded_desk, clerk)
    assert window.layout_name is LayoutName.REGISTRATION
    queue = next(a for a in window.layout_actions.actions() if a.data() == "queue")
    queue.trigger()
    assert window.layout_name is LayoutName.QUEUE and queue.isChecked()
    window.close()

    again = open_window(qtbot, seeded_desk, clerk)
    assert again.layout_name is LayoutName.QUEUE
    admin = open_window(qtbot, seeded_desk, services.login(seeded_desk, "admin", ADMIN_PASSWORD))
    assert admin.layout_name is LayoutName.QUEUE  # their own default, not the clerk's choice

    free = again.screen().availableGeometry()
    again.resize(free.width() + 600, free.height() + 400)  # as if restored from a larger screen
    again.act_reset.trigger()
    assert again.width() <= free.width() and again.height() <= free.height()
    assert _shown(again.panels["list"]) and _shown(again.panels["detail"])
