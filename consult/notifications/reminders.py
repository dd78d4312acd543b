"""Reminders to companies, the coordinators' weekly overdue digest, and the notices that
come with time rather than with an action (a request or commitment becoming overdue).

``flask send-reminders`` runs them (cron, hourly). A request reaches a threshold on one
local day, in its consultation's zone (DESIGN, Defaults): 7 and 2 days before it is due,
the day it becomes overdue (the day after the due date) and the day it becomes very
overdue. From 08:00 local time on that day, each active representative of the company
gets one email listing every request of the company that reached a threshold, with a
reference and a link only (never the text). One ``request_reminders`` row per request
and threshold, under a unique constraint, so nothing is reminded twice.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from babel.dates import format_date
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from consult.accounts.models import Organisation, User
from consult.commitments.models import Commitment, CommitmentStatus
from consult.consultations.models import Consultation, Phase
from consult.consultations.schedule import start_of_local_day
from consult.extensions import db
from consult.mail import external_url, send_email
from consult.notifications.audiences import representatives
from consult.notifications.digests import claim, coordinators, local_now
from consult.notifications.emails import links_for, send_discreet
from consult.notifications.models import (
    Delivery,
    DigestKind,
    Event,
    Kind,
    ReminderLog,
    Threshold,
)
from consult.notifications.preferences import deliveries, is_discreet
from consult.notifications.services import Happening, publish
from consult.responses.deadlines import Status, status_sql
from consult.responses.models import OPEN_STATES, RequestState, ResponseRequest

REMINDER_HOUR = 8
WEEKLY_DAY = 0  # Monday

THRESHOLD_LABELS = {
    Threshold.WEEK_BEFORE: _l("due in 7 days"),
    Threshold.TWO_DAYS_BEFORE: _l("due in 2 days"),
    Threshold.OVERDUE: _l("overdue"),
    Threshold.VERY_OVERDUE: _l("very overdue"),
}


@dataclass(frozen=True)
class Due:
    request: ResponseRequest
    threshold: Threshold
    on_date: date


def threshold_on(request: ResponseRequest, today: date, zone: str) -> Threshold | None:
    """The threshold ``request`` reaches on the local day ``today``, if any."""
    if request.due_on - timedelta(days=7) == today:
        return Threshold.WEEK_BEFORE
    if request.due_on - timedelta(days=2) == today:
        return Threshold.TWO_DAYS_BEFORE
    if request.due_on + timedelta(days=1) == today:
        return Threshold.OVERDUE
    if start_of_local_day(today, zone) == request.very_overdue_at:
        return Threshold.VERY_OVERDUE
    return None


def _days(request_today: date, zone: str):
    start = start_of_local_day(request_today, zone)
    return start, start_of_local_day(request_today + timedelta(days=1), zone)


def due_reminders(now: datetime) -> list[Due]:
    """Every (request, threshold) reached today in its consultation's zone, once it is
    08:00 there, not reminded yet. A request paused for clarification is not reminded."""
    found = []
    consultations = db.session.scalars(
        sa.select(Consultation).where(Consultation.phase != Phase.DRAFT).order_by(Consultation.id)
    )
    for consultation in consultations:
        local = local_now(now, consultation.timezone)
        if local.hour < REMINDER_HOUR:
            continue
        today = local.date()
        start, end = _days(today, consultation.timezone)
        candidates = db.session.scalars(
            sa.select(ResponseRequest)
            .where(
                ResponseRequest.consultation_id == consultation.id,
                ResponseRequest.state == RequestState.AWAITING,
                sa.or_(
                    ResponseRequest.due_on.in_(
                        [
                            today + timedelta(days=7),
                            today + timedelta(days=2),
                            today - timedelta(days=1),
                        ]
                    ),
                    sa.and_(
                        ResponseRequest.very_overdue_at >= start,
                        ResponseRequest.very_overdue_at < end,
                    ),
                ),
            )
            .order_by(ResponseRequest.id)
        ).all()
        done = set(
            db.session.execute(
                sa.select(ReminderLog.request_id, ReminderLog.threshold).where(
                    ReminderLog.request_id.in_([r.id for r in candidates])
                )
            )
            .tuples()
            .all()
        )
        for request in candidates:
            threshold = threshold_on(request, today, consultation.timezone)
            if threshold is not None and (request.id, threshold) not in done:
                found.append(Due(request, threshold, today))
    return found


def _log(due: Due, now: datetime) -> bool:
    """Record the reminder; False when another run recorded it first."""
    try:
        with db.session.begin_nested():
            db.session.add(
                ReminderLog(
                    request_id=due.request.id,
                    threshold=due.threshold,
                    on_date=due.on_date,
                    sent_at=now,
                )
            )
    except IntegrityError:
        return False
    return True


def _reminder_rows(items: list[Due], user: User) -> list[dict]:
    rows = []
    for due in items:
        request = due.request
        zone = request.consultation.timezone
        rows.append(
            {
                "reference": request.reference,
                "threshold": str(THRESHOLD_LABELS[due.threshold]),
                "due": format_date(request.due_on, "d MMMM y", locale=user.locale or "en"),
                "zone": zone,
                "url": external_url("responses.request_page", reference=request.reference),
            }
        )
    return rows


def send_reminders(now: datetime) -> int:
    """Log every reminder due now, then email each representative once, and tell the
    commenters of requests that became overdue. Returns the number of emails."""
    logged = [due for due in due_reminders(now) if _log(due, now)]
    by_company: dict[int, list[Due]] = defaultdict(list)
    for due in logged:
        by_company[due.request.company_id].append(due)
        if due.threshold in (Threshold.OVERDUE, Threshold.VERY_OVERDUE):
            _tell_commenters(due, now)
    sent = 0
    for company_id, items in by_company.items():
        company = db.session.get(Organisation, company_id)
        reps = sorted(representatives(company_id))
        wanted = deliveries(reps, Kind.REMINDERS)
        for user in db.session.scalars(sa.select(User).where(User.id.in_(reps)).order_by(User.id)):
            if wanted[user.id] != Delivery.IMMEDIATE:
                continue
            if is_discreet(user):
                send_discreet(user, Kind.REMINDERS)
            else:
                unsubscribe, headers = links_for(user, Kind.REMINDERS)
                with force_locale(user.locale or "en"):
                    rows = _reminder_rows(items, user)
                send_email(
                    user.email,
                    "company_reminders",
                    locale=user.locale,
                    headers=headers,
                    company=company.name if company else "",
                    rows=rows,
                    queue_url=external_url("responses.queue"),
                    unsubscribe_url=unsubscribe,
                )
            sent += 1
    db.session.commit()
    return sent


def _tell_commenters(due: Due, now: datetime):
    request = due.request
    publish(
        Happening(
            Event.REQUEST_OVERDUE,
            f"request-{due.threshold}:{request.id}",
            {
                "request_id": request.id,
                "comment_id": request.comment_id,
                "consultation_id": request.consultation_id,
            },
            detail=due.threshold.value,
        ),
        now=now,
    )


# --- commitments becoming overdue --------------------------------------------------------


def commitments_overdue(now: datetime) -> int:
    """Open commitments that became overdue today (local), from 08:00: their followers
    and their company's are told once."""
    told = 0
    consultations = db.session.scalars(
        sa.select(Consultation).where(Consultation.phase != Phase.DRAFT).order_by(Consultation.id)
    )
    for consultation in consultations:
        local = local_now(now, consultation.timezone)
        if local.hour < REMINDER_HOUR:
            continue
        start, end = _days(local.date(), consultation.timezone)
        found = db.session.scalars(
            sa.select(Commitment).where(
                Commitment.consultation_id == consultation.id,
                Commitment.status == CommitmentStatus.OPEN,
                Commitment.confirmed_at.is_not(None),
                Commitment.overdue_at >= start,
                Commitment.overdue_at < end,
            )
        ).all()
        for commitment in found:
            told += len(
                publish(
                    Happening(
                        Event.COMMITMENT_OVERDUE,
                        f"commitment-overdue:{commitment.id}:{commitment.due_on.isoformat()}",
                        {"commitment_id": commitment.id, "consultation_id": consultation.id},
                    ),
                    now=now,
                )
            )
    db.session.commit()
    return told


