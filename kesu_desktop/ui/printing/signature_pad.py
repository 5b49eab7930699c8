"""A customer's handwritten signature at the counter: the pad they sign on and the dialog around it.

The pad records strokes, not just a picture. The points with their pressure and timing are what makes a
signature evidence (a traced or pasted image has no rhythm); the PNG is only for printing on the receipt
or a letter. A counter may have a mouse, a touch screen or a pen tablet, so all three are accepted, and
each is handled by exactly one path: tablet and touch events are accepted so Qt does not also synthesise
mouse events from them, which would record every stroke twice.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QBuffer, QElapsedTimer, QEvent, QIODevice, QPointF, QRectF, QSize, Qt, Signal, Slot
from PySide6.QtGui import (
    QColor,
    QImage,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
    QShortcut,
    QTabletEvent,
    QTouchEvent,
)
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from kesu_desktop.i18n import _

Point = tuple[float, float, float, int]  # x, y (widget pixels), pressure 0..1, ms since the first point
Stroke = list[Point]

MOUSE_PRESSURE = 0.5  # mouse and finger have no pressure: the middle of the range, a medium line
INK = QColor(20, 36, 96)  # dark blue, like a ballpoint: reads as "signed by hand" on a printed letter
PAPER = QColor(255, 255, 255)
BASELINE = QColor(205, 210, 220)
HINT = QColor(185, 190, 200)
MIN_SIZE = QSize(480, 180)
MAX_EXPORT_SCALE = 4.0  # a dot or a tiny scrawl is not blown up into a blob filling the whole image
EXPORT_MARGIN = 6.0  # source pixels around the ink, so round caps at the edge are not cut off
SYNTHETIC_GRACE_MS = 500  # mouse events the system makes from a pen or a finger arrive just after it


def pen_width(pressure: float) -> float:
    """Harder pressure, wider line, as with a real pen; a mouse gets the middle width."""
    return 1.2 + 3.0 * pressure


def _mid(a: Point, b: Point) -> QPointF:
    return QPointF((a[0] + b[0]) / 2, (a[1] + b[1]) / 2)


def paint_strokes(painter: QPainter, strokes: list[Stroke], colour: QColor, width_scale: float = 1.0) -> None:
    """Strokes as smooth curves through the midpoints of the sampled points, each piece its own width.

    Input devices sample at 60–200 Hz, so straight lines between samples show corners on fast curves;
    quadratic pieces with the samples as control points hide them. The ink is opaque and the caps round,
    so the pieces join without visible seams even though each has its own pressure-dependent width.
    """
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    for stroke in strokes:
        if not stroke:
            continue
        if len(stroke) == 1:  # a tap: a dot as wide as the line would be
            x, y, p, _t = stroke[0]
            r = pen_width(p) * width_scale / 2
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(colour)
            painter.drawEllipse(QPointF(x, y), r, r)
            continue
        painter.setBrush(Qt.BrushStyle.NoBrush)
        start = QPointF(stroke[0][0], stroke[0][1])
        for i in range(1, len(stroke)):
            prev, cur = stroke[i - 1], stroke[i]
            path = QPainterPath(start)
            if i == len(stroke) - 1:
                end = QPointF(cur[0], cur[1])
                path.lineTo(end)
            else:
                end = _mid(cur, stroke[i + 1])
                path.quadTo(QPointF(cur[0], cur[1]), end)
            pen = QPen(colour, pen_width((prev[2] + cur[2]) / 2) * width_scale)
            pen.setCapStyle(Qt.PenCapStyle.RoundCap)
            pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
            painter.setPen(pen)
            painter.drawPath(path)
            start = end


class SignaturePad(QWidget):
    """The white signing surface: draws as the customer writes and keeps every stroke for the record."""

    sig_changed = Signal()  # a stroke was finished, or undo / clear removed ink

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._strokes: list[Stroke] = []
        self._current: Stroke | None = None
        self._source = ""  # "mouse", "touch" or "tablet" while a stroke is being drawn
        self._touch_id = -1  # the one finger that draws; a resting palm or second finger is ignored
        self._clock = QElapsedTimer()  # started at the signature's first point
        self._other_input = QElapsedTimer()  # time since the last pen or finger event
        self._hint = ""
        self.setAttribute(Qt.WidgetAttribute.WA_AcceptTouchEvents, True)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # so Ctrl+Z right after signing undoes ink
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setMinimumSize(MIN_SIZE)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self._hint = _("请在此处签名")
        self.setAccessibleName(_("签名板"))
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(600, 220)

    # --- the record ---------------------------------------------------------------------------------

    def strokes(self) -> list[Stroke]:
        """A copy of the finished strokes, so a caller cannot change the pad's record by accident."""
        return [list(stroke) for stroke in self._strokes]

    def is_empty(self) -> bool:
        return not self._strokes

    @Slot()
    def undo(self) -> None:
        """Remove the last finished stroke (a stroke being drawn is finished first, then removed)."""
        self._finish_stroke(notify=False)
        if not self._strokes:
            return
        self._strokes.pop()
        self.update()
        self.sig_changed.emit()

    @Slot()
    def clear(self) -> None:
        had_ink = bool(self._strokes) or bool(self._current)
        self._strokes = []
        self._current = None
        self._source = ""
        self._clock.invalidate()
        self.update()
        if had_ink:
            self.sig_changed.emit()

    def to_png(self, width: int = 600, height: int = 200) -> bytes:
        """The ink scaled to fit ``width`` × ``height`` (aspect kept, centred), on a transparent background.

        Transparent so the signature can be laid over a printed receipt or letter; only the ink's bounding
        box is used, so a small signature in a corner of the pad still fills the image.
        """
        if self.is_empty():
            raise ValueError("the signature pad is empty")
        if width <= 0 or height <= 0:
            raise ValueError(f"invalid image size {width}×{height}")
        xs = [p[0] for stroke in self._strokes for p in stroke]
        ys = [p[1] for stroke in self._strokes for p in stroke]
        reach = pen_width(1.0) / 2 + EXPORT_MARGIN
        ink = QRectF(QPointF(min(xs), min(ys)), QPointF(max(xs), max(ys)))
        box = ink.adjusted(-reach, -reach, reach, reach)
        scale = min(width / box.width(), height / box.height(), MAX_EXPORT_SCALE)
        image = QImage(width, height, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        try:
            painter.translate((width - box.width() * scale) / 2, (height - box.height() * scale) / 2)
            painter.scale(scale, scale)
            painter.translate(-box.left(), -box.top())
            paint_strokes(painter, self._strokes, INK)
        finally:
            painter.end()
        buffer = QBuffer()
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        if not image.save(buffer, "PNG"):
            raise RuntimeError("could not encode the signature as PNG")
        return bytes(buffer.data().data())

    # --- recording ----------------------------------------------------------------------------------

    def _begin_stroke(self, source: str, pos: QPointF, pressure: float) -> None:
        self._finish_stroke()  # a stroke from another device that never got its release
        self._source = source
        self._current = []
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        self._add_point(pos, pressure)

    def _add_point(self, pos: QPointF, pressure: float) -> None:
        """Clamped to the pad: a line dragged past the edge stops at the edge rather than leaving it."""
        if self._current is None:
            return
        if not self._clock.isValid():
            self._clock.start()
        x = min(max(pos.x(), 0.0), float(self.width() - 1))
        y = min(max(pos.y(), 0.0), float(self.height() - 1))
        p = min(max(pressure, 0.0), 1.0)
        if self._current and self._current[-1][:3] == (x, y, p):
            return  # a repeated sample (a press and a move at the same spot) adds nothing
        self._current.append((x, y, p, int(self._clock.elapsed())))
        self.update()

    def _finish_stroke(self, *, notify: bool = True) -> None:
        stroke, self._current, self._source = self._current, None, ""
        if not stroke:
            return
        self._strokes.append(stroke)
        self.update()
        if notify:
            self.sig_changed.emit()

    def _cancel_stroke(self) -> None:
        self._current, self._source = None, ""
        if not self._strokes:
            self._clock.invalidate()
        self.update()

    # --- input devices ------------------------------------------------------------------------------

    def _mouse_is_echo(self, event: QMouseEvent) -> bool:
        """A mouse event made from a pen or finger stroke we already record (some systems send both)."""
        if self._source in ("touch", "tablet"):
            return True
        synthesized = event.source() != Qt.MouseEventSource.MouseEventNotSynthesized
        recent = self._other_input.isValid() and self._other_input.elapsed() < SYNTHETIC_GRACE_MS
        return synthesized and recent

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton or self._mouse_is_echo(event):
            event.ignore()
            return
        self._begin_stroke("mouse", event.position(), MOUSE_PRESSURE)
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._source != "mouse" or not event.buttons() & Qt.MouseButton.LeftButton:
            event.ignore()
            return
        self._add_point(event.position(), MOUSE_PRESSURE)
        event.accept()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._source != "mouse" or event.button() != Qt.MouseButton.LeftButton:
            event.ignore()
            return
        self._add_point(event.position(), MOUSE_PRESSURE)
        self._finish_stroke()
        event.accept()

    def tabletEvent(self, event: QTabletEvent) -> None:
        """Every tablet event is accepted, also hover moves: an ignored one comes back as a mouse event."""
        self._other_input.start()
        kind = event.type()
        if kind == QEvent.Type.TabletPress:
            self._begin_stroke("tablet", event.position(), event.pressure())
        elif kind == QEvent.Type.TabletMove and self._source == "tablet":
            self._add_point(event.position(), event.pressure())
        elif kind == QEvent.Type.TabletRelease and self._source == "tablet":
            if event.pressure() > 0:  # most pens report 0 on lift: that sample is not ink
                self._add_point(event.position(), event.pressure())
            self._finish_stroke()
        event.accept()

    def event(self, event: QEvent) -> bool:
        """Touch has no dedicated handler in QWidget; TouchBegin must be accepted to get the rest."""
        kind = event.type()
        if kind in (QEvent.Type.TouchBegin, QEvent.Type.TouchUpdate, QEvent.Type.TouchEnd):
            assert isinstance(event, QTouchEvent)
            self._on_touch(event)
            event.accept()
            return True
        if kind == QEvent.Type.TouchCancel:  # the system took the gesture: what was drawn is not ink
            self._other_input.start()
            if self._source == "touch":
                self._cancel_stroke()
            event.accept()
            return True
        return super().event(event)

    def _on_touch(self, event: QTouchEvent) -> None:
        self._other_input.start()
        points = event.points()
        if self._source != "touch":
            pressed = [p for p in points if p.state() == p.State.Pressed]
            if len(pressed) == 1 and len(points) == 1:  # one finger writes; two at once is a gesture
                self._touch_id = pressed[0].id()
                self._begin_stroke("touch", pressed[0].position(), MOUSE_PRESSURE)
            return
        for point in points:
            if point.id() != self._touch_id:
                continue
            if point.state() == point.State.Released:
                self._add_point(point.position(), MOUSE_PRESSURE)
                self._finish_stroke()
            elif point.state() == point.State.Updated:
                self._add_point(point.position(), MOUSE_PRESSURE)
        if event.type() == QEvent.Type.TouchEnd and self._source == "touch":
            self._finish_stroke()

    # --- drawing ------------------------------------------------------------------------------------

    def baseline_y(self) -> float:
        return self.height() * 0.72

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), PAPER)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        margin, y = 24.0, self.baseline_y()
        painter.setPen(QPen(BASELINE, 1.0))
        painter.drawLine(QPointF(margin, y), QPointF(self.width() - margin, y))
        cross = 5.0  # the "×" that marks where to sign on paper forms
        painter.drawLine(QPointF(margin, y - 10 - cross), QPointF(margin + 2 * cross, y - 10 + cross))
        painter.drawLine(QPointF(margin, y - 10 + cross), QPointF(margin + 2 * cross, y - 10 - cross))
        if not self._strokes and not self._current:
            font = painter.font()
            font.setPointSizeF(font.pointSizeF() * 1.6)
            painter.setFont(font)
            painter.setPen(HINT)
            area = QRectF(0, 0, self.width(), y - 4)
            painter.drawText(area, Qt.AlignmentFlag.AlignCenter, self._hint)
        strokes = [*self._strokes, self._current] if self._current else self._strokes
        paint_strokes(painter, strokes, INK)
        if self.hasFocus():
            painter.setPen(QPen(QColor(120, 150, 210), 1.0))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5))
        painter.end()


