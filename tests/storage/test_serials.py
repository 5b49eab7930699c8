"""Several desktops registering at the same instant against one database never share a case number."""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor

from sqlalchemy import func, select

from kesu_desktop.services import Desk
from kesu_desktop.storage.models import Case, CaseEvent
from tests.helpers.concurrent_worker import register_many

WORKERS, EACH = 4, 12


def test_concurrent_processes_get_unique_consecutive_case_numbers(desk: Desk, db_url: str) -> None:
    ctx = multiprocessing.get_context("spawn")
    with ctx.Manager() as manager:
        start = manager.Event()
        with ProcessPoolExecutor(WORKERS, mp_context=ctx) as pool:
            futures = [pool.submit(register_many, db_url, w, EACH, start) for w in range(WORKERS)]
            start.set()
            numbers = [n for f in futures for n in f.result(timeout=300)]
    assert len(numbers) == len(set(numbers)) == WORKERS * EACH
    serials = sorted(int(n.rsplit("-", 1)[1]) for n in numbers)
    assert serials == list(range(1, WORKERS * EACH + 1))
    with desk.db.read() as s:
        assert s.scalar(select(func.count()).select_from(Case)) == WORKERS * EACH
        assert s.scalar(select(func.count(func.distinct(CaseEvent.node_id)))) == WORKERS
