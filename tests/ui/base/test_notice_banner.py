"""The notice banner: hidden until there is something to say, gone for the session once dismissed."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from kesu_desktop.ui.base.notice_banner import NoticeBanner


def test_a_notice_shows_until_dismissed_and_an_empty_one_hides_it(qtbot: QtBot) -> None:
    banner = NoticeBanner()
    qtbot.addWidget(banner)
    banner.show_notice("")
    assert banner.isHidden()
    banner.show_notice("2027 年节假日安排尚未导入")
    assert not banner.isHidden() and banner.text() == "2027 年节假日安排尚未导入"
    assert banner.close_button.toolTip()  # says what closing does
    with qtbot.waitSignal(banner.sig_dismissed) as dismissed:
        banner.close_button.click()
    assert banner.isHidden() and dismissed.args == ["2027 年节假日安排尚未导入"]
    banner.show_notice("x")
    banner.show_notice("")  # the cause went away
    assert banner.isHidden()