@dataclass(frozen=True)
class CapturedSignature:
    """What a confirmed signature hands on: who signed, the raw strokes, and a printable PNG.

    ``width`` × ``height`` is the pad's size when it was signed, the frame the stroke coordinates are in.
    """

    signer: str
    strokes: list[list[tuple[float, float, float, int]]]
    png: bytes
    width: int
    height: int


class SignatureDialog(QDialog):
    """The customer signs under a caption saying what they sign for; nothing is kept until they confirm.

    Confirm needs both ink and a name: an anonymous scrawl is no signature, and a name without ink is
    just typing. Ctrl+Z undoes the last stroke once the pad has focus (it gets it with the first stroke);
    in the name field Ctrl+Z keeps undoing typing, as in every text field.
    """

    def __init__(self, caption: str, signer: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._captured: CapturedSignature | None = None
        self.caption = QLabel(caption)
        self.caption.setTextFormat(Qt.TextFormat.PlainText)
        self.caption.setWordWrap(True)
        self.caption.setStyleSheet("QLabel { font-weight: 600; font-size: 14px; }")
        self.signer = QLineEdit(signer)
        self.signer.setMaxLength(60)
        self._signer_label = QLabel()
        self._signer_label.setBuddy(self.signer)
        self.pad = SignaturePad()
        self.undo_button = QPushButton()
        self.clear_button = QPushButton()
        self.confirm_button = QPushButton()
        self.cancel_button = QPushButton()
        for button in (self.undo_button, self.clear_button, self.cancel_button):
            button.setAutoDefault(False)  # Enter in the name field must not clear the pad
        self.confirm_button.setDefault(True)

        form = QFormLayout()
        form.addRow(self._signer_label, self.signer)
        buttons = QHBoxLayout()
        buttons.addWidget(self.undo_button)
        buttons.addWidget(self.clear_button)
        buttons.addStretch(1)
        buttons.addWidget(self.confirm_button)
        buttons.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.caption)
        layout.addLayout(form)
        layout.addWidget(self.pad, 1)
        layout.addLayout(buttons)

        self.undo_button.clicked.connect(self.pad.undo)
        self.clear_button.clicked.connect(self.pad.clear)
        self.confirm_button.clicked.connect(self.on_confirm)
        self.cancel_button.clicked.connect(self.reject)
        self.pad.sig_changed.connect(self.on_update_buttons)
        self.signer.textChanged.connect(self.on_update_buttons)
        self._shortcuts = [QShortcut(QKeySequence.StandardKey.Undo, self, self.pad.undo)]
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            self._shortcuts.append(QShortcut(QKeySequence(keys), self, self.on_confirm))

        self.retranslate_ui()
        self.on_update_buttons()
        (self.pad if signer.strip() else self.signer).setFocus()

    def retranslate_ui(self) -> None:
        self.setWindowTitle(_("客户签名"))
        self._signer_label.setText(_("签名人"))
        self.signer.setPlaceholderText(_("请输入签名人姓名"))
        self.undo_button.setText(_("撤销"))
        self.undo_button.setToolTip(_("撤销上一笔 (Ctrl+Z)"))
        self.clear_button.setText(_("清除"))
        self.clear_button.setToolTip(_("清除全部笔迹"))
        self.confirm_button.setText(_("确认签名"))
        self.confirm_button.setToolTip(_("确认签名 (Ctrl+Enter)"))
        self.cancel_button.setText(_("取消"))
        self.cancel_button.setToolTip(_("放弃签名 (Esc)"))
        self.pad.retranslate_ui()

    def captured(self) -> CapturedSignature | None:
        """The confirmed signature; None while not confirmed or after cancel."""
        return self._captured

    def can_confirm(self) -> bool:
        return not self.pad.is_empty() and bool(self.signer.text().strip())

    @Slot()
    def on_update_buttons(self) -> None:
        self.confirm_button.setEnabled(self.can_confirm())
        has_ink = not self.pad.is_empty()
        self.undo_button.setEnabled(has_ink)
        self.clear_button.setEnabled(has_ink)

    @Slot()
    def on_confirm(self) -> None:
        if not self.can_confirm():
            return
        pad = self.pad
        self._captured = CapturedSignature(
            signer=self.signer.text().strip(),
            strokes=pad.strokes(),
            png=pad.to_png(),
            width=pad.width(),
            height=pad.height(),
        )
        self.accept()

    @Slot()
    def reject(self) -> None:
        self._captured = None
        super().reject()
