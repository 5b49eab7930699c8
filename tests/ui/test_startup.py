"""The start-up path as a user meets it: first-run set-up, sign-in, the case list, and the real process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QInputMethodEvent
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from kesu_desktop import services
from kesu_desktop.domain.enums import Role
from kesu_desktop.ui.session.first_run import FirstRunDialog
from kesu_desktop.ui.session.login import LoginDialog
from tests.ui.conftest import ADMIN_PASSWORD, CLERK_PASSWORD

REPO = Path(__file__).resolve().parents[2]
NEW_PASSWORD = "s3cret-pass"


def type_chinese(widget: QWidget, text: str) -> None:
    """Chinese arrives through an input method's commit, not key presses (QTest cannot type it)."""
    event = QInputMethodEvent("", [])
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


def fill_first_run(qtbot: QtBot, dialog: FirstRunDialog, *, code: str, confirm: str) -> None:
    qtbot.keyClicks(dialog.office_code, code)
    type_chinese(dialog.office_name, "北京总部")
    qtbot.keyClicks(dialog.admin, "admin")
    qtbot.keyClicks(dialog.password, NEW_PASSWORD)
    qtbot.keyClicks(dialog.confirm, confirm)


def first_run_dialog(qtbot: QtBot, desk: services.Desk) -> FirstRunDialog:
    dialog = FirstRunDialog(desk)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


# (1) first-run set-up


def test_first_run_creates_office_and_admin(qtbot: QtBot, fresh_desk: services.Desk) -> None:
    dialog = first_run_dialog(qtbot, fresh_desk)
    fill_first_run(qtbot, dialog, code="bj01", confirm=NEW_PASSWORD)
    with qtbot.waitSignal(dialog.accepted, timeout=10_000):
        qtbot.keyClick(dialog.confirm, Qt.Key.Key_Return)

    assert dialog.result_info is not None and dialog.result_info.office_code == "BJ01"
    admin = services.login(fresh_desk, "admin", NEW_PASSWORD)
    assert admin.role is Role.ADMIN and admin.office_code == "BJ01"


def test_first_run_invalid_office_code_is_shown_inline_and_creates_nothing(
    qtbot: QtBot, fresh_desk: services.Desk
) -> None:
    dialog = first_run_dialog(qtbot, fresh_desk)
    fill_first_run(qtbot, dialog, code="BJ-01!", confirm=NEW_PASSWORD)
    qtbot.keyClick(dialog.confirm, Qt.Key.Key_Return)

    qtbot.waitUntil(lambda: dialog.error_text("office_code") != "")
    assert "BJ01" in dialog.error_text("office_code")  # the message shows what a valid code looks like
    assert dialog.isVisible() and dialog.result() != FirstRunDialog.DialogCode.Accepted
    assert dialog.buttons.isEnabled()  # ready for the correction
    assert not services.is_initialized(fresh_desk)


def test_first_run_mismatched_passwords_are_caught_before_calling(
    qtbot: QtBot, fresh_desk: services.Desk
) -> None:
    dialog = first_run_dialog(qtbot, fresh_desk)
    fill_first_run(qtbot, dialog, code="BJ01", confirm=NEW_PASSWORD + "x")
    qtbot.keyClick(dialog.confirm, Qt.Key.Key_Return)

    assert dialog.error_text("confirm") == "两次输入的密码不一致"
    assert dialog.isVisible()
    assert not services.is_initialized(fresh_desk)


# (2) sign-in


def test_login_rejects_a_wrong_password_then_accepts_the_right_one(
    qtbot: QtBot, seeded_desk: services.Desk
) -> None:
    dialog = LoginDialog(seeded_desk)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.username, "lily")
    qtbot.keyClicks(dialog.password, "wrong-password")
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)

    qtbot.waitUntil(lambda: dialog.message_text() != "")
    assert dialog.message_text() == "用户名或密码错误"
    assert dialog.isVisible() and dialog.actor is None
    assert dialog.password.text() == ""  # cleared for the retry

    qtbot.keyClicks(dialog.password, CLERK_PASSWORD)
    with qtbot.waitSignal(dialog.accepted, timeout=10_000):
        qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    assert dialog.actor is not None and dialog.actor.username == "lily"


# (4) and (5): the real process, as the README runs it


def run_app(args: list[str], data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", KESU_PASSWORD=ADMIN_PASSWORD)
    env["KESU_DATA_DIR"] = str(data_dir)
    env.pop("KESU_DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, str(REPO / "main.py"), *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )


def test_screenshot_mode_writes_the_main_window(
    db_file: Path, data_dir: Path, three_cases: list[services.CaseView], seeded_desk: services.Desk
) -> None:
    seeded_desk.close()
    out = data_dir / "shots"
    result = run_app(["--db", f"sqlite:///{db_file}", "--user", "admin", "--screenshot", str(out)], data_dir)

    assert result.returncode == 0, result.stderr
    png = out / "main.png"
    image = QImage(str(png))
    assert not image.isNull() and image.width() >= 800 and image.height() >= 500
    assert png.stat().st_size > 10_000  # a rendered table and text, not an empty frame


def test_bad_database_url_exits_1_with_one_line_and_no_traceback(data_dir: Path) -> None:
    shots = data_dir / "shots"
    result = run_app(["--db", "mysql://x", "--user", "admin", "--screenshot", str(shots)], data_dir)

    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "mysql" in lines[0] and "sqlite:///" in lines[0]
    assert "Traceback" not in result.stderr
    assert not (shots / "main.png").exists()
