"""Every user-visible text can follow a language switch: it goes through ``_()`` and is looked up when it
is shown, never once at import time (a module-level table of ``_()`` strings would keep the language
the program started in forever).

Read from the source with ``ast``: a string with Chinese in it that is not the argument of ``_()`` is
user-visible text that no catalogue can translate. Strings that are data, not text for people (search
patterns, words looked for in what people typed, a ruled line, a code-point notation) carry a
``# not translated`` comment on their line or the line above.
"""

from __future__ import annotations

import ast
import gettext
import re
from pathlib import Path

import pytest

from kesu_desktop import i18n

PACKAGE = Path(__file__).resolve().parents[1] / "kesu_desktop"
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
#: Developer tools and migrations are not the product's user interface.
SKIPPED = ("devtools", "migrations")


def product_modules() -> list[Path]:
    return [p for p in sorted(PACKAGE.rglob("*.py")) if not any(part in SKIPPED for part in p.parts)]


def _docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0] if node.body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def marked(lines: list[str], lineno: int) -> bool:
    """A ``# not translated`` comment on the string's line or the line above."""
    return any("# not translated" in line for line in lines[max(lineno - 2, 0) : lineno])


def _is_translation_call(node: ast.AST) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "_"


def findings(path: Path) -> tuple[list[int], list[tuple[int, str]]]:
    """(lines where ``_()`` runs at import time, (line, text) of Chinese strings outside ``_()``)."""
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    tree = ast.parse(source)
    docstrings = _docstrings(tree)
    eager: list[int] = []
    bare: list[tuple[int, str]] = []

    def visit(node: ast.AST, in_function: bool, in_translation: bool) -> None:
        for child in ast.iter_child_nodes(node):
            function = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
            translation = in_translation
            if _is_translation_call(child):
                translation = True
                if not in_function:
                    eager.append(child.lineno)
            if (
                isinstance(child, ast.Constant)
                and isinstance(child.value, str)
                and CJK.search(child.value)
                and not translation
                and id(child) not in docstrings
                and not marked(lines, child.lineno)
            ):
                bare.append((child.lineno, child.value[:30]))
            visit(child, function, translation)

    visit(tree, False, False)
    return eager, bare


@pytest.mark.parametrize("path", product_modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_texts_go_through_translation_when_shown(path: Path) -> None:
    eager, bare = findings(path)
    assert not eager, f"_() evaluated at import time on lines {eager}: make it a function or property"
    assert not bare, f"user-visible text outside _(): {bare}"


def test_a_label_follows_the_active_catalogue() -> None:
    """The enum labels and a table that used to be built at import time both change with the language."""
    from kesu_desktop.domain.defaults import categories
    from kesu_desktop.domain.enums import Severity

    class Upper(gettext.NullTranslations):
        def gettext(self, message: str) -> str:
            return f"«{message}»"

    i18n.install(Upper())
    try:
        assert Severity.MAJOR.label == "«重大»"
        assert categories()[0].name == "«产品质量»"
    finally:
        i18n.install(gettext.NullTranslations())
    assert Severity.MAJOR.label == "重大"
