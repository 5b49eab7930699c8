"""The signature pad and its dialog, signed with a mouse, a pen and a finger as a customer would."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QImage, QInputDevice, QPointingDevice, QTabletEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from kesu_desktop.ui.base.fonts import register_bundled_font
from kesu_desktop.ui.printing.signature_pad import INK, CapturedSignature, SignatureDialog, SignaturePad
from tests.helpers.ui import type_chinese

ZIGZAG = [QPoint(60 + 25 * i, 80 + (20 if i % 2 else -20)) for i in range(8)]
LOOP = [QPoint(380 + dx, 100 + dy) for dx, dy in ((0, 0), (30, -30), (60, 0), (30, 30), (0, 0), (90, 10))]


@pytest.fixture
def pad(qtbot: QtBot) -> SignaturePad:
    widget = SignaturePad()
    qtbot.addWidget(widget)
    widget.resize(600, 220)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


@pytest.fixture
def dialog(qtbot: QtBot) -> SignatureDialog:
    widget = SignatureDialog("受理回执 · 20261122-BJ01-CS-0007", signer="张三")
    qtbot.addWidget(widget)
    widget.resize(640, 380)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


@pytest.fixture
def chinese_font() -> Iterator[None]:
    """The bundled font, as the app registers it, so the screenshot shows Chinese and not boxes."""
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    before = app.font()
    assert register_bundled_font(app)
    yield
    app.setFont(before)


def drag(widget: QWidget, points: Sequence[QPoint], *, pause_ms: int = 0) -> None:
    """Press at the first point, move through the rest with the button held, release at the last."""
    QTest.mousePress(widget, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, points[0])
    for point in points[1:]:
        if pause_ms:
            QTest.qWait(pause_ms)
        QTest.mouseMove(widget, point)
    QTest.mouseRelease(widget, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, points[-1])


def stylus() -> QPointingDevice:
    caps = QInputDevice.Capability.Position | QInputDevice.Capability.Pressure
    return QPointingDevice(
        "test stylus", 4711, QInputDevice.DeviceType.Stylus, QPointingDevice.PointerType.Pen, caps, 1, 2
    )


def send_tablet(
    widget: QWidget, device: QPointingDevice, kind: QEvent.Type, pos: QPointF, pressure: float
) -> bool:
    down = kind != QEvent.Type.TabletRelease
    button = Qt.MouseButton.NoButton if kind == QEvent.Type.TabletMove else Qt.MouseButton.LeftButton
    buttons = Qt.MouseButton.LeftButton if down else Qt.MouseButton.NoButton
    event = QTabletEvent(
        kind, device, pos, widget.mapToGlobal(pos), pressure, 0.0, 0.0, 0.0, 0.0, 0.0,
        Qt.KeyboardModifier.NoModifier, button, buttons,
    )  # fmt: skip
    QApplication.sendEvent(widget, event)
    return event.isAccepted()


def decode(png: bytes) -> QImage:
    image = QImage()
    assert image.loadFromData(png, "PNG")
    return image.convertToFormat(QImage.Format.Format_ARGB32)


def ink_pixels(image: QImage) -> int:
    """Opaque, dark pixels: what a reader of the printed letter would see as ink."""
    count = 0
    for y in range(0, image.height(), 2):
        for x in range(0, image.width(), 2):
            c = image.pixelColor(x, y)
            if c.alpha() > 200 and c.lightness() < 100:
                count += 1
    return count


def test_an_empty_pad_shows_the_hint_and_nothing_to_export(pad: SignaturePad) -> None:
    assert pad.is_empty()
    assert pad.strokes() == []
    assert pad.minimumWidth() >= 480 and pad.minimumHeight() >= 180
    shot = pad.grab().toImage()
    assert shot.pixelColor(5, 5) == QColor("white")
    hint_area = [shot.pixelColor(x, y) for x in range(200, 400, 2) for y in range(50, 110, 2)]
    assert any(c != QColor("white") for c in hint_area)  # the faint "请在此处签名"
    with pytest.raises(ValueError):
        pad.to_png()


def test_one_drag_is_one_stroke_of_mouse_points(qtbot: QtBot, pad: SignaturePad) -> None:
    with qtbot.waitSignal(pad.sig_changed, timeout=1000):
        drag(pad, ZIGZAG, pause_ms=5)
    strokes = pad.strokes()
    assert len(strokes) == 1
    stroke = strokes[0]
    assert len(stroke) == len(ZIGZAG)
    assert [(x, y) for x, y, _p, _t in stroke] == [(float(p.x()), float(p.y())) for p in ZIGZAG]
    assert {p for _x, _y, p, _t in stroke} == {0.5}
    times = [t for *_rest, t in stroke]
    assert times[0] == 0 and times == sorted(times) and times[-1] >= 25
    assert not pad.is_empty()


def test_ink_appears_on_the_pad_where_it_was_drawn(pad: SignaturePad) -> None:
    drag(pad, [QPoint(100, 150), QPoint(300, 150)])
    shot = pad.grab().toImage()
    assert shot.pixelColor(200, 150).lightness() < 100
    hint_area = [shot.pixelColor(x, y) for x in range(200, 400, 2) for y in range(50, 110, 2)]
    assert all(c == QColor("white") for c in hint_area)  # the hint goes once there is ink


def test_two_drags_undo_and_clear(qtbot: QtBot, pad: SignaturePad) -> None:
    drag(pad, ZIGZAG)
    drag(pad, LOOP)
    assert [len(s) for s in pad.strokes()] == [len(ZIGZAG), len(LOOP)]
    later = pad.strokes()[1]
    assert later[0][3] >= pad.strokes()[0][-1][3]  # one clock for the whole signature

    with qtbot.waitSignal(pad.sig_changed, timeout=1000):
        pad.undo()
    assert [len(s) for s in pad.strokes()] == [len(ZIGZAG)]

    drag(pad, LOOP)
    with qtbot.waitSignal(pad.sig_changed, timeout=1000):
        pad.clear()
    assert pad.is_empty() and pad.strokes() == []
    with qtbot.assertNotEmitted(pad.sig_changed):
        pad.undo()  # nothing left to undo: no change, no signal


def test_a_tap_is_a_dot(pad: SignaturePad) -> None:
    QTest.mouseClick(pad, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QPoint(120, 90))
    assert pad.strokes() == [[(120.0, 90.0, 0.5, 0)]]
    assert pad.grab().toImage().pixelColor(120, 90).lightness() < 100
    assert ink_pixels(decode(pad.to_png())) > 0


def test_a_line_dragged_off_the_pad_stops_at_its_edge(pad: SignaturePad) -> None:
    drag(pad, [QPoint(500, 100), QPoint(700, 100), QPoint(700, 400)])
    for x, y, _p, _t in pad.strokes()[0]:
        assert 0 <= x < pad.width() and 0 <= y < pad.height()


def test_a_pen_records_its_pressure_and_makes_no_second_mouse_stroke(qtbot: QtBot, pad: SignaturePad) -> None:
    pen = stylus()
    with qtbot.waitSignal(pad.sig_changed, timeout=1000):
        assert send_tablet(pad, pen, QEvent.Type.TabletPress, QPointF(100.5, 80.25), 0.9)
        assert send_tablet(pad, pen, QEvent.Type.TabletMove, QPointF(140.0, 90.0), 0.9)
        assert send_tablet(pad, pen, QEvent.Type.TabletMove, QPointF(180.0, 95.0), 0.3)
        assert send_tablet(pad, pen, QEvent.Type.TabletRelease, QPointF(180.0, 95.0), 0.0)
    assert len(pad.strokes()) == 1
    stroke = pad.strokes()[0]
    assert [(x, y, p) for x, y, p, _t in stroke] == [
        (100.5, 80.25, 0.9),
        (140.0, 90.0, 0.9),
        (180.0, 95.0, 0.3),
    ]
    assert send_tablet(pad, pen, QEvent.Type.TabletMove, QPointF(300.0, 50.0), 0.0)  # hovering: no ink
    assert len(pad.strokes()) == 1 and len(pad.strokes()[0]) == 3


def test_a_finger_draws_one_stroke(qtbot: QtBot, pad: SignaturePad) -> None:
    screen = QTest.createTouchDevice()
    path = [QPoint(100, 100), QPoint(130, 110), QPoint(160, 105), QPoint(190, 120)]
    with qtbot.waitSignal(pad.sig_changed, timeout=1000):
        QTest.touchEvent(pad, screen).press(0, path[0], pad).commit()
        for point in path[1:]:
            QTest.touchEvent(pad, screen).move(0, point, pad).commit()
        QTest.touchEvent(pad, screen).release(0, path[-1], pad).commit()
    strokes = pad.strokes()
    assert len(strokes) == 1  # not a second stroke from mouse events made out of the touch
    assert [(x, y, p) for x, y, p, _t in strokes[0]] == [(float(q.x()), float(q.y()), 0.5) for q in path]


def test_two_fingers_at_once_draw_nothing(pad: SignaturePad) -> None:
    screen = QTest.createTouchDevice()
    QTest.touchEvent(pad, screen).press(0, QPoint(100, 100), pad).press(1, QPoint(300, 100), pad).commit()
    QTest.touchEvent(pad, screen).move(0, QPoint(120, 120), pad).move(1, QPoint(320, 120), pad).commit()
    QTest.touchEvent(pad, screen).release(0, QPoint(120, 120), pad).release(1, QPoint(320, 120), pad).commit()
    assert pad.is_empty()


def test_the_png_is_ink_on_transparent(pad: SignaturePad) -> None:
    drag(pad, ZIGZAG)
    drag(pad, LOOP)
    png = pad.to_png()
    assert png.startswith(b"\x89PNG")
    image = decode(png)
    assert (image.width(), image.height()) == (600, 200)
    assert ink_pixels(image) > 50
    for x, y in ((0, 0), (599, 0), (0, 199), (599, 199)):
        assert image.pixelColor(x, y).alpha() == 0  # lays over a printed letter without a white box
    opaque = Counter(
        image.pixel(x, y) for y in range(200) for x in range(600) if image.pixel(x, y) >> 24 == 255
    )
    assert opaque.most_common(1)[0][0] == INK.rgba()  # dark blue ink, not black or grey

    small = decode(pad.to_png(300, 300))
    assert (small.width(), small.height()) == (300, 300)
    assert ink_pixels(small) > 20
    assert small.pixelColor(150, 0).alpha() == 0  # wide signature in a square: centred, empty above


def test_confirm_needs_ink_and_a_name(qtbot: QtBot) -> None:
    dialog = SignatureDialog("受理回执 · 20261122-BJ01-CS-0007")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.windowTitle() == "客户签名"
    assert dialog.caption.text() == "受理回执 · 20261122-BJ01-CS-0007"
    assert not dialog.confirm_button.isEnabled()
    assert not dialog.undo_button.isEnabled() and not dialog.clear_button.isEnabled()

    drag(dialog.pad, ZIGZAG)
    assert not dialog.confirm_button.isEnabled()  # ink but no name
    assert dialog.undo_button.isEnabled() and dialog.clear_button.isEnabled()
    type_chinese(dialog.signer, "李四")
    assert dialog.confirm_button.isEnabled()
    dialog.signer.setText("   ")
    assert not dialog.confirm_button.isEnabled()  # blank is no name
    dialog.signer.setText("李四")
    qtbot.mouseClick(dialog.clear_button, Qt.MouseButton.LeftButton)
    assert dialog.pad.is_empty() and not dialog.confirm_button.isEnabled()

    QTest.keyClick(dialog.signer, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert dialog.isVisible() and dialog.captured() is None  # Ctrl+Enter does nothing while disabled


def test_confirm_hands_on_name_strokes_and_png(qtbot: QtBot, dialog: SignatureDialog) -> None:
    assert dialog.signer.text() == "张三"
    drag(dialog.pad, ZIGZAG)
    drag(dialog.pad, LOOP)
    strokes = dialog.pad.strokes()
    with qtbot.waitSignal(dialog.accepted, timeout=1000):
        qtbot.mouseClick(dialog.confirm_button, Qt.MouseButton.LeftButton)
    captured = dialog.captured()
    assert isinstance(captured, CapturedSignature)
    assert captured.signer == "张三"
    assert captured.strokes == strokes
    assert (captured.width, captured.height) == (dialog.pad.width(), dialog.pad.height())
    assert captured.png.startswith(b"\x89PNG") and ink_pixels(decode(captured.png)) > 50


def test_ctrl_z_undoes_and_ctrl_enter_confirms(qtbot: QtBot, dialog: SignatureDialog) -> None:
    drag(dialog.pad, ZIGZAG)
    drag(dialog.pad, LOOP)
    assert dialog.pad.hasFocus()  # signing puts the focus on the pad, so Ctrl+Z is about the ink
    QTest.keyClick(dialog.pad, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert len(dialog.pad.strokes()) == 1
    qtbot.mouseClick(dialog.undo_button, Qt.MouseButton.LeftButton)
    assert dialog.pad.is_empty()
    drag(dialog.pad, LOOP)
    with qtbot.waitSignal(dialog.accepted, timeout=1000):
        QTest.keyClick(dialog.pad, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    captured = dialog.captured()
    assert captured is not None and len(captured.strokes) == 1


def test_escape_cancels_without_a_signature(qtbot: QtBot, dialog: SignatureDialog) -> None:
    drag(dialog.pad, ZIGZAG)
    with qtbot.waitSignal(dialog.rejected, timeout=1000):
        QTest.keyClick(dialog.pad, Qt.Key.Key_Escape)
    assert dialog.captured() is None


def test_screenshot_of_a_signed_dialog(qtbot: QtBot, chinese_font: None, tmp_path: Path) -> None:
    """What the counter sees after signing (also how docs/signature-pad.png is made): ink on the pad."""
    dialog = SignatureDialog("受理回执 · 20261122-BJ01-CS-0007", signer="王五")
    qtbot.addWidget(dialog)
    dialog.resize(640, 380)
    dialog.show()
    qtbot.waitExposed(dialog)
    pad = dialog.pad
    w, h = pad.width(), pad.height()
    drag(
        pad, [QPoint(int(w * (0.12 + 0.05 * i)), int(h * (0.55 - (0.18 if i % 2 else 0)))) for i in range(7)]
    )
    drag(pad, [QPoint(int(w * (0.55 + 0.04 * i)), int(h * (0.35 + 0.05 * (i % 3)))) for i in range(8)])
    pen = stylus()
    send_tablet(pad, pen, QEvent.Type.TabletPress, QPointF(w * 0.1, h * 0.66), 0.2)
    for i in range(1, 10):
        send_tablet(pad, pen, QEvent.Type.TabletMove, QPointF(w * (0.1 + 0.08 * i), h * 0.66), i / 10)
    send_tablet(pad, pen, QEvent.Type.TabletRelease, QPointF(w * 0.82, h * 0.66), 0.0)
    shot = dialog.grab()
    assert shot.save(str(tmp_path / "signature_dialog.png"))
    image = shot.toImage()
    area = pad.geometry()
    ink = sum(
        1
        for x in range(area.left(), area.right(), 2)
        for y in range(area.top(), area.bottom(), 2)
        if image.pixelColor(x, y).lightness() < 100
    )
    assert ink > 50, ink  # the strokes are drawn where the customer signed
