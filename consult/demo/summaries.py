"""Demonstration summaries: each closed consultation's factual summary, frozen as at the
first visit after its close, and its response addendum, when the window has passed, as
at loading (the tracker's figures are read as they now stand)."""

from datetime import datetime, timedelta

import sqlalchemy as sa

from consult.consultations.models import Consultation, Phase
from consult.db import required
from consult.extensions import db
from consult.summaries.models import SnapshotKind
from consult.summaries.services import addendum_due_at, freeze

FIRST_VISIT = timedelta(minutes=3)  # after the close, as a visitor's request would


def load_demo_summaries(*, now: datetime) -> int:
    """Freeze what a live site would have frozen by ``now``; returns how many."""
    closed = db.session.scalars(
        sa.select(Consultation)
        .where(Consultation.phase != Phase.DRAFT, Consultation.closes_at <= now - FIRST_VISIT)
        .order_by(Consultation.id)
    ).all()
    frozen = 0
    for consultation in closed:
        closes_at = required(consultation.closes_at)
        freeze(consultation, SnapshotKind.FACTUAL, now=closes_at + FIRST_VISIT)
        frozen += 1
        if addendum_due_at(closes_at, consultation) <= now:
            freeze(consultation, SnapshotKind.RESPONSES, now=now)
            frozen += 1
    return frozen
