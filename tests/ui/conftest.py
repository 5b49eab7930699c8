"""GUI test set-up: offscreen Qt, a private data folder, and real SQLite files built through services.

``QT_QPA_PLATFORM`` is set before anything imports Qt so the tests run without a display.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator
from pathlib import Path

import pytest

from kesu_desktop import services
from kesu_desktop.domain.enums import Role
from kesu_desktop.ui.base import tasks
from tests.helpers.ui import ADMIN_PASSWORD, CLERK_PASSWORD, COMPLAINTS


@pytest.fixture(autouse=True, scope="session")
def collect_on_the_gui_thread() -> Iterator[None]:
    """Python's collector must not run on a worker thread and destroy Qt objects there (a deadlock or a
    crash at teardown); the app does the same: automatic collection off, collected on the GUI thread."""
    import gc

    gc.disable()
    yield
    gc.enable()


@pytest.fixture(autouse=True)
def gui_thread_collect() -> Iterator[None]:
    import gc

    yield
    tasks.wait_for_idle()
    gc.collect()


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Node id, logs, layouts and the default database go to the test's folder, never the user's."""
    from PySide6.QtCore import QCoreApplication, QSettings

    QCoreApplication.setOrganizationName("KesuTest")
    QCoreApplication.setApplicationName("kesu-desk-test")
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(tmp_path / "settings"))
    monkeypatch.setenv("KESU_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("KESU_DATABASE_URL", raising=False)
    monkeypatch.delenv("KESU_PASSWORD", raising=False)
    return tmp_path


@pytest.fixture
def db_file(tmp_path: Path) -> Path:
    return tmp_path / "kesu.db"


@pytest.fixture
def fresh_desk(db_file: Path) -> Iterator[services.Desk]:
    """A migrated, empty database: what a first start sees."""
    desk = services.Desk.open(f"sqlite:///{db_file}")
    yield desk
    tasks.wait_for_idle()
    desk.close()


@pytest.fixture
def seeded_desk(fresh_desk: services.Desk) -> services.Desk:
    """Office BJ01 with an admin and a front-desk clerk (lily / 王丽)."""
    services.initialize(
        fresh_desk, office_code="BJ01", office_name="北京总部", admin="admin", password=ADMIN_PASSWORD
    )
    admin = services.login(fresh_desk, "admin", ADMIN_PASSWORD)
    services.add_user(
        fresh_desk, admin, username="lily", password=CLERK_PASSWORD, role=Role.FRONT_DESK, display_name="王丽"
    )
    return fresh_desk


@pytest.fixture
def clerk(seeded_desk: services.Desk) -> services.Actor:
    return services.login(seeded_desk, "lily", CLERK_PASSWORD)


@pytest.fixture
def three_cases(seeded_desk: services.Desk, clerk: services.Actor) -> list[services.CaseView]:
    return [services.register_case(seeded_desk, clerk, data) for data in COMPLAINTS]
