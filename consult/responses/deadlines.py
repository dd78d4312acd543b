"""Due dates and the state a request is in at a given instant.

Due date (a local date in the consultation's zone):
``base + window + paused days + recorded extensions``. The base is the day the company
was asked (the posting date, the day it was added or reassigned), or the closing date
when that day falls in the last 7 days of the comment period, or the acceptance date of
a late comment. While a clarification request is pending the due date already counts the
whole 14-day pause; when the commenter replies sooner, only the days actually paused stay.

Overdue from the local midnight after the due date; very overdue from the local midnight
after ``due date + window``. Both instants are stored in UTC and recomputed on pause,
resume and extension, so "overdue" is a comparison with the time of reading: no batch
job is needed.
"""

import enum
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from consult.comments.models import LateStatus
from consult.consultations.schedule import start_of_local_day
from consult.db import required
from consult.responses.models import OPEN_STATES, RequestState, ResponseRequest

FINAL_WEEK_DAYS = 7
CLARIFICATION_MAX_DAYS = 14


class Status(enum.StrEnum):
    """What a request is at an instant: its stored state, or the clock's verdict."""

    AWAITING = "awaiting"
    CLARIFICATION = "clarification_requested"
    OVERDUE = "overdue"
    VERY_OVERDUE = "very_overdue"
    ANSWERED = "answered"
    DECLINED = "declined"
    REASSIGNED = "reassigned"
    VOID = "void"
    WITHDRAWN = "withdrawn"
    MERGED = "merged"

    @property
    def label(self):
        return STATUS_LABELS[self]


STATUS_LABELS = {
    Status.AWAITING: _l("Awaiting an answer"),
    Status.CLARIFICATION: _l("Clarification requested"),
    Status.OVERDUE: _l("Overdue"),
    Status.VERY_OVERDUE: _l("Very overdue"),
    Status.ANSWERED: _l("Answered"),
    Status.DECLINED: _l("Declined"),
    Status.REASSIGNED: _l("Reassigned"),
    Status.VOID: _l("Void"),
    Status.WITHDRAWN: _l("Withdrawn with the comment"),
    Status.MERGED: _l("Merged into the campaign's request"),
}
OPEN_STATUSES = (Status.AWAITING, Status.CLARIFICATION, Status.OVERDUE, Status.VERY_OVERDUE)
CLOSED = [s for s in RequestState if s not in OPEN_STATES]


def local_date(instant: datetime, zone: str) -> date:
    return instant.astimezone(ZoneInfo(zone)).date()


def base_date(consultation, asked_on: date, *, late: bool = False) -> date:
    """The day the clock starts: ``asked_on``, or the closing date in the final week
    (a late comment's acceptance date is used as it is)."""
    closes_on = consultation.closes_on
    if (
        not late
        and closes_on is not None
        and (closes_on - timedelta(days=FINAL_WEEK_DAYS - 1) <= asked_on <= closes_on)
    ):
        return closes_on
    return asked_on


def asked_on_for(comment, consultation, now: datetime) -> tuple[date, bool]:
    """The day a company is asked about ``comment`` now, and whether the comment is late."""
    late = comment.late_status == LateStatus.ACCEPTED
    when = comment.late_decided_at if late and comment.late_decided_at else now
    return local_date(when, consultation.timezone), late


def reschedule(request: ResponseRequest, zone: str):
    """Recompute the due date and the overdue instants from the stored parts."""
    pending_pause = (
        CLARIFICATION_MAX_DAYS
        if request.state == RequestState.CLARIFICATION and request.paused_on is not None
        else 0
    )
    request.due_on = request.base_on + timedelta(
        days=request.window_days + request.paused_days + pending_pause + request.extension_days
    )
    request.overdue_at = start_of_local_day(request.due_on + timedelta(days=1), zone)
    request.very_overdue_at = start_of_local_day(
        request.due_on + timedelta(days=request.window_days + 1), zone
    )


def pause(request: ResponseRequest, now: datetime, zone: str):
    """Stop the clock for a clarification request, for at most 14 days."""
    request.paused_on = local_date(now, zone)
    request.pause_ends_at = start_of_local_day(
        request.paused_on + timedelta(days=CLARIFICATION_MAX_DAYS), zone
    )
    request.clarification_lapsed = False
    request.state = RequestState.CLARIFICATION
    reschedule(request, zone)


def end_pause(
    request: ResponseRequest,
    now: datetime,
    zone: str,
    *,
    next_state: RequestState = RequestState.AWAITING,
):
    """Restart the clock: count the days actually paused (at most 14)."""
    if request.paused_on is None:
        request.state = next_state
        reschedule(request, zone)
        return
    days = (local_date(now, zone) - request.paused_on).days
    request.clarification_lapsed = now >= required(request.pause_ends_at)  # set with paused_on
    request.paused_days += max(0, min(days, CLARIFICATION_MAX_DAYS))
    request.paused_on = None
    request.pause_ends_at = None
    request.state = next_state
    reschedule(request, zone)


def status_at(request: ResponseRequest, now: datetime) -> Status:
    """The request's status at ``now``: overdue comes from the stored instants."""
    if request.state not in OPEN_STATES:
        return Status(request.state.value)
    if (
        request.state == RequestState.CLARIFICATION
        and request.pause_ends_at is not None
        and now < request.pause_ends_at
    ):
        return Status.CLARIFICATION
    if now >= request.very_overdue_at:
        return Status.VERY_OVERDUE
    if now >= request.overdue_at:
        return Status.OVERDUE
    return Status.AWAITING


def clarification_unanswered(request: ResponseRequest, now: datetime) -> bool:
    """ "Clarification requested, none received": the 14 days passed without a reply."""
    if request.state == RequestState.CLARIFICATION:
        return request.pause_ends_at is not None and now >= request.pause_ends_at
    return request.clarification_lapsed and request.state == RequestState.AWAITING


def status_sql(now: datetime):
    """The SQL form of ``status_at``, for grouped figures and filters."""
    R = ResponseRequest
    return sa.case(
        *[(R.state == state, sa.literal(state.value)) for state in CLOSED],
        (
            sa.and_(R.state == RequestState.CLARIFICATION, R.pause_ends_at > now),
            sa.literal(Status.CLARIFICATION.value),
        ),
        (R.very_overdue_at <= now, sa.literal(Status.VERY_OVERDUE.value)),
        (R.overdue_at <= now, sa.literal(Status.OVERDUE.value)),
        else_=sa.literal(Status.AWAITING.value),
    )


def days_overdue(request: ResponseRequest, now: datetime, zone: str) -> int:
    return max(0, (local_date(now, zone) - request.due_on).days)
