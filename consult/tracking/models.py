"""The public timeline: changes of phase, planned dates, milestones reached and versions,
kept forever. A milestone is not a table of its own: it is read from its timeline rows
(consult/tracking/milestones.py)."""

import enum
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.consultations.models import Consultation, DocumentVersion, Phase
from consult.db import enum_column, utcnow
from consult.extensions import Model


class EventKind(enum.StrEnum):
    PHASE_CHANGED = "phase_changed"
    DATE_PLANNED = "date_planned"  # a planned date set, or changed (with a reason)
    VERSION_PUBLISHED = "version_published"
    MILESTONE_DONE = "milestone_done"  # a coordinator recorded the actual date


class Milestone(enum.StrEnum):
    """What a consultation plans. The first three follow the consultation's own dates;
    the others a coordinator plans on the timeline; OTHER carries its own name."""

    OPENS = "opens"
    CLOSES = "closes"
    SUMMARY_DUE = "summary_due"  # the narrative summary (Consultation.summary_due_on)
    DRAFT_PUBLISHED = "draft_published"
    RESPONSE_WINDOW_ENDS = "response_window_ends"  # closes_on + the response window
    FACTUAL_SUMMARY = "factual_summary"
    NEXT_DRAFT = "next_draft"
    FINAL_PRINCIPLES = "final_principles"
    FIRST_PROGRESS_REPORT = "first_progress_report"
    OTHER = "other"

    @property
    def label(self):
        return MILESTONE_LABELS[self]


MILESTONE_LABELS = {
    Milestone.OPENS: _l("Commenting opens"),
    Milestone.CLOSES: _l("Commenting closes"),
    Milestone.SUMMARY_DUE: _l("Narrative summary due"),
    Milestone.DRAFT_PUBLISHED: _l("Draft published"),
    Milestone.RESPONSE_WINDOW_ENDS: _l("Company response window ends"),
    Milestone.FACTUAL_SUMMARY: _l("Factual summary"),
    Milestone.NEXT_DRAFT: _l("Next draft"),
    Milestone.FINAL_PRINCIPLES: _l("Final principles"),
    Milestone.FIRST_PROGRESS_REPORT: _l("First progress report"),
    Milestone.OTHER: _l("Another milestone"),
}


class TimelineEvent(Model):
    """One entry of a consultation's timeline. Append-only: rows are never edited."""

    __tablename__ = "timeline_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(sa.ForeignKey("consultations.id"), index=True)
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    kind: Mapped[EventKind] = mapped_column(enum_column(EventKind))
    phase: Mapped[Phase | None] = mapped_column(enum_column(Phase))
    milestone: Mapped[Milestone | None] = mapped_column(enum_column(Milestone))
    planned_on: Mapped[date | None]
    previous_on: Mapped[date | None]
    actual_on: Mapped[date | None]  # MILESTONE_DONE: the local date it was reached
    # A named milestone (OTHER): its opaque reference, on each of its rows, and its name.
    milestone_ref: Mapped[str | None] = mapped_column(sa.String(12))
    milestone_name: Mapped[str | None] = mapped_column(sa.String(200))
    version_id: Mapped[int | None] = mapped_column(sa.ForeignKey("document_versions.id"))
    reason: Mapped[str | None] = mapped_column(sa.Text)  # public, shown on the timeline

    consultation: Mapped[Consultation] = relationship()
    version: Mapped[DocumentVersion | None] = relationship()

    @property
    def milestone_key(self) -> str | None:
        """Which milestone the row belongs to: its kind, or a named one's reference."""
        if self.milestone is None:
            return None
        return self.milestone_ref if self.milestone == Milestone.OTHER else self.milestone.value


class UpdateKind(enum.StrEnum):
    PROGRESS = "progress"
    EXTENSION = "extension"
    DELAY = "delay"
    NEW_VERSION = "new_version"
    REOPENING = "reopening"

    @property
    def label(self):
        return UPDATE_LABELS[self]


UPDATE_LABELS = {
    UpdateKind.PROGRESS: _l("Progress update"),
    UpdateKind.EXTENSION: _l("Extension"),
    UpdateKind.DELAY: _l("Delay notice"),
    UpdateKind.NEW_VERSION: _l("New version"),
    UpdateKind.REOPENING: _l("Reopening"),
}


class Update(Model):
    """A dated public post by a coordinator. Published updates are never rewritten."""

    __tablename__ = "updates"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(sa.String(12), unique=True)
    consultation_id: Mapped[int] = mapped_column(sa.ForeignKey("consultations.id"), index=True)
    kind: Mapped[UpdateKind] = mapped_column(enum_column(UpdateKind))
    title: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text)
    body_html: Mapped[str] = mapped_column(sa.Text)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    posted_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    consultation: Mapped[Consultation] = relationship()


class TimelineImmutable(RuntimeError):
    """A programming error: a timeline row or a published update is never rewritten."""


_APPEND_ONLY = (TimelineEvent, Update)


@sa.event.listens_for(sa.orm.Session, "before_flush")
def _timeline_is_append_only(session, _context, _instances):
    """Refuse any change to, or deletion of, a recorded timeline row or update."""
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, _APPEND_ONLY) and (
            obj in session.deleted or session.is_modified(obj, include_collections=False)
        ):
            raise TimelineImmutable(obj)


@sa.event.listens_for(sa.orm.Session, "do_orm_execute")
def _no_bulk_rewrite_of_the_timeline(state):
    """The same for UPDATE and DELETE statements run through the session."""
    if (state.is_update or state.is_delete) and any(
        mapper.class_ in _APPEND_ONLY for mapper in state.all_mappers
    ):
        raise TimelineImmutable(state.statement)
