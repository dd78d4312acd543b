"""What representatives, commenters and coordinators do with a request.

Representatives answer, decline, ask for clarification, follow up and edit (a public
revision); they post nothing else. The commenter and co-signers reply to a response (a
rejoinder). Coordinators reassign, void and extend, each with a reason.
"""

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from consult.accounts.models import Organisation, User
from consult.audit.services import record
from consult.comments.models import Visibility
from consult.comments.services import MAX_BODY
from consult.consultations.models import Consultation
from consult.consultations.schedule import format_local
from consult.db import required, utcnow
from consult.errors import DomainError, NotAllowed
from consult.extensions import db
from consult.idempotency import AlreadyDone, claim, insert_once
from consult.permissions import is_representative_of
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


def _response_submission(representative: User, submission_key: str) -> Response | None:
    """The response an earlier submission of the same form published, if any."""
    return db.session.scalar(
        sa.select(Response).where(
            Response.author_id == representative.id, Response.submission_key == submission_key
        )
    )


def _move(request: ResponseRequest, expected, state: RequestState) -> bool:
    """Move the request to ``state`` only if it is still in one of ``expected``: of two
    people acting on it at once, one moves it (True) and the other is refused (False)."""
    return claim(request, ResponseRequest.state.in_(list(expected)), state=state)


def _moved_on(request: ResponseRequest) -> DomainError:
    """Why an action that needed the request open (or awaiting) came too late: who
    answered, declined or asked first, and when; or that it no longer asks anything."""
    zone = _zone(request)
    first = {
        RequestState.ANSWERED: ResponseKind.ANSWER,
        RequestState.DECLINED: ResponseKind.DECLINE,
        RequestState.CLARIFICATION: ResponseKind.CLARIFICATION,
    }.get(request.state)
    done = next((r for r in reversed(request.responses) if r.kind == first), None)
    if done is None:
        ruled = request.state in (RequestState.VOID, RequestState.REASSIGNED)
        if ruled and request.state_reason and request.state_changed_at is not None:
            # A coordinator's ruling, with its public reason.
            return AlreadyDone(
                _l(
                    "A coordinator already voided or reassigned this request, at %(time)s: "
                    "%(reason)s",
                    time=f"{format_local(request.state_changed_at, zone)} ({zone})",
                    reason=request.state_reason,
                )
            )
        return DomainError(_l("This request is no longer waiting for an answer."))
    messages = {
        ResponseKind.ANSWER: _l("%(name)s already answered this request, at %(time)s."),
        ResponseKind.DECLINE: _l("%(name)s already declined this request, at %(time)s."),
        ResponseKind.CLARIFICATION: _l("%(name)s already asked for clarification, at %(time)s."),
    }
    return AlreadyDone(
        messages[done.kind]
        % {
            "name": done.author.display_name,
            "time": f"{format_local(done.created_at, zone)} ({zone})",
        }
    )


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
    """Publish an official action on the company's request. Final once published.

    The same form sent twice publishes once (both get that response). An answer,
    decline or clarification request moves the request on: of two representatives
    doing so at once, the second is told what the first did (``AlreadyDone``).
    """
    now = now or utcnow()
    existing = _response_submission(representative, submission_key)
    if existing is not None:
        return existing
    _require_representative(representative, request.company_id)
    _check_body(body, _l("Write the text of the response."))
    zone = _zone(request)
    if kind in (ResponseKind.ANSWER, ResponseKind.DECLINE):
        if kind == ResponseKind.ANSWER and position is None:
            raise DomainError(_l("Choose the company's position."))
        state = RequestState.ANSWERED if kind == ResponseKind.ANSWER else RequestState.DECLINED
        if not _move(request, OPEN_STATES, state):
            return _same_submission_or(representative, submission_key, _moved_on(request))
        deadlines.end_pause(request, now, zone, next_state=state)
        _first_response(request, now, zone)
        request.position = position if kind == ResponseKind.ANSWER else None
        request.state_changed_at = now
    elif kind == ResponseKind.CLARIFICATION:
        if request.state in OPEN_STATES and request.state != RequestState.AWAITING:
            raise DomainError(
                _l("Clarification can be asked only while the request is awaiting an answer.")
            )
        if not _move(request, [RequestState.AWAITING], RequestState.CLARIFICATION):
            return _same_submission_or(representative, submission_key, _moved_on(request))
        deadlines.pause(request, now, zone)
    elif request.state not in (RequestState.ANSWERED, RequestState.DECLINED):
        raise DomainError(_l("A follow-up comes after an answer or a decline."))

    def build() -> Response:
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
        return response

    # An answer, decline or clarification got here by moving the request, which the
    # same submission cannot do twice; a follow-up sent twice at once meets the key.
    response, created = insert_once(
        build, lambda: _response_submission(representative, submission_key)
    )
    if not created:
        return response
    record(
        representative, "response.posted", response, now=now, kind=kind.value, request_id=request.id
    )
    # The commenters are told by the notifications layer, which subscribes.
    announced = {
        ResponseKind.ANSWER: events.request_answered,
        ResponseKind.DECLINE: events.request_declined,
        ResponseKind.CLARIFICATION: events.clarification_requested,
        ResponseKind.FOLLOW_UP: events.follow_up_posted,
    }.get(kind)
    if announced is not None:
        announced.send(request, response=response, now=now)
    return response


