"""The public timeline: changes of phase, planned dates and versions, kept forever."""

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


class Milestone(enum.StrEnum):
    OPENS = "opens"
    CLOSES = "closes"
    SUMMARY_DUE = "summary_due"

    @property
    def label(self):
        return MILESTONE_LABELS[self]


MILESTONE_LABELS = {
    Milestone.OPENS: _l("Commenting opens"),
    Milestone.CLOSES: _l("Commenting closes"),
    Milestone.SUMMARY_DUE: _l("Summary due"),
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
    version_id: Mapped[int | None] = mapped_column(sa.ForeignKey("document_versions.id"))
    reason: Mapped[str | None] = mapped_column(sa.Text)  # public, shown on the timeline

    consultation: Mapped[Consultation] = relationship()
    version: Mapped[DocumentVersion | None] = relationship()


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
