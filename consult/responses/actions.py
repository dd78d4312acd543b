"""What representatives, commenters and coordinators do with a request.

Representatives answer, decline, ask for clarification, follow up and edit (a public
revision); they post nothing else. The commenter and co-signers reply to a response (a
rejoinder). Coordinators reassign, void and extend, each with a reason.
"""

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from consult.accounts.models import Organisation, User, UserStatus
from consult.audit.services import record
from consult.comments.models import Comment, Visibility
from consult.comments.services import MAX_BODY
from consult.consultations.models import Consultation
from consult.db import required, utcnow
from consult.errors import DomainError, NotAllowed
from consult.extensions import db
from consult.mail import external_url, send_email
from consult.permissions import Role, is_representative_of
from consult.policy.responses import can_manage_requests, can_reply_to_company, rejoinder_standing
from consult.responses import deadlines, events
from consult.responses.models import (
    OPEN_STATES,
    Position,
    Rejoinder,
    RequestExtension,
    RequestState,
    Response,
    ResponseKind,
    ResponseRequest,
    ResponseRevision,
    VoidCause,
)
from consult.responses.services import new_request
from consult.text import render_markdown

MAX_EXTENSION_DAYS = 180


def _zone(request: ResponseRequest) -> str:
    return required(db.session.get(Consultation, request.consultation_id)).timezone


def _check_body(body: str, empty_message):
    if not (body or "").strip():
        raise DomainError(empty_message)
    if len(body) > MAX_BODY:
        raise DomainError(_l("Keep the text under %(n)s characters.", n=f"{MAX_BODY:,}"))


def _require_representative(user, company_id: int):
    if not is_representative_of(user, company_id):
        raise NotAllowed(_l("Only this company's representatives can act on its requests."))


def _require_coordinator(user):
    if not can_manage_requests(user):
        raise NotAllowed(_l("Only coordinators can do this."))


def _first_response(request: ResponseRequest, now: datetime, zone: str):
    """The first answer or decline: how long it took (minus paused days) and whether it
    came by the due date. Stored once, for the tracker."""
    if request.first_response_at is not None:
        return
    request.first_response_at = now
    elapsed = (deadlines.local_date(now, zone) - request.base_on).days - request.paused_days
    request.days_to_respond = max(0, elapsed)
    request.on_time = now < request.overdue_at


def post_response(
    request: ResponseRequest,
    *,
    representative: User,
    kind: ResponseKind,
    body: str,
    submission_key: str,
    position: Position | None = None,
    now: datetime | None = None,
) -> Response:
    """Publish an official action on the company's request. Final once published."""
    now = now or utcnow()
    existing = db.session.scalar(
        sa.select(Response).where(
            Response.author_id == representative.id, Response.submission_key == submission_key
        )
    )
    if existing is not None:
        return existing
    _require_representative(representative, request.company_id)
    _check_body(body, _l("Write the text of the response."))
    zone = _zone(request)
    if kind in (ResponseKind.ANSWER, ResponseKind.DECLINE):
        if request.state not in OPEN_STATES:
            raise DomainError(_l("This request is no longer waiting for an answer."))
        if kind == ResponseKind.ANSWER and position is None:
            raise DomainError(_l("Choose the company's position."))
        state = RequestState.ANSWERED if kind == ResponseKind.ANSWER else RequestState.DECLINED
        deadlines.end_pause(request, now, zone, next_state=state)
        _first_response(request, now, zone)
        request.position = position if kind == ResponseKind.ANSWER else None
        request.state_changed_at = now
    elif kind == ResponseKind.CLARIFICATION:
        if request.state != RequestState.AWAITING:
            raise DomainError(
                _l("Clarification can be asked only while the request is awaiting an answer.")
            )
        deadlines.pause(request, now, zone)
    elif request.state not in (RequestState.ANSWERED, RequestState.DECLINED):
        raise DomainError(_l("A follow-up comes after an answer or a decline."))
    response = Response(
        request=request,
        company_id=request.company_id,
        author_id=representative.id,
        role_title=representative.role_title,
        kind=kind,
        position=position if kind == ResponseKind.ANSWER else None,
        body=body,
        body_html=str(render_markdown(body)),
        submission_key=submission_key,
        created_at=now,
    )
    response.revisions.append(
        ResponseRevision(
            number=1,
            position=response.position,
            body=body,
            body_html=response.body_html,
            created_at=now,
        )
    )
    db.session.add(response)
    db.session.flush()
    record(
        representative, "response.posted", response, now=now, kind=kind.value, request_id=request.id
    )
    _tell_commenters(request, kind)
    announced = {
        ResponseKind.ANSWER: events.request_answered,
        ResponseKind.DECLINE: events.request_declined,
        ResponseKind.CLARIFICATION: events.clarification_requested,
    }.get(kind)
    if announced is not None:
        announced.send(request, response=response, now=now)
    return response


