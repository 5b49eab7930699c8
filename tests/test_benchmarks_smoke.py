"""The benchmark suite still runs: ``python -m benchmarks --quick --json`` exits 0 with the expected shape.

Figures are not asserted (they are ratios for people to read, see docs/benchmarks.md); this only keeps
the benchmark code from rotting as the services it measures change.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from benchmarks.scale import figures, render

ROOT = Path(__file__).resolve().parents[1]


def test_quick_benchmark_runs_and_reports_every_figure(tmp_path: Path) -> None:
    output = tmp_path / "quick.json"
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--json", "--output", str(output)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert json.loads(output.read_text(encoding="utf-8")) == result
    assert set(result) == {"meta", "registration", "seeding", "search", "printing"}
    assert result["meta"]["quick"] is True and result["meta"]["cases"] == 2000
    databases = ["sqlite"] + (["postgresql"] if result["meta"]["postgresql"] else [])
    for db in databases:
        reg = result["registration"][db]
        assert reg["n"] == 100
        assert {"kesu_ms_per_op", "bare_ms_per_op", "ratio", "kesu_p95_ms", "bare_p95_ms"} <= set(reg)
        assert reg["kesu_ms_per_op"] > 0 and reg["bare_ms_per_op"] > 0
        seeding = result["seeding"][db]
        assert seeding["cases"] == 2000 and seeding["cases_per_s"] > 0
        labels = [t["label"] for t in result["search"][db]]
        assert labels == ["1 char (surname)", "2 chars", "4+ chars (product)", "phone last 4", "case number"]
        for term in result["search"][db]:
            assert {"term", "hits", "median_ms", "p95_ms", "bare_median_ms", "ratio"} <= set(term)
            assert term["hits"] >= 1  # every term is taken from the seeded data, so it finds something
    printing = result["printing"]["sqlite"]
    assert set(printing) == {"first_letter", "letters", "batch"}
    first = printing["first_letter"]
    assert {"n", "import_ms", "kesu_ms", "bare_ms", "ratio", "pages", "kb"} <= set(first)
    assert first["n"] >= 1 and first["pages"] >= 1
    assert first["kesu_ms"] > 0 and first["bare_ms"] > 0 and first["ratio"] > 0
    letters = printing["letters"]
    assert letters["n"] == 10
    assert {"kesu_median_ms", "kesu_p95_ms", "bare_median_ms", "bare_p95_ms", "ratio"} <= set(letters)
    assert letters["kesu_median_ms"] > 0 and letters["bare_median_ms"] > 0 and letters["ratio"] > 0
    assert set(letters["parts"]) == {"case_file", "layout", "qr_code", "signing"}
    for part in letters["parts"].values():
        assert part["median_ms"] > 0 and part["p95_ms"] > 0 and part["share"] > 0
    batch = printing["batch"]
    assert batch["records"] == 20 and batch["skipped"] == 0 and batch["pages"] >= 20
    for key in ("seconds", "ms_per_record", "mb", "mb_per_100", "bare_seconds", "bare_mb", "ratio"):
        assert batch[key] > 0, key


def test_growth_run_measures_every_figure_at_both_sizes_on_both_databases(tmp_path: Path) -> None:
    """``--scale N --quick`` (the CI variant of the overnight ``--scale 1000000``) at N/10 and N."""
    output = tmp_path / "scale.json"
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--scale", "1000", "--quick", "--json", "--output", str(output)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=400,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["steps"] == [100, 1000]
    # PostgreSQL is part of the run whenever it answers, and CI always has it running.
    assert result["meta"]["postgresql"], "PostgreSQL was not measured"
    for db in ("sqlite", "postgresql"):
        small, large = result[db]["100"], result[db]["1000"]
        assert small["cases"] >= 100 and large["cases"] >= 1000
        assert large["seeding"]["cases"] > 0  # seeded on from the smaller size, not from nothing
        small_rows, large_rows = figures(small), figures(large)
        assert [label for label, *_ in small_rows][:3] == [
            "register_case p50",
            "register_case mean",
            "list: first page",
        ]
        assert len(small_rows) == len(large_rows)
        for label, ours, _bare in small_rows + large_rows:
            assert ours is not None and ours > 0, (db, label)
        assert large["registration"]["n"] == 40 and large["registration"]["catch_up"] == 20
        assert large["search"]["combinations"], "no term was combined with a filter"
        assert all(t["hits"] >= 1 for t in large["search"]["terms"])
        assert large["first_page"]["hits"] == 50 == large["first_page"]["bare_hits"]
        assert large["gui_first_page"]["rows_fetched"] > 0
        assert large["printing"]["batch"]["records"] == 20
    assert "Growth on sqlite" in render(result) and "Growth on postgresql" in render(result)


def test_replaying_registrations_own_sql_reproduces_them_and_costs_less(tmp_path: Path) -> None:
    """``benchmarks/replay.py``: the captured statements, replayed on the copy, make the same cases."""
    from benchmarks.replay import replay

    found = replay(tmp_path, warm=20, timed=30)
    assert found["cases_after_replay"] == found["cases"] == 50
    assert found["statements_median"] >= 5  # case, event, search index, watch, feed at least
    assert 0 < found["replay_mean_ms"] < found["kesu_mean_ms"]
