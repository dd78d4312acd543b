"""Recording and reading the timeline; milestones with their planned-date history."""

from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from consult.audit.services import record
from consult.db import random_reference, utcnow
from consult.extensions import db
from consult.text import render_markdown
from consult.tracking.models import EventKind, Milestone, TimelineEvent, Update


def record_event(
    consultation, kind: EventKind, *, now: datetime | None = None, **fields
) -> TimelineEvent:
    """Append a timeline event (phase, planned date or version) for the consultation."""
    event = TimelineEvent(
        consultation=consultation, kind=kind, occurred_at=now or utcnow(), **fields
    )
    db.session.add(event)
    return event


def record_planned_date(
    consultation,
    milestone: Milestone,
    previous_on: date | None,
    planned_on: date | None,
    *,
    reason: str | None = None,
    now=None,
):
    """Record a planned date set or changed; earlier dates stay on the timeline."""
    if previous_on == planned_on:
        return None
    return record_event(
        consultation,
        EventKind.DATE_PLANNED,
        milestone=milestone,
        previous_on=previous_on,
        planned_on=planned_on,
        reason=reason,
        now=now,
    )


def timeline_events(consultation) -> list[TimelineEvent]:
    """The consultation's events, oldest first."""
    return list(
        db.session.scalars(
            sa.select(TimelineEvent)
            .where(TimelineEvent.consultation_id == consultation.id)
            .options(selectinload(TimelineEvent.version))
            .order_by(TimelineEvent.occurred_at, TimelineEvent.id)
        ).all()
    )


@dataclass
class MilestoneView:
    milestone: Milestone
    planned_on: date | None
    status: str  # "planned", "done" or "slipped"
    earlier: list[TimelineEvent] = field(default_factory=list)  # superseded plans, with reasons


_INSTANTS = {Milestone.OPENS: "opens_at", Milestone.CLOSES: "closes_at"}
_DATES = {
    Milestone.OPENS: "opens_on",
    Milestone.CLOSES: "closes_on",
    Milestone.SUMMARY_DUE: "summary_due_on",
}


def milestones(consultation, events, now: datetime) -> list[MilestoneView]:
    """Each milestone's current plan, its earlier plans, and whether it slipped or is done.

    Done once its instant has passed (the summary milestone is marked done by the
    summaries work); slipped when it now falls later than first planned.
    """
    views = []
    for milestone in Milestone:
        planned_on = getattr(consultation, _DATES[milestone])
        changes = [
            e for e in events if e.kind == EventKind.DATE_PLANNED and e.milestone == milestone
        ]
        first_plan = next((e.planned_on for e in changes if e.planned_on), planned_on)
        instant = getattr(consultation, _INSTANTS.get(milestone, ""), None)
        if instant is not None and instant <= now:
            status = "done"
        elif planned_on and first_plan and planned_on > first_plan:
            status = "slipped"
        else:
            status = "planned"
        earlier = [e for e in changes if e.previous_on is not None]
        views.append(MilestoneView(milestone, planned_on, status, earlier))
    return views


def post_update(consultation, *, kind, title: str, body: str, author, now: datetime | None = None):
    """Publish a dated update on the consultation (progress, extension, delay, …)."""
    update = Update(
        reference=random_reference("U"),
        consultation_id=consultation.id,
        kind=kind,
        title=title.strip(),
        body=body.strip(),
        body_html=str(render_markdown(body.strip())),
        author_id=author.id if author else None,
        posted_at=now or utcnow(),
    )
    db.session.add(update)
    db.session.flush()
    record(author, "update.posted", update, now=now, kind=kind.value)
    return update


def updates_of(consultation, limit: int | None = None):
    """The consultation's updates, newest first."""
    query = (
        sa.select(Update)
        .where(Update.consultation_id == consultation.id)
        .order_by(Update.posted_at.desc(), Update.id.desc())
    )
    if limit:
        query = query.limit(limit)
    return db.session.scalars(query).all()
