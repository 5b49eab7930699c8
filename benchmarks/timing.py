"""Small timing helpers: wall-clock samples in milliseconds, median and p95, safe ratios."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any


def sample(fn: Callable[[], Any], *, repeat: int, warmup: int = 2) -> tuple[list[float], Any]:
    """Run ``fn`` warmup + repeat times; returns the timed samples (ms) and the last result.

    Warm-up runs are discarded so the first sample does not pay for cold caches and statement
    compilation that every later call of the application would have amortised.
    """
    result = None
    for _ in range(warmup):
        result = fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        samples.append((time.perf_counter() - start) * 1000)
    return samples, result


def median(samples: list[float]) -> float:
    return statistics.median(samples)


def p95(samples: list[float]) -> float:
    """Nearest-rank 95th percentile: with few samples it is simply the slowest but one or two."""
    ordered = sorted(samples)
    rank = max(0, min(len(ordered) - 1, round(0.95 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def ratio(ours: float, bare: float) -> float | None:
    return round(ours / bare, 2) if bare > 0 else None


def rounded(value: float, digits: int = 3) -> float:
    return round(value, digits)
