"""``main.py --selftest`` (kesu_desktop/selftest.py): passes on a working checkout, and each of its
checks fails when what it guards is missing, with one ``FAIL`` line and exit 1, not a traceback.

Run in subprocesses, as CI and a counter PC run it: the self-test owns its QApplication and its
environment (offscreen platform, temporary data folder, no keyring).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STEPS = ("database", "setup", "register", "receipt", "pdfium", "window", "glyphs")


def _run(tmp_path: Path, *args: str, probe: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KESU_")}
    env.update(QT_QPA_PLATFORM="offscreen", KESU_LANG="zh_CN", TMPDIR=str(tmp_path))
    command = [sys.executable, "-c", probe, *args] if probe else [sys.executable, "main.py", *args]
    return subprocess.run(
        command, capture_output=True, text=True, encoding="utf-8", env=env, cwd=ROOT, timeout=180
    )


def test_the_selftest_passes_with_one_line_per_step_and_leaves_nothing_behind(tmp_path: Path) -> None:
    proc = _run(tmp_path, "--selftest")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("kesu-desk ") and lines[0].endswith(" selftest")
    assert [line.split(":")[0] for line in lines[1:-1]] == [f"ok {step}" for step in STEPS]
    assert "WenQuanYi Micro Hei" in lines[-2]
    assert "Traceback" not in proc.stderr
    assert not list(tmp_path.glob("kesu-selftest-*")), "the temporary folder is removed after a pass"


_WITHOUT_FONT = """
import sys
from kesu_desktop import app
import kesu_desktop.ui.base.fonts as fonts
fonts.resources_dir = lambda: __import__("pathlib").Path(sys.argv[1])
raise SystemExit(app.main(["--selftest"]))
"""


def test_without_the_bundled_font_it_fails_before_drawing(tmp_path: Path) -> None:
    proc = _run(tmp_path, str(tmp_path / "no-resources"), probe=_WITHOUT_FONT)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert proc.stdout.splitlines()[-1].startswith("FAIL font: ")
    assert "Traceback" not in proc.stdout + proc.stderr


#: A character of CJK extension B, which WenQuanYi Micro Hei does not have: drawn by a system
#: fallback font if the machine has one (fonts-hanazono here), else as a box. Either way not ours.
_FOREIGN_GLYPH = """
from kesu_desktop import app, selftest
selftest.COMPLAINT["description"] += "\\U00020000"
selftest.STEPS = [s for s in selftest.STEPS if s[0] not in ("receipt", "pdfium")]
raise SystemExit(app.main(["--selftest"]))
"""


def test_a_character_the_bundled_font_lacks_fails_the_glyph_check(tmp_path: Path) -> None:
    proc = _run(tmp_path, probe=_FOREIGN_GLYPH)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[-2].startswith("FAIL glyphs: ") and "\U00020000" in lines[-2], lines
    assert "ok window: " in proc.stdout
    kept = list(tmp_path.glob("kesu-selftest-*"))
    assert len(kept) == 1 and str(kept[0]) in lines[-1], "a failed run keeps its folder and names it"
    assert "Traceback" not in proc.stdout + proc.stderr
