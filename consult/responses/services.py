"""Response requests: opening them, merging them into campaigns, and what happens to
them when their comment is hidden, restored, withdrawn or made confidential.

Company and coordinator actions on requests live in ``consult.responses.actions``.
Services take the actor explicitly, flush rather than commit, and write their own audit
entry; refusals are DomainErrors whose message the person reads.
"""

from datetime import datetime

import sqlalchemy as sa

from consult.comments.models import Campaign, Comment, LateStatus, Visibility
from consult.consultations.models import Consultation
from consult.db import required, utcnow
from consult.extensions import db
from consult.responses import deadlines
from consult.responses.models import (
    OPEN_STATES,
    RequestState,
    ResponseRequest,
    VoidCause,
)


def section_of(paragraph_number: str | None) -> str | None:
    """ "3.2" → "3"; a heading "3" → "3"; the whole draft → None."""
    return paragraph_number.split(".", 1)[0] if paragraph_number else None


def consultation_of(comment) -> Consultation:
    return required(db.session.get(Consultation, comment.consultation_id))


def new_request(
    comment: Comment,
    company_id: int,
    *,
    now: datetime,
    campaign_id: int | None = None,
    base_on=None,
) -> ResponseRequest:
    """A request asking ``company_id`` about ``comment``, its clock starting today."""
    consultation = consultation_of(comment)
    if base_on is None:
        asked_on, late = deadlines.asked_on_for(comment, consultation, now)
        base_on = deadlines.base_date(consultation, asked_on, late=late)
    request = ResponseRequest(
        consultation_id=comment.consultation_id,
        comment_id=comment.id,
        campaign_id=campaign_id,
        company_id=company_id,
        state=RequestState.AWAITING,
        section=section_of(comment.paragraph_number),
        window_days=consultation.response_window_days,
        base_on=base_on,
        created_at=now,
        paused_days=0,
        extension_days=0,
        clarification_lapsed=False,
    )
    deadlines.reschedule(request, consultation.timezone)
    db.session.add(request)
    return request


def _asks_companies(comment: Comment) -> bool:
    return not (
        comment.visibility == Visibility.CONFIDENTIAL
        or comment.to_coordinators
        or comment.late_status in (LateStatus.PENDING, LateStatus.REFUSED)
        or comment.is_withdrawn
        or comment.is_hidden
    )


def formed_campaign(comment: Comment) -> Campaign | None:
    campaign = db.session.get(Campaign, comment.campaign_id) if comment.campaign_id else None
    return campaign if campaign is not None and campaign.formed_at is not None else None


def open_requests_for(comment: Comment, *, now: datetime | None = None) -> list[ResponseRequest]:
    """One request per addressed company that has none yet.

    None for confidential comments, comments to the coordinators, or late comments not
    yet accepted. A member of a formed campaign opens none of its own: the campaign has
    one request per company.
    """
    now = now or utcnow()
    if not _asks_companies(comment):
        return []
    campaign = formed_campaign(comment)
    if campaign is not None:
        created = _ensure_campaign_requests(campaign, comment, now)
        merge_campaign(campaign, now=now)
        return created
    asked = set(
        db.session.scalars(
            sa.select(ResponseRequest.company_id).where(
                ResponseRequest.comment_id == comment.id,
                ResponseRequest.campaign_id.is_(None),
                # Only a request voided because the comment was confidential may be reopened.
                sa.or_(
                    ResponseRequest.void_cause.is_(None),
                    ResponseRequest.void_cause != VoidCause.CONFIDENTIAL,
                ),
            )
        )
    )
    created = [
        new_request(comment, company.id, now=now)
        for company in comment.addressees
        if company.id not in asked
    ]
    db.session.flush()
    return created


def _campaign_requests(campaign_id: int) -> dict[int, ResponseRequest]:
    rows = db.session.scalars(
        sa.select(ResponseRequest).where(
            ResponseRequest.campaign_id == campaign_id,
            ResponseRequest.state.not_in([RequestState.VOID, RequestState.REASSIGNED]),
        )
    )
    return {r.company_id: r for r in rows}


def _ensure_campaign_requests(campaign, comment, now) -> list[ResponseRequest]:
    existing = _campaign_requests(campaign.id)
    created = [
        new_request(comment, company.id, now=now, campaign_id=campaign.id)
        for company in comment.addressees
        if company.id not in existing
    ]
    db.session.flush()
    return created


def merge_campaign(campaign: Campaign, *, now: datetime | None = None) -> list[ResponseRequest]:
    """Merge the members' open requests into one campaign request per company, due on
    the earliest member's date. Called when a campaign forms."""
    now = now or utcnow()
    members = db.session.scalars(
        sa.select(ResponseRequest)
        .join(Comment, Comment.id == ResponseRequest.comment_id)
        .where(
            Comment.campaign_id == campaign.id,
            ResponseRequest.campaign_id.is_(None),
            ResponseRequest.state.in_(OPEN_STATES),
        )
        .order_by(ResponseRequest.due_on, Comment.created_at, ResponseRequest.id)
    ).all()
    if not members:
        return []
    zone = required(db.session.get(Consultation, campaign.consultation_id)).timezone
    targets = _campaign_requests(campaign.id)
    created = []
    for member in members:  # earliest due first: it sets the campaign request's clock
        deadlines.end_pause(member, now, zone, next_state=RequestState.MERGED)
        target = targets.get(member.company_id)
        if target is None:
            target = ResponseRequest(
                consultation_id=member.consultation_id,
                comment_id=member.comment_id,
                campaign_id=campaign.id,
                company_id=member.company_id,
                state=RequestState.AWAITING,
                section=member.section,
                window_days=member.window_days,
                base_on=member.base_on,
                paused_days=member.paused_days,
                extension_days=member.extension_days,
                clarification_lapsed=False,
                created_at=now,
            )
            deadlines.reschedule(target, zone)
            db.session.add(target)
            targets[member.company_id] = target
            created.append(target)
        member.merged_into = target
        member.state_changed_at = now
    db.session.flush()
    return created


def open_requests_of(comment: Comment):
    """The comment's own open requests (a campaign's requests belong to the campaign)."""
    return db.session.scalars(
        sa.select(ResponseRequest).where(
            ResponseRequest.comment_id == comment.id,
            ResponseRequest.campaign_id.is_(None),
            ResponseRequest.state.in_(OPEN_STATES),
        )
    ).all()


def close_open_requests(
    comment: Comment, state: RequestState, now: datetime, cause: VoidCause | None = None
):
    zone = consultation_of(comment).timezone
    for request in open_requests_of(comment):
        deadlines.end_pause(request, now, zone, next_state=state)
        request.void_cause = cause
        request.state_changed_at = now
    db.session.flush()