# --- the coordinators' weekly overdue digest -------------------------------------------------


def overdue_by_company(now: datetime) -> list[dict]:
    status = status_sql(now)
    rows = db.session.execute(
        sa.select(
            ResponseRequest.company_id,
            sa.func.count(ResponseRequest.id),
            sa.func.sum(sa.case((status == Status.VERY_OVERDUE.value, 1), else_=0)),
        )
        .where(
            ResponseRequest.state.in_(OPEN_STATES),
            status.in_([Status.OVERDUE.value, Status.VERY_OVERDUE.value]),
        )
        .group_by(ResponseRequest.company_id)
    ).all()
    result = []
    for company_id, overdue, very in rows:
        company = db.session.get(Organisation, company_id)
        if company is not None:
            result.append(
                {
                    "company": company.name,
                    "overdue": overdue,
                    "very_overdue": int(very or 0),
                    "url": external_url("responses.tracker_all"),
                }
            )
    return sorted(result, key=lambda row: row["company"])


def send_weekly_overdue(now: datetime) -> int:
    """On Mondays from 08:00 (each coordinator's zone): overdue requests by company."""
    people = coordinators()
    wanted = deliveries([u.id for u in people], Kind.COORDINATION)
    sent = 0
    for user in people:
        local = local_now(now, user.timezone)
        if local.weekday() != WEEKLY_DAY or local.hour < REMINDER_HOUR:
            continue
        if wanted[user.id] != Delivery.DIGEST:
            continue
        if not claim(user, DigestKind.WEEKLY_OVERDUE, local.date(), now):
            continue
        rows = overdue_by_company(now)
        if rows:
            if is_discreet(user):
                send_discreet(user, Kind.COORDINATION)
            else:
                unsubscribe, headers = links_for(user, Kind.COORDINATION)
                send_email(
                    user.email,
                    "weekly_overdue",
                    locale=user.locale,
                    headers=headers,
                    rows=rows,
                    unsubscribe_url=unsubscribe,
                )
            sent += 1
        db.session.commit()
    return sent
