"""Response requests, company responses (with their revisions), extensions and rejoinders.

A request is one comment (or one campaign) addressed to one responding company. Its
stored ``state`` changes only through the services; whether it is overdue is computed
at read time from the stored UTC instants (see ``consult.responses.deadlines``).
"""

import enum
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.accounts.models import Organisation, OrganisationKind, User
from consult.comments.models import Comment, ReplyIdentity
from consult.consultations.models import Consultation
from consult.db import enum_column, random_reference, utcnow
from consult.extensions import Model
from consult.idempotency import submission_key_index


class RequestState(enum.StrEnum):
    AWAITING = "awaiting"
    CLARIFICATION = "clarification_requested"  # clock paused, at most 14 days
    ANSWERED = "answered"
    DECLINED = "declined"
    REASSIGNED = "reassigned"  # moved to another company; leaves this one's figures
    VOID = "void"  # comment hidden or made confidential, or outside the company's remit
    WITHDRAWN = "withdrawn"  # the comment was withdrawn before an answer
    MERGED = "merged"  # into its campaign's request


OPEN_STATES = (RequestState.AWAITING, RequestState.CLARIFICATION)
# Outside every published figure: the request no longer asks this company anything.
EXCLUDED_STATES = (
    RequestState.REASSIGNED,
    RequestState.VOID,
    RequestState.WITHDRAWN,
    RequestState.MERGED,
)


class VoidCause(enum.StrEnum):
    HIDDEN = "hidden"  # resumed when the comment is restored
    REMIT = "remit"  # a coordinator's ruling, with a public reason
    CONFIDENTIAL = "confidential"  # the author made the comment confidential


class Position(enum.StrEnum):
    AGREE = "agree"
    PARTIALLY_AGREE = "partially_agree"
    UNDER_CONSIDERATION = "under_consideration"
    DISAGREE = "disagree"
    NOTED = "noted"

    @property
    def label(self):
        return POSITION_LABELS[self]


POSITION_LABELS = {
    Position.AGREE: _l("Agree and will incorporate"),
    Position.PARTIALLY_AGREE: _l("Partially agree"),
    Position.UNDER_CONSIDERATION: _l("Under consideration"),
    Position.DISAGREE: _l("Disagree"),
    Position.NOTED: _l("Noted"),
}


class ResponseKind(enum.StrEnum):
    ANSWER = "answer"
    DECLINE = "decline"
    CLARIFICATION = "clarification"
    FOLLOW_UP = "follow_up"

    @property
    def label(self):
        return {
            ResponseKind.ANSWER: _l("Answer"),
            ResponseKind.DECLINE: _l("Declined to answer"),
            ResponseKind.CLARIFICATION: _l("Request for clarification"),
            ResponseKind.FOLLOW_UP: _l("Follow-up"),
        }[self]


class ResponseRequest(Model):
    __tablename__ = "response_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(
        sa.String(12), unique=True, default=lambda: random_reference("Q")
    )
    consultation_id: Mapped[int] = mapped_column(sa.ForeignKey("consultations.id"), index=True)
    # For a campaign request: the earliest member whose request it took over.
    comment_id: Mapped[int] = mapped_column(sa.ForeignKey("comments.id"), index=True)
    campaign_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("campaigns.id", ondelete="SET NULL"), index=True
    )
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    state: Mapped[RequestState] = mapped_column(enum_column(RequestState), index=True)
    # The section number of the paragraph ("3"), or None for the whole draft.
    section: Mapped[str | None] = mapped_column(sa.String(20))

    window_days: Mapped[int]
    base_on: Mapped[date]
    due_on: Mapped[date]
    paused_days: Mapped[int] = mapped_column(default=0)
    extension_days: Mapped[int] = mapped_column(default=0)
    overdue_at: Mapped[datetime] = mapped_column(index=True)
    very_overdue_at: Mapped[datetime]
    paused_on: Mapped[date | None]
    pause_ends_at: Mapped[datetime | None]
    clarification_lapsed: Mapped[bool] = mapped_column(default=False)

    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    first_response_at: Mapped[datetime | None]
    days_to_respond: Mapped[int | None]
    on_time: Mapped[bool | None]
    position: Mapped[Position | None] = mapped_column(enum_column(Position))

    void_cause: Mapped[VoidCause | None] = mapped_column(enum_column(VoidCause))
    state_reason: Mapped[str | None] = mapped_column(sa.Text)  # public: reassignment, remit
    state_changed_at: Mapped[datetime | None]
    reassigned_to_id: Mapped[int | None] = mapped_column(sa.ForeignKey("response_requests.id"))
    merged_into_id: Mapped[int | None] = mapped_column(sa.ForeignKey("response_requests.id"))

    comment: Mapped[Comment] = relationship()
    company: Mapped[Organisation] = relationship()
    consultation: Mapped[Consultation] = relationship()
    reassigned_to: Mapped["ResponseRequest | None"] = relationship(
        remote_side=[id], foreign_keys=[reassigned_to_id]
    )
    merged_into: Mapped["ResponseRequest | None"] = relationship(
        remote_side=[id], foreign_keys=[merged_into_id]
    )
    responses: Mapped[list["Response"]] = relationship(
        back_populates="request", order_by="Response.created_at, Response.id"
    )
    extensions: Mapped[list["RequestExtension"]] = relationship(
        back_populates="request", order_by="RequestExtension.created_at"
    )

    @property
    def is_campaign(self) -> bool:
        return self.campaign_id is not None


