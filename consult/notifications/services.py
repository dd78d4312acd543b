"""Writing notifications when something happens, and reading them back.

A subscriber describes what happened as a ``Happening`` (the event, a key naming it, and
ids) and calls ``publish``. Who is told is computed from the happening alone
(``consult.notifications.audiences``), so the same function can run later, in a job:
``fan_out(payload)`` is idempotent, because a person has at most one notification per
event key (a unique constraint), and it writes only the rows still missing.

Up to FAN_OUT_LIMIT recipients are written inline, in the event's transaction; above
that the fan-out goes to ``enqueue_fan_out``, which today runs the same job in-process
(still in the event's transaction), and is the one place to hand it to a queue.
Immediate emails are queued through ``send_email`` in the same transaction.
"""

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa

from consult.accounts.models import User, UserStatus
from consult.db import utcnow
from consult.extensions import db
from consult.notifications.emails import email_notification
from consult.notifications.models import Delivery, Event, Kind, Notification
from consult.notifications.preferences import EMAIL_ONLY, deliveries

FAN_OUT_LIMIT = 200
RETENTION_DAYS = 180
PAGE_SIZE = 50


@dataclass(frozen=True)
class Happening:
    """What happened, by ids: enough to find its audience and to render it later."""

    event: Event
    key: str  # e.g. "reply:12": one notification per person and key
    ids: dict[str, int] = field(default_factory=dict)  # Notification column -> id
    detail: str | None = None
    actor_id: int | None = None  # never told of their own action
    to: tuple[int, ...] = ()  # for events about one person's own things: who they are

    def payload(self) -> dict:
        return {**asdict(self), "event": self.event.value}

    @classmethod
    def from_payload(cls, payload: dict) -> "Happening":
        return cls(**{**payload, "event": Event(payload["event"]), "to": tuple(payload["to"])})


# Who is told of each event: user id -> the kind they get it as. Filled by
# consult.notifications.audiences (one function per event).
Audience = Callable[[Happening], dict[int, Kind]]
AUDIENCES: dict[Event, Audience] = {}


def audience_of(happening: Happening) -> dict[int, Kind]:
    audience = AUDIENCES[happening.event](happening)
    audience.pop(happening.actor_id, None)  # type: ignore[arg-type]
    return audience


def publish(happening: Happening, *, now: datetime | None = None) -> list[Notification]:
    """Tell everyone concerned, in the current transaction (or through the fan-out job
    when they are many)."""
    now = now or utcnow()
    audience = audience_of(happening)
    if len(audience) > FAN_OUT_LIMIT:
        enqueue_fan_out(happening.payload(), now.isoformat())
        return []
    return write(happening, audience, now=now)


def enqueue_fan_out(payload: dict, now: str):
    """Hand a large fan-out to a job. In-process for now: the job is idempotent and
    keyed on the event, so moving it to the queue changes nothing else."""
    fan_out(payload, now)


def fan_out(payload: dict, now: str) -> int:
    """The fan-out job: write the notifications of one happening still missing."""
    happening = Happening.from_payload(payload)
    return len(write(happening, audience_of(happening), now=datetime.fromisoformat(now)))


def write(happening: Happening, audience: dict[int, Kind], *, now: datetime) -> list[Notification]:
    """One row per person not yet told of this happening; immediate email queued."""
    if not audience:
        return []
    told = set(
        db.session.scalars(
            sa.select(Notification.user_id).where(
                Notification.event_key == happening.key, Notification.user_id.in_(audience)
            )
        )
    )
    users = {
        u.id: u
        for u in db.session.scalars(
            sa.select(User).where(User.id.in_(set(audience) - told)).order_by(User.id)
        )
        # Security notices reach every account; the rest only active ones.
        if u.status == UserStatus.ACTIVE or happening.event in _ACCOUNT_EVENTS
    }
    by_kind: dict[Kind, list[int]] = {}
    for user_id in users:
        by_kind.setdefault(audience[user_id], []).append(user_id)
    written = []
    for kind, user_ids in by_kind.items():
        if kind in EMAIL_ONLY:
            continue
        chosen = deliveries(user_ids, kind)
        for user_id in user_ids:
            notification = Notification(
                user_id=user_id,
                kind=kind,
                event=happening.event,
                event_key=happening.key,
                delivery=chosen[user_id],
                detail=happening.detail,
                created_at=now,
                **happening.ids,
            )
            db.session.add(notification)
            written.append(notification)
    db.session.flush()
    for notification in written:
        if (
            notification.delivery == Delivery.IMMEDIATE
            and happening.event not in _MAILED_BY_ACCOUNTS
        ):
            email_notification(notification, users[notification.user_id], now=now)
    db.session.flush()
    return written


# The accounts layer mails these itself (to the old address too): in the app only here.
_MAILED_BY_ACCOUNTS = (Event.PASSWORD_CHANGED, Event.EMAIL_CHANGED)
_ACCOUNT_EVENTS = (
    Event.SIGNED_IN,
    Event.PASSWORD_CHANGED,
    Event.EMAIL_CHANGED,
    Event.IDENTITY_REVEALED,
)


# --- reading ----------------------------------------------------------------------------


def unread_count(user: User) -> int:
    return (
        db.session.scalar(
            sa.select(sa.func.count(Notification.id)).where(
                Notification.user_id == user.id, Notification.read_at.is_(None)
            )
        )
        or 0
    )


def notifications_of(user: User, *, before_id: int | None = None, limit: int = PAGE_SIZE):
    """The person's notifications, newest first, one page at a time."""
    query = sa.select(Notification).where(Notification.user_id == user.id)
    if before_id is not None:
        query = query.where(Notification.id < before_id)
    return list(db.session.scalars(query.order_by(Notification.id.desc()).limit(limit)))


def own_notification(user: User, notification_id: int) -> Notification | None:
    """The notification, if it is this person's (anyone else's reads as missing)."""
    notification = db.session.get(Notification, notification_id)
    if notification is None or notification.user_id != user.id:
        return None
    return notification


def mark_read(notification: Notification, *, now: datetime | None = None):
    if notification.read_at is None:
        notification.read_at = now or utcnow()
        db.session.flush()


def mark_all_read(user: User, *, now: datetime | None = None) -> int:
    result = db.session.execute(
        sa.update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=now or utcnow())
    )
    db.session.flush()
    return result.rowcount or 0  # type: ignore[attr-defined]


def purge_old(*, now: datetime | None = None, days: int = RETENTION_DAYS) -> int:
    """Delete notifications older than the retention period (180 days)."""
    cutoff = (now or utcnow()) - timedelta(days=days)
    result = db.session.execute(sa.delete(Notification).where(Notification.created_at < cutoff))
    db.session.flush()
    return result.rowcount or 0  # type: ignore[attr-defined]
