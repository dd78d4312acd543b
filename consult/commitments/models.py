"""Commitments: what a company (or the group) said it will do, and their public history.

The history (``CommitmentEvent``) is append-only: a flush that would change or delete
one of its rows fails, whoever tries.
"""

import enum
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.accounts.models import Organisation, User
from consult.consultations.models import Consultation
from consult.db import enum_column, random_reference, utcnow
from consult.extensions import Model, db
from consult.idempotency import submission_key_index
from consult.responses.models import Response


class CommitmentStatus(enum.StrEnum):
    OPEN = "open"
    KEPT = "kept"
    PARTIALLY_KEPT = "partially_kept"
    MISSED = "missed"
    WITHDRAWN = "withdrawn"
    SUPERSEDED = "superseded"

    @property
    def label(self):
        return STATUS_LABELS[self]


STATUS_LABELS = {
    CommitmentStatus.OPEN: _l("Open"),
    CommitmentStatus.KEPT: _l("Kept"),
    CommitmentStatus.PARTIALLY_KEPT: _l("Partially kept"),
    CommitmentStatus.MISSED: _l("Missed"),
    CommitmentStatus.WITHDRAWN: _l("Withdrawn"),
    CommitmentStatus.SUPERSEDED: _l("Superseded"),
}


class SourceKind(enum.StrEnum):
    ANSWER = "answer"  # a company response on the platform
    UPDATE = "update"  # a coordinators' update (by its address)
    LINK = "link"  # anything else, by an external link

    @property
    def label(self):
        return {
            SourceKind.ANSWER: _l("A company answer"),
            SourceKind.UPDATE: _l("An update"),
            SourceKind.LINK: _l("An external link"),
        }[self]


commitment_paragraphs = sa.Table(
    "commitment_paragraphs",
    db.metadata,
    sa.Column("commitment_id", sa.ForeignKey("commitments.id"), primary_key=True),
    sa.Column("stable_key", sa.String(16), primary_key=True),
)


class Commitment(Model):
    __tablename__ = "commitments"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(
        sa.String(12), unique=True, default=lambda: random_reference("M")
    )
    consultation_id: Mapped[int] = mapped_column(sa.ForeignKey("consultations.id"), index=True)
    company_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisations.id"), index=True
    )  # None: the whole group
    text: Mapped[str] = mapped_column(sa.Text)
    text_html: Mapped[str] = mapped_column(sa.Text)
    # Required when the source is not public: what everyone reads instead of ``text``.
    public_wording: Mapped[str | None] = mapped_column(sa.Text)
    public_wording_html: Mapped[str | None] = mapped_column(sa.Text)
    source_public: Mapped[bool] = mapped_column(default=True)
    due_on: Mapped[date]
    overdue_at: Mapped[datetime]  # the local midnight after due_on, in UTC
    source_kind: Mapped[SourceKind] = mapped_column(enum_column(SourceKind))
    source_response_id: Mapped[int | None] = mapped_column(sa.ForeignKey("responses.id"))
    source_url: Mapped[str | None] = mapped_column(sa.String(500))
    status: Mapped[CommitmentStatus] = mapped_column(
        enum_column(CommitmentStatus), default=CommitmentStatus.OPEN, index=True
    )
    superseded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("commitments.id"))
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # A representative's proposal waits for a coordinator; only confirmed ones are public.
    confirmed_at: Mapped[datetime | None] = mapped_column(index=True)
    confirmed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    rejected_at: Mapped[datetime | None]

    consultation: Mapped[Consultation] = relationship()
    company: Mapped[Organisation | None] = relationship()
    source_response: Mapped[Response | None] = relationship()
    superseded_by: Mapped["Commitment | None"] = relationship(
        remote_side=[id], foreign_keys=[superseded_by_id]
    )
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    events: Mapped[list["CommitmentEvent"]] = relationship(
        back_populates="commitment",
        order_by="CommitmentEvent.created_at, CommitmentEvent.id",
        foreign_keys="CommitmentEvent.commitment_id",
    )

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None

    def is_overdue(self, now: datetime) -> bool:
        """Open past its due date (from the local midnight after it)."""
        return self.status == CommitmentStatus.OPEN and now >= self.overdue_at


class CommitmentEvent(Model):
    """One entry of a commitment's public history. Append-only."""

    __tablename__ = "commitment_events"
    # One row per submission of the form (consult/idempotency.py).
    __table_args__ = (submission_key_index("commitment_events", "actor_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    commitment_id: Mapped[int] = mapped_column(sa.ForeignKey("commitments.id"), index=True)
    status: Mapped[CommitmentStatus] = mapped_column(enum_column(CommitmentStatus))
    note: Mapped[str] = mapped_column(sa.Text)
    note_html: Mapped[str] = mapped_column(sa.Text)
    evidence_url: Mapped[str | None] = mapped_column(sa.String(500))
    successor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("commitments.id"))
    actor_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    submission_key: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    commitment: Mapped[Commitment] = relationship(
        back_populates="events", foreign_keys=[commitment_id]
    )
    successor: Mapped[Commitment | None] = relationship(foreign_keys=[successor_id])


class CommitmentHistoryImmutable(RuntimeError):
    """A programming error: a commitment's history is never rewritten."""


@sa.event.listens_for(sa.orm.Session, "before_flush")
def _history_is_append_only(session, _context, _instances):
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, CommitmentEvent) and (
            obj in session.deleted or session.is_modified(obj, include_collections=False)
        ):
            raise CommitmentHistoryImmutable(obj)