def edit_response(
    response: Response,
    *,
    representative: User,
    body: str,
    position: Position | None = None,
    now: datetime | None = None,
):
    """A public revision: the earlier text stays readable."""
    now = now or utcnow()
    _require_representative(representative, response.company_id)
    _check_body(body, _l("Write the text of the response."))
    if response.kind == ResponseKind.ANSWER:
        if position is None:
            raise DomainError(_l("Choose the company's position."))
        response.position = position
        response.request.position = position
    response.body = body
    response.body_html = str(render_markdown(body))
    response.revision_count += 1
    response.edited_at = now
    response.revisions.append(
        ResponseRevision(
            number=response.revision_count,
            position=response.position,
            body=body,
            body_html=response.body_html,
            created_at=now,
        )
    )
    db.session.flush()
    record(representative, "response.revised", response, now=now, revision=response.revision_count)


def post_rejoinder(
    response: Response, *, user: User, body: str, submission_key: str, now: datetime | None = None
) -> Rejoinder:
    """The commenter or a co-signer replies to a response; a reply to a pending
    clarification request restarts the company's clock."""
    now = now or utcnow()
    existing = db.session.scalar(
        sa.select(Rejoinder).where(
            Rejoinder.author_id == user.id, Rejoinder.submission_key == submission_key
        )
    )
    if existing is not None:
        return existing
    request = response.request
    standing = rejoinder_standing(user, request)
    if standing is None or not can_reply_to_company(user, request):
        raise NotAllowed(_l("Only the commenter and co-signers can reply to a company."))
    comment, identity = standing
    _check_body(body, _l("Write your reply."))
    rejoinder = Rejoinder(
        response=response,
        comment_id=comment.id,
        author_id=user.id,
        identity=identity,
        category=required(user.organisation).kind,  # commenters and co-signers have one
        body=body,
        body_html=str(render_markdown(body)),
        submission_key=submission_key,
        created_at=now,
    )
    db.session.add(rejoinder)
    resumed = (
        response.kind == ResponseKind.CLARIFICATION and request.state == RequestState.CLARIFICATION
    )
    if resumed:
        deadlines.end_pause(request, now, _zone(request))
    db.session.flush()
    # Not audited: an entry would pair the commenter's account with the comment, and
    # coordinators read the audit log (see consult/comments/services.py).
    if resumed:
        _tell_company(request)
    return rejoinder


# --- coordinators ------------------------------------------------------------------------


def _require_open(request: ResponseRequest):
    if request.state not in OPEN_STATES:
        raise DomainError(_l("Only a request still waiting for an answer can be changed."))


