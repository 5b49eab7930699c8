"""Printing from the desktop as the counter and a supervisor do it: the 打印 menu, preview, save,
signature pad, batch records with progress, and checking a returned paper."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from kesu_desktop import services
from kesu_desktop.domain.enums import DocumentKind, Role
from kesu_desktop.services import documents
from kesu_desktop.ui.base import tasks
from kesu_desktop.ui.printing.pdf_view import PdfPreviewDialog
from tests.helpers.ui import ADMIN_PASSWORD, COMPLAINTS, open_window

SUPERVISOR_PASSWORD = "sue-pass-123"


@pytest.fixture
def supervisor(seeded_desk: services.Desk) -> services.Actor:
    admin = services.login(seeded_desk, "admin", ADMIN_PASSWORD)
    services.add_user(
        seeded_desk,
        admin,
        username="sue",
        password=SUPERVISOR_PASSWORD,
        role=Role.SUPERVISOR,
        display_name="苏主管",
    )
    return services.login(seeded_desk, "sue", SUPERVISOR_PASSWORD)


def kinds_of(desk: services.Desk, actor: services.Actor, case_no: str) -> list[str]:
    return [e.kind for e in services.get_case(desk, actor, case_no).events]


def wait_preview(qtbot: QtBot, window) -> PdfPreviewDialog:
    qtbot.waitUntil(lambda: window.printer.preview is not None, timeout=20_000)
    return window.printer.preview


def test_counter_prints_the_receipt_saves_it_and_the_case_says_so(
    qtbot: QtBot, seeded_desk: services.Desk, clerk: services.Actor, three_cases: list, tmp_path: Path
) -> None:
    window = open_window(qtbot, seeded_desk, clerk)
    case_no = window.detail.case.case_no
    assert window.print_button.isVisible() and window.print_button.menu() is window.menu_print
    window.menu_print.update_state()
    actions = window.menu_print.documents
    assert actions[DocumentKind.RECEIPT].isEnabled()
    assert not actions[DocumentKind.RECORD].isEnabled()  # front desk prints no records
    assert "不能打印" in actions[DocumentKind.RECORD].toolTip()
    assert not actions[DocumentKind.CONFIRMATION].isEnabled()  # nothing resolved yet to confirm
    assert "尚无处理结果" in actions[DocumentKind.CONFIRMATION].toolTip()
    assert not window.menu_print.batch.isEnabled()

    QTest.keySequence(window, "Ctrl+P")  # 打印受理回执
    preview = wait_preview(qtbot, window)
    assert "受理回执" in preview.windowTitle() and case_no in preview.windowTitle()
    [issued] = documents.documents_for_case(seeded_desk, clerk, case_no)
    target = tmp_path / "receipt.pdf"
    preview.save_to(target)
    assert target.read_bytes() == documents.document_pdf(seeded_desk, clerk, issued.id)
    qtbot.waitUntil(lambda: "document_exported" in kinds_of(seeded_desk, clerk, case_no), timeout=10_000)
    assert kinds_of(seeded_desk, clerk, case_no)[-2:] == ["document_issued", "document_exported"]


def test_the_customer_signs_on_the_pad_and_the_receipt_is_marked_signed(
    qtbot: QtBot, seeded_desk: services.Desk, clerk: services.Actor, three_cases: list
) -> None:
    window = open_window(qtbot, seeded_desk, clerk)
    case = window.detail.case
    window.menu_print.update_state()
    window.menu_print.sign_receipt.trigger()
    dialog = window.printer.signature_dialog
    assert dialog is not None and dialog.signer.text() == case.customer_name
    assert not dialog.confirm_button.isEnabled()
    pad = dialog.pad
    QTest.mousePress(pad, Qt.MouseButton.LeftButton, pos=QPoint(60, 80))
    for x in range(70, 300, 15):
        QTest.mouseMove(pad, QPoint(x, 80 + (x % 40)))
    QTest.mouseRelease(pad, Qt.MouseButton.LeftButton, pos=QPoint(300, 90))
    assert dialog.confirm_button.isEnabled()
    qtbot.mouseClick(dialog.confirm_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "document_signed" in kinds_of(seeded_desk, clerk, case.case_no), timeout=10_000)
    events = services.get_case(seeded_desk, clerk, case.case_no).events
    captured = next(e for e in events if e.kind == "signature_captured")
    assert captured.payload["signer"] == case.customer_name and len(captured.payload["strokes"]) == 1
    signed = next(e for e in events if e.kind == "document_signed")
    assert signed.payload["signature_id"] == captured.payload["signature_id"]


def test_a_supervisor_batch_prints_the_selected_records_with_progress(
    qtbot: QtBot,
    seeded_desk: services.Desk,
    supervisor: services.Actor,
    clerk: services.Actor,
    three_cases: list,
) -> None:
    window = open_window(qtbot, seeded_desk, supervisor)
    window.case_list.table.selectAll()
    chosen = window.case_list.selected_case_nos()
    assert sorted(chosen) == sorted(c.case_no for c in three_cases)
    window.menu_print.update_state()
    assert window.menu_print.batch.isEnabled()
    window.menu_print.batch.trigger()
    assert window.printer.progress is not None and window.printer.progress.maximum() == 3
    preview = wait_preview(qtbot, window)
    assert "3 件" in preview.windowTitle()
    for case in three_cases:
        assert kinds_of(seeded_desk, clerk, case.case_no)[-1] == "document_issued"


def test_a_returned_paper_is_checked_and_a_changed_one_is_not(
    qtbot: QtBot, seeded_desk: services.Desk, clerk: services.Actor, three_cases: list, tmp_path: Path
) -> None:
    from kesu_desktop.printing.issue import issue_document

    window = open_window(qtbot, seeded_desk, clerk)
    pdf = issue_document(seeded_desk, clerk, DocumentKind.RECEIPT, three_cases[0].case_no).pdf
    good, bad = tmp_path / "good.pdf", tmp_path / "bad.pdf"
    good.write_bytes(pdf)
    bad.write_bytes(pdf.replace(b"/Producer", b"/Produce2", 1))
    with qtbot.waitSignal(window.printer.sig_verified, timeout=10_000) as verified:
        window.printer.verify_file(str(good))
    assert verified.args[0].ok and three_cases[0].case_no in verified.args[0].message
    with qtbot.waitSignal(window.printer.sig_verified, timeout=10_000) as verified:
        window.printer.verify_file(str(bad))
    assert not verified.args[0].ok and verified.args[0].message.startswith("无法确认")


def test_a_name_no_font_can_draw_asks_before_printing(
    qtbot: QtBot,
    seeded_desk: services.Desk,
    clerk: services.Actor,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    case = services.register_case(seeded_desk, clerk, {**COMPLAINTS[0], "customer_name": "张\U000f0000"})
    asked: list[str] = []

    def answer(_parent, _title, text, *_args):
        asked.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", answer)
    window = open_window(qtbot, seeded_desk, clerk)
    window.printer.issue(DocumentKind.RECEIPT, case.case_no)
    preview = wait_preview(qtbot, window)
    assert asked and "U+F0000" in asked[0]
    assert preview is not None
    tasks.wait_for_idle()
    [issued] = documents.documents_for_case(seeded_desk, clerk, case.case_no)
    assert issued.kind == "receipt"


def test_an_admin_imports_the_organisation_certificate_and_a_wrong_password_is_explained(
    qtbot: QtBot, seeded_desk: services.Desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import UTC, datetime

    from kesu_desktop.printing.signing import create_self_signed
    from kesu_desktop.services.certificates import active_certificate

    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(QMessageBox, "information", lambda _p, title, text, *a: shown.append(("info", text)))
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, title, text, *a: shown.append(("warn", text)))
    admin = services.login(seeded_desk, "admin", ADMIN_PASSWORD)
    window = open_window(qtbot, seeded_desk, admin)
    assert window.menu_print.import_cert.isVisible()
    cert = create_self_signed("北京某某服务有限公司", now=datetime.now(UTC))
    path = tmp_path / "org.p12"
    path.write_bytes(cert.pkcs12)
    window.printer.import_certificate(str(path), "wrong")
    qtbot.waitUntil(lambda: bool(shown), timeout=10_000)
    assert shown[-1][0] == "warn" and "密码" in shown[-1][1]
    window.printer.import_certificate(str(path), cert.password.decode())
    qtbot.waitUntil(lambda: len(shown) == 2, timeout=10_000)
    # Imported; no system keyring here (as on CI), so the admin is warned the password is in the database.
    assert shown[-1][0] == "warn" and "北京某某服务有限公司" in shown[-1][1]
    assert "保存在数据库中" in shown[-1][1] and "cert-password" in shown[-1][1]
    assert active_certificate(seeded_desk).fingerprint == cert.fingerprint_sha256


def test_front_desk_sees_no_certificate_actions(
    qtbot: QtBot, seeded_desk: services.Desk, clerk: services.Actor, three_cases: list
) -> None:
    window = open_window(qtbot, seeded_desk, clerk)
    assert not window.menu_print.import_cert.isVisible() and not window.menu_print.seal.isVisible()
