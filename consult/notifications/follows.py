"""Following things, and who follows what.

A person follows a consultation, a section (by its heading's stable key), a paragraph
(by its stable key, so in every version), a comment, a commitment or a company. Their
own comments and the comments their organisation co-signed through them are followed
without a row: authorship and co-signature are the reason, and they cannot lapse.
"""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from consult.accounts.models import User
from consult.comments.models import Comment, CoSignature
from consult.consultations.models import Paragraph
from consult.db import utcnow
from consult.extensions import db
from consult.notifications.models import Follow, FollowTarget


@dataclass(frozen=True)
class Target:
    """One thing that can be followed, with the ids that name it."""

    kind: FollowTarget
    consultation_id: int | None = None
    stable_key: str | None = None
    comment_id: int | None = None
    commitment_id: int | None = None
    company_id: int | None = None

    @property
    def key(self) -> str:
        if self.kind in (FollowTarget.SECTION, FollowTarget.PARAGRAPH):
            return f"{self.kind}:{self.consultation_id}:{self.stable_key}"
        value = {
            FollowTarget.CONSULTATION: self.consultation_id,
            FollowTarget.COMMENT: self.comment_id,
            FollowTarget.COMMITMENT: self.commitment_id,
            FollowTarget.COMPANY: self.company_id,
        }[self.kind]
        return f"{self.kind}:{value}"


def is_following(user: User, target: Target) -> bool:
    return bool(
        db.session.scalar(
            sa.select(sa.func.count(Follow.id)).where(
                Follow.user_id == user.id, Follow.target_key == target.key
            )
        )
    )


def follow(user: User, target: Target, *, now: datetime | None = None) -> Follow:
    """Follow ``target`` (following twice is following once)."""
    existing = db.session.scalar(
        sa.select(Follow).where(Follow.user_id == user.id, Follow.target_key == target.key)
    )
    if existing is not None:
        return existing
    row = Follow(
        user_id=user.id,
        target=target.kind,
        target_key=target.key,
        consultation_id=target.consultation_id,
        stable_key=target.stable_key,
        comment_id=target.comment_id,
        commitment_id=target.commitment_id,
        company_id=target.company_id,
        created_at=now or utcnow(),
    )
    db.session.add(row)
    db.session.flush()
    return row


def unfollow(user: User, target: Target) -> None:
    """Stop following ``target`` (nothing happens when one did not follow it)."""
    db.session.execute(
        sa.delete(Follow).where(Follow.user_id == user.id, Follow.target_key == target.key)
    )
    db.session.flush()


def followed_by(user: User) -> list[Follow]:
    return list(
        db.session.scalars(
            sa.select(Follow).where(Follow.user_id == user.id).order_by(Follow.created_at)
        )
    )


def _followers(*targets: Target) -> set[int]:
    keys = [t.key for t in targets]
    if not keys:
        return set()
    return set(db.session.scalars(sa.select(Follow.user_id).where(Follow.target_key.in_(keys))))


def section_key(paragraph: Paragraph | None) -> str | None:
    """The stable key of the heading that starts the paragraph's section, if any
    (blocks before the first heading, numbered 0.n, belong to none)."""
    if paragraph is None:
        return None
    section = paragraph.number.split(".", 1)[0]
    if section == "0":
        return None
    if paragraph.number == section:
        return paragraph.stable_key
    return db.session.scalar(
        sa.select(Paragraph.stable_key).where(
            Paragraph.version_id == paragraph.version_id, Paragraph.number == section
        )
    )


def place_targets(comment: Comment) -> list[Target]:
    """The consultation, section and paragraph a comment is in."""
    targets = [Target(FollowTarget.CONSULTATION, consultation_id=comment.consultation_id)]
    if comment.stable_key:
        targets.append(
            Target(
                FollowTarget.PARAGRAPH,
                consultation_id=comment.consultation_id,
                stable_key=comment.stable_key,
            )
        )
        key = section_key(comment.paragraph)
        if key:
            targets.append(
                Target(
                    FollowTarget.SECTION, consultation_id=comment.consultation_id, stable_key=key
                )
            )
    return targets


def place_followers(comment: Comment) -> set[int]:
    """Who follows the consultation, the section or the paragraph of ``comment``."""
    return _followers(*place_targets(comment))


def consultation_followers(consultation_id: int) -> set[int]:
    return _followers(Target(FollowTarget.CONSULTATION, consultation_id=consultation_id))


def thread_owners(comment: Comment) -> set[int]:
    """The author and the members whose co-signature stands: they follow by right."""
    cosigners = db.session.scalars(
        sa.select(CoSignature.user_id).where(
            CoSignature.comment_id == comment.id, CoSignature.withdrawn_at.is_(None)
        )
    )
    return {comment.author_id, *cosigners}


def comment_followers(comment: Comment) -> set[int]:
    """Who follows the comment's thread explicitly."""
    return _followers(Target(FollowTarget.COMMENT, comment_id=comment.id))


def commitment_followers(commitment) -> set[int]:
    """Who follows the commitment, or its company."""
    targets = [Target(FollowTarget.COMMITMENT, commitment_id=commitment.id)]
    if commitment.company_id is not None:
        targets.append(Target(FollowTarget.COMPANY, company_id=commitment.company_id))
    return _followers(*targets)
