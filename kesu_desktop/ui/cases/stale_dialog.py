"""案件已被修改: the case changed on another desk after it was shown here, and the action was not taken.

Why a decision and not a retry: the user chose the action looking at the case as it was; what another
desk wrote since (a new priority, an assignment, a closing) may change their mind. So the dialog lists
who changed what, in the timeline's words (``StaleCase.lines``, worded by the services), and asks:
重新应用 takes the same action against the case as it is now (the version the lines lead up to), 放弃
drops it. Either way the panel reloads, so what the user sees next is the case as it stands. Escape is
放弃, the choice that writes nothing.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kesu_desktop.domain.errors import StaleCase
from kesu_desktop.i18n import _


class StaleCaseDialog(QDialog):
    """Lists the changes made since the case was loaded; accepted = 重新应用, rejected = 放弃."""

    def __init__(self, stale: StaleCase, action_label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.stale = stale
        self.action_label = action_label
        #: The case's version now: a re-applied action is checked against this one.
        self.version = stale.version
        self.message = QLabel(wordWrap=True)
        self.message.setStyleSheet("font-weight: 600;")
        self.since = QLabel()
        self.changes = QListWidget()
        self.changes.setWordWrap(True)
        self.changes.setAlternatingRowColors(True)
        self.changes.setSelectionMode(QListWidget.SelectionMode.NoSelection)  # to read, not to pick
        self.changes.setSpacing(2)
        self.changes.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.changes.addItems(stale.lines)
        self.changes.setMinimumHeight(min(24 + 48 * len(stale.lines), 260))
        self.question = QLabel(wordWrap=True)
        self.buttons = QDialogButtonBox()
        self.reapply_button = QPushButton()
        self.abandon_button = QPushButton()
        self.reapply_button.setAutoDefault(False)
        self.abandon_button.setDefault(True)  # Enter alone never writes: re-applying is a choice
        self.buttons.addButton(self.reapply_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(self.abandon_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.setSpacing(8)
        layout.addWidget(self.message)
        layout.addWidget(self.since)
        layout.addWidget(self.changes, 1)
        layout.addWidget(self.question)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(560)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.setWindowTitle(_("案件已被修改"))
        self.message.setText(str(self.stale))
        self.since.setText(
            _("自您打开后，有以下改动：") if self.stale.lines else _("自您打开后，案件已有改动。")
        )
        self.question.setText(
            _("按案件的最新情况重新执行“{action}”，还是放弃本次操作？").format(action=self.action_label)
        )
        self.reapply_button.setText(_("重新应用"))
        self.reapply_button.setToolTip(_("在最新的案件上执行同样的操作"))
        self.abandon_button.setText(_("放弃"))
        self.abandon_button.setToolTip(_("不执行本次操作，显示案件的最新情况"))

    def lines(self) -> list[str]:
        """The change lines as shown (for tests and screenshots)."""
        return [self.changes.item(i).text() for i in range(self.changes.count())]


def ask_about_stale(
    owner: QWidget,
    stale: StaleCase,
    action_label: str,
    on_reapply: Callable[[str], None],
    on_abandon: Callable[[], None],
) -> StaleCaseDialog:
    """Open 案件已被修改 over ``owner`` (an action dialog, the case detail's quick log).

    ``on_reapply`` gets the case's version now; the dialog is ``owner.stale_dialog`` while it is open
    and deleted once closed, whichever button closed it.
    """
    dialog = StaleCaseDialog(stale, action_label, owner)
    owner.stale_dialog = dialog  # type: ignore[attr-defined]

    def closed() -> None:
        if getattr(owner, "stale_dialog", None) is dialog:
            owner.stale_dialog = None  # type: ignore[attr-defined]
        dialog.deleteLater()

    dialog.accepted.connect(lambda: on_reapply(stale.version))
    dialog.rejected.connect(on_abandon)
    dialog.finished.connect(closed)
    dialog.open()
    return dialog
