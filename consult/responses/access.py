"""Who may read a company response, act on a request, or reply to a company.

Responses to public and anonymous comments are read by everyone who can see the
comment. For a restricted comment only the author, invited co-signers, coordinators and
the answering company read the text; the other addressed companies see its state only.
"""

import sqlalchemy as sa

from consult.comments.models import OPEN_TO_ALL, Comment, ReplyIdentity
from consult.comments.visibility import _as_viewer, _is_invited, can_view_comment
from consult.extensions import db
from consult.permissions import Role


def can_read_response(viewer, request) -> bool:
    """True when ``viewer`` may read the text (and position) of the request's responses."""
    viewer = _as_viewer(viewer)
    comment = request.comment
    if request.campaign_id is None and not can_view_comment(viewer, comment):
        return False
    # A campaign is public by definition: its answer is read wherever a member is.
    if viewer.is_coordinator or comment.visibility in OPEN_TO_ALL or request.campaign_id:
        return True
    if viewer.user_id is not None and (
        comment.author_id == viewer.user_id or _is_invited(viewer, comment)
    ):
        return True
    return viewer.is_company_rep and viewer.organisation_id == request.company_id


def can_act_on(user, request) -> bool:
    """The company's active representatives act on its requests."""
    return bool(
        getattr(user, "is_authenticated", False)
        and user.can_act
        and user.role == Role.COMPANY_REP
        and user.organisation_id == request.company_id
    )


def can_see_request_page(user, request) -> bool:
    """The request's own page: its company's representatives and coordinators."""
    is_coordinator = bool(
        getattr(user, "is_authenticated", False) and user.can_act and user.role == Role.COORDINATOR
    )
    return is_coordinator or can_act_on(user, request)


def _thread_comments(request) -> list[Comment]:
    if request.campaign_id is None:
        return [request.comment]
    return db.session.scalars(
        sa.select(Comment)
        .where(Comment.campaign_id == request.campaign_id)
        .order_by(Comment.created_at)
    ).all()


def thread_comment_for(user, request):
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
