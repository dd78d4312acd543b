"""Demonstration follows, loaded before the activity so the followers' notification pages
show what following does (the demonstration mails nobody)."""

import sqlalchemy as sa

from consult.consultations.models import Paragraph
from consult.consultations.versions import latest_published_version
from consult.db import required
from consult.extensions import db
from consult.notifications.follows import Target, follow
from consult.notifications.models import FollowTarget


def load_demo_follows(consultation, *, people, companies):
    """Amina follows the open consultation, Tomás its first section's first paragraph,
    Kai the commitments of the first company."""
    version = required(latest_published_version(consultation))
    paragraph = db.session.scalar(
        sa.select(Paragraph)
        .where(Paragraph.version_id == version.id, Paragraph.number.like("%.%"))
        .order_by(Paragraph.position)
        .limit(1)
    )
    follow(
        people["amina@openlines.demo"],
        Target(FollowTarget.CONSULTATION, consultation_id=consultation.id),
    )
    if paragraph is not None:
        follow(
            people["tomas@digitalrights.demo"],
            Target(
                FollowTarget.PARAGRAPH,
                consultation_id=consultation.id,
                stable_key=paragraph.stable_key,
            ),
        )
    follow(people["kai@consumers.demo"], Target(FollowTarget.COMPANY, company_id=companies[0].id))
