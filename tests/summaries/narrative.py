"""Helpers for the narrative summary's tests: a closed consultation (tests/summaries/
conftest.py: Asia/Kolkata, closed on 29 March 2026), its comments at every level, and a
coordinator's draft saved and published through the services."""

from consult.comments.models import Visibility
from consult.db import utcnow
from consult.extensions import db
from consult.summaries import narrative
from tests import factories

SECRET = "the regulator secretly asked every operator to retain location data for decades"


def save(place, body, *, actor=None, change_note="", version=None):
    draft = narrative.save_draft(
        place.consultation,
        version=version or place.version,
        body=body,
        change_note=change_note,
        actor=actor or factories.coordinator(),
        now=utcnow(),
    )
    db.session.commit()
    return draft


def publish(place, *, actor=None, override_reason=None):
    draft = narrative.draft_of(place.consultation)
    published = narrative.publish_revision(
        place.consultation,
        edits=draft.edits,
        actor=actor or factories.coordinator(),
        now=utcnow(),
        override_reason=override_reason,
    )
    db.session.commit()
    return published.revision


def restricted_comment(place, body=SECRET, **kwargs):
    return place.post(factories.stakeholder(), Visibility.RESTRICTED, body=body, **kwargs)
