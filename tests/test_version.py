"""One version number, ``pyproject.toml``'s: the package, ``kesu --version`` and ``kesu-desk --version``
(and through ``__version__`` the 关于 dialog) all show it."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import kesu_desktop

ROOT = Path(__file__).resolve().parents[1]


def _pyproject_version() -> str:
    with (ROOT / "pyproject.toml").open("rb") as f:
        return tomllib.load(f)["project"]["version"]


def test_the_package_version_is_the_pyprojects() -> None:
    assert kesu_desktop.__version__ == kesu_desktop.read_version() == _pyproject_version()


def test_kesu_and_kesu_desk_print_it(tmp_path: Path) -> None:
    version = _pyproject_version()
    for command, name in (
        ([sys.executable, "-m", "kesu_desktop"], "kesu"),
        ([sys.executable, "main.py"], "kesu-desk"),
    ):
        proc = subprocess.run(
            [*command, "--version"],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=60,
            env={"PATH": "/usr/bin:/bin", "KESU_DATA_DIR": str(tmp_path), "QT_QPA_PLATFORM": "offscreen"},
        )
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout.strip() == f"{name} {version}"
