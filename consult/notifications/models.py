"""Notifications, follows, preferences, and the logs that keep scheduled mail idempotent.

A notification row stores ids and codes, never text: what it says is rendered when it is
shown or sent, and checked against the rules (``consult.policy``) at that moment, so an
item hidden, withdrawn or made less public since shows nothing (or a neutral line).
"""

import enum
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.accounts.models import User
from consult.db import enum_column, utcnow
from consult.extensions import Model


class Kind(enum.StrEnum):
    """What a person chooses the delivery of, one choice per kind."""

    THREAD_REPLY = "thread_reply"  # a reply or rejoinder in a thread I wrote, co-signed, follow
    COMPANY_RESPONSE = "company_response"  # an answer, decline, clarification, follow-up
    REQUEST_OVERDUE = "request_overdue"  # a request on my comment overdue, very overdue
    MY_COMMENT = "my_comment"  # hidden or restored, late accepted or refused, co-signed edited
    COSIGN_INVITATION = "cosign_invitation"
    FOLLOWED_ACTIVITY = "followed_activity"  # a new comment or company answer where I follow
    CONSULTATION_NEWS = "consultation_news"  # new version, phase, extension, reopening, update
    COMMITMENTS = "commitments"  # status change or overdue on a commitment I follow
    NEW_REQUEST = "new_request"  # company representatives: new requests for the company
    COMPANY_THREAD = "company_thread"  # representatives: rejoinders, clarification replies
    REMINDERS = "reminders"  # representatives: the daily reminder of due requests
    COORDINATION = "coordination"  # coordinators: the daily and weekly digests
    SECURITY = "security"  # sign-ins, credentials, identity look-ups: always on

    @property
    def label(self):
        return KIND_LABELS[self]


KIND_LABELS = {
    Kind.THREAD_REPLY: _l("Replies in threads you wrote, co-signed or follow"),
    Kind.COMPANY_RESPONSE: _l("Company answers, declines and questions on your comments"),
    Kind.REQUEST_OVERDUE: _l("A company's answer to your comment is overdue"),
    Kind.MY_COMMENT: _l("Moderation and decisions on your comments, edits of co-signed ones"),
    Kind.COSIGN_INVITATION: _l("Invitations to co-sign"),
    Kind.FOLLOWED_ACTIVITY: _l("New comments and answers where you follow"),
    Kind.CONSULTATION_NEWS: _l("New versions, phases, extensions and updates"),
    Kind.COMMITMENTS: _l("Commitments you follow"),
    Kind.NEW_REQUEST: _l("New requests for your company"),
    Kind.COMPANY_THREAD: _l("Replies to your company's answers and clarification requests"),
    Kind.REMINDERS: _l("Daily reminders of requests coming due"),
    Kind.COORDINATION: _l("Coordinators' digests (counts and links)"),
    Kind.SECURITY: _l("Security: sign-ins, password and email changes, identity look-ups"),
}


class Delivery(enum.StrEnum):
    IMMEDIATE = "immediate"  # in the app, and by email at once
    DIGEST = "digest"  # in the app, and in the next daily digest
    APP = "app"  # in the app only (for the email-only kinds: no email)

    @property
    def label(self):
        return DELIVERY_LABELS[self]


DELIVERY_LABELS = {
    Delivery.IMMEDIATE: _l("Email at once"),
    Delivery.DIGEST: _l("Daily digest"),
    Delivery.APP: _l("In the app only"),
}


class Event(enum.StrEnum):
    """What happened; decides how a notification reads."""

    REPLY_POSTED = "reply_posted"
    REJOINDER_POSTED = "rejoinder_posted"
    RESPONSE_POSTED = "response_posted"  # the response's kind says which
    REQUEST_OVERDUE = "request_overdue"  # detail: overdue | very_overdue
    COMMENT_HIDDEN = "comment_hidden"
    COMMENT_RESTORED = "comment_restored"
    LATE_ACCEPTED = "late_accepted"
    LATE_REFUSED = "late_refused"
    COSIGN_INVITED = "cosign_invited"
    COSIGNED_EDITED = "cosigned_edited"
    COMMENT_PUBLISHED = "comment_published"
    VERSION_PUBLISHED = "version_published"
    PHASE_CHANGED = "phase_changed"  # detail: the phase
    UPDATE_POSTED = "update_posted"
    COMMITMENT_STATUS = "commitment_status"
    COMMITMENT_OVERDUE = "commitment_overdue"
    REQUEST_OPENED = "request_opened"
    SIGNED_IN = "signed_in"
    PASSWORD_CHANGED = "password_changed"  # noqa: S105 - an event name, not a password
    EMAIL_CHANGED = "email_changed"
    IDENTITY_REVEALED = "identity_revealed"


def _fk(target: str):
    return mapped_column(sa.ForeignKey(target), nullable=True)


