"""The public timeline and updates follow the consultation's life: phases, planned
dates, versions and extensions are recorded as they happen, in the same transaction."""

from datetime import date, datetime

from flask_babel import lazy_gettext as _l

from consult.consultations import events, schedule
from consult.consultations.models import Consultation, DocumentVersion, Phase
from consult.tracking.models import EventKind, Milestone, UpdateKind
from consult.tracking.services import post_update, record_event, record_planned_date

MILESTONE_OF = {
    "opens_on": Milestone.OPENS,
    "closes_on": Milestone.CLOSES,
    "summary_due_on": Milestone.SUMMARY_DUE,
}


def record_dates(
    consultation: Consultation,
    *,
    changes: dict[str, tuple[date | None, date | None]],
    reason: str | None,
    now: datetime,
    **_,
):
    """Each planned date set or changed; earlier dates stay on the timeline."""
    for name, (previous_on, planned_on) in changes.items():
        record_planned_date(
            consultation, MILESTONE_OF[name], previous_on, planned_on, reason=reason, now=now
        )


def record_published(consultation: Consultation, *, now: datetime, **_):
    record_event(consultation, EventKind.PHASE_CHANGED, phase=Phase.PUBLISHED, now=now)


def record_concluded(consultation: Consultation, *, now: datetime, **_):
    record_event(consultation, EventKind.PHASE_CHANGED, phase=Phase.CONCLUDED, now=now)


def record_version(version: DocumentVersion, *, now: datetime, **_):
    record_event(version.consultation, EventKind.VERSION_PUBLISHED, version=version, now=now)


def announce_extension(
    consultation: Consultation,
    *,
    previous: date,
    closes_on: date,
    reason: str,
    reopening: bool,
    actor,
    now: datetime,
    **_,
):
    """An extension (or a reopening) is announced to everyone as an update."""
    new = schedule.format_local_date(closes_on)
    post_update(
        consultation,
        kind=UpdateKind.REOPENING if reopening else UpdateKind.EXTENSION,
        author=actor,
        now=now,
        title=str(
            _l("Commenting reopened until %(date)s", date=new)
            if reopening
            else _l("Commenting extended to %(date)s", date=new)
        ),
        body=str(
            _l(
                "The closing date moves from %(old)s to %(new)s (%(zone)s), for everyone. "
                "Reason: %(reason)s",
                old=schedule.format_local_date(previous),
                new=new,
                zone=consultation.timezone,
                reason=reason,
            )
        ),
    )


def subscribe():
    """Connect the timeline and updates to the consultation events."""
    events.dates_planned.connect(record_dates)
    events.consultation_published.connect(record_published)
    events.consultation_concluded.connect(record_concluded)
    events.version_published.connect(record_version)
    events.closing_extended.connect(announce_extension)