class RequestExtension(Model):
    """A coordinator's extension of one request's due date, with its recorded reason."""

    __tablename__ = "request_extensions"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(sa.ForeignKey("response_requests.id"), index=True)
    days: Mapped[int]
    reason: Mapped[str] = mapped_column(sa.Text)
    coordinator_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    request: Mapped[ResponseRequest] = relationship(back_populates="extensions")


class Response(Model):
    """An official company action: answer, decline, clarification request or follow-up.

    Published at once and never removed; an edit adds a public revision.
    """

    __tablename__ = "responses"
    # One row per submission of the form (consult/idempotency.py).
    __table_args__ = (submission_key_index("responses", "author_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(
        sa.String(12), unique=True, default=lambda: random_reference("A")
    )
    request_id: Mapped[int] = mapped_column(sa.ForeignKey("response_requests.id"), index=True)
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    role_title: Mapped[str | None] = mapped_column(sa.String(120))  # as it was at posting
    kind: Mapped[ResponseKind] = mapped_column(enum_column(ResponseKind))
    position: Mapped[Position | None] = mapped_column(enum_column(Position))
    body: Mapped[str] = mapped_column(sa.Text)
    body_html: Mapped[str] = mapped_column(sa.Text)
    revision_count: Mapped[int] = mapped_column(default=1)
    submission_key: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    edited_at: Mapped[datetime | None]

    request: Mapped[ResponseRequest] = relationship(back_populates="responses")
    company: Mapped[Organisation] = relationship()
    author: Mapped[User] = relationship()
    revisions: Mapped[list["ResponseRevision"]] = relationship(
        back_populates="response", order_by="ResponseRevision.number"
    )
    rejoinders: Mapped[list["Rejoinder"]] = relationship(
        back_populates="response", order_by="Rejoinder.created_at, Rejoinder.id"
    )


class ResponseRevision(Model):
    """Every text a response has had, each readable where the response is."""

    __tablename__ = "response_revisions"
    __table_args__ = (sa.UniqueConstraint("response_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(sa.ForeignKey("responses.id"), index=True)
    number: Mapped[int]
    position: Mapped[Position | None] = mapped_column(enum_column(Position))
    body: Mapped[str] = mapped_column(sa.Text)
    body_html: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    response: Mapped[Response] = relationship(back_populates="revisions")


class Rejoinder(Model):
    """The commenter's (or a co-signer's) reply to a company response, shown with the
    comment's identity rules; a rejoinder to a clarification request resumes the clock."""

    __tablename__ = "rejoinders"
    # One row per submission of the form (consult/idempotency.py).
    __table_args__ = (submission_key_index("rejoinders", "author_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(
        sa.String(12), unique=True, default=lambda: random_reference("J")
    )
    response_id: Mapped[int] = mapped_column(sa.ForeignKey("responses.id"), index=True)
    # The thread it is written in: the author's own comment (for a campaign, their member).
    comment_id: Mapped[int] = mapped_column(sa.ForeignKey("comments.id"), index=True)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    identity: Mapped[ReplyIdentity] = mapped_column(enum_column(ReplyIdentity))
    category: Mapped[OrganisationKind] = mapped_column(enum_column(OrganisationKind))
    body: Mapped[str] = mapped_column(sa.Text)
    body_html: Mapped[str] = mapped_column(sa.Text)
    submission_key: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    response: Mapped[Response] = relationship(back_populates="rejoinders")
    comment: Mapped[Comment] = relationship()

    # shown_reply_author() reads these; a rejoinder is never "named" on its own.
    author_name = None
    organisation_name = None
