"""How each person wants each kind of notification, and whether their email is discreet.

Every kind has a default (DESIGN, Defaults); a person's choice is a row of
``notification_preferences``. Security notifications are always on and always emailed.
Discreet email is on by default for anyone who has posted an anonymous, restricted or
confidential comment, until they choose otherwise.
"""

from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa

from consult.accounts.models import User
from consult.comments.models import Comment, Visibility
from consult.db import utcnow
from consult.extensions import db
from consult.notifications.models import Delivery, Kind, MailSettings, NotificationPreference
from consult.permissions import Role

DEFAULTS: dict[Kind, Delivery] = {
    Kind.THREAD_REPLY: Delivery.IMMEDIATE,
    Kind.COMPANY_RESPONSE: Delivery.IMMEDIATE,
    Kind.REQUEST_OVERDUE: Delivery.DIGEST,
    Kind.MY_COMMENT: Delivery.IMMEDIATE,
    Kind.COSIGN_INVITATION: Delivery.IMMEDIATE,
    Kind.FOLLOWED_ACTIVITY: Delivery.DIGEST,
    Kind.CONSULTATION_NEWS: Delivery.IMMEDIATE,
    Kind.COMMITMENTS: Delivery.DIGEST,
    Kind.NEW_REQUEST: Delivery.DIGEST,  # DESIGN: a daily digest by default
    Kind.COMPANY_THREAD: Delivery.IMMEDIATE,
    Kind.REMINDERS: Delivery.IMMEDIATE,
    Kind.COORDINATION: Delivery.DIGEST,
    Kind.SECURITY: Delivery.IMMEDIATE,
}

# Kinds that are email only (no notification rows): reminders come as their own email,
# coordinators' digests as theirs; "in the app only" means no email for them.
EMAIL_ONLY = (Kind.REMINDERS, Kind.COORDINATION)
CHOICES: dict[Kind, tuple[Delivery, ...]] = {
    Kind.REMINDERS: (Delivery.IMMEDIATE, Delivery.APP),
    Kind.COORDINATION: (Delivery.DIGEST, Delivery.APP),
    Kind.SECURITY: (Delivery.IMMEDIATE,),
}
ALL_CHOICES = (Delivery.IMMEDIATE, Delivery.DIGEST, Delivery.APP)

_COMMON = (
    Kind.THREAD_REPLY,
    Kind.COMPANY_RESPONSE,
    Kind.FOLLOWED_ACTIVITY,
    Kind.CONSULTATION_NEWS,
    Kind.COMMITMENTS,
)
_BY_ROLE = {
    Role.STAKEHOLDER: (
        Kind.THREAD_REPLY,
        Kind.COMPANY_RESPONSE,
        Kind.REQUEST_OVERDUE,
        Kind.MY_COMMENT,
        Kind.COSIGN_INVITATION,
        Kind.FOLLOWED_ACTIVITY,
        Kind.CONSULTATION_NEWS,
        Kind.COMMITMENTS,
    ),
    Role.COMPANY_REP: (Kind.NEW_REQUEST, Kind.COMPANY_THREAD, Kind.REMINDERS, *_COMMON),
    Role.COORDINATOR: (Kind.COORDINATION, *_COMMON),
}


def choices_for(kind: Kind) -> tuple[Delivery, ...]:
    return CHOICES.get(kind, ALL_CHOICES)


def kinds_for(user: User) -> tuple[Kind, ...]:
    """The kinds a person can set, for their role (security is always on, not set)."""
    return _BY_ROLE.get(user.role, _COMMON)


def deliveries(user_ids: Iterable[int], kind: Kind) -> dict[int, Delivery]:
    """Each person's delivery for ``kind``, in one query."""
    ids = list(user_ids)
    if kind == Kind.SECURITY:
        return dict.fromkeys(ids, Delivery.IMMEDIATE)
    chosen = dict(
        db.session.execute(
            sa.select(NotificationPreference.user_id, NotificationPreference.delivery).where(
                NotificationPreference.user_id.in_(ids), NotificationPreference.kind == kind
            )
        )
        .tuples()
        .all()
    )
    default = DEFAULTS[kind]
    return {i: chosen.get(i, default) for i in ids}


def delivery_for(user: User, kind: Kind) -> Delivery:
    return deliveries([user.id], kind)[user.id]


def preferences_of(user: User) -> dict[Kind, Delivery]:
    """Every kind the person can set, with their current choice."""
    chosen = dict(
        db.session.execute(
            sa.select(NotificationPreference.kind, NotificationPreference.delivery).where(
                NotificationPreference.user_id == user.id
            )
        )
        .tuples()
        .all()
    )
    return {kind: chosen.get(kind, DEFAULTS[kind]) for kind in kinds_for(user)}


def set_delivery(user: User, kind: Kind, delivery: Delivery, *, now: datetime | None = None):
    """Store a choice (idempotent); refused silently for a choice the kind does not offer."""
    if kind == Kind.SECURITY or delivery not in choices_for(kind):
        return
    row = db.session.scalar(
        sa.select(NotificationPreference).where(
            NotificationPreference.user_id == user.id, NotificationPreference.kind == kind
        )
    )
    if row is None:
        db.session.add(
            NotificationPreference(
                user_id=user.id, kind=kind, delivery=delivery, changed_at=now or utcnow()
            )
        )
    elif row.delivery != delivery:
        row.delivery = delivery
        row.changed_at = now or utcnow()
    db.session.flush()


def stop_email(user: User, kind: Kind, *, now: datetime | None = None):
    """What an unsubscribe link does: no more email of this kind (in the app only)."""
    set_delivery(user, kind, Delivery.APP, now=now)


def has_posted_non_public(user_id: int) -> bool:
    return bool(
        db.session.scalar(
            sa.select(sa.func.count(Comment.id)).where(
                Comment.author_id == user_id, Comment.visibility != Visibility.PUBLIC
            )
        )
    )


def chosen_discretion(user: User) -> bool | None:
    settings = db.session.get(MailSettings, user.id)
    return settings.discreet if settings is not None else None


def is_discreet(user: User) -> bool:
    """Discreet email: the person's choice, else on once they posted a non-public comment."""
    chosen = chosen_discretion(user)
    return chosen if chosen is not None else has_posted_non_public(user.id)


def set_discreet(user: User, discreet: bool, *, now: datetime | None = None):
    settings = db.session.get(MailSettings, user.id)
    if settings is None:
        db.session.add(MailSettings(user_id=user.id, discreet=discreet, changed_at=now or utcnow()))
    else:
        settings.discreet = discreet
        settings.changed_at = now or utcnow()
    db.session.flush()
