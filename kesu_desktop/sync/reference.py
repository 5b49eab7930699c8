"""Reference data flows one way, central → branch: offices, users, departments, categories, settings,
calendars, templates, phrases, signing certificates, the seal and the office's bundle key.

The central's rows (as the branch role may read them) are copied whole and upserted by primary key;
a hash of them is remembered so an unchanged set costs one read. A branch never edits them itself
(the services refuse, docs/sync.md), so there is nothing to merge.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlalchemy import UniqueConstraint, delete, insert, select, update
from sqlalchemy.orm import Session

from kesu_desktop.sync.rows import dump_row, load_row, table

REFERENCE_TABLES = (
    "offices",
    "departments",
    "categories",
    "users",
    "settings",
    "calendar_overrides",
    "calendar_years",
    "reply_templates",
    "phrases",
    "signing_certificates",
    "print_assets",
    "office_keys",
)


def snapshot(session: Session, office: str) -> tuple[dict[str, list[dict[str, Any]]], dict[str, bytes], str]:
    """The reference rows a branch of ``office`` gets, their blobs and a hash of them all."""
    rows: dict[str, list[dict[str, Any]]] = {}
    blobs: dict[str, bytes] = {}
    for name in REFERENCE_TABLES:
        tbl = table(name)
        query = select(tbl).order_by(*tbl.primary_key.columns)
        if name == "office_keys":
            query = query.where(tbl.c.office_code == office)
        if name == "users":
            query = query.where((tbl.c.office_code == office) | (tbl.c.role == "admin"))
        if name in ("settings", "calendar_overrides", "calendar_years"):
            query = query.where(tbl.c.scope.in_(["", office]))
        rows[name] = [dump_row(tbl, r, blobs) for r in session.execute(query).mappings()]
    digest = hashlib.sha256(json.dumps(rows, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    return rows, blobs, digest


def _drop_clashing(session: Session, tbl: Any, row: dict[str, Any]) -> None:
    """A local row with the same natural key but another id (seeded by the migrations, or made again
    on the central) gives way: the central's row is the one that counts."""
    for constraint in tbl.constraints:
        if isinstance(constraint, UniqueConstraint):
            columns = list(constraint.columns)
            session.execute(delete(tbl).where(*[c == row[c.key] for c in columns]))
    for column in tbl.columns:
        if column.unique:
            session.execute(delete(tbl).where(column == row[column.key]))


def apply_snapshot(session: Session, rows: dict[str, list[dict[str, Any]]], blobs: dict[str, bytes]) -> int:
    """Upsert the central's reference rows here; returns how many rows changed."""
    changed = 0
    for name in REFERENCE_TABLES:
        tbl = table(name)
        keys = list(tbl.primary_key.columns)
        for data in rows.get(name, []):
            row = load_row(tbl, data, blobs)
            condition = [k == row[k.key] for k in keys]
            existing = session.execute(select(tbl).where(*condition)).mappings().one_or_none()
            if existing is None:
                _drop_clashing(session, tbl, row)
                session.execute(insert(tbl).values(**row))
                changed += 1
            elif dict(existing) != row:
                session.execute(update(tbl).where(*condition).values(**row))
                changed += 1
    return changed
