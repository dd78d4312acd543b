"""Builders for consultations and their versions. Each commits, so views see the rows."""

import itertools
from datetime import date, timedelta

from consult.consultations import schedule, services, versions
from consult.consultations.models import Phase
from consult.db import utcnow
from consult.extensions import db

_sequence = itertools.count(1)

DRAFT_ONE = """\
Preamble before any heading.

# Scope

These principles apply to every member company.

They cover networks, devices and services.

# Requests from authorities

## Legal basis

Companies assess the legal basis of every request.

- They ask for the request in writing.
- They record who made it.

> Necessity and proportionality guide every decision.
"""

DRAFT_TWO = """\
Preamble before any heading.

# Scope

These principles apply to every member company and to their subsidiaries.

# Requests from authorities

## Legal basis

Companies assess the legal basis of every request.

- They ask for the request in writing.
- They record who made it.

> Necessity and proportionality guide every decision.

# Transparency

Companies publish a yearly transparency report.
"""


def consultation(
    *,
    phase=Phase.PUBLISHED,
    slug=None,
    title=None,
    timezone="Europe/Brussels",
    opens_on=None,
    closes_on=None,
    companies=(),
    drafts=(DRAFT_ONE,),
    actor=None,
    summary="What this consultation is about.",
    short_period_reason=None,
):
    """A consultation with its drafts imported and published (open today by default)."""
    n = next(_sequence)
    today = utcnow().date()
    opens_on = opens_on if opens_on is not None else today - timedelta(days=10)
    closes_on = closes_on if closes_on is not None else opens_on + timedelta(days=83)
    consultation = services.create_consultation(
        services.Settings(
            title=title or f"Consultation {n}",
            slug=slug or f"consultation-{n}",
            timezone=timezone,
            summary=summary,
            opens_on=opens_on,
            closes_on=closes_on,
            companies=list(companies),
            short_period_reason=short_period_reason,
        ),
        actor=actor,
    )
    for text in drafts:
        publish_draft(consultation, text, actor=actor, commit=False)
    if phase != Phase.DRAFT:
        services.publish_consultation(consultation, actor=actor)
    if phase == Phase.CONCLUDED:
        consultation.phase = Phase.CONCLUDED
    db.session.commit()
    return consultation


def publish_draft(consultation, text, *, actor=None, commit=True):
    version = versions.import_draft(consultation, text, actor=actor, source_name="test.md")
    versions.publish_version(version, actor=actor)
    if commit:
        db.session.commit()
    return version


def pending_draft(consultation, text, *, actor=None):
    version = versions.import_draft(consultation, text, actor=actor, source_name="test.md")
    db.session.commit()
    return version


def paragraphs_text(count: int) -> str:
    """A draft with ``count`` body paragraphs in sections of ten."""
    parts = []
    for i in range(count):
        if i % 10 == 0:
            parts.append(f"# Section {i // 10 + 1}")
        parts.append(f"Paragraph {i} says something distinct about topic {i} and its limits.")
    return "\n\n".join(parts) + "\n"


def a_date(days_from_today: int) -> date:
    return utcnow().date() + timedelta(days=days_from_today)


def schedule_close(closes_on: date, zone: str):
    """The instant commenting closes for a closing date."""
    return schedule.comment_window(closes_on, closes_on, zone)[1]
