"""Declarative base, UTC time helpers and column types shared by every model."""

import enum
import secrets
from datetime import UTC, datetime
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, registry
from sqlalchemy.types import TypeDecorator

# Named constraints, so Alembic can alter them on SQLite (batch mode) and PostgreSQL alike.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


T = TypeVar("T")


def required(value: T | None) -> T:
    """``value``, which the data model guarantees is there at this point: a row fetched
    by a non-null foreign key, the organisation of a stakeholder or representative.

    A None would be a broken invariant, so it fails here, loudly, rather than later as
    an AttributeError; and the type checker knows the result is not None.
    """
    if value is None:
        raise LookupError("a row or value the data model requires is missing")
    return value


def utcnow() -> datetime:
    """Return the current instant as an aware UTC datetime."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """An aware UTC datetime on both SQLite and PostgreSQL.

    Naive values are refused on the way in; values read back are always aware UTC.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where an aware UTC instant is required")
        value = value.astimezone(UTC)
        # SQLite stores text: keep it naive UTC so comparisons sort correctly.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    registry = registry(
        metadata=sa.MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: UTCDateTime()},
    )

    def __repr__(self):
        key = getattr(self, "id", None)
        return f"<{type(self).__name__} {key}>"


def enum_column(enum_cls: type[enum.Enum], **kwargs):
    """Store a StrEnum by its value, as a plain string with a CHECK constraint."""
    return sa.Enum(
        enum_cls,
        values_callable=lambda members: [m.value for m in members],
        native_enum=False,
        create_constraint=True,
        validate_strings=True,
        length=max(len(m.value) for m in enum_cls),
        name=enum_cls.__name__.lower(),
        **kwargs,
    )


# Crockford's base32 without look-alikes: references are read aloud and typed by people.
REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def random_reference(prefix: str, length: int = 8) -> str:
    """Return an opaque, unguessable public reference such as ``C-7K3Q9XPD``."""
    body = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(length))
    return f"{prefix}-{body}"
