"""The real process, as the README runs it: screenshot mode and a clear one-line start-up error."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtGui import QImage

from kesu_desktop import services
from tests.helpers.ui import ADMIN_PASSWORD

REPO = Path(__file__).resolve().parents[2]


def run_app(args: list[str], data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", KESU_PASSWORD=ADMIN_PASSWORD)
    env["KESU_DATA_DIR"] = str(data_dir)
    env.pop("KESU_DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, str(REPO / "main.py"), *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )


def test_screenshot_mode_writes_the_main_window(
    db_file: Path, data_dir: Path, three_cases: list[services.CaseView], seeded_desk: services.Desk
) -> None:
    seeded_desk.close()
    out = data_dir / "shots"
    args = ["--db", f"sqlite:///{db_file}", "--user", "admin", "--screenshot", str(out)]
    result = run_app([*args, "--size", "1280x720", "--layout", "registration"], data_dir)

    assert result.returncode == 0, result.stderr
    png = out / "main-registration-1280x720.png"
    image = QImage(str(png))
    assert (image.width(), image.height()) == (1280, 720)
    assert png.stat().st_size > 10_000  # a rendered table and text, not an empty frame


def test_a_malformed_screenshot_size_is_a_usage_error(data_dir: Path) -> None:
    result = run_app(["--screenshot", str(data_dir / "shots"), "--size", "wide"], data_dir)
    assert result.returncode == 2
    assert "宽x高" in result.stderr and "Traceback" not in result.stderr
    assert not (data_dir / "shots").exists()


def test_bad_database_url_exits_1_with_one_line_and_no_traceback(data_dir: Path) -> None:
    shots = data_dir / "shots"
    result = run_app(["--db", "mysql://x", "--user", "admin", "--screenshot", str(shots)], data_dir)

    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "mysql" in lines[0] and "sqlite:///" in lines[0]
    assert "Traceback" not in result.stderr
    assert not (shots / "main.png").exists()
