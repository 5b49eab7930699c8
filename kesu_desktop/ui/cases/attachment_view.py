"""A case's evidence files as a strip: thumbnails for photos, a file icon and name for everything else.

Why decode in the worker: a 20 MB phone photo takes long enough to decode that doing it on the GUI thread
would freeze the counter. The worker fetches the bytes (``services.attachment_data``) and turns them into
a small ``QImage`` (thread-safe, unlike ``QPixmap``); the GUI thread only wraps it into a pixmap.
Thumbnails are cached by attachment id: attachments never change, so a reload costs nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QSize, Qt, Signal, Slot
from PySide6.QtGui import QColor, QIcon, QImage, QPainter, QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFrame,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QScrollArea,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from kesu_desktop import services
from kesu_desktop.domain.errors import KesuError
from kesu_desktop.formatting import size_text
from kesu_desktop.i18n import _
from kesu_desktop.ui.base import tasks
from kesu_desktop.ui.base.file_dialogs import choose_save_path

THUMB = 96
_ID_ROLE = Qt.ItemDataRole.UserRole


def _thumbnail(data: bytes) -> QImage:
    """Runs on the worker: the image scaled into a THUMB×THUMB square (a null image if undecodable)."""
    image = QImage.fromData(data)
    if image.isNull():
        return image
    scaled = image.scaled(
        THUMB, THUMB, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
    )
    canvas = QImage(THUMB, THUMB, QImage.Format.Format_ARGB32_Premultiplied)
    canvas.fill(QColor(0, 0, 0, 0))
    painter = QPainter(canvas)
    painter.drawImage((THUMB - scaled.width()) // 2, (THUMB - scaled.height()) // 2, scaled)
    painter.end()
    return canvas


class ImagePreview(QDialog):
    """A larger view of one photo, with 另存为… beside it (evidence is often forwarded to departments)."""

    def __init__(self, image: QImage, attachment: services.AttachmentView, parent: QWidget | None = None):
        super().__init__(parent)
        self.attachment = attachment
        self.setWindowTitle(attachment.filename)
        screen = self.screen().availableGeometry() if self.screen() else None
        limit = QSize(int(screen.width() * 0.8), int(screen.height() * 0.8)) if screen else QSize(1000, 750)
        pixmap = QPixmap.fromImage(image)
        if pixmap.width() > limit.width() or pixmap.height() > limit.height():
            pixmap = pixmap.scaled(
                limit, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
            )
        self.image_label = QLabel(alignment=Qt.AlignmentFlag.AlignCenter)
        self.image_label.setPixmap(pixmap)
        scroll = QScrollArea(widgetResizable=True)
        scroll.setWidget(self.image_label)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.save_button = self.buttons.addButton(_("另存为…"), QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll)
        layout.addWidget(self.buttons)
        self.resize(min(pixmap.width() + 60, limit.width()), min(pixmap.height() + 90, limit.height()))


class AttachmentStrip(QListWidget):
    """One row of attachment tiles; Enter or double-click opens a photo or offers to save a file."""

    #: An image's thumbnail arrived (its attachment id); tests and screenshots wait on it.
    sig_thumbnail_loaded = Signal(object)
    #: A file was written by 另存为 (its path), so the panel can say where it went.
    sig_saved = Signal(str)

    def __init__(self, desk: services.Desk, actor: services.Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk, self.actor = desk, actor
        self._thumbs: dict[uuid.UUID, QPixmap] = {}
        self._requested: set[uuid.UUID] = set()
        self._attachments: dict[uuid.UUID, services.AttachmentView] = {}
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setFlow(QListView.Flow.LeftToRight)
        self.setWrapping(False)
        self.setMovement(QListView.Movement.Static)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setIconSize(QSize(THUMB, THUMB))
        self.setGridSize(QSize(THUMB + 40, THUMB + 44))
        self.setWordWrap(True)
        self.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.setFixedHeight(THUMB + 52)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setStyleSheet("QListWidget { background: transparent; }")
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.itemActivated.connect(self.on_item_activated)

    def set_attachments(self, attachments: Sequence[services.AttachmentView]) -> None:
        """Show these attachments; thumbnails not yet cached are fetched in the background."""
        self.clear()
        self._attachments = {a.id: a for a in attachments}
        file_icon = self.style().standardIcon(QStyle.StandardPixmap.SP_FileIcon)
        for a in attachments:
            item = QListWidgetItem(a.filename)
            item.setData(_ID_ROLE, a.id)
            item.setToolTip(
                _("{name}\n{size} · {who} 上传").format(
                    name=a.filename, size=size_text(a.size), who=a.uploaded_by
                )
            )
            item.setTextAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
            item.setIcon(QIcon(self._thumbs[a.id]) if a.id in self._thumbs else file_icon)
            self.addItem(item)
            if a.is_image and a.id not in self._thumbs and a.id not in self._requested:
                self._request_thumbnail(a.id)

    def has_thumbnail(self, attachment_id: uuid.UUID) -> bool:
        return attachment_id in self._thumbs

    def thumbnail(self, attachment_id: uuid.UUID) -> QPixmap | None:
        return self._thumbs.get(attachment_id)

    def _request_thumbnail(self, attachment_id: uuid.UUID) -> None:
        self._requested.add(attachment_id)
        desk, actor = self.desk, self.actor
        tasks.run(
            lambda: _thumbnail(services.attachment_data(desk, actor, attachment_id)),
            on_result=lambda image: self.on_thumbnail(attachment_id, image),
            on_error=lambda exc: self.on_thumbnail_failed(attachment_id, exc),
            context=self,
        )

    def on_thumbnail(self, attachment_id: uuid.UUID, image: QImage) -> None:
        if image.isNull():
            return  # not decodable: the file icon stays, and double-click offers to save it
        self._thumbs[attachment_id] = QPixmap.fromImage(image)
        for row in range(self.count()):
            item = self.item(row)
            if item.data(_ID_ROLE) == attachment_id:
                item.setIcon(QIcon(self._thumbs[attachment_id]))
        self.sig_thumbnail_loaded.emit(attachment_id)

    def on_thumbnail_failed(self, attachment_id: uuid.UUID, exc: BaseException) -> None:
        self._requested.discard(attachment_id)
        if not isinstance(exc, KesuError):
            tasks.unexpected(exc)

    @Slot(QListWidgetItem)
    def on_item_activated(self, item: QListWidgetItem) -> None:
        attachment = self._attachments.get(item.data(_ID_ROLE))
        if attachment is None:
            return
        if attachment.is_image and attachment.id in self._thumbs:
            self.open_preview(attachment)
        else:
            self.save_as(attachment)

    def open_preview(self, attachment: services.AttachmentView) -> None:
        desk, actor = self.desk, self.actor

        def show(image: QImage) -> None:
            if image.isNull():
                self.save_as(attachment)
                return
            dialog = ImagePreview(image, attachment, self)
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            dialog.save_button.clicked.connect(lambda: self.save_as(attachment))
            dialog.open()

        tasks.run(
            lambda: QImage.fromData(services.attachment_data(desk, actor, attachment.id)),
            on_result=show,
            on_error=self.on_file_error,
            context=self,
        )

    def save_as(self, attachment: services.AttachmentView) -> None:
        """Ask where to put the file, then fetch and write it in the background."""
        path = choose_save_path(self, _("另存为…"), "attachments", attachment.filename)
        if not path:
            return
        desk, actor = self.desk, self.actor
        tasks.run(
            lambda: Path(path).write_bytes(services.attachment_data(desk, actor, attachment.id)),
            on_result=lambda _n: self.sig_saved.emit(path),
            on_error=self.on_file_error,
            context=self,
        )

    def on_file_error(self, exc: BaseException) -> None:
        if isinstance(exc, KesuError | OSError):
            QMessageBox.warning(self, _("附件"), _("无法打开或保存附件：{reason}").format(reason=exc))
        else:
            tasks.unexpected(exc)
