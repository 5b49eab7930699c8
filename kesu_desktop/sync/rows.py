"""Rows as JSON-safe dicts and back, with their bytes content-addressed.

A row travels as ``{column: value}``; a bytes value (an attachment, a PDF, a signature picture, a
certificate) is replaced by ``{"$blob": sha256}`` and the bytes travel once per batch or bundle in
its ``blobs`` map, however many rows name them.
"""

from __future__ import annotations

import base64
import hashlib
import uuid
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, LargeBinary, Table, Uuid

from kesu_desktop.storage.models import Base
from kesu_desktop.storage.types import UTCDateTime

BLOB = "$blob"


def table(name: str) -> Table:
    return Base.metadata.tables[name]


def dump_row(tbl: Table, row: Mapping[str, Any], blobs: dict[str, bytes]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for column in tbl.columns:
        value = row[column.key]
        if value is None:
            out[column.key] = None
        elif isinstance(value, bytes | bytearray | memoryview):
            data = bytes(value)
            digest = hashlib.sha256(data).hexdigest()
            blobs[digest] = data
            out[column.key] = {BLOB: digest}
        elif isinstance(value, uuid.UUID):
            out[column.key] = str(value)
        elif isinstance(value, datetime | date):
            out[column.key] = value.isoformat()
        else:
            out[column.key] = value
    return out


def load_row(tbl: Table, data: Mapping[str, Any], blobs: Mapping[str, bytes]) -> dict[str, Any]:
    """The row's values for an insert; KeyError/ValueError for a malformed row (a refused batch)."""
    out: dict[str, Any] = {}
    for column in tbl.columns:
        value = data[column.key]
        if value is None:
            out[column.key] = None
        elif isinstance(column.type, LargeBinary):
            digest = value[BLOB]
            blob = blobs[digest]
            if hashlib.sha256(blob).hexdigest() != digest:
                raise ValueError(f"blob {digest} does not match its hash")
            out[column.key] = blob
        elif isinstance(column.type, Uuid):
            out[column.key] = uuid.UUID(value)
        elif isinstance(column.type, UTCDateTime):
            out[column.key] = datetime.fromisoformat(value)
        elif isinstance(column.type, Date):
            out[column.key] = date.fromisoformat(value)
        else:
            out[column.key] = value
    return out


def encode_blobs(blobs: Mapping[str, bytes]) -> dict[str, str]:
    return {k: base64.b64encode(v).decode("ascii") for k, v in blobs.items()}


def decode_blobs(blobs: Mapping[str, str]) -> dict[str, bytes]:
    return {k: base64.b64decode(v, validate=True) for k, v in blobs.items()}
