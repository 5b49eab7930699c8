"""How JSON documents are written as text: UTF-8 as it is, not ``\\uXXXX`` escapes.

SQLite keeps JSON columns as text, and Python's default ``json.dumps`` escapes every Chinese character
as six ASCII bytes (twice its three bytes in UTF-8) — most of an event's payload. PostgreSQL stores
JSONB in binary, so there this only changes what travels to the server.

A document holding a lone surrogate (stored before the input boundary existed, see PoisonEvent) cannot
be encoded as UTF-8 at all; it keeps the escaped form, as before, so it is still written and read back.
"""

from __future__ import annotations

import json
from typing import Any


def dumps(value: Any) -> str:
    """Compact JSON with non-ASCII characters kept as themselves (escaped only if not encodable)."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(value, separators=(",", ":"))
    return text
