"""The fonts printed documents use, and what happens to characters a font does not have.

ReportLab embeds (and subsets) TrueType-outline fonts only, so the bundled WenQuanYi Micro Hei is the
body font. It covers the common CJK block but not rare characters (CJK extensions A and B, which turn
up in people's names). Those are drawn from a second font when one is found — Hanazono (Debian
``fonts-hanazono``) or SimSun-ExtB on Windows, or any TrueType file named in ``KESU_FALLBACK_FONTS`` —
and otherwise reported before anything is printed: a paper with a silent blank box in a customer's name
is worse than no paper.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics, ttfonts
from reportlab.pdfbase.ttfonts import TTFont

from kesu_desktop.domain.errors import KesuError
from kesu_desktop.i18n import _, join_items, with_note
from kesu_desktop.paths import resources_dir

BODY = "KesuSans"
_SYSTEM_FALLBACKS = (
    "/usr/share/fonts/truetype/hanazono/HanaMinA.ttf",
    "/usr/share/fonts/truetype/hanazono/HanaMinB.ttf",
    "C:/Windows/Fonts/simsunb.ttf",
    "/System/Library/Fonts/Supplemental/Songti.ttc",
)
#: Characters that never need a glyph (layout only).
_LAYOUT = frozenset("\n\r\t ")


_reportlab_cmap = ttfonts.makeToUnicodeCMap


def _to_unicode_cmap(fontname: str, subset: list[int]) -> str:
    """ReportLab's ToUnicode map, with characters beyond the BMP written as UTF-16 (surrogate pairs).

    ReportLab writes them as bare code points (``<20000>``), which text extraction, search and
    copy-paste in PDF readers reject, so exactly the rare characters of a name would be lost from the
    archived letter's text. The glyphs themselves were always drawn; only the map is rewritten.
    """
    cmap = _reportlab_cmap(fontname, subset)
    for code in subset:
        if code > 0xFFFF:
            utf16 = chr(code).encode("utf-16-be").hex().upper()
            cmap = cmap.replace(f" <{code:04X}>\n", f" <{utf16}>\n")
    return cmap


ttfonts.makeToUnicodeCMap = _to_unicode_cmap


class MissingGlyphs(KesuError):
    """Characters no print font can draw; printing waits for the user's word."""

    def __init__(self, chars: Iterable[str]) -> None:
        self.chars = sorted(set(chars))
        shown = join_items(with_note(c, f"U+{ord(c):04X}") for c in self.chars[:12])
        more = _("等 {n} 个").format(n=len(self.chars)) if len(self.chars) > 12 else ""
        super().__init__(
            _("打印字体缺少以下字符：{chars}{more}。继续打印时这些字符将印成〔U+编码〕形式。").format(
                chars=shown, more=more
            )
        )


def placeholder(char: str) -> str:
    """How a character without a glyph is printed when the user accepts that: visible, and exact."""
    return f"〔U+{ord(char):04X}〕"  # not translated: a code point, the same in every language


@dataclass
class _Face:
    name: str
    path: str
    index: int = 0
    chars: frozenset[int] = field(default_factory=frozenset)
    loaded: bool = False


class FontSet:
    """The body font plus fallbacks, registered with ReportLab once per process (registration is global)."""

    def __init__(self, body: Path, fallbacks: list[Path]) -> None:
        self._lock = threading.Lock()
        self._body = self._register(_Face(BODY, str(body), 0))
        self._fallbacks = [_Face(f"KesuFallback{i}", str(p)) for i, p in enumerate(fallbacks)]
        self._where: dict[str, str | None] = {}

    @staticmethod
    def _register(face: _Face) -> _Face:
        font = TTFont(face.name, face.path, subfontIndex=face.index)
        pdfmetrics.registerFont(font)
        # WenQuanYi has no bold face: bold text uses the same outlines (headings are set larger instead).
        for bold in (0, 1):
            for italic in (0, 1):
                addMapping(face.name, bold, italic, face.name)
        face.chars = frozenset(font.face.charToGlyph)
        face.loaded = True
        return face

    def font_for(self, char: str) -> str | None:
        """The name of the first font that has ``char``, or None. Fallbacks load only when needed."""
        if char in _LAYOUT or ord(char) in self._body.chars:
            return BODY
        with self._lock:
            if char in self._where:
                return self._where[char]
            found = None
            for face in self._fallbacks:
                if not face.loaded:
                    try:
                        self._register(face)
                    except Exception:  # an unreadable or CFF font: skip it, the body font still works
                        face.loaded, face.chars = True, frozenset()
                if ord(char) in face.chars:
                    found = face.name
                    break
            self._where[char] = found
            return found

    def markup(self, text: str, missing: set[str]) -> str:
        """``text`` as Paragraph markup: escaped, line breaks kept, rare characters in a fallback font.

        Characters no font has are printed as placeholders and added to ``missing``, so the caller can
        refuse the whole document (or print it, when the user has accepted that) after one pass.
        """
        out: list[str] = []
        for ch in text:
            if ch == "\n":
                out.append("<br/>")
                continue
            name = self.font_for(ch)
            if name == BODY:
                out.append(escape(ch))
            elif name is not None:
                out.append(f'<font name="{name}">{escape(ch)}</font>')
            else:
                missing.add(ch)
                out.append(placeholder(ch))
        return "".join(out)

    def plain(self, text: str, missing: set[str]) -> str:
        """For canvas strings, drawn in the body font only: what it lacks becomes a placeholder."""
        out = []
        for ch in text:
            if ch in _LAYOUT or ord(ch) in self._body.chars:
                out.append(ch)
            else:
                missing.add(ch)
                out.append(placeholder(ch))
        return "".join(out)


_fonts: FontSet | None = None
_fonts_lock = threading.Lock()


def fallback_paths() -> list[Path]:
    """``KESU_FALLBACK_FONTS`` (paths separated by os.pathsep) first, then the known system fonts."""
    named = [Path(p) for p in os.environ.get("KESU_FALLBACK_FONTS", "").split(os.pathsep) if p.strip()]
    return [p for p in [*named, *map(Path, _SYSTEM_FALLBACKS)] if p.is_file()]


def fonts() -> FontSet:
    global _fonts
    with _fonts_lock:
        if _fonts is None:
            _fonts = FontSet(resources_dir() / "fonts" / "wqy-microhei.ttc", fallback_paths())
        return _fonts
