"""A horizontal bar chart painted with QPainter: names on the left, bars, counts at their ends.

Why by hand: QtCharts is in PySide6-Addons, which the product does not ship (it adds tens of megabytes
for four bar charts), and a chart this plain is a few dozen lines of painting. A click on a bar (or
Enter on the bar chosen with the arrow keys) emits its code, so the statistics can filter the case list.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFocusEvent, QKeyEvent, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from kesu_desktop.formatting import number_text, percent_text
from kesu_desktop.i18n import _

BAR = QColor("#1565c0")
BAR_CHOSEN = QColor("#ef6c00")
GRID = QColor("#e0e4e8")
ROW_PADDING = 6


@dataclass(frozen=True)
class Bar:
    code: str
    label: str
    count: int


class BarChart(QWidget):
    """Bars for one distribution; ``clickable`` when a bar can filter the case list."""

    sig_bar_clicked = Signal(str)

    def __init__(self, *, clickable: bool = True, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bars: list[Bar] = []
        self.clickable = clickable
        self._current = -1
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus if clickable else Qt.FocusPolicy.NoFocus)
        if clickable:
            self.setCursor(Qt.CursorShape.PointingHandCursor)

    def set_bars(self, bars: list[Bar]) -> None:
        self.bars = sorted(bars, key=lambda b: (-b.count, b.label))
        self._current = min(self._current, len(self.bars) - 1)
        self.updateGeometry()
        self.update()

    def _row_height(self) -> int:
        return self.fontMetrics().height() + 2 * ROW_PADDING

    def sizeHint(self) -> QSize:
        rows = max(len(self.bars), 1)
        return QSize(360, rows * self._row_height() + 8)

    def minimumSizeHint(self) -> QSize:
        return QSize(200, self.sizeHint().height())

    def _label_width(self) -> int:
        metrics = self.fontMetrics()
        widest = max((metrics.horizontalAdvance(b.label) for b in self.bars), default=40)
        return min(widest + 12, max(self.width() // 3, 60))

    def bar_at(self, y: float) -> int:
        """The index of the bar at height ``y``, or -1."""
        index = int((y - 4) // self._row_height())
        return index if 0 <= index < len(self.bars) else -1

    def paintEvent(self, event: QPaintEvent) -> None:
        del event
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        metrics = self.fontMetrics()
        if not self.bars:
            painter.setPen(self.palette().placeholderText().color())
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, _("没有数据"))
            return
        label_w = self._label_width()
        total = sum(b.count for b in self.bars) or 1
        counts = [
            _("{count}（{share}）").format(count=number_text(b.count), share=percent_text(b.count / total))
            for b in self.bars
        ]
        count_w = max(metrics.horizontalAdvance(text) for text in counts) + 12
        area = max(self.width() - label_w - count_w, 10)
        top = max(b.count for b in self.bars) or 1
        row_h = self._row_height()
        for i, bar in enumerate(self.bars):
            y = 4 + i * row_h
            painter.setPen(self.palette().text().color())
            text_rect = QRectF(0, y, label_w - 8, row_h)
            shown = metrics.elidedText(bar.label, Qt.TextElideMode.ElideRight, label_w - 8)
            painter.drawText(text_rect, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, shown)
            length = area * bar.count / top
            rect = QRectF(label_w, y + ROW_PADDING / 2, max(length, 1), row_h - ROW_PADDING)
            painter.fillRect(rect, BAR_CHOSEN if i == self._current else BAR)
            painter.setPen(self.palette().text().color())
            count = _("{count}（{share}）").format(
                count=number_text(bar.count), share=percent_text(bar.count / total)
            )
            painter.drawText(
                QRectF(label_w + length + 6, y, count_w + 60, row_h),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                count,
            )
        painter.setPen(QPen(GRID))
        painter.drawLine(label_w, 2, label_w, 4 + len(self.bars) * row_h)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        index = self.bar_at(event.position().y())
        if index >= 0:
            bar = self.bars[index]
            tip = _("{label}：{count} 件").format(label=bar.label, count=number_text(bar.count))
            if self.clickable:
                tip += "\n" + _("单击：在案件列表中只看这些案件")
            QToolTip.showText(event.globalPosition().toPoint(), tip, self)
        super().mouseMoveEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        index = self.bar_at(event.position().y())
        if self.clickable and event.button() == Qt.MouseButton.LeftButton and index >= 0:
            self._current = index
            self.update()
            self.sig_bar_clicked.emit(self.bars[index].code)
        super().mousePressEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if self.bars and key in (Qt.Key.Key_Down, Qt.Key.Key_Up):
            step = 1 if key == Qt.Key.Key_Down else -1
            self._current = max(0, min(len(self.bars) - 1, self._current + step))
            self.update()
            return
        if self.clickable and key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self._current >= 0:
            self.sig_bar_clicked.emit(self.bars[self._current].code)
            return
        super().keyPressEvent(event)

    def focusInEvent(self, event: QFocusEvent) -> None:
        if self._current < 0 and self.bars:
            self._current = 0
            self.update()
        super().focusInEvent(event)
