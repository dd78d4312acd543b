"""Reading requests for pages: a comment's thread and a company's queue."""

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from consult.accounts.models import Organisation, OrganisationKind
from consult.comments.models import Comment
from consult.consultations.models import Consultation
from consult.db import required
from consult.extensions import db
from consult.permissions import viewer_of
from consult.policy.responses import (
    can_answer,
    can_read_rejoinder,
    can_read_response,
    can_reply_to_company,
)
from consult.responses import deadlines
from consult.responses.deadlines import Status, status_sql
from consult.responses.models import (
    Rejoinder,
    RequestState,
    Response,
    ResponseKind,
    ResponseRequest,
)

QUEUE_PAGE_SIZE = 50


@dataclass
class RequestView:
    """One request as a viewer sees it in a thread."""

    request: ResponseRequest
    status: Status
    readable: bool  # may read the responses' text and the answer's position
    days_overdue: int
    unanswered_clarification: bool
    responses: list[Response] = field(default_factory=list)
    can_act: bool = False
    can_rejoin: bool = False
    rejoinders: dict[int, list[Rejoinder]] = field(default_factory=dict)  # by response id

    @property
    def answer(self) -> Response | None:
        return next((r for r in self.responses if r.kind == ResponseKind.ANSWER), None)


def _with_responses(query):
    return query.options(
        selectinload(ResponseRequest.company),
        selectinload(ResponseRequest.reassigned_to).selectinload(ResponseRequest.company),
        selectinload(ResponseRequest.extensions),
        selectinload(ResponseRequest.responses).selectinload(Response.revisions),
        selectinload(ResponseRequest.responses).selectinload(Response.rejoinders),
    )


def thread_requests(comment: Comment, viewer_user, now: datetime) -> list[RequestView]:
    """The requests shown in a comment's thread: its own (not merged ones) and, for a
    campaign member, the campaign's; what each viewer may read of them."""
    about = sa.and_(
        ResponseRequest.comment_id == comment.id, ResponseRequest.state != RequestState.MERGED
    )
    if comment.campaign_id is not None:
        about = sa.or_(about, ResponseRequest.campaign_id == comment.campaign_id)
    requests = (
        db.session.scalars(
            _with_responses(
                sa.select(ResponseRequest)
                .join(Organisation, Organisation.id == ResponseRequest.company_id)
                .where(about, ResponseRequest.state != RequestState.MERGED)
                .order_by(Organisation.name, ResponseRequest.created_at)
            )
        )
        .unique()
        .all()
    )
    zone = required(db.session.get(Consultation, comment.consultation_id)).timezone
    views = []
    for request in requests:
        readable = can_read_response(viewer_user, request)
        views.append(
            RequestView(
                request=request,
                status=deadlines.status_at(request, now),
                readable=readable,
                days_overdue=deadlines.days_overdue(request, now, zone),
                unanswered_clarification=deadlines.clarification_unanswered(request, now),
                responses=list(request.responses),
                can_act=can_answer(viewer_user, request),
                can_rejoin=can_reply_to_company(viewer_user, request),
                rejoinders={r.id: visible_rejoinders(viewer_user, r) for r in request.responses},
            )
        )
    return views


def visible_rejoinders(viewer_user, response: Response) -> list[Rejoinder]:
    """Rejoinders whose own thread the viewer may see."""
    viewer = viewer_of(viewer_user)
    return [r for r in response.rejoinders if can_read_rejoinder(viewer, r)]


# --- the company's queue -------------------------------------------------------------------


@dataclass
class QueueFilters:
    consultation: str | None = None  # slug
    section: str | None = None
    status: str = "open"  # "open", "all" or a Status value
    category: str | None = None
    order: str = "due"  # "due" (soonest first) or "-due"
    page: int = 1


@dataclass
class QueuePage:
    rows: list[tuple[ResponseRequest, Status]]
    total: int
    page: int
    pages: int


def company_queue(company_id: int, filters: QueueFilters, now: datetime) -> QueuePage:
    """Every request for the company (a campaign's once), filtered, by due date."""
    status = status_sql(now)
    query = (
        sa.select(ResponseRequest, status.label("status"))
        .join(Comment, Comment.id == ResponseRequest.comment_id)
        .join(Consultation, Consultation.id == ResponseRequest.consultation_id)
        .where(
            ResponseRequest.company_id == company_id, ResponseRequest.state != RequestState.MERGED
        )
    )
    if filters.consultation:
        query = query.where(Consultation.slug == filters.consultation)
    if filters.section:
        query = (
            query.where(ResponseRequest.section == filters.section)
            if filters.section != "whole"
            else query.where(ResponseRequest.section.is_(None))
        )
    if filters.category in {k.value for k in OrganisationKind}:
        query = query.where(Comment.category == OrganisationKind(filters.category))
    if filters.status == "open":
        query = query.where(status.in_([s.value for s in deadlines.OPEN_STATUSES]))
    elif filters.status in {s.value for s in Status}:
        query = query.where(status == filters.status)
    total = db.session.execute(
        sa.select(sa.func.count()).select_from(query.subquery())
    ).scalar_one()
    pages = max(1, -(-total // QUEUE_PAGE_SIZE))
    page = min(max(1, filters.page), pages)
    due = ResponseRequest.due_on.desc() if filters.order == "-due" else ResponseRequest.due_on
    rows = db.session.execute(
        query.options(
            selectinload(ResponseRequest.comment).selectinload(Comment.addressees),
            selectinload(ResponseRequest.comment).selectinload(Comment.invitations),
            selectinload(ResponseRequest.comment).selectinload(Comment.version),
            selectinload(ResponseRequest.consultation),
        )
        .order_by(due, ResponseRequest.id)
        .limit(QUEUE_PAGE_SIZE)
        .offset((page - 1) * QUEUE_PAGE_SIZE)
    ).all()
    return QueuePage([(r, Status(s)) for r, s in rows], total, page, pages)


def queue_choices(company_id: int):
    """The consultations and sections the company has requests in, for the filters."""
    consultations = db.session.execute(
        sa.select(Consultation.slug, Consultation.title)
        .distinct()
        .join(ResponseRequest, ResponseRequest.consultation_id == Consultation.id)
        .where(ResponseRequest.company_id == company_id)
        .order_by(Consultation.title)
    ).all()
    sections = db.session.scalars(
        sa.select(ResponseRequest.section)
        .distinct()
        .where(ResponseRequest.company_id == company_id, ResponseRequest.section.is_not(None))
    ).all()
    return consultations, sorted((s for s in sections if s is not None), key=_section_key)


def _section_key(section: str):
    return (0, int(section)) if section.isdigit() else (1, section)


def request_by_reference(reference: str) -> ResponseRequest | None:
    return db.session.scalar(
        _with_responses(sa.select(ResponseRequest).where(ResponseRequest.reference == reference))
    )
