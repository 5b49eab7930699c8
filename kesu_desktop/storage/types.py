"""Column types that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC instants on both databases.

    SQLite has no time zones and hands back naive values; storing naive UTC there and re-attaching UTC
    on the way out means no layer above ever sees a naive datetime.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class _JSONDocument(TypeDecorator[Any]):
    """JSON on SQLite, JSONB on PostgreSQL: what ``JSON().with_variant(JSONB(), "postgresql")`` said, but
    SQLAlchemy's PostgreSQL dialect (its twenty modules cost about a quarter of ``import sqlalchemy``)
    is imported only when a PostgreSQL database first uses the type, not on every start (issue 16)."""

    impl = JSON
    cache_ok = True
    #: As ``JSON()`` (``none_as_null=False``) says, and a decorator would not pass on: None is written
    #: (as JSON null), and a document is not hashable.
    should_evaluate_none = True
    hashable = False

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import JSONB

            return dialect.type_descriptor(JSONB())
        return dialect.type_descriptor(JSON())


JSONDocument = _JSONDocument()


def is_json(type_: TypeEngine[Any]) -> bool:
    """Whether a column of this type holds JSON documents (``JSONDocument`` is a decorator, no ``JSON``)."""
    return isinstance(type_, JSON | _JSONDocument)
