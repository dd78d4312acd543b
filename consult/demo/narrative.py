"""The demonstration narrative summary: the closed consultation "Principles on content
removal requests (demo)" has two published revisions, each with its PDF, and a third
in the coordinators' draft. Every text says it is demonstration data."""

from datetime import datetime, timedelta

import sqlalchemy as sa

from consult.comments.models import Comment, Visibility
from consult.consultations.models import Consultation
from consult.consultations.versions import latest_published_version, published_versions
from consult.db import required
from consult.extensions import db
from consult.summaries import narrative

SLUG = "content-removal-demo"

FIRST = """\
*Demonstration data: this summary was written for the Consult demonstration and
describes no real consultation.*

## What was said

Comments asked above all for a deadline on appeals (§2.1): {appeal} says users should
know when to expect the reasoned answer. One late comment, accepted after a documented
power cut, asked for clearer explanations to users (§1.1).

## What changes

The next draft will set a deadline for answering appeals in §2.1.

## Next steps

The coordinators will publish Draft 2 for a second round of comments.
"""

SECOND = """\
*Demonstration data: this summary was written for the Consult demonstration and
describes no real consultation.*

## What was said

Comments asked above all for a deadline on appeals (§2.1): {appeal} says users should
know when to expect the reasoned answer. Others asked for plain language (§1.1) and for
appeals to cover suspended accounts. One late comment, accepted after a documented power
cut, asked for clearer explanations to users.

## What changed

Draft 2 sets a deadline of 30 days for answering appeals (§2.1) and asks companies to
explain removals in plain language (§1.1).

## Why some views were not adopted

Suspended accounts are not removal requests: the next principles will take them up.
Translations are decided by the secretariat. Each comment's disposition is in the table
below.

## Next steps

A second round of comments on Draft 2. The company response figures below were frozen
once the response window had passed.
"""

NOTE = (
    "(Demo.) Cites Draft 2, published since, with its 30-day deadline for appeals (§2.1); "
    "adds the company response figures, frozen after the response window, and the "
    "dispositions recorded since."
)


def load_demo_narrative(*, coordinator, now: datetime) -> int:
    """Publish the closed consultation's two revisions (returns how many)."""
    consultation = db.session.scalar(sa.select(Consultation).where(Consultation.slug == SLUG))
    if consultation is None:
        return 0
    appeal = db.session.scalar(
        sa.select(Comment.reference)
        .where(
            Comment.consultation_id == consultation.id,
            Comment.late_status.is_(None),
            Comment.visibility == Visibility.PUBLIC,
            Comment.paragraph_number == "2.1",
        )
        .order_by(Comment.created_at)
        .limit(1)
    )
    steps = [
        (FIRST.format(appeal=appeal), "", now - timedelta(days=6)),
        (SECOND.format(appeal=appeal), NOTE, now),
    ]
    for body, note, when in steps:
        # The version published by then (a second draft may follow the close).
        version = required(
            next(
                (
                    v
                    for v in reversed(published_versions(consultation))
                    if required(v.published_at) <= when
                ),
                None,
            )
        )
        draft = narrative.save_draft(
            consultation,
            version=version,
            body=body,
            change_note=note,
            actor=coordinator,
            now=when - timedelta(hours=2),
        )
        narrative.publish_revision(
            consultation, edits=draft.edits, actor=coordinator, now=when, override_reason=None
        )
    # Work on a third revision has begun: the coordinators see it in the draft.
    narrative.save_draft(
        consultation,
        version=required(latest_published_version(consultation)),
        body=SECOND.format(appeal=appeal)
        + "\n(Demo.) A third revision will add the disposition of each comment.\n",
        change_note="(Demo.) Work in progress.",
        actor=coordinator,
        now=now,
    )
    return len(steps)
