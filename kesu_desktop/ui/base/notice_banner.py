"""A notice across the top of a window that the user may dismiss: for things to act on, not errors.

Why not a message box: the notices it carries (the next year's holidays are not loaded yet, …) matter
for days, not for the next click; a dialog at every start would be clicked away unread, while a band
that stays in view until dismissed is seen and does not stop the work. Dismissing hides it for this
session only: the notice comes back on the next start while its cause lasts.

The banner knows nothing about what it says; whoever shows it passes the text (already translated).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QSizePolicy, QStyle, QToolButton, QWidget

from kesu_desktop.i18n import _


class NoticeBanner(QFrame):
    """A yellow band with a text and a close button, hidden until ``show_notice``."""

    #: The user closed the banner (its text is passed along).
    sig_dismissed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("NoticeBanner")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet(
            "#NoticeBanner { background: #fff4ce; border: 1px solid #e0c36a; border-radius: 3px; }"
            "#NoticeBanner QLabel { color: #4d3b00; }"
        )
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.icon = QLabel()
        size = self.style().pixelMetric(QStyle.PixelMetric.PM_SmallIconSize)
        icon = self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        self.icon.setPixmap(icon.pixmap(size, size))
        self.icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.close_button = QToolButton()
        self.close_button.setObjectName("NoticeBannerClose")
        self.close_button.setText("✕")
        self.close_button.setAutoRaise(True)
        self.close_button.clicked.connect(self.dismiss)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 6, 4, 6)
        layout.addWidget(self.icon)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignTop)
        self.retranslate_ui()
        self.hide()

    def retranslate_ui(self) -> None:
        self.close_button.setToolTip(_("关闭此提示（下次启动时若仍未处理会再次显示）"))
        self.close_button.setAccessibleName(_("关闭提示"))

    def text(self) -> str:
        return self.label.text()

    def show_notice(self, text: str) -> None:
        """Show ``text``; an empty text hides the banner (the cause is gone)."""
        self.label.setText(text)
        self.setVisible(bool(text))

    @Slot()
    def dismiss(self) -> None:
        self.hide()
        self.sig_dismissed.emit(self.label.text())
