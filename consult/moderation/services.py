"""Flagging and moderating. Hiding keeps everything; every action is audited."""

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from consult.accounts.models import User
from consult.audit.services import record
from consult.comments import events as comment_events
from consult.comments.models import Comment, LateStatus
from consult.consultations.models import Consultation
from consult.consultations.schedule import format_local
from consult.db import required, utcnow
from consult.errors import NotAllowed
from consult.extensions import db
from consult.figures import lone, protect
from consult.idempotency import AlreadyDone, claim, insert_once, key_or_new
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


def _submitted(moderator, submission_key: str) -> ModerationAction | None:
    """The action an earlier submission of the same form recorded, if any."""
    return db.session.scalar(
        sa.select(ModerationAction).where(
            ModerationAction.moderator_id == moderator.id,
            ModerationAction.submission_key == submission_key,
        )
    )


def _done_first(comment: Comment, kind: ModerationKind, moderator, submission_key: str):
    """The comment was hidden (or restored) by someone else first: this very form's
    action if it was the one (sent twice at once), otherwise who did it, and when."""
    earlier = _submitted(moderator, submission_key)
    if earlier is not None:
        return earlier
    last = db.session.scalar(
        sa.select(ModerationAction)
        .where(ModerationAction.comment_id == comment.id, ModerationAction.kind == kind)
        .order_by(ModerationAction.created_at.desc(), ModerationAction.id.desc())
        .limit(1)
    )
    if last is None:  # hidden before actions were recorded, or never hidden
        if kind == ModerationKind.HIDE:
            raise AlreadyDone(_l("This comment is already hidden."))
        raise AlreadyDone(_l("This comment is not hidden."))
    who = required(db.session.get(User, last.moderator_id)).display_name
    zone = required(db.session.get(Consultation, comment.consultation_id)).timezone
    when = f"{format_local(last.created_at, zone)} ({zone})"
    if kind == ModerationKind.HIDE:
        raise AlreadyDone(
            _l(
                "%(name)s already hid this comment, at %(time)s, giving the reason: %(reason)s",
                name=who,
                time=when,
                reason=last.reason,
            )
        )
    raise AlreadyDone(
        _l("%(name)s already restored this comment, at %(time)s.", name=who, time=when)
    )


def _record_action(moderator, submission_key: str, **fields) -> ModerationAction:
    action, _created = insert_once(
        lambda: ModerationAction(
            moderator_id=moderator.id, submission_key=submission_key, **fields
        ),
        lambda: _submitted(moderator, submission_key),
    )
    return action


def hide_comment(
    comment: Comment,
    *,
    moderator,
    reason_code: FlagReason,
    reason: str,
    submission_key: str | None = None,
    now: datetime | None = None,
) -> ModerationAction:
    """Hide a comment from public view with a public reason, keeping it for the record.

    The same form sent twice hides once. Of two coordinators hiding the comment at
    once, one hides it and the other is told who did, when and why (``AlreadyDone``).
    """
    now, submission_key = now or utcnow(), key_or_new(submission_key)
    _require_coordinator(moderator)
    earlier = _submitted(moderator, submission_key)
    if earlier is not None:
        return earlier
    if not claim(comment, Comment.hidden_at.is_(None), hidden_at=now, hidden_reason=reason):
        return _done_first(comment, ModerationKind.HIDE, moderator, submission_key)
    action = _record_action(
        moderator,
        submission_key,
        kind=ModerationKind.HIDE,
        comment_id=comment.id,
        consultation_id=comment.consultation_id,
        reason_code=FlagReason(reason_code),
        reason=reason,
        created_at=now,
    )
    _resolve_flags(comment, now)
    db.session.flush()
    record(moderator, "comment.hidden", comment, now=now, reason=FlagReason(reason_code).value)
    comment_events.comment_hidden.send(comment, now=now)
    return action


def restore_comment(
    comment: Comment,
    *,
    moderator,
    reason: str,
    submission_key: str | None = None,
    now: datetime | None = None,
) -> ModerationAction:
    """Show a hidden comment again, with a public reason; once, as ``hide_comment``."""
    now, submission_key = now or utcnow(), key_or_new(submission_key)
    _require_coordinator(moderator)
    earlier = _submitted(moderator, submission_key)
    if earlier is not None:
        return earlier
    hidden_at = comment.hidden_at
    # Restores the hiding this coordinator saw, not one made since.
    if hidden_at is None or not claim(
        comment, Comment.hidden_at == hidden_at, hidden_at=None, hidden_reason=None
    ):
        return _done_first(comment, ModerationKind.RESTORE, moderator, submission_key)
    action = _record_action(
        moderator,
        submission_key,
        kind=ModerationKind.RESTORE,
        comment_id=comment.id,
        consultation_id=comment.consultation_id,
        reason=reason,
        created_at=now,
    )
    db.session.flush()
    record(moderator, "comment.restored", comment, now=now)
    comment_events.comment_restored.send(comment, hidden_at=hidden_at, now=now)
    return action


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