def reassign_request(
    request: ResponseRequest,
    *,
    coordinator: User,
    company: Organisation,
    reason: str,
    now: datetime | None = None,
) -> ResponseRequest:
    """Move a request to another responding company, with a public reason; it leaves the
    old company's figures. A restricted comment goes only to a company its author chose."""
    now = now or utcnow()
    _require_coordinator(coordinator)
    _require_open(request)
    if not (reason or "").strip():
        raise DomainError(_l("Give the public reason for the reassignment."))
    consultation = required(db.session.get(Consultation, request.consultation_id))
    if company.id == request.company_id or company not in consultation.companies:
        raise DomainError(_l("Choose another responding company of this consultation."))
    comment = request.comment
    if comment.visibility == Visibility.RESTRICTED and company not in comment.addressees:
        raise DomainError(
            _l(
                "The author chose which companies may read this restricted "
                "comment; it cannot be sent to another."
            )
        )
    taken = db.session.scalar(
        sa.select(sa.func.count(ResponseRequest.id)).where(
            ResponseRequest.company_id == company.id,
            ResponseRequest.state.not_in([RequestState.VOID, RequestState.REASSIGNED]),
            ResponseRequest.campaign_id == request.campaign_id
            if request.campaign_id
            else sa.and_(
                ResponseRequest.comment_id == request.comment_id,
                ResponseRequest.campaign_id.is_(None),
            ),
        )
    )
    if taken:
        raise DomainError(_l("That company already has a request about this comment."))
    zone = consultation.timezone
    today = deadlines.local_date(now, zone)
    successor = new_request(
        comment,
        company.id,
        now=now,
        campaign_id=request.campaign_id,
        base_on=deadlines.base_date(consultation, today),
    )
    deadlines.end_pause(request, now, zone, next_state=RequestState.REASSIGNED)
    request.state_reason = reason.strip()
    request.state_changed_at = now
    request.reassigned_to = successor
    db.session.flush()
    record(
        coordinator,
        "request.reassigned",
        request,
        now=now,
        to_company_id=company.id,
        successor_id=successor.id,
    )
    return successor


def void_request(
    request: ResponseRequest, *, coordinator: User, reason: str, now: datetime | None = None
):
    """Rule a request outside the company's remit, with a public reason."""
    now = now or utcnow()
    _require_coordinator(coordinator)
    _require_open(request)
    if not (reason or "").strip():
        raise DomainError(_l("Give the public reason why no answer is expected."))
    deadlines.end_pause(request, now, _zone(request), next_state=RequestState.VOID)
    request.void_cause = VoidCause.REMIT
    request.state_reason = reason.strip()
    request.state_changed_at = now
    db.session.flush()
    record(coordinator, "request.voided", request, now=now)


def extend_request(
    request: ResponseRequest,
    *,
    coordinator: User,
    days: int,
    reason: str,
    now: datetime | None = None,
) -> RequestExtension:
    """Add days to one request's due date, with a recorded reason."""
    now = now or utcnow()
    _require_coordinator(coordinator)
    _require_open(request)
    if not 1 <= days <= MAX_EXTENSION_DAYS:
        raise DomainError(_l("Extend by 1 to %(n)d days.", n=MAX_EXTENSION_DAYS))
    if not (reason or "").strip():
        raise DomainError(_l("Give the reason for the extension."))
    extension = RequestExtension(
        request=request,
        days=days,
        reason=reason.strip(),
        coordinator_id=coordinator.id,
        created_at=now,
    )
    db.session.add(extension)
    request.extension_days += days
    deadlines.reschedule(request, _zone(request))
    db.session.flush()
    record(
        coordinator, "request.extended", request, now=now, days=days, due=request.due_on.isoformat()
    )
    return extension


# --- notifications -----------------------------------------------------------------------


def _tell_commenters(request: ResponseRequest, kind: ResponseKind):
    """Discreet for every level: the reference and a link, never the company or text."""
    comments = [request.comment]
    if request.campaign_id is not None:
        comments = list(
            db.session.scalars(
                sa.select(Comment).where(
                    Comment.campaign_id == request.campaign_id, Comment.withdrawn_at.is_(None)
                )
            ).all()
        )
    authors = {c.author_id: c for c in comments}
    for user in db.session.scalars(sa.select(User).where(User.id.in_(authors))):
        comment = authors[user.id]
        send_email(
            user.email,
            "company_response",
            locale=user.locale,
            comment=comment,
            clarification=kind == ResponseKind.CLARIFICATION,
            days=deadlines.CLARIFICATION_MAX_DAYS,
            url=external_url("comments.show", reference=comment.reference),
        )


def _tell_company(request: ResponseRequest):
    """The commenter replied to a clarification request: no text goes by email."""
    reps = db.session.scalars(
        sa.select(User).where(
            User.organisation_id == request.company_id,
            User.role == Role.COMPANY_REP,
            User.status == UserStatus.ACTIVE,
        )
    ).all()
    for rep in reps:
        send_email(
            rep.email,
            "clarification_received",
            locale=rep.locale,
            request=request,
            url=external_url("responses.request_page", reference=request.reference),
        )
