"""Who is told of each event, and as which kind: one function per event.

Each reads the happening's ids, gathers the people with a reason to be told (authorship,
co-signature, a follow, their company's request) and keeps only those the rules let read
the thing now (``consult.policy``): nobody gets a notification, or an unread count, for
something they may not see. Rendering checks again when the notification is shown.
"""

from collections.abc import Callable, Iterable

import sqlalchemy as sa

from consult.accounts.models import User, UserStatus
from consult.comments.models import Comment, Reply
from consult.commitments.models import Commitment
from consult.consultations.models import Consultation
from consult.extensions import db
from consult.notifications import follows
from consult.notifications.models import Event, Kind
from consult.notifications.services import AUDIENCES, Happening
from consult.permissions import Role
from consult.policy.comments import can_read_body, can_read_reply, can_view_comment
from consult.policy.consultations import can_view_consultation
from consult.policy.responses import can_answer, can_read_rejoinder, can_read_response
from consult.responses.models import Rejoinder, Response, ResponseKind, ResponseRequest


def _users(ids: Iterable[int]) -> list[User]:
    ids = set(ids)
    if not ids:
        return []
    return list(db.session.scalars(sa.select(User).where(User.id.in_(ids)).order_by(User.id)))


def _allowed(ids: Iterable[int], rule: Callable[[User], bool]) -> set[int]:
    return {u.id for u in _users(ids) if rule(u)}


def _add(audience: dict[int, Kind], ids: Iterable[int], kind: Kind):
    """Add people as ``kind``, keeping the first reason someone was given."""
    for user_id in ids:
        audience.setdefault(user_id, kind)


def representatives(company_id: int) -> set[int]:
    """The active representatives of a company."""
    return set(
        db.session.scalars(
            sa.select(User.id).where(
                User.organisation_id == company_id,
                User.role == Role.COMPANY_REP,
                User.status == UserStatus.ACTIVE,
            )
        )
    )


def _audience(event: Event):
    def register(function):
        AUDIENCES[event] = function
        return function

    return register


def _to(kind: Kind):
    """Events about one person's own things: the happening names them."""

    def audience(h: Happening) -> dict[int, Kind]:
        return dict.fromkeys(h.to, kind)

    return audience


for _event in (
    Event.COMMENT_HIDDEN,
    Event.COMMENT_RESTORED,
    Event.LATE_ACCEPTED,
    Event.LATE_REFUSED,
    Event.COSIGNED_EDITED,
):
    AUDIENCES[_event] = _to(Kind.MY_COMMENT)
AUDIENCES[Event.COSIGN_INVITED] = _to(Kind.COSIGN_INVITATION)
for _event in (
    Event.SIGNED_IN,
    Event.PASSWORD_CHANGED,
    Event.EMAIL_CHANGED,
    Event.IDENTITY_REVEALED,
):
    AUDIENCES[_event] = _to(Kind.SECURITY)


@_audience(Event.REPLY_POSTED)
def reply_audience(h: Happening) -> dict[int, Kind]:
    reply = db.session.get(Reply, h.ids["reply_id"])
    if reply is None:
        return {}
    comment = reply.comment
    candidates = follows.thread_owners(comment) | follows.comment_followers(comment)
    allowed = _allowed(candidates, lambda u: can_read_reply(u, reply))
    return dict.fromkeys(sorted(allowed), Kind.THREAD_REPLY)


@_audience(Event.REJOINDER_POSTED)
def rejoinder_audience(h: Happening) -> dict[int, Kind]:
    rejoinder = db.session.get(Rejoinder, h.ids["rejoinder_id"])
    if rejoinder is None:
        return {}
    request = rejoinder.response.request
    comment = rejoinder.comment
    audience: dict[int, Kind] = {}
    reps = representatives(request.company_id)
    _add(audience, reps, Kind.COMPANY_THREAD)
    _add(
        audience,
        follows.thread_owners(comment) | follows.comment_followers(comment),
        Kind.THREAD_REPLY,
    )
    allowed = _allowed(audience, lambda u: can_read_rejoinder(u, rejoinder))
    return {k: v for k, v in audience.items() if k in allowed}


