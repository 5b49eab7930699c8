"""File dialogs that open in the user's documents folder and speak the app's language.

Qt's own dialog is used, not the platform's: on Linux the native (GTK) dialog takes the desktop
session's language, so a counter PC set up in English showed English labels around our Chinese
screens; Qt's dialog follows the translator the app installs (qtbase_zh_CN). The folder last used is
remembered per kind of file (evidence, letters, certificates), because the next file usually sits
beside the last one.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, QStandardPaths
from PySide6.QtWidgets import QFileDialog, QWidget

_OPTIONS = QFileDialog.Option.DontUseNativeDialog


def documents_folder() -> str:
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return documents or str(Path.home())


def _key(kind: str) -> str:
    return f"file_dialogs/{kind}"


def start_folder(kind: str) -> str:
    """Where a dialog for ``kind`` opens: the folder last used for it, else the documents folder."""
    saved = QSettings().value(_key(kind), "")
    return str(saved) if saved and Path(str(saved)).is_dir() else documents_folder()


def remember_folder(kind: str, path: str | Path) -> None:
    QSettings().setValue(_key(kind), str(Path(path).parent))


def choose_open_files(parent: QWidget | None, title: str, kind: str, filters: str = "") -> list[str]:
    start = start_folder(kind)
    files, _filter = QFileDialog.getOpenFileNames(parent, title, start, filters, options=_OPTIONS)
    if files:
        remember_folder(kind, files[0])
    return list(files)


def choose_open_file(parent: QWidget | None, title: str, kind: str, filters: str = "") -> str | None:
    path, _filter = QFileDialog.getOpenFileName(parent, title, start_folder(kind), filters, options=_OPTIONS)
    if path:
        remember_folder(kind, path)
    return path or None


def choose_save_path(
    parent: QWidget | None, title: str, kind: str, suggested_name: str, filters: str = ""
) -> str | None:
    """The path to write, or None; Qt's dialog asks before replacing an existing file."""
    start = str(Path(start_folder(kind)) / suggested_name)
    path, _filter = QFileDialog.getSaveFileName(parent, title, start, filters, options=_OPTIONS)
    if path:
        remember_folder(kind, path)
    return path or None
