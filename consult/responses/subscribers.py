"""Response requests follow their comment's life: one subscriber per comment event.

``subscribe()`` is called after the campaigns' subscribers are connected, so a comment's
campaign is already recounted when its requests are put right.
"""

from datetime import datetime

import sqlalchemy as sa

from consult.comments import events as comment_events
from consult.comments.models import Campaign, Comment, Visibility
from consult.extensions import db
from consult.responses import deadlines
from consult.responses.models import RequestState, Response, ResponseRequest, VoidCause
from consult.responses.services import (
    close_open_requests,
    consultation_of,
    formed_campaign,
    merge_campaign,
    open_requests_for,
)


def comment_has_answer(comment: Comment, **_) -> bool:
    """True once any company has published an official response about ``comment``
    (its own requests, or its campaign's)."""
    about_comment = ResponseRequest.comment_id == comment.id
    if comment.campaign_id is not None:
        about_comment = sa.or_(about_comment, ResponseRequest.campaign_id == comment.campaign_id)
    return bool(
        db.session.scalar(
            sa.select(sa.func.count(Response.id))
            .join(ResponseRequest, ResponseRequest.id == Response.request_id)
            .where(about_comment)
        )
    )


def ask_companies(comment: Comment, *, now: datetime, **_):
    """Posted, accepted late or addressed to more companies: open the missing requests."""
    open_requests_for(comment, now=now)


def void_when_hidden(comment: Comment, *, now: datetime, **_):
    """Hiding a comment voids its awaiting requests."""
    close_open_requests(comment, RequestState.VOID, now, VoidCause.HIDDEN)


def resume_when_restored(comment: Comment, *, hidden_at: datetime, now: datetime, **_):
    """Restoring resumes them, with the hidden days added as paused days."""
    zone = consultation_of(comment).timezone
    hidden_days = (deadlines.local_date(now, zone) - deadlines.local_date(hidden_at, zone)).days
    requests = db.session.scalars(
        sa.select(ResponseRequest).where(
            ResponseRequest.comment_id == comment.id,
            ResponseRequest.campaign_id.is_(None),
            ResponseRequest.state == RequestState.VOID,
            ResponseRequest.void_cause == VoidCause.HIDDEN,
        )
    ).all()
    for request in requests:
        request.state = RequestState.AWAITING
        request.void_cause = None
        request.state_changed_at = now
        request.paused_days += max(0, hidden_days)
        deadlines.reschedule(request, zone)
    db.session.flush()
    campaign = formed_campaign(comment)
    if campaign is not None:
        merge_campaign(campaign, now=now)


def withdraw_with_comment(comment: Comment, *, now: datetime, **_):
    """Withdrawn before an answer: its open requests are withdrawn; answered stay answered."""
    close_open_requests(comment, RequestState.WITHDRAWN, now)


def follow_visibility(comment: Comment, *, now: datetime, **_):
    """Confidential: no company is asked any more (open requests void). Otherwise any
    newly addressed company gets its request."""
    if comment.visibility == Visibility.CONFIDENTIAL:
        close_open_requests(comment, RequestState.VOID, now, VoidCause.CONFIDENTIAL)
        return
    open_requests_for(comment, now=now)


def merge_formed_campaign(campaign: Campaign, *, now: datetime, **_):
    """A campaign just formed: its members' open requests become one per company."""
    merge_campaign(campaign, now=now)


def subscribe():
    """Connect the request subscribers to the comment events."""
    comment_events.comment_posted.connect(ask_companies)
    comment_events.late_comment_accepted.connect(ask_companies)
    comment_events.companies_added.connect(ask_companies)
    comment_events.comment_hidden.connect(void_when_hidden)
    comment_events.comment_restored.connect(resume_when_restored)
    comment_events.comment_withdrawn.connect(withdraw_with_comment)
    comment_events.visibility_changed.connect(follow_visibility)
    comment_events.campaign_formed.connect(merge_formed_campaign)
    comment_events.answered_question.connect(comment_has_answer)