def _comments_of(request: ResponseRequest) -> list[Comment]:
    """The comment a request is about; for a campaign, every member still standing."""
    if request.campaign_id is None:
        return [request.comment]
    return list(
        db.session.scalars(
            sa.select(Comment)
            .where(Comment.campaign_id == request.campaign_id, Comment.withdrawn_at.is_(None))
            .order_by(Comment.created_at)
        )
    )


@_audience(Event.RESPONSE_POSTED)
def response_audience(h: Happening) -> dict[int, Kind]:
    response = db.session.get(Response, h.ids["response_id"])
    if response is None:
        return {}
    request = response.request
    audience: dict[int, Kind] = {}
    for comment in _comments_of(request):
        _add(audience, follows.thread_owners(comment), Kind.COMPANY_RESPONSE)
        _add(audience, follows.comment_followers(comment), Kind.COMPANY_RESPONSE)
    if response.kind == ResponseKind.ANSWER:
        _add(audience, follows.place_followers(request.comment), Kind.FOLLOWED_ACTIVITY)
    comment = request.comment
    allowed = _allowed(
        audience, lambda u: can_view_comment(u, comment) and can_read_response(u, request)
    )
    return {k: v for k, v in audience.items() if k in allowed}


@_audience(Event.REQUEST_OVERDUE)
def overdue_audience(h: Happening) -> dict[int, Kind]:
    request = db.session.get(ResponseRequest, h.ids["request_id"])
    if request is None:
        return {}
    owners: set[int] = set()
    for comment in _comments_of(request):
        owners |= follows.thread_owners(comment)
    comment = request.comment
    allowed = _allowed(owners, lambda u: can_view_comment(u, comment))
    return dict.fromkeys(sorted(allowed), Kind.REQUEST_OVERDUE)


@_audience(Event.COMMENT_PUBLISHED)
def published_audience(h: Happening) -> dict[int, Kind]:
    comment = db.session.get(Comment, h.ids["comment_id"])
    if comment is None:
        return {}
    allowed = _allowed(follows.place_followers(comment), lambda u: can_read_body(u, comment))
    return dict.fromkeys(sorted(allowed), Kind.FOLLOWED_ACTIVITY)


@_audience(Event.REQUEST_OPENED)
def request_audience(h: Happening) -> dict[int, Kind]:
    request = db.session.get(ResponseRequest, h.ids["request_id"])
    if request is None:
        return {}
    comment = request.comment
    allowed = _allowed(
        representatives(request.company_id),
        lambda u: can_answer(u, request) and can_view_comment(u, comment),
    )
    return dict.fromkeys(sorted(allowed), Kind.NEW_REQUEST)


def _consultation_news(h: Happening) -> dict[int, Kind]:
    consultation = db.session.get(Consultation, h.ids["consultation_id"])
    if consultation is None:
        return {}
    allowed = _allowed(
        follows.consultation_followers(consultation.id),
        lambda u: can_view_consultation(u, consultation),
    )
    return dict.fromkeys(sorted(allowed), Kind.CONSULTATION_NEWS)


for _event in (Event.VERSION_PUBLISHED, Event.PHASE_CHANGED, Event.UPDATE_POSTED):
    AUDIENCES[_event] = _consultation_news


def _commitment_news(h: Happening) -> dict[int, Kind]:
    commitment = db.session.get(Commitment, h.ids["commitment_id"])
    if commitment is None or not commitment.is_confirmed:
        return {}
    consultation = commitment.consultation
    allowed = _allowed(
        follows.commitment_followers(commitment),
        lambda u: can_view_consultation(u, consultation),
    )
    return dict.fromkeys(sorted(allowed), Kind.COMMITMENTS)


for _event in (Event.COMMITMENT_STATUS, Event.COMMITMENT_OVERDUE):
    AUDIENCES[_event] = _commitment_news
