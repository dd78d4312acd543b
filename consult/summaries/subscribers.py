"""Summaries follow the consultation's life: a reopening supersedes the snapshots of the
earlier close, in the same transaction."""

from datetime import date, datetime

from consult.consultations import events, schedule
from consult.consultations.models import Consultation
from consult.db import required
from consult.summaries.services import supersede_on_reopening


def supersede_snapshots(
    consultation: Consultation, *, previous: date, reopening: bool, now: datetime, **_
):
    """Reopened after its close: the earlier close's snapshots are superseded."""
    if not reopening:
        return  # extended before the close: nothing was frozen yet
    previous_closes_at = required(
        schedule.comment_window(previous, previous, consultation.timezone)[1]
    )
    supersede_on_reopening(consultation, previous_closes_at=previous_closes_at, now=now)


def subscribe():
    events.closing_extended.connect(supersede_snapshots)
