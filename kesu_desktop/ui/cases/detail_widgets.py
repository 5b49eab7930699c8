"""Small building blocks of the case detail panel: coloured pills, label grids, simple row lists.

Kept apart from ``case_detail`` so that module is about one case and its actions, not about layout.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QGridLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget


def pill(text: str, colour: str, *, outline: bool = False) -> QLabel:
    label = QLabel(text)
    if outline:
        style = f"color: {colour}; border: 1px solid {colour}; background: transparent;"
    else:
        style = f"color: white; background: {colour}; border: 1px solid {colour};"
    label.setStyleSheet(f"QLabel {{ {style} border-radius: 10px; padding: 1px 10px; font-weight: 600; }}")
    return label


def discard(widget: QWidget) -> None:
    """Hide at once (so no stale text is readable for a frame), delete when the event loop gets to it."""
    widget.hide()
    widget.deleteLater()


def muted(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setProperty("role", "muted")
    return label


def section_title() -> QLabel:
    label = QLabel()
    label.setObjectName("sectionTitle")
    return label


class InfoGrid(QWidget):
    """Label–value pairs, ``columns`` pairs to a row; ``wide`` keys take a whole row (long text wraps)."""

    def __init__(self, keys: Sequence[str], wide: Sequence[str] = (), columns: int = 2) -> None:
        super().__init__()
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 4, 0, 4)
        grid.setHorizontalSpacing(14)
        grid.setVerticalSpacing(7)
        self.keys: dict[str, QLabel] = {}
        self.values: dict[str, QLabel] = {}
        for i, key in enumerate([*keys, *wide]):
            k, v = QLabel(), QLabel()
            k.setProperty("role", "key")
            k.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
            v.setWordWrap(True)
            v.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            v.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
            if i < len(keys):
                row, col = divmod(i, columns)
                grid.addWidget(k, row, col * 2)
                grid.addWidget(v, row, col * 2 + 1)
            else:
                row = (len(keys) + columns - 1) // columns + (i - len(keys))
                grid.addWidget(k, row, 0)
                grid.addWidget(v, row, 1, 1, columns * 2 - 1)
            self.keys[key], self.values[key] = k, v
        for col in range(columns):
            grid.setColumnStretch(col * 2 + 1, 1)
            grid.setColumnMinimumWidth(col * 2, 72)

    def set_key(self, key: str, text: str) -> None:
        self.keys[key].setText(text)

    def set_value(self, key: str, text: str | None, *, rich: bool = False) -> None:
        """Plain text by default (customers type anything); ``rich`` only for markup built here."""
        label = self.values[key]
        empty = not text
        label.setTextFormat(Qt.TextFormat.RichText if rich and not empty else Qt.TextFormat.PlainText)
        label.setText("—" if empty else text)
        label.setProperty("role", "muted" if empty else "")
        label.style().unpolish(label)
        label.style().polish(label)


class RowList(QWidget):
    """A small read-only table of wrapped rows (timeline, communication log) that grows with the panel.

    Plain labels rather than a QTableView: the summaries wrap to any height and the outer panel scrolls,
    so there is never a table-inside-a-scroll-area with two scroll bars.
    """

    def __init__(self, widths: Sequence[int | None]) -> None:
        super().__init__()
        self._widths = list(widths)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(1)
        self.header = self._row_frame([QLabel() for _w in widths], head=True)
        self._layout.addWidget(self.header)
        self.empty = muted()
        self.empty.setContentsMargins(6, 6, 6, 6)
        self._layout.addWidget(self.empty)
        self._rows: list[QFrame] = []
        self.texts: list[tuple[str, ...]] = []

    def _row_frame(self, labels: Sequence[QLabel], *, head: bool = False, alt: bool = False) -> QFrame:
        frame = QFrame()
        frame.setObjectName("row")
        frame.setProperty("alt", "true" if alt else "false")
        row = QHBoxLayout(frame)
        row.setContentsMargins(6, 5, 6, 5)
        row.setSpacing(12)
        for label, width in zip(labels, self._widths, strict=True):
            label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
            if head:
                label.setProperty("role", "colhead")
            if width is None:
                label.setWordWrap(True)
                label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                row.addWidget(label, 1)
            else:
                label.setFixedWidth(width)
                label.setWordWrap(True)
                row.addWidget(label)
        return frame

    def set_headers(self, headers: Sequence[str]) -> None:
        for label, text in zip(self.header.findChildren(QLabel), headers, strict=True):
            label.setText(text)

    def set_rows(self, rows: Sequence[Sequence[str]], colours: Sequence[str | None] = ()) -> None:
        for frame in self._rows:
            discard(frame)
        self._rows = []
        self.texts = [tuple(r) for r in rows]
        for i, texts in enumerate(rows):
            labels = [QLabel(t) for t in texts]
            for label in labels:
                label.setTextFormat(Qt.TextFormat.PlainText)
            colour = colours[i] if i < len(colours) else None
            if colour:  # the "what" column carries the colour of its kind
                labels[2].setStyleSheet(f"color: {colour}; font-weight: 600;")
            frame = self._row_frame(labels, alt=i % 2 == 1)
            self._rows.append(frame)
            self._layout.addWidget(frame)
            frame.show()
        self.header.setVisible(bool(rows))
        self.empty.setVisible(not rows)
