"""签名证书与印章: the certificate letters are signed with, and the seal printed on them.

The same three actions as the print menu (import the organisation's PKCS#12, make a self-signed one,
set the seal picture), reached from 管理. The checks and the keyring handling are the services' and
printing's; this dialog only asks for the file, the password (masked) or the organisation's name, and
shows what is in use now.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kesu_desktop import printing, services
from kesu_desktop.i18n import _
from kesu_desktop.ui.admin.scope import failure_text
from kesu_desktop.ui.base import tasks
from kesu_desktop.ui.base.file_dialogs import choose_open_file
from kesu_desktop.ui.base.form_errors import error_label, show_error
from kesu_desktop.ui.base.formatting import HINT_STYLE

SEAL_SIZE = 140


def _store_text(store: str) -> str:
    return {
        "keyring": _("本机系统密钥环"),
        "database": _("数据库（未放入系统密钥环）"),
        "none": _("无密码"),
    }.get(store, store)


class CertificateDialog(QDialog):
    def __init__(self, desk: services.Desk, actor: services.Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk, self.actor = desk, actor
        self.setup: services.SigningSetup | None = None
        #: Ask for a password / organisation name: (title, label, masked) → text or None (tests replace it).
        self.ask_text: Callable[[str, str, bool, str], str | None] = self._ask_text
        self.setWindowTitle(_("签名证书与印章"))

        self.subject, self.validity, self.fingerprint = QLabel(), QLabel(), QLabel()
        self.kind, self.password_store, self.created = QLabel(), QLabel(), QLabel()
        for label in (
            self.subject,
            self.validity,
            self.fingerprint,
            self.kind,
            self.password_store,
            self.created,
        ):
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        cert_box = QGroupBox(_("签名证书"))
        form = QFormLayout(cert_box)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.addRow(_("主题"), self.subject)
        form.addRow(_("有效期"), self.validity)
        form.addRow(_("指纹（SHA-256）"), self.fingerprint)
        form.addRow(_("类型"), self.kind)
        form.addRow(_("密码保存在"), self.password_store)
        form.addRow(_("导入/创建"), self.created)
        self.import_button = QPushButton(_("导入 PKCS#12 证书…"))
        self.create_button = QPushButton(_("新建自签名证书…"))
        self.import_button.clicked.connect(lambda: self.import_certificate())
        self.create_button.clicked.connect(lambda: self.create_certificate())
        row = QHBoxLayout()
        row.addWidget(self.import_button)
        row.addWidget(self.create_button)
        row.addStretch(1)
        form.addRow(row)

        seal_box = QGroupBox(_("印章图片"))
        self.seal = QLabel()
        self.seal.setFixedSize(SEAL_SIZE, SEAL_SIZE)
        self.seal.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.seal.setStyleSheet("border: 1px dashed #999; background: #ffffff;")
        self.seal_info = QLabel()
        self.seal_info.setWordWrap(True)
        self.seal_info.setStyleSheet(HINT_STYLE)
        self.seal_button = QPushButton(_("设置印章图片…"))
        self.seal_button.clicked.connect(lambda: self.set_seal())
        side = QVBoxLayout()
        side.addWidget(self.seal_info)
        side.addWidget(self.seal_button, 0, Qt.AlignmentFlag.AlignLeft)
        side.addStretch(1)
        seal_row = QHBoxLayout(seal_box)
        seal_row.addWidget(self.seal)
        seal_row.addLayout(side, 1)

        self.status = error_label()
        self.outcome = QLabel()
        self.outcome.setWordWrap(True)
        self.outcome.setStyleSheet(HINT_STYLE)
        for button in (self.import_button, self.create_button, self.seal_button):
            button.setAutoDefault(False)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(_("关闭"))
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(cert_box)
        layout.addWidget(seal_box)
        layout.addWidget(self.status)
        layout.addWidget(self.outcome)
        layout.addStretch(1)
        layout.addWidget(buttons)
        self.resize(640, 520)
        self.reload()

    # --- what is in use -------------------------------------------------------------------------------
    def reload(self) -> None:
        tasks.run(
            lambda: services.signing_setup(self.desk, self.actor),
            on_result=self._fill,
            on_error=lambda exc: show_error(self.status, failure_text(exc)),
            context=self,
        )

    def _time(self, value: Any) -> str:
        return services.local_time(value, self.actor.timezone)

    def _fill(self, setup: services.SigningSetup) -> None:
        self.setup = setup
        cert = setup.certificate
        if cert is None:
            for label in (self.validity, self.fingerprint, self.kind, self.password_store, self.created):
                label.setText("—")
            self.subject.setText(_("尚无签名证书：第一次出具文档时将自动创建自签名证书"))
        else:
            self.subject.setText(cert.subject)
            self.validity.setText(
                _("{start} 至 {end}").format(
                    start=self._time(cert.not_before), end=self._time(cert.not_after)
                )
            )
            self.fingerprint.setText(cert.fingerprint[:32] + "…")
            self.fingerprint.setToolTip(cert.fingerprint)
            self.kind.setText(_("自签名") if cert.self_signed else _("机构证书（导入）"))
            self.password_store.setText(_store_text(cert.password_store))
            self.created.setText(f"{cert.created_by}  {self._time(cert.created_at)}")
        if setup.seal_png is None:
            self.seal.setPixmap(QPixmap())
            self.seal.setText(_("未设置"))
            self.seal_info.setText(_("回复函上不印印章。请选择背景透明的 PNG 图片（最大 2 MB）。"))
        else:
            pixmap = QPixmap()
            pixmap.loadFromData(setup.seal_png, "PNG")
            self.seal.setPixmap(
                pixmap.scaled(
                    SEAL_SIZE - 4,
                    SEAL_SIZE - 4,
                    Qt.AspectRatioMode.KeepAspectRatio,
                    Qt.TransformationMode.SmoothTransformation,
                )
            )
            self.seal_info.setText(
                _("由 {who} 于 {when} 设置；此后的回复函印上该图片。").format(
                    who=setup.seal_updated_by, when=self._time(setup.seal_updated_at)
                )
            )

    # --- actions --------------------------------------------------------------------------------------
    def _ask_text(self, title: str, label: str, masked: bool, text: str) -> str | None:
        mode = QLineEdit.EchoMode.Password if masked else QLineEdit.EchoMode.Normal
        value, ok = QInputDialog.getText(self, title, label, mode, text)
        return value if ok else None

    def _read(self, path: str) -> bytes | None:
        try:
            return Path(path).read_bytes()
        except OSError as exc:
            show_error(self.status, _("无法读取文件：{e}").format(e=exc))
            return None

    def _run(self, fn: Callable[[], Any], done: Callable[[Any], str]) -> None:
        show_error(self.status, "")
        self.outcome.setText("")
        tasks.run(
            fn,
            on_result=lambda value: self._finished(done(value)),
            on_error=lambda exc: show_error(self.status, failure_text(exc)),
            context=self,
        )

    def _finished(self, text: str) -> None:
        self.outcome.setText(text)
        self.reload()

    def _certificate_done(self, record: Any) -> str:  # services.certificates.CertificateRecord
        text = _("已启用：{subject}，有效期至 {until}。此后出具的文档将使用该证书签名。").format(
            subject=record.subject,
            until=services.local_time(record.not_after, self.actor.timezone, "date"),
        )
        if record.warning:
            text += "\n" + record.warning
        elif record.password_store == "keyring":
            text += "\n" + _(
                "证书密码已存入本机的系统密钥环，数据库中不保存。共用数据库的其他电脑要签名，"
                "须由管理员在那台电脑上运行 kesu admin cert-password。"
            )
        return text

    def import_certificate(self, path: str | None = None, password: str | None = None) -> None:
        if path is None:
            path = choose_open_file(self, _("导入签名证书"), "certificates", _("PKCS#12 证书 (*.p12 *.pfx)"))
            if not path:
                return
        if password is None:
            password = self.ask_text(_("导入签名证书"), _("证书密码："), True, "")
            if password is None:
                return
        data = self._read(path)
        if data is None:
            return
        secret = password.encode() if password else None
        desk, actor = self.desk, self.actor
        self._run(lambda: printing.import_certificate(desk, actor, data, secret), self._certificate_done)

    def create_certificate(self, organisation: str | None = None) -> None:
        if organisation is None:
            current = self.setup.certificate.subject if self.setup and self.setup.certificate else ""
            organisation = self.ask_text(
                _("新建自签名证书"), _("机构名称（留空则用第一个营业网点的名称）："), False, current
            )
            if organisation is None:
                return
        desk, actor, name = self.desk, self.actor, organisation.strip() or None
        self._run(lambda: printing.create_certificate(desk, actor, name), self._certificate_done)

    def set_seal(self, path: str | None = None) -> None:
        if path is None:
            path = choose_open_file(self, _("设置印章图片"), "certificates", _("PNG 图片 (*.png)"))
            if not path:
                return
        data = self._read(path)
        if data is None:
            return
        desk, actor = self.desk, self.actor
        self._run(
            lambda: services.set_seal(desk, actor, data), lambda _r: _("已设置：此后的回复函将印上该图片")
        )
