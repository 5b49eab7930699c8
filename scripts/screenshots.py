"""Render the main window in each layout at counter and office screen sizes into docs/, to look at.

    .venv/bin/python scripts/screenshots.py [OUT_DIR] [--lang en] [--lang zh_TW]

Builds a throw-away database (an office, a front-desk clerk and a specialist, 40 demo complaints),
then runs the desktop's own screenshot mode (``main.py --screenshot DIR --size WxH --layout NAME``)
once per layout and size: 1280x720 and 1366x768 (counters) and 1920x1080; with ``--lang``, once more per
language (``main-en-queue-1366x768.png``).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kesu_desktop import services  # noqa: E402
from kesu_desktop.devtools.seed import seed_demo  # noqa: E402
from kesu_desktop.domain.enums import Role  # noqa: E402

SIZES = ("1280x720", "1366x768", "1920x1080")
#: layout → the user it is drawn for (each role's default layout).
LAYOUTS = {"registration": "wang", "queue": "li"}
PASSWORD = "demo-pass-123"


def build(folder: Path) -> str:
    url = f"sqlite:///{folder / 'demo.db'}"
    desk = services.Desk.open(url)
    services.initialize(
        desk, office_code="BJ01", office_name="北京朝阳门店客户服务中心", admin="admin", password=PASSWORD
    )
    admin = services.login(desk, "admin", PASSWORD)
    for name, role, display in (("wang", Role.FRONT_DESK, "王小红"), ("li", Role.SPECIALIST, "李明")):
        services.add_user(desk, admin, username=name, password=PASSWORD, role=role, display_name=display)
    seed_demo(desk, admin, count=40, workers=0)
    desk.close()
    return url


def main() -> int:
    args = sys.argv[1:]
    languages = [args[i + 1] for i, arg in enumerate(args[:-1]) if arg == "--lang"]
    positional = [a for i, a in enumerate(args) if a != "--lang" and (i == 0 or args[i - 1] != "--lang")]
    out = Path(positional[0]) if positional else ROOT / "docs"
    with tempfile.TemporaryDirectory() as tmp:
        url = build(Path(tmp))
        env = {**os.environ, "KESU_PASSWORD": PASSWORD, "KESU_DATA_DIR": tmp, "QT_QPA_PLATFORM": "offscreen"}
        runs = [(layout, user, lang) for lang in languages or [None] for layout, user in LAYOUTS.items()]
        for layout, user, lang in runs:
            for size in SIZES:
                command = [sys.executable, str(ROOT / "main.py"), "--db", url, "--user", user]
                command += ["--screenshot", str(out), "--size", size, "--layout", layout]
                command += ["--lang", lang] if lang else []
                done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
                if done.returncode != 0:
                    print(done.stderr, file=sys.stderr)
                    return done.returncode
                print(done.stdout.strip())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
