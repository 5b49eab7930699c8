"""The packaging files (build.spec, scripts/build.sh, scripts/build-deb.sh) agree with the code.

The bundle itself is built and self-tested by ``scripts/build.sh`` (minutes, so not here); these are
the cheap checks that catch the mistakes a build would only show on a counter PC: a Qt module the
code started importing that the spec's allow-list leaves out (printing that silently does nothing),
a Linux path in the spec that every platform shares, and the menu entry's Chinese name.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "build.spec"


def _spec_constant(name: str) -> object:
    for node in ast.parse(SPEC.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == name for t in node.targets):
            return ast.literal_eval(node.value)
    raise AssertionError(f"build.spec has no {name}")


def _qt_modules_imported() -> set[str]:
    found: set[str] = set()
    for path in (ROOT / "kesu_desktop").rglob("*.py"):
        found |= set(re.findall(r"PySide6\.(Qt\w+)", path.read_text(encoding="utf-8")))
    return found


def test_the_qt_allow_list_is_exactly_what_the_product_imports() -> None:
    assert _spec_constant("QT_ALLOWED") == _qt_modules_imported()
    assert "QtPrintSupport" in _spec_constant("QT_ALLOWED")


def test_the_spec_names_no_platform_specific_path() -> None:
    text = SPEC.read_text(encoding="utf-8")
    code = "\n".join(line.split("#", 1)[0] for line in text.splitlines())
    assert not re.search(r"""["'](/usr|/opt|/lib|/etc|[A-Za-z]:\\)""", code)
    assert "\\\\" not in code and ".so" not in code and ".dll" not in code


def test_the_menu_entry_has_the_chinese_name_and_the_icon_is_shipped() -> None:
    deb = (ROOT / "scripts" / "build-deb.sh").read_text(encoding="utf-8")
    assert "Name[zh_CN]=客诉台" in deb and "Name[zh_TW]=客訴台" in deb and "Icon=kesu-desk" in deb
    assert (ROOT / "resources" / "icons" / "kesu-desk.svg").is_file()
