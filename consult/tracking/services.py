"""Recording and reading the timeline, and posting updates (milestones: milestones.py)."""

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from consult.audit.services import record
from consult.db import random_reference, utcnow
from consult.extensions import db
from consult.text import render_markdown
from consult.tracking import events
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
    events.update_posted.send(update, now=update.posted_at)
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
