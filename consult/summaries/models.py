"""Frozen summary snapshots: a consultation's published figures, stored as data once.

When commenting closes, the participation figures are frozen (the factual summary);
the response figures follow at close + response window + 1 day (the addendum). Each is
stored exactly once per close: a unique constraint on (consultation, kind, close
instant) makes two concurrent freezes store one row. A reopening marks the snapshots of
the earlier close superseded; they stay readable, and the new close gets its own.

A snapshot never changes once stored, whoever tries: the one change allowed is setting
``superseded_at`` once, when the consultation is reopened.
"""

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.consultations.models import Consultation
from consult.db import enum_column
from consult.extensions import Model


class SnapshotKind(enum.StrEnum):
    FACTUAL = "factual"  # participation, frozen at close
    RESPONSES = "responses"  # the addendum: response figures at close + window + 1 day

    @property
    def label(self):
        return {
            SnapshotKind.FACTUAL: _l("Factual summary"),
            SnapshotKind.RESPONSES: _l("Addendum: company responses"),
        }[self]


class SummarySnapshot(Model):
    """One frozen set of published figures (``figures``: JSON with its schema_version)."""

    __tablename__ = "summary_snapshots"
    __table_args__ = (
        sa.UniqueConstraint(
            "consultation_id", "kind", "closes_at", name="uq_summary_snapshots_close"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Looked up through the unique constraint, whose first column it is.
    consultation_id: Mapped[int] = mapped_column(sa.ForeignKey("consultations.id"))
    kind: Mapped[SnapshotKind] = mapped_column(enum_column(SnapshotKind))
    # The close this snapshot belongs to (the consultation's closes_at when it closed).
    closes_at: Mapped[datetime]
    # When its figures were read: at or after the close (the first request after it, or
    # the `flask close-due` run), or after the response window for the addendum.
    as_of: Mapped[datetime]
    schema_version: Mapped[int]
    figures: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    # Set once, when a reopening moved the close: a newer snapshot follows at the new one.
    # active_history: the stored value is loaded before a change, so the guard below
    # can tell a first setting from an overwrite.
    superseded_at: Mapped[datetime | None] = mapped_column(active_history=True)

    consultation: Mapped[Consultation] = relationship()

    @property
    def is_superseded(self) -> bool:
        return self.superseded_at is not None

    def __repr__(self):
        return f"<SummarySnapshot {self.consultation_id} {self.kind} {self.closes_at:%Y-%m-%d}>"


class SnapshotImmutable(RuntimeError):
    """A programming error: frozen snapshots are never rewritten or deleted."""


def _only_superseded(snapshot: SummarySnapshot) -> bool:
    """The one change allowed: ``superseded_at`` set where it was empty."""
    state = sa.inspect(snapshot)
    changed = {attr.key for attr in state.attrs if attr.history.has_changes()}
    if changed != {"superseded_at"}:
        return False
    history = state.attrs.superseded_at.history
    return not any(value is not None for value in history.deleted) and (
        snapshot.superseded_at is not None
    )


@sa.event.listens_for(sa.orm.Session, "before_flush")
def _snapshots_never_change(session, _context, _instances):
    """Refuse any change to a stored snapshot, or its deletion, whoever makes it."""
    for obj in session.deleted:
        if isinstance(obj, SummarySnapshot):
            raise SnapshotImmutable(obj)
    for obj in session.dirty:
        if not isinstance(obj, SummarySnapshot):
            continue
        if not session.is_modified(obj, include_collections=False):
            continue
        if not _only_superseded(obj):
            raise SnapshotImmutable(obj)


@sa.event.listens_for(sa.orm.Session, "do_orm_execute")
def _no_bulk_changes(state):
    """Nor through an ORM ``update()`` or ``delete()`` statement."""
    if (state.is_update or state.is_delete) and any(
        mapper.class_ is SummarySnapshot for mapper in state.all_mappers
    ):
        raise SnapshotImmutable(state.statement)
