"""Identifiers made on the desk that acts: UUIDv7 keys and hybrid-logical-clock stamps.

Offline branches create rows without asking a server, so keys must never collide and events must sort
in causal order even when desk clocks disagree. UUIDv7 is written by hand (ten lines of RFC 9562)
because the standard library only gains ``uuid.uuid7`` in Python 3.14.
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from dataclasses import dataclass


def uuid7(unix_ms: int | None = None) -> uuid.UUID:
    """RFC 9562 version 7: 48-bit Unix milliseconds, then random bits (time-ordered, index friendly)."""
    ms = int(time.time() * 1000) if unix_ms is None else unix_ms
    rand = int.from_bytes(os.urandom(10), "big")
    value = (ms & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76  # version
    value |= ((rand >> 62) & 0xFFF) << 64  # rand_a, 12 bits
    value |= 0b10 << 62  # variant
    value |= rand & ((1 << 62) - 1)  # rand_b, 62 bits
    return uuid.UUID(int=value)


@dataclass(frozen=True, order=True)
class Timestamp:
    """A hybrid logical clock reading: wall milliseconds plus a counter for events in the same ms."""

    wall_ms: int
    counter: int

    def encode(self) -> str:
        """Fixed-width text, so the database orders stamps correctly with a plain string index."""
        return f"{self.wall_ms:015d}-{self.counter:06d}"

    @classmethod
    def decode(cls, text: str) -> Timestamp:
        wall, _, counter = text.partition("-")
        return cls(int(wall), int(counter))


class HybridLogicalClock:
    """Kulkarni et al.'s HLC: never goes backwards, follows the wall clock, absorbs remote stamps."""

    def __init__(self, last: Timestamp | None = None) -> None:
        self._last = last or Timestamp(0, 0)
        self._lock = threading.Lock()

    def tick(self, wall_ms: int) -> Timestamp:
        with self._lock:
            if wall_ms > self._last.wall_ms:
                self._last = Timestamp(wall_ms, 0)
            else:
                self._last = Timestamp(self._last.wall_ms, self._last.counter + 1)
            return self._last

    def observe(self, remote: Timestamp, wall_ms: int) -> Timestamp:
        """Merge a stamp received from another node (sync), returning the stamp for the receive event."""
        with self._lock:
            wall = max(self._last.wall_ms, remote.wall_ms, wall_ms)
            if wall == self._last.wall_ms == remote.wall_ms:
                counter = max(self._last.counter, remote.counter) + 1
            elif wall == self._last.wall_ms:
                counter = self._last.counter + 1
            elif wall == remote.wall_ms:
                counter = remote.counter + 1
            else:
                counter = 0
            self._last = Timestamp(wall, counter)
            return self._last
