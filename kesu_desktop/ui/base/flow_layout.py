"""A layout that places widgets left to right and wraps to the next line when the row is full.

Qt ships this only as an example (``examples/widgets/layouts/flowlayout``), not as a class, so it is
written out here (a port of that example, trimmed): the case list's filter bar must fit a 520 px panel
on a 1280 px screen without clipping its combo boxes, and a bar that wraps is the way to get there.
"""

from __future__ import annotations

from PySide6.QtCore import QMargins, QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QLayout, QLayoutItem, QSizePolicy, QWidget


class FlowLayout(QLayout):
    """Rows of widgets at their size hints; the first widget with a stretch takes the rest of its row."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 6) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._stretch: set[int] = set()
        self.setSpacing(spacing)
        self.setContentsMargins(QMargins(0, 0, 0, 0))

    def addItem(self, item: QLayoutItem) -> None:  # Qt names these methods
        self._items.append(item)

    def add_widget(self, widget: QWidget, *, stretch: bool = False) -> None:
        """Add a widget; a stretching one (the search box) grows to fill what is left of its row."""
        if stretch:
            self._stretch.add(len(self._items))
        self.addWidget(widget)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:
        if 0 <= index < len(self._items):
            self._stretch = {i if i < index else i - 1 for i in self._stretch if i != index}
            return self._items.pop(index)
        return None

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._arrange(QRect(0, 0, width, 0), place=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._arrange(rect, place=True)

    def sizeHint(self) -> QSize:
        return self.minimumSize()

    def minimumSize(self) -> QSize:
        size = QSize()
        for item in self._items:
            if not item.isEmpty():
                size = size.expandedTo(item.minimumSize())
        margins = self.contentsMargins()
        return size + QSize(margins.left() + margins.right(), margins.top() + margins.bottom())

    def _visible(self) -> list[tuple[int, QLayoutItem]]:
        return [(i, item) for i, item in enumerate(self._items) if not item.isEmpty()]

    def _arrange(self, rect: QRect, *, place: bool) -> int:
        margins = self.contentsMargins()
        area = rect.adjusted(margins.left(), margins.top(), -margins.right(), -margins.bottom())
        spacing = self.spacing()
        rows: list[list[tuple[int, QLayoutItem]]] = [[]]
        used = 0
        for index, item in self._visible():
            width = min(item.sizeHint().width(), area.width())
            if rows[-1] and used + spacing + width > area.width():
                rows.append([])
                used = 0
            used += (spacing if rows[-1] else 0) + width
            rows[-1].append((index, item))
        y = area.y()
        for row in rows:
            if not row:
                continue
            height = max(item.sizeHint().height() for _i, item in row)
            widths = [min(item.sizeHint().width(), area.width()) for _i, item in row]
            spare = area.width() - sum(widths) - spacing * (len(row) - 1)
            grow = [n for n, (i, _item) in enumerate(row) if i in self._stretch]
            if grow and spare > 0:
                widths[grow[0]] += spare
            x = area.x()
            for (_i, item), width in zip(row, widths, strict=True):
                if place:
                    policy = item.widget().sizePolicy() if item.widget() else None
                    fixed = policy is not None and policy.verticalPolicy() == QSizePolicy.Policy.Fixed
                    h = item.sizeHint().height() if fixed else height
                    item.setGeometry(QRect(QPoint(x, y + (height - h) // 2), QSize(width, h)))
                x += width + spacing
            y += height + spacing
        return y - spacing - rect.y() + margins.bottom()
