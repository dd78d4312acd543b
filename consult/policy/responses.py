"""Who may read a company's responses, see a request, answer it, or reply to a company.

Responses to public and anonymous comments are read by everyone who can see the
comment; a campaign is public by definition, so its answer is read wherever a member
is. For a restricted comment only the author, invited co-signers, coordinators and the
answering company read the text; the other addressed companies see its state only.
"""

import sqlalchemy as sa

from consult.comments.models import OPEN_TO_ALL, Comment, CosignInvitation, ReplyIdentity
from consult.extensions import db
from consult.permissions import (
    is_coordinator,
    is_representative_of,
    viewer_of,
)
from consult.policy.comments import (
    can_comment,
    can_view_comment,
    is_invited,
    visible_comments_clause,
)
from consult.responses.models import Rejoinder, ResponseRequest


def can_read_response(viewer, request: ResponseRequest) -> bool:
    """``viewer`` may read the text (and position) of the request's responses."""
    viewer = viewer_of(viewer)
    comment = request.comment
    if request.campaign_id is None and not can_view_comment(viewer, comment):
        return False
    if viewer.is_coordinator or comment.visibility in OPEN_TO_ALL or request.campaign_id:
        return True
    if viewer.is_user(comment.author_id) or is_invited(viewer, comment):
        return True
    return viewer.is_company_rep and viewer.organisation_id == request.company_id


def readable_responses_clause(viewer):
    """The SQL form of ``can_read_response``: requests whose responses ``viewer`` reads."""
    viewer = viewer_of(viewer)
    if viewer.is_coordinator:
        return sa.true()
    visible = ResponseRequest.comment_id.in_(
        sa.select(Comment.id).where(visible_comments_clause(viewer))
    )
    open_to_all = ResponseRequest.comment_id.in_(
        sa.select(Comment.id).where(Comment.visibility.in_(OPEN_TO_ALL))
    )
    allowed = [open_to_all]
    if viewer.user_id is not None:
        allowed.append(
            ResponseRequest.comment_id.in_(
                sa.select(Comment.id).where(Comment.author_id == viewer.user_id)
            )
        )
        allowed.append(
            ResponseRequest.comment_id.in_(
                sa.select(CosignInvitation.comment_id).where(
                    CosignInvitation.user_id == viewer.user_id,
                    CosignInvitation.revoked_at.is_(None),
                )
            )
        )
    if viewer.is_company_rep and viewer.organisation_id is not None:
        allowed.append(ResponseRequest.company_id == viewer.organisation_id)
    return sa.or_(ResponseRequest.campaign_id.is_not(None), sa.and_(visible, sa.or_(*allowed)))


def can_answer(user, request: ResponseRequest) -> bool:
    """The company's active representatives answer, decline, ask for clarification and
    follow up on its requests."""
    return is_representative_of(user, request.company_id)


def can_see_request(user, request: ResponseRequest) -> bool:
    """A request's own page: its company's representatives and coordinators."""
    return is_coordinator(user) or can_answer(user, request)


def can_manage_requests(user) -> bool:
    """Coordinators reassign, void and extend requests."""
    return is_coordinator(user)


def can_read_rejoinder(viewer, rejoinder: Rejoinder) -> bool:
    """A reply to a company is read by whoever may see the thread it was written in."""
    return can_view_comment(viewer, rejoinder.comment)


def _thread_comments(request: ResponseRequest) -> list[Comment]:
    if request.campaign_id is None:
        return [request.comment]
    return list(
        db.session.scalars(
            sa.select(Comment)
            .where(Comment.campaign_id == request.campaign_id)
            .order_by(Comment.created_at)
        )
    )


def rejoinder_standing(user, request: ResponseRequest) -> tuple[Comment, ReplyIdentity] | None:
    """``(comment, identity)`` when ``user`` may reply to this request's responses: the
    author of the comment (or of a campaign member) as on it, a co-signer as co-signed."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    comments = _thread_comments(request)
    for comment in comments:
        if comment.author_id == user.id and not (comment.is_withdrawn or comment.is_hidden):
            return comment, ReplyIdentity.AS_COMMENT
    for comment in comments:
        if not comment.is_hidden and any(
            c.user_id == user.id and c.withdrawn_at is None for c in comment.cosignatures
        ):
            return comment, ReplyIdentity.AS_COSIGNATURE
    return None


def can_reply_to_company(user, request: ResponseRequest) -> bool:
    """The comment's author or a co-signer, who may read the answer, replies to it."""
    return (
        can_comment(user)
        and can_read_response(user, request)
        and rejoinder_standing(user, request) is not None
    )
