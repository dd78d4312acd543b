"""Flagging and moderating. Hiding keeps everything; every action is audited."""

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from consult.audit.services import record
from consult.comments import events as comment_events
from consult.comments.models import Comment, LateStatus
from consult.db import utcnow
from consult.errors import DomainError, NotAllowed
from consult.extensions import db
from consult.figures import lone, protect
from consult.moderation.models import Flag, FlagReason, ModerationAction, ModerationKind
from consult.policy.moderation import can_flag, can_moderate


def flag_comment(
    comment: Comment, *, user, reason: FlagReason, note: str | None, now: datetime | None = None
) -> Flag:
    """Any signed-in, active account may flag a comment it can see, once."""
    if not can_flag(user, comment):
        raise NotAllowed(_l("Your account cannot flag comments."))
    existing = db.session.scalar(
        sa.select(Flag).where(
            Flag.comment_id == comment.id, Flag.user_id == user.id, Flag.resolved_at.is_(None)
        )
    )
    if existing is not None:
        return existing
    flag = Flag(
        comment_id=comment.id,
        user_id=user.id,
        reason=FlagReason(reason),
        note=note or None,
        created_at=now or utcnow(),
    )
    db.session.add(flag)
    db.session.flush()
    # Not audited: an entry would pair the reader's account with the comment.
    return flag


def _require_coordinator(user):
    if not can_moderate(user):
        raise NotAllowed(_l("Only coordinators moderate."))


def _resolve_flags(comment: Comment, now: datetime):
    db.session.execute(
        sa.update(Flag)
        .where(Flag.comment_id == comment.id, Flag.resolved_at.is_(None))
        .values(resolved_at=now)
    )


def hide_comment(
    comment: Comment,
    *,
    moderator,
    reason_code: FlagReason,
    reason: str,
    now: datetime | None = None,
):
    """Hide a comment from public view with a public reason, keeping it for the record."""
    now = now or utcnow()
    _require_coordinator(moderator)
    if comment.is_hidden:
        raise DomainError(_l("This comment is already hidden."))
    comment.hidden_at = now
    comment.hidden_reason = reason
    db.session.add(
        ModerationAction(
            kind=ModerationKind.HIDE,
            comment_id=comment.id,
            consultation_id=comment.consultation_id,
            reason_code=FlagReason(reason_code),
            reason=reason,
            moderator_id=moderator.id,
            created_at=now,
        )
    )
    _resolve_flags(comment, now)
    db.session.flush()
    record(moderator, "comment.hidden", comment, now=now, reason=FlagReason(reason_code).value)
    comment_events.comment_hidden.send(comment, now=now)


def restore_comment(comment: Comment, *, moderator, reason: str, now: datetime | None = None):
    now = now or utcnow()
    _require_coordinator(moderator)
    if not comment.is_hidden:
        raise DomainError(_l("This comment is not hidden."))
    hidden_at = comment.hidden_at
    comment.hidden_at = None
    comment.hidden_reason = None
    db.session.add(
        ModerationAction(
            kind=ModerationKind.RESTORE,
            comment_id=comment.id,
            consultation_id=comment.consultation_id,
            reason=reason,
            moderator_id=moderator.id,
            created_at=now,
        )
    )
    db.session.flush()
    record(moderator, "comment.restored", comment, now=now)
    comment_events.comment_restored.send(comment, hidden_at=hidden_at, now=now)


def dismiss_flags(comment: Comment, *, moderator, now: datetime | None = None):
    _require_coordinator(moderator)
    _resolve_flags(comment, now or utcnow())
    record(moderator, "comment.flags_dismissed", comment, now=now)


def open_flags():
    """Flagged comments waiting for a look, most flagged first."""
    rows = db.session.execute(
        sa.select(Comment, sa.func.count(Flag.id))
        .join(Flag, Flag.comment_id == Comment.id)
        .where(Flag.resolved_at.is_(None))
        .group_by(Comment.id)
        .order_by(sa.func.count(Flag.id).desc(), sa.func.min(Flag.created_at))
    ).all()
    return rows


def late_comments_waiting() -> list[Comment]:
    """Late comments waiting for a coordinator's decision, oldest first."""
    return list(
        db.session.scalars(
            sa.select(Comment)
            .where(Comment.late_status == LateStatus.PENDING)
            .order_by(Comment.created_at)
        )
    )


def near_duplicates(limit: int = 50) -> list[Comment]:
    """Restricted and confidential texts that match a campaign, newest first
    (flagged to coordinators only)."""
    return list(
        db.session.scalars(
            sa.select(Comment)
            .where(Comment.near_duplicate_of_id.is_not(None))
            .order_by(Comment.created_at.desc())
            .limit(limit)
        )
    )


HIDDEN_TOTAL = "hidden_total"


def moderation_figures(consultation_id: int) -> dict:
    """Public moderation figures for a consultation: flags, hides by reason, restores.

    Published as every figure is (consult/figures.py): counts of 1–4 show as "fewer
    than 5", so nobody learns of one flag, and where the hides by reason and their
    total would let one be worked out by subtraction, another is "not shown" too."""
    flags = db.session.execute(
        sa.select(sa.func.count(Flag.id))
        .join(Comment, Flag.comment_id == Comment.id)
        .where(Comment.consultation_id == consultation_id)
    ).scalar_one()
    hides = dict(
        db.session.execute(
            sa.select(ModerationAction.reason_code, sa.func.count())
            .where(
                ModerationAction.consultation_id == consultation_id,
                ModerationAction.kind == ModerationKind.HIDE,
            )
            .group_by(ModerationAction.reason_code)
        )
        .tuples()
        .all()
    )
    restores = db.session.execute(
        sa.select(sa.func.count())
        .select_from(ModerationAction)
        .where(
            ModerationAction.consultation_id == consultation_id,
            ModerationAction.kind == ModerationKind.RESTORE,
        )
    ).scalar_one()
    by_reason = {reason: hides.get(reason, 0) for reason in FlagReason}
    hidden = protect(
        {**by_reason, HIDDEN_TOTAL: sum(by_reason.values())}, [[*by_reason, HIDDEN_TOTAL]]
    )
    return {
        "flags": lone(flags),
        "hidden": {reason: hidden[reason] for reason in FlagReason},
        "hidden_total": hidden[HIDDEN_TOTAL],
        "restored": lone(restores),
    }
