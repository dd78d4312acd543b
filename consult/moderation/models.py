"""Flags raised by readers and the moderation actions coordinators take. Nothing is deleted."""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.db import enum_column, utcnow
from consult.extensions import Model
from consult.idempotency import submission_key_index


class FlagReason(enum.StrEnum):
    PERSONAL_DATA = "personal_data"  # the text exposes someone
    ABUSE = "abuse"
    SPAM = "spam"
    OFF_TOPIC = "off_topic"
    OTHER = "other"


class ModerationKind(enum.StrEnum):
    HIDE = "hide"
    RESTORE = "restore"
    SUSPEND = "suspend"


class Flag(Model):
    __tablename__ = "flags"

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("comments.id"), index=True)
    reply_id: Mapped[int | None] = mapped_column(sa.ForeignKey("replies.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    reason: Mapped[FlagReason] = mapped_column(enum_column(FlagReason))
    note: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]

    comment = relationship("Comment")
    reply = relationship("Reply")


class ModerationAction(Model):
    """A coordinator's hide or restore (with its public reason) or suspension."""

    __tablename__ = "moderation_actions"
    # One row per submission of the form (consult/idempotency.py).
    __table_args__ = (submission_key_index("moderation_actions", "moderator_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ModerationKind] = mapped_column(enum_column(ModerationKind))
    comment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("comments.id"), index=True)
    reply_id: Mapped[int | None] = mapped_column(sa.ForeignKey("replies.id"))
    consultation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("consultations.id"), index=True
    )
    reason_code: Mapped[FlagReason | None] = mapped_column(enum_column(FlagReason))
    reason: Mapped[str | None] = mapped_column(sa.Text)
    moderator_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    submission_key: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
