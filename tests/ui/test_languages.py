"""The desktop in English and in Traditional Chinese: every panel's texts, and the 视图 → 语言 switch.

The data here is ASCII only (office, people, complaints), so any Chinese left on an English screen is
a label that bypassed ``_()`` or a catalogue gap; on a Traditional screen, any Simplified-only
character is one too. Seeded category and department names are shown in the reader's language.
"""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import QModelIndex
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QComboBox,
    QGroupBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QTabWidget,
    QTextBrowser,
    QTextEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot

from kesu_desktop import i18n, services
from kesu_desktop.domain.enums import Role
from kesu_desktop.ui.base.language import apply_language, resolve_language, saved_language
from tests.helpers.data import ADMIN_PASSWORD
from tests.helpers.ui import open_window
from tests.i18n.test_catalogues import simplified_only

CJK = re.compile(r"[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]")
#: The language menu lists each language in its own name (简体中文 stays Simplified everywhere).
LANGUAGE_NAMES = {i18n.language_name(code) for code in i18n.LANGUAGES}
ASCII_CASES = (
    {
        "customer_name": "Zhang San",
        "phone": "13800138000",
        "channel": "counter",
        "description": "Fridge not cooling, wants a refund",
        "category": "product_quality",
        "demand": "Refund",
    },
    {
        "customer_name": "Li Si",
        "phone": "13900139000",
        "channel": "phone",
        "description": "Parcel three days late",
        "category": "logistics",
    },
)


def widget_texts(root: QWidget) -> list[tuple[str, str]]:
    """(where, text) of everything a user can read in ``root``: labels, buttons, fields, menus, headers,
    tabs, group titles, combo items, tool tips and table cells."""
    found: list[tuple[str, str]] = []

    def add(widget: QWidget, text: str) -> None:
        if text and text not in LANGUAGE_NAMES:
            found.append((f"{type(widget).__name__}:{widget.objectName()}", text))

    for widget in [root, *root.findChildren(QWidget)]:
        add(widget, widget.toolTip())
        add(widget, widget.windowTitle())
        if isinstance(widget, (QLabel, QAbstractButton)):
            add(widget, widget.text())
        elif isinstance(widget, QLineEdit):
            add(widget, widget.text())
            add(widget, widget.placeholderText())
        elif isinstance(widget, QTextEdit | QPlainTextEdit | QTextBrowser):
            add(widget, widget.toPlainText())
            add(widget, widget.placeholderText())
        elif isinstance(widget, QGroupBox):
            add(widget, widget.title())
        elif isinstance(widget, QComboBox):
            for i in range(widget.count()):
                add(widget, widget.itemText(i))
        elif isinstance(widget, QTabWidget):
            for i in range(widget.count()):
                add(widget, widget.tabText(i))
        elif isinstance(widget, QMenu):
            add(widget, widget.title())
            for action in widget.actions():
                add(widget, action.text())
                add(widget, action.toolTip())
        elif isinstance(widget, QHeaderView) and widget.model() is not None:
            model = widget.model()
            horizontal = widget.orientation().value == 1
            for i in range(model.columnCount() if horizontal else 0):
                add(widget, str(model.headerData(i, widget.orientation()) or ""))
    for view in root.findChildren(QAbstractItemView):
        model = view.model()
        if model is not None:
            rows = model.rowCount(QModelIndex())
            try:
                columns = model.columnCount(QModelIndex())
            except TypeError:  # a list model: one column, not callable from Python
                columns = 1
            for r in range(min(rows, 20)):
                for c in range(columns):
                    add(view, str(model.index(r, c).data() or ""))
    return found


@pytest.fixture
def ascii_office(fresh_desk: services.Desk) -> tuple[services.Desk, services.Actor]:
    """A head office set up in Chinese (seeded categories stored in Chinese), read by an English
    supervisor: office, people and complaints in ASCII."""
    desk = fresh_desk
    services.initialize(
        desk, office_code="HQ01", office_name="Head Office", admin="admin", password=ADMIN_PASSWORD
    )
    admin = services.login(desk, "admin", ADMIN_PASSWORD)
    for name, role in (("mary", Role.SUPERVISOR), ("lily", Role.FRONT_DESK)):
        services.add_user(
            desk, admin, username=name, password="pass-word-12", role=role, display_name=name.title()
        )
    lily = services.login(desk, "lily", "pass-word-12")
    for complaint in ASCII_CASES:
        services.register_case(desk, lily, complaint)
    return desk, services.login(desk, "mary", "pass-word-12")


@pytest.mark.parametrize("language", ["en", "zh_TW"])
def test_every_panel_speaks_the_language(
    qtbot: QtBot, ascii_office: tuple[services.Desk, services.Actor], language: str
) -> None:
    desk, mary = ascii_office
    apply_language(language)
    window = open_window(qtbot, desk, mary)
    for panel in window.panels.values():
        panel.show()
    window.registration.retranslate_ui()
    qtbot.wait(50)
    texts = widget_texts(window)
    assert len(texts) > 100  # the scan reaches the panels, not just the frame
    if language == "en":
        chinese = [(where, text) for where, text in texts if CJK.search(text)]
        assert not chinese, chinese[:15]
        assert any("Product quality" in text for _w, text in texts)  # a seeded category, translated
    else:
        simplified = [(where, text) for where, text in texts if simplified_only(text)]
        assert not simplified, simplified[:15]
        assert any("投訴" in text or "案件" in text for _w, text in texts)


def test_the_language_menu_switches_the_open_window_and_is_remembered(
    qtbot: QtBot, ascii_office: tuple[services.Desk, services.Actor]
) -> None:
    desk, mary = ascii_office
    window = open_window(qtbot, desk, mary)
    assert window.menu_view.title() == "视图(&V)"
    english = next(a for a in window.language_actions.actions() if a.data() == "en")
    english.trigger()
    assert i18n.current_language() == "en"
    assert window.menu_view.title() == "&View" and "Kesu Desk" in window.windowTitle()
    assert english.isChecked()
    assert saved_language("mary") == "en" and saved_language() == "en"
    # next sign-in: the user's choice wins over the office's default, an explicit --lang over both
    assert resolve_language(None, "mary", "zh_CN") == "en"
    assert resolve_language("zh_TW", "mary", "zh_CN") == "zh_TW"
    assert resolve_language(None, "lily", "zh_TW") == "zh_TW"