class Notification(Model):
    """One thing that happened, for one person. Ids and codes only, never text."""

    __tablename__ = "notifications"
    __table_args__ = (
        # One notification per person and event, however many reasons they have for it:
        # the fan-out can run twice (a job retried) and write nothing new.
        sa.UniqueConstraint("user_id", "event_key", name="uq_notifications_user_event"),
        sa.Index("ix_notifications_user_unread", "user_id", "read_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Indexed by the unique constraints, which start with it.
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    kind: Mapped[Kind] = mapped_column(enum_column(Kind))
    event: Mapped[Event] = mapped_column(enum_column(Event))
    event_key: Mapped[str] = mapped_column(sa.String(80))
    delivery: Mapped[Delivery] = mapped_column(enum_column(Delivery))
    detail: Mapped[str | None] = mapped_column(sa.String(30))  # a code, never text

    consultation_id: Mapped[int | None] = _fk("consultations.id")
    comment_id: Mapped[int | None] = _fk("comments.id")
    reply_id: Mapped[int | None] = _fk("replies.id")
    request_id: Mapped[int | None] = _fk("response_requests.id")
    response_id: Mapped[int | None] = _fk("responses.id")
    rejoinder_id: Mapped[int | None] = _fk("rejoinders.id")
    version_id: Mapped[int | None] = _fk("document_versions.id")
    update_id: Mapped[int | None] = _fk("updates.id")
    commitment_id: Mapped[int | None] = _fk("commitments.id")
    commitment_event_id: Mapped[int | None] = _fk("commitment_events.id")
    moderation_action_id: Mapped[int | None] = _fk("moderation_actions.id")
    reveal_id: Mapped[int | None] = _fk("identity_reveals.id")

    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    read_at: Mapped[datetime | None]
    emailed_at: Mapped[datetime | None]
    digested_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()


class FollowTarget(enum.StrEnum):
    CONSULTATION = "consultation"
    SECTION = "section"  # by the stable key of its heading
    PARAGRAPH = "paragraph"  # by its stable key, in every version
    COMMENT = "comment"
    COMMITMENT = "commitment"
    COMPANY = "company"


class Follow(Model):
    """Someone follows one thing. Their own comments and those they co-signed are
    followed without a row (see ``consult.notifications.follows``)."""

    __tablename__ = "follows"
    __table_args__ = (sa.UniqueConstraint("user_id", "target_key", name="uq_follows_user_target"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    target: Mapped[FollowTarget] = mapped_column(enum_column(FollowTarget))
    # "comment:12", "paragraph:3:K7Q2…": one row per person and thing followed.
    target_key: Mapped[str] = mapped_column(sa.String(80), index=True)
    consultation_id: Mapped[int | None] = _fk("consultations.id")
    stable_key: Mapped[str | None] = mapped_column(sa.String(16))
    comment_id: Mapped[int | None] = _fk("comments.id")
    commitment_id: Mapped[int | None] = _fk("commitments.id")
    company_id: Mapped[int | None] = _fk("organisations.id")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class NotificationPreference(Model):
    """A person's delivery choice for one kind; absent means the kind's default."""

    __tablename__ = "notification_preferences"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "kind", name="uq_notification_preferences_user_kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    kind: Mapped[Kind] = mapped_column(enum_column(Kind))
    delivery: Mapped[Delivery] = mapped_column(enum_column(Delivery))
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)


class MailSettings(Model):
    """A person's choice of discreet email; absent or None means the default (on for
    anyone who has posted an anonymous, restricted or confidential comment)."""

    __tablename__ = "mail_settings"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), primary_key=True)
    discreet: Mapped[bool | None]
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)


class Threshold(enum.StrEnum):
    """When a request is reminded to its company (DESIGN, Defaults: reminders)."""

    WEEK_BEFORE = "due_in_7_days"
    TWO_DAYS_BEFORE = "due_in_2_days"
    OVERDUE = "overdue"
    VERY_OVERDUE = "very_overdue"


class ReminderLog(Model):
    """One row per request and threshold reminded: nothing is reminded twice."""

    __tablename__ = "request_reminders"
    __table_args__ = (
        sa.UniqueConstraint("request_id", "threshold", name="uq_request_reminders_threshold"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(sa.ForeignKey("response_requests.id"))
    threshold: Mapped[Threshold] = mapped_column(enum_column(Threshold))
    on_date: Mapped[date]  # the local day, in the consultation's zone, it was crossed
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)


class DigestKind(enum.StrEnum):
    PERSONAL = "personal"  # the daily digest of a person's notifications
    COORDINATION = "coordination"  # coordinators' daily counts
    WEEKLY_OVERDUE = "weekly_overdue"  # coordinators' weekly overdue requests by company


class DigestRun(Model):
    """One digest per person, kind and local day: a scheduled command run twice, or by
    two machines at once, sends nothing twice."""

    __tablename__ = "digest_runs"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "kind", "on_date", name="uq_digest_runs_user_kind_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    kind: Mapped[DigestKind] = mapped_column(enum_column(DigestKind))
    on_date: Mapped[date]
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
