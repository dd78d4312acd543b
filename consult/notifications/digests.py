"""Daily digests: a person's notifications chosen for the digest, and the coordinators'
counts. ``flask send-digests`` runs them (cron, hourly): each person gets theirs once
their local time is past 07:00, at most once per local day.

Idempotent: a ``digest_runs`` row (unique per person, kind and local day) is written
before the email, in the same transaction, so running the command twice, or on two
machines at once, sends nothing twice. Items are rendered and checked against the rules
when the digest is sent: whatever was hidden, withdrawn or made less public meanwhile
is left out.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from consult.accounts.models import Organisation, User, UserStatus
from consult.comments.models import Comment, LateStatus
from consult.consultations.models import Consultation, Phase
from consult.extensions import db
from consult.mail import external_url, send_email
from consult.moderation.models import Flag
from consult.notifications.emails import email_view, links_for, send_discreet
from consult.notifications.models import Delivery, DigestKind, DigestRun, Kind, Notification
from consult.notifications.preferences import deliveries, is_discreet
from consult.notifications.present import present
from consult.notifications.unsubscribe import DIGEST
from consult.permissions import Role
from consult.responses.models import OPEN_STATES, ResponseRequest
from consult.tracking.models import Update

DIGEST_HOUR = 7


def local_now(now: datetime, zone: str | None) -> datetime:
    try:
        return now.astimezone(ZoneInfo(zone or "UTC"))
    except (ZoneInfoNotFoundError, ValueError):
        return now.astimezone(ZoneInfo("UTC"))


def claim(user: User, kind: DigestKind, on_date: date, now: datetime) -> bool:
    """Record that ``user`` gets the ``kind`` digest of ``on_date``; False when it was
    already recorded (by an earlier run, or another machine at the same moment)."""
    exists = db.session.scalar(
        sa.select(sa.func.count(DigestRun.id)).where(
            DigestRun.user_id == user.id, DigestRun.kind == kind, DigestRun.on_date == on_date
        )
    )
    if exists:
        return False
    try:
        with db.session.begin_nested():
            db.session.add(DigestRun(user_id=user.id, kind=kind, on_date=on_date, sent_at=now))
    except IntegrityError:
        return False
    return True


# --- a person's digest ------------------------------------------------------------------


def _pending(user_id: int | None = None):
    query = sa.select(Notification).where(
        Notification.delivery == Delivery.DIGEST,
        Notification.digested_at.is_(None),
        Notification.emailed_at.is_(None),
    )
    if user_id is not None:
        query = query.where(Notification.user_id == user_id)
    return query


def send_personal_digests(now: datetime) -> int:
    """Every person past 07:00 with notifications waiting gets one digest for the day."""
    user_ids = db.session.scalars(
        _pending().with_only_columns(Notification.user_id).distinct()
    ).all()
    sent = 0
    for user in db.session.scalars(sa.select(User).where(User.id.in_(user_ids)).order_by(User.id)):
        local = local_now(now, user.timezone)
        if local.hour < DIGEST_HOUR or user.status != UserStatus.ACTIVE:
            continue
        if not claim(user, DigestKind.PERSONAL, local.date(), now):
            continue
        rows = db.session.scalars(
            _pending(user.id).where(Notification.created_at <= now).order_by(Notification.id)
        ).all()
        with force_locale(user.locale or "en"):
            items = [item for item in (present(n, user) for n in rows) if item.available]
        for row in rows:
            row.digested_at = now  # unavailable ones too: never retried
        if items:
            if is_discreet(user):
                send_discreet(user, DIGEST)
            else:
                unsubscribe, headers = links_for(user, DIGEST)
                send_email(
                    user.email,
                    "digest",
                    locale=user.locale,
                    headers=headers,
                    items=[email_view(item) for item in items],
                    notifications_url=external_url("notifications.index"),
                    settings_url=external_url("notifications.settings"),
                    unsubscribe_url=unsubscribe,
                )
            sent += 1
        db.session.commit()
    return sent


# --- coordinators ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    label: str
    count: int
    url: str


def _count(query) -> int:
    return db.session.scalar(query) or 0


def updates_overdue(now: datetime) -> int:
    """Published consultations whose last update is older than their update interval."""
    last = (
        sa.select(Update.consultation_id, sa.func.max(Update.posted_at).label("last"))
        .group_by(Update.consultation_id)
        .subquery()
    )
    rows = db.session.execute(
        sa.select(Consultation, last.c.last)
        .outerjoin(last, last.c.consultation_id == Consultation.id)
        .where(Consultation.phase == Phase.PUBLISHED)
    ).all()
    overdue = 0
    for consultation, latest in rows:
        since = latest or consultation.published_at
        if since is None:
            continue
        if since.tzinfo is None:  # a max() over SQLite text comes back naive UTC
            since = since.replace(tzinfo=now.tzinfo)
        if now - since > timedelta(days=consultation.update_interval_days):
            overdue += 1
    return overdue


def coordination_rows(now: datetime, since: datetime) -> list[Row]:
    """Counts and links, never names: what is waiting for coordinators."""
    very_overdue = db.session.execute(
        sa.select(ResponseRequest.company_id, sa.func.count(ResponseRequest.id))
        .where(ResponseRequest.state.in_(OPEN_STATES), ResponseRequest.very_overdue_at <= now)
        .group_by(ResponseRequest.company_id)
    ).all()
    rows = [
        Row(
            _("Registrations waiting for approval"),
            _count(sa.select(sa.func.count(User.id)).where(User.status == UserStatus.PENDING)),
            external_url("admin.registrations"),
        ),
        Row(
            _("New flags since the last digest"),
            _count(
                sa.select(sa.func.count(Flag.id)).where(
                    Flag.created_at > since, Flag.resolved_at.is_(None)
                )
            ),
            external_url("moderation.queue"),
        ),
        Row(
            _("Late comments waiting for a decision"),
            _count(
                sa.select(sa.func.count(Comment.id)).where(
                    Comment.late_status == LateStatus.PENDING
                )
            ),
            external_url("moderation.queue"),
        ),
        Row(
            _("Consultations whose progress update is overdue"),
            updates_overdue(now),
            external_url("main.home"),
        ),
    ]
    for company_id, count in very_overdue:
        company = db.session.get(Organisation, company_id)
        if company is not None:
            rows.append(
                Row(
                    _("Very overdue requests of %(company)s", company=company.name),
                    count,
                    external_url("responses.tracker_all"),
                )
            )
    return [row for row in rows if row.count]


def coordinators() -> list[User]:
    return list(
        db.session.scalars(
            sa.select(User)
            .where(User.role == Role.COORDINATOR, User.status == UserStatus.ACTIVE)
            .order_by(User.id)
        )
    )


def send_coordinator_digests(now: datetime) -> int:
    """Each coordinator who wants it, past 07:00 local, once a day, when anything waits."""
    people = coordinators()
    wanted = deliveries([u.id for u in people], Kind.COORDINATION)
    sent = 0
    for user in people:
        local = local_now(now, user.timezone)
        if wanted[user.id] != Delivery.DIGEST or local.hour < DIGEST_HOUR:
            continue
        previous = db.session.scalar(
            sa.select(sa.func.max(DigestRun.sent_at)).where(
                DigestRun.user_id == user.id, DigestRun.kind == DigestKind.COORDINATION
            )
        )
        if not claim(user, DigestKind.COORDINATION, local.date(), now):
            continue
        since = previous or now - timedelta(days=1)
        if since.tzinfo is None:
            since = since.replace(tzinfo=now.tzinfo)
        with force_locale(user.locale or "en"):
            rows = coordination_rows(now, since)
        if rows:
            if is_discreet(user):
                send_discreet(user, Kind.COORDINATION)
            else:
                unsubscribe, headers = links_for(user, Kind.COORDINATION)
                send_email(
                    user.email,
                    "coordinator_digest",
                    locale=user.locale,
                    headers=headers,
                    rows=rows,
                    unsubscribe_url=unsubscribe,
                )
            sent += 1
        db.session.commit()
    return sent