def _same_submission_or(representative: User, submission_key: str, refusal: Exception) -> Response:
    """The request moved on while this form was on its way: if this very form moved it
    (sent twice at once), its response; otherwise the refusal."""
    earlier = _response_submission(representative, submission_key)
    if earlier is None:
        raise refusal
    return earlier


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
    existing = _rejoinder_submission(user, submission_key)
    if existing is not None:
        return existing
    request = response.request
    standing = rejoinder_standing(user, request)
    if standing is None or not can_reply_to_company(user, request):
        raise NotAllowed(_l("Only the commenter and co-signers can reply to a company."))
    comment, identity = standing
    _check_body(body, _l("Write your reply."))
    category = required(user.organisation).kind  # commenters and co-signers have one
    rejoinder, created = insert_once(
        lambda: Rejoinder(
            response=response,
            comment_id=comment.id,
            author_id=user.id,
            identity=identity,
            category=category,
            body=body,
            body_html=str(render_markdown(body)),
            submission_key=submission_key,
            created_at=now,
        ),
        lambda: _rejoinder_submission(user, submission_key),
    )
    if not created:
        return rejoinder
    # The first reply to a pending clarification request restarts the clock, once, even
    # when the commenter and a co-signer reply at the same instant.
    resumed = (
        response.kind == ResponseKind.CLARIFICATION
        and request.state == RequestState.CLARIFICATION
        and _move(request, [RequestState.CLARIFICATION], RequestState.AWAITING)
    )
    if resumed:
        deadlines.end_pause(request, now, _zone(request))
    db.session.flush()
    # Not audited: an entry would pair the commenter's account with the comment, and
    # coordinators read the audit log (see consult/comments/services.py).
    events.rejoinder_posted.send(rejoinder, resumed=resumed, now=now)
    return rejoinder


def _rejoinder_submission(user: User, submission_key: str) -> Rejoinder | None:
    return db.session.scalar(
        sa.select(Rejoinder).where(
            Rejoinder.author_id == user.id, Rejoinder.submission_key == submission_key
        )
    )


# --- coordinators ------------------------------------------------------------------------


def _require_open(request: ResponseRequest):
    if request.state not in OPEN_STATES:
        moved_on = _moved_on(request)  # answered or ruled on: say by whom and when
        if isinstance(moved_on, AlreadyDone):
            raise moved_on
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
    if not _move(request, OPEN_STATES, RequestState.REASSIGNED):
        raise _moved_on(request)  # answered, or changed by another coordinator, meanwhile
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
    events.request_reassigned.send(request, successor=successor, now=now)
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
    if not _move(request, OPEN_STATES, RequestState.VOID):
        raise _moved_on(request)  # answered, or changed by another coordinator, meanwhile
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
