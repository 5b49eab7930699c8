"""UUIDv7 keys and hybrid logical clock stamps."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from kesu_desktop.domain.ids import HybridLogicalClock, Timestamp, uuid7


def test_uuid7_has_version_variant_and_time_order() -> None:
    a, b = uuid7(1_700_000_000_000), uuid7(1_700_000_000_001)
    assert a.version == 7 and a.variant == "specified in RFC 4122"
    assert a < b
    assert len({uuid7(5) for _ in range(1000)}) == 1000


@given(st.lists(st.integers(0, 10**13), min_size=1, max_size=50))
def test_hlc_never_goes_backwards_whatever_the_wall_clock_does(walls: list[int]) -> None:
    clock = HybridLogicalClock()
    stamps = [clock.tick(w) for w in walls]
    assert stamps == sorted(stamps) and len(set(stamps)) == len(stamps)
    encoded = [s.encode() for s in stamps]
    assert encoded == sorted(encoded)
    assert [Timestamp.decode(e) for e in encoded] == stamps


def test_hlc_observes_a_remote_stamp_ahead_of_the_local_clock() -> None:
    clock = HybridLogicalClock()
    remote = Timestamp(2_000, 5)
    assert clock.observe(remote, 1_000) > remote
    assert clock.tick(1_500) > remote
