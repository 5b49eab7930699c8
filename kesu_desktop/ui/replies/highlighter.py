"""Forbidden phrases underlined as they are typed, in the reply editor and the approval queue.

Why a syntax highlighter: it re-checks only the paragraph being edited, so typing stays instant however
long the reply is, and the underline is a display format that never changes the text itself. The words
come from ``services.find_forbidden``, the same check ``services.submit_reply`` applies, so what is
underlined is exactly what would be refused. A phrase split across two paragraphs is not underlined (a
block is one paragraph); the counter and the service check the whole text.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QObject, QPoint
from PySide6.QtGui import QColor, QHelpEvent, QSyntaxHighlighter, QTextCharFormat, QTextDocument
from PySide6.QtWidgets import QPlainTextEdit, QTextEdit, QToolTip

from kesu_desktop.i18n import _
from kesu_desktop.services import Finding, ForbiddenPhrase, find_forbidden

UNDERLINE_COLOR = QColor("#d32f2f")
#: A faint tint as well: a 1-pixel wave under small CJK glyphs is easy to miss on a counter screen.
TINT_COLOR = QColor("#fdecea")


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _to_utf16(text: str, index: int) -> int:
    """Qt counts positions in UTF-16 units, Python in code points; they differ only past U+FFFF."""
    return _utf16_len(text[:index]) if any(ord(c) > 0xFFFF for c in text) else index


def _from_utf16(text: str, offset: int) -> int:
    if not any(ord(c) > 0xFFFF for c in text):
        return offset
    units = 0
    for index, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > offset:
            return index
    return len(text)


def forbidden_format() -> QTextCharFormat:
    """The spell-checker's red wavy underline: every user already reads it as "look at this word"."""
    fmt = QTextCharFormat()
    fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.SpellCheckUnderline)
    fmt.setUnderlineColor(UNDERLINE_COLOR)
    fmt.setBackground(TINT_COLOR)
    return fmt


class ForbiddenPhraseHighlighter(QSyntaxHighlighter):
    """Underlines each occurrence of a forbidden phrase in ``document``."""

    def __init__(self, document: QTextDocument, phrases: Sequence[ForbiddenPhrase] = ()) -> None:
        super().__init__(document)
        self._phrases: list[ForbiddenPhrase] = list(phrases)
        self._format = forbidden_format()

    @property
    def phrases(self) -> list[ForbiddenPhrase]:
        return list(self._phrases)

    def set_phrases(self, phrases: Sequence[ForbiddenPhrase]) -> None:
        """Replace the list (an admin may have edited it) and re-mark the whole document."""
        self._phrases = list(phrases)
        self.rehighlight()

    def highlightBlock(self, text: str) -> None:
        for finding in find_forbidden(text, self._phrases):
            start = _to_utf16(text, finding.start)
            self.setFormat(start, _to_utf16(text, finding.end) - start, self._format)

    def findings_at(self, position: int) -> ForbiddenPhrase | None:
        """The forbidden phrase covering the character at document ``position`` (for the tooltip)."""
        document = self.document()
        if document is None:
            return None
        block = document.findBlock(position)
        if not block.isValid():
            return None
        text = block.text()
        index = _from_utf16(text, position - block.position())
        hits = [f for f in find_forbidden(text, self._phrases) if f.start <= index < f.end]
        return max(hits, key=lambda f: f.end - f.start).phrase if hits else None

    def findings(self) -> list[Finding]:
        """Every forbidden phrase in the whole text, as the service will see it on submission."""
        document = self.document()
        return find_forbidden(document.toPlainText(), self._phrases) if document is not None else []


class ForbiddenTooltip(QObject):
    """Hovering an underlined phrase shows what to say instead ("禁用语：X — 建议：Y").

    An event filter on the editor's viewport, so it works for any ``QPlainTextEdit``/``QTextEdit`` the
    highlighter is attached to, editable or read-only.
    """

    def __init__(self, editor: QPlainTextEdit | QTextEdit, highlighter: ForbiddenPhraseHighlighter) -> None:
        super().__init__(editor)
        self._editor, self._highlighter = editor, highlighter
        editor.viewport().installEventFilter(self)

    def phrase_at(self, point: QPoint) -> ForbiddenPhrase | None:
        """The phrase under the viewport ``point``: the character left or right of the nearest gap."""
        cursor = self._editor.cursorForPosition(point)
        position = cursor.position()
        # cursorForPosition gives the nearest gap between characters; the one under the mouse is to its
        # left when that gap lies right of the mouse.
        if position > 0 and self._editor.cursorRect(cursor).center().x() > point.x():
            position -= 1
        return self._highlighter.findings_at(position)

    def text_at(self, point: QPoint) -> str:
        phrase = self.phrase_at(point)
        if phrase is None:
            return ""
        return _("禁用语：{text} — 建议：{suggestion}").format(text=phrase.text, suggestion=phrase.suggestion)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.ToolTip or not isinstance(event, QHelpEvent):
            return False
        text = self.text_at(event.pos())
        if text:
            QToolTip.showText(event.globalPos(), text, self._editor.viewport())
        else:
            QToolTip.hideText()
            event.ignore()
        return True
