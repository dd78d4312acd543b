"""Progress updates and their promised rhythm: when the last one was posted, and whether
the next one is overdue.

Only progress updates count (extensions, delay notices and the rest do not). Days are
local calendar days in the consultation's zone: an update posted on 1 March is "0 days
ago" until the local midnight that starts 2 March. With an interval of N days, the next
update is due by the last local day N days after the last one (or after publication,
before the first), and overdue from the local midnight that follows: N + 1 days.
Consultations still in draft are never overdue.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from consult.consultations import schedule
from consult.consultations.models import Consultation, Phase
from consult.db import UTCDateTime
from consult.extensions import db
from consult.tracking.models import Update, UpdateKind


@dataclass(frozen=True)
class ProgressStatus:
    """How recent the consultation's last progress update is, in its local days."""

    interval_days: int
    last_posted_at: datetime | None = None  # the last progress update, if any
    since_on: date | None = None  # the local day counted from (that update, or publication)
    days: int | None = None  # local days since ``since_on``
    due_by: date | None = None  # the last local day on which the next one is on time
    overdue: bool = False

    @property
    def overdue_days(self) -> int:
        return max((self.days or 0) - self.interval_days, 0)


def progress_status(
    consultation: Consultation, last_posted_at: datetime | None, now: datetime
) -> ProgressStatus:
    """The status at ``now``, given when the last progress update was posted."""
    interval = consultation.update_interval_days
    start = last_posted_at or consultation.published_at
    if consultation.phase == Phase.DRAFT or start is None:
        return ProgressStatus(interval, last_posted_at)
    zone = consultation.timezone
    since_on = schedule.local_date(start, zone)
    today = schedule.local_date(now, zone)
    due_by = since_on + timedelta(days=interval)
    return ProgressStatus(
        interval,
        last_posted_at,
        since_on,
        max((today - since_on).days, 0),  # (a clock a little behind another worker's)
        due_by,
        overdue=today > due_by,
    )


def overdue_from(status: ProgressStatus, consultation: Consultation) -> datetime | None:
    """The instant (UTC) from which the status is overdue: the start of the local day
    after ``due_by``."""
    if status.due_by is None:
        return None
    return schedule.start_of_local_day(status.due_by + timedelta(days=1), consultation.timezone)


def _last_progress_query(consultation_ids):
    # A max() over SQLite's text loses the column type: coerce it back to aware UTC.
    last = sa.type_coerce(sa.func.max(Update.posted_at), UTCDateTime())
    return (
        sa.select(Update.consultation_id, last)
        .where(Update.kind == UpdateKind.PROGRESS, Update.consultation_id.in_(consultation_ids))
        .group_by(Update.consultation_id)
    )


def last_progress_at(consultation_ids) -> dict[int, datetime]:
    """When each consultation's last progress update was posted (one query)."""
    ids = list(consultation_ids)
    if not ids:
        return {}
    return dict(db.session.execute(_last_progress_query(ids)).tuples().all())


def status_of(consultation: Consultation, now: datetime) -> ProgressStatus:
    """The consultation's progress status at ``now``."""
    last = last_progress_at([consultation.id]).get(consultation.id)
    return progress_status(consultation, last, now)


def overdue_consultations(
    consultations, now: datetime
) -> list[tuple[Consultation, ProgressStatus]]:
    """Those of ``consultations`` whose progress update is overdue, longest overdue first."""
    public = [c for c in consultations if c.phase != Phase.DRAFT]
    last = last_progress_at(c.id for c in public)
    found = [(c, progress_status(c, last.get(c.id), now)) for c in public]
    overdue = [(c, s) for c, s in found if s.overdue]
    return sorted(overdue, key=lambda pair: (-pair[1].overdue_days, pair[0].title))
