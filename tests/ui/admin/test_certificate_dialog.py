"""签名证书与印章: a new self-signed certificate and a seal picture, shown once stored and recorded."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image
from pytestqt.qtbot import QtBot

from kesu_desktop import services
from kesu_desktop.ui.admin.certificate_dialog import CertificateDialog
from tests.helpers.ui import ADMIN_PASSWORD


def test_a_self_signed_certificate_and_a_seal(
    qtbot: QtBot, seeded_desk: services.Desk, tmp_path: Path
) -> None:
    admin = services.login(seeded_desk, "admin", ADMIN_PASSWORD)
    dialog = CertificateDialog(seeded_desk, admin)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.setup is not None, timeout=5_000)
    assert "尚无签名证书" in dialog.subject.text() and dialog.seal.text() == "未设置"

    dialog.ask_text = lambda _title, _label, masked, _text: None if masked else "北京总部客诉中心"
    dialog.create_button.click()
    qtbot.waitUntil(lambda: dialog.subject.text() == "北京总部客诉中心", timeout=10_000)
    assert dialog.kind.text() == "自签名" and "已启用" in dialog.outcome.text()

    not_png = tmp_path / "seal.png"
    not_png.write_bytes(b"GIF89a not a png")
    dialog.set_seal(str(not_png))
    qtbot.waitUntil(lambda: "PNG" in dialog.status.text(), timeout=5_000)
    buffer = io.BytesIO()
    Image.new("RGBA", (64, 64), (200, 0, 0, 128)).save(buffer, "PNG")
    seal = tmp_path / "real.png"
    seal.write_bytes(buffer.getvalue())
    dialog.set_seal(str(seal))
    qtbot.waitUntil(
        lambda: dialog.seal.pixmap() is not None and not dialog.seal.pixmap().isNull(), timeout=5_000
    )
    assert "admin" in dialog.seal_info.text()
    kinds = [change.entity for change in services.list_changes(seeded_desk, admin)]
    assert "certificate" in kinds and "seal" in kinds


def test_a_wrong_pkcs12_is_refused_in_the_dialog(
    qtbot: QtBot, seeded_desk: services.Desk, tmp_path: Path
) -> None:
    admin = services.login(seeded_desk, "admin", ADMIN_PASSWORD)
    dialog = CertificateDialog(seeded_desk, admin)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.setup is not None, timeout=5_000)
    junk = tmp_path / "org.p12"
    junk.write_bytes(b"\x30\x03\x02\x01\x00")
    dialog.import_certificate(str(junk), "secret")
    qtbot.waitUntil(lambda: dialog.status.isVisibleTo(dialog), timeout=5_000)
    assert services.signing_setup(seeded_desk, admin).certificate is None
