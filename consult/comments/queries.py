"""Reading comments for pages: threads with keyset pagination, at a constant number of
SQL statements per page, always through the visibility rule set."""

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from consult.comments.models import Campaign, Comment, CommentRevision, IdentityReveal, Reply
from consult.consultations.models import Paragraph
from consult.extensions import db
from consult.permissions import require, require_found
from consult.policy.comments import (
    can_view_comment,
    readable_comments_clause,
    visible_comments,
)

PAGE_SIZE = 20


def _with_thread_data(query):
    return query.options(
        selectinload(Comment.addressees),
        selectinload(Comment.cosignatures),
        selectinload(Comment.invitations),
        selectinload(Comment.replies),
        selectinload(Comment.campaign),
        selectinload(Comment.version),
        selectinload(Comment.paragraph),
    )


def _campaign_collapse(query):
    """Show each formed campaign once, at its earliest member still published."""
    earliest = (
        sa.select(Comment.campaign_id, sa.func.min(Comment.created_at).label("first_at"))
        .where(
            Comment.withdrawn_at.is_(None),
            Comment.hidden_at.is_(None),
            Comment.campaign_id.is_not(None),
        )
        .group_by(Comment.campaign_id)
        .subquery()
    )
    formed = sa.select(Campaign.id).where(Campaign.formed_at.is_not(None))
    return query.outerjoin(earliest, earliest.c.campaign_id == Comment.campaign_id).where(
        sa.or_(
            Comment.campaign_id.is_(None),
            Comment.campaign_id.not_in(formed),
            Comment.created_at == earliest.c.first_at,
        )
    )


@dataclass
class Page:
    comments: list[Comment]
    next_after: str | None  # the reference to continue after, or None at the end


def thread_page(
    viewer,
    *,
    consultation_id: int,
    stable_key: str | None,
    whole_draft: bool = False,
    after: str | None = None,
) -> Page:
    """One page of the comments on a paragraph (every version) or on the whole draft."""
    query = visible_comments(viewer).where(Comment.consultation_id == consultation_id)
    if whole_draft:
        query = query.where(Comment.paragraph_id.is_(None))
    else:
        query = query.where(Comment.stable_key == stable_key)
    query = _campaign_collapse(query)
    if after:
        cursor = db.session.execute(
            sa.select(Comment.created_at, Comment.id).where(Comment.reference == after)
        ).first()
        if cursor is not None:
            query = query.where(sa.tuple_(Comment.created_at, Comment.id) > sa.tuple_(*cursor))
    query = _with_thread_data(query).order_by(Comment.created_at, Comment.id).limit(PAGE_SIZE + 1)
    comments = list(db.session.scalars(query).unique())
    more = len(comments) > PAGE_SIZE
    comments = comments[:PAGE_SIZE]
    return Page(comments, comments[-1].reference if more else None)


def comment_by_reference(reference: str) -> Comment | None:
    return db.session.scalar(
        _with_thread_data(sa.select(Comment).where(Comment.reference == reference))
    )


def comment_or_404(reference: str, viewer) -> Comment:
    """The comment, or 404 when it does not exist or ``viewer`` may not see it (the same
    answer for both, so a reference reveals nothing)."""
    comment = require_found(comment_by_reference(reference))
    require(can_view_comment(viewer, comment))
    return comment


def readable_counts_for_version(viewer, version) -> dict[int, int]:
    """Per paragraph id of ``version``: the comments on its stable key (in any version)
    that ``viewer`` may read. One grouped query."""
    rows = db.session.execute(
        sa.select(Paragraph.id, sa.func.count(Comment.id))
        .join(
            Comment,
            sa.and_(
                Comment.stable_key == Paragraph.stable_key,
                Comment.consultation_id == version.consultation_id,
            ),
        )
        .where(Paragraph.version_id == version.id, readable_comments_clause(viewer))
        .group_by(Paragraph.id)
    )
    return dict(rows.tuples().all())


def my_comments(user) -> list[Comment]:
    """Everything the person wrote, newest first, with what happened to it."""
    return list(
        db.session.scalars(
            sa.select(Comment)
            .where(Comment.author_id == user.id)
            .options(selectinload(Comment.addressees))
            .order_by(Comment.created_at.desc())
        ).all()
    )


def revisions_of(comment: Comment) -> list[CommentRevision]:
    return list(
        db.session.scalars(
            sa.select(CommentRevision)
            .where(CommentRevision.comment_id == comment.id)
            .order_by(CommentRevision.number)
        ).all()
    )


def replies_of(comment: Comment) -> list[Reply]:
    return list(
        db.session.scalars(
            sa.select(Reply)
            .where(Reply.comment_id == comment.id)
            .options(selectinload(Reply.author))
            .order_by(Reply.created_at, Reply.id)
        ).all()
    )


def campaign_members(viewer, campaign: Campaign) -> list[Comment]:
    """The campaign's members the viewer may see, earliest first (the first one still
    published is the one shown)."""
    return list(
        db.session.scalars(
            _with_thread_data(
                visible_comments(viewer).where(Comment.campaign_id == campaign.id)
            ).order_by(Comment.created_at, Comment.id)
        ).all()
    )


def identity_reveals(comments: list[Comment]) -> list[IdentityReveal]:
    """Every privacy officer's look at who wrote these comments, newest first (listed
    to their author)."""
    if not comments:
        return []
    return list(
        db.session.scalars(
            sa.select(IdentityReveal)
            .where(IdentityReveal.comment_id.in_([c.id for c in comments]))
            .order_by(IdentityReveal.created_at.desc())
        )
    )
