"""The demo complaint generator (kesu_desktop.devtools.demo_data): pure, deterministic, realistic."""

from __future__ import annotations

import random
from collections import Counter
from datetime import timedelta
from zoneinfo import ZoneInfo

from kesu_desktop.devtools import demo_data
from kesu_desktop.domain.validation import normalize_phone, validate_registration
from tests.helpers.data import START


def test_generator_is_deterministic_for_a_seed_and_clock() -> None:
    first = list(demo_data.generate(200, seed=5, now=START))
    again = list(demo_data.generate(200, seed=5, now=START))
    other = list(demo_data.generate(200, seed=6, now=START))
    assert first == again
    assert first != other


def test_generated_complaints_look_like_real_ones() -> None:
    items = list(demo_data.generate(3000, seed=1, now=START))
    assert [c.created_at for c in items] == sorted(c.created_at for c in items)
    assert all(START - timedelta(days=366) < c.created_at < START for c in items)
    assert all(c.occurred_at <= c.created_at for c in items)
    assert all(demo_data.MIN_DESCRIPTION <= len(c.description) <= demo_data.MAX_DESCRIPTION for c in items)
    assert len({c.description for c in items}) > 0.9 * len(items)
    assert {c.category for c in items} == set(demo_data.CATEGORY_CODES)
    # Office-local working-ish hours.
    hours = Counter(c.created_at.astimezone(ZoneInfo("Asia/Shanghai")).hour for c in items)
    assert sum(hours[h] for h in range(9, 18)) > 0.8 * len(items)
    assert set(hours) <= set(range(7, 23))
    # Repeat customers: the same phone complains more than once.
    assert any(n > 1 for n in Counter(c.phone for c in items).values())
    # Steps never lie in the future and follow each other.
    for c in items:
        times = [c.created_at, *(s.at for s in c.steps)]
        assert times == sorted(times) and len(set(times)) == len(times)
        assert all(s.at < START for s in c.steps)


def test_every_generated_phone_is_a_valid_mainland_mobile() -> None:
    for c in demo_data.generate(500, seed=2, now=START):
        assert normalize_phone(c.phone) == c.phone
    rng = random.Random(0)
    for prefix in demo_data.MOBILE_PREFIXES:
        assert normalize_phone(f"{prefix}{rng.randrange(10**8):08d}").startswith("+86" + prefix)


def test_registration_data_is_what_the_form_sends_and_reads_back_unchanged() -> None:
    """The seeder registers each complaint from this object, read by the counter's own validation."""
    for c in demo_data.generate(300, seed=3, now=START):
        reg = validate_registration(
            demo_data.registration_data(c), categories=demo_data.CATEGORY_CODES, now=c.created_at
        )
        assert (reg.customer_name, reg.phone, reg.channel, reg.category) == (
            c.customer_name,
            c.phone,
            c.channel,
            c.category,
        )
        assert (reg.description, reg.demand, reg.occurred_at, reg.account_no) == (
            c.description,
            c.demand,
            c.occurred_at,
            c.account_no,
        )
        assert (reg.severity, reg.priority, reg.urgent) == (c.severity, c.priority, c.urgent)
