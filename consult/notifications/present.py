"""What one notification says to one person, decided when it is shown or sent.

Rows hold ids only; here they become a title, a place, an excerpt and a link, each
checked against the rules (``consult.policy``) at this moment. Anything the person may no
longer read (hidden, withdrawn, made less public, a revoked invitation) comes back as
``available=False``: the page shows a neutral line, and no email is sent for it.

Emails are stricter than pages: they carry no excerpt or place for a restricted or
confidential thread (a reference and a link only), and they never name anyone. Times
follow DESIGN: a thread that is not public shows its date, never its time.
"""

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from flask_babel import gettext as _

from consult.accounts.models import User
from consult.comments.models import OPEN_TO_ALL, Comment, CosignInvitation, IdentityReveal, Reply
from consult.commitments.models import Commitment, CommitmentEvent
from consult.consultations.models import Consultation, DocumentVersion, Phase
from consult.extensions import db
from consult.moderation.models import ModerationAction
from consult.notifications.models import Event, Kind, Notification
from consult.permissions import is_representative_of
from consult.policy.comments import can_read_body, can_read_reply, can_view_comment
from consult.policy.commitments import can_read_commitment_text
from consult.policy.consultations import can_view_consultation
from consult.policy.responses import can_answer, can_read_rejoinder, can_read_response
from consult.responses.models import (
    OPEN_STATES,
    Rejoinder,
    Response,
    ResponseKind,
    ResponseRequest,
)
from consult.tracking.models import Update

EXCERPT_CHARACTERS = 280


@dataclass
class Item:
    """One notification as one person reads it."""

    id: int
    kind: Kind
    available: bool
    title: str = ""
    where: str | None = None  # the consultation and paragraph
    excerpt: str | None = None  # plain text, shortened
    endpoint: str | None = None
    values: dict = field(default_factory=dict)
    when: str = ""
    unread: bool = False
    # Whether the item's thread is open to all (emails carry excerpts only then).
    open_thread: bool = True


def excerpt(text: str | None) -> str | None:
    if not text:
        return None
    flat = " ".join(text.split())
    if len(flat) <= EXCERPT_CHARACTERS:
        return flat
    return flat[: EXCERPT_CHARACTERS - 1].rstrip() + "…"


def _zone(user: User) -> str:
    return user.timezone or "UTC"


def format_when(instant: datetime, user: User, *, exact: bool, zone: str | None = None) -> str:
    """The date and time in the reader's zone, or only the date (in ``zone``: the
    consultation's, so the minute of writing identifies nobody)."""
    locale = user.locale or "en"
    if exact:
        tz = _zone(user)
        return f"{format_datetime(instant, 'medium', tzinfo=ZoneInfo(tz), locale=locale)} ({tz})"
    day = instant.astimezone(ZoneInfo(zone or _zone(user))).date()
    return format_date(day, "d MMMM y", locale=locale)


def _get(model, key):
    return db.session.get(model, key) if key is not None else None


def _consultation(n: Notification) -> Consultation | None:
    return _get(Consultation, n.consultation_id)


def _where(comment: Comment, consultation: Consultation) -> str:
    if comment.paragraph_number:
        return _(
            "%(title)s · §%(number)s", title=consultation.title, number=comment.paragraph_number
        )
    return _("%(title)s · the whole draft", title=consultation.title)


def _thread_item(item: Item, user: User, comment: Comment, consultation: Consultation, instant):
    """Fill what every item about a comment's thread shows."""
    item.where = _where(comment, consultation)
    item.open_thread = comment.visibility in OPEN_TO_ALL and not comment.is_withdrawn
    exact = comment.visibility == "public" and not comment.withdrew_name
    item.when = format_when(instant, user, exact=exact, zone=consultation.timezone)
    item.endpoint, item.values = "comments.show", {"reference": comment.reference}


def present(n: Notification, user: User) -> Item:
    """``n`` as ``user`` may read it now."""
    item = Item(id=n.id, kind=n.kind, available=False, unread=n.read_at is None)
    item.when = format_when(n.created_at, user, exact=True)
    render = _RENDERERS.get(n.event)
    if render is None or not render(item, n, user):
        return Item(
            id=n.id,
            kind=n.kind,
            available=False,
            title=_("This item is no longer available."),
            when=format_when(n.created_at, user, exact=False),
            unread=n.read_at is None,
        )
    item.available = True
    return item


# --- one renderer per event: fill ``item`` and answer whether it may be shown --------------


def _reply(item, n, user) -> bool:
    reply = _get(Reply, n.reply_id)
    consultation = _consultation(n)
    if reply is None or consultation is None or not can_read_reply(user, reply):
        return False
    if reply.hidden_at is not None or reply.withdrawn_at is not None:
        return False
    comment = reply.comment
    item.title = _("A new reply in the thread of comment %(ref)s", ref=comment.reference)
    item.excerpt = excerpt(reply.body)
    _thread_item(item, user, comment, consultation, reply.created_at)
    item.values["_anchor"] = "replies"
    return True


def _rejoinder(item, n, user) -> bool:
    rejoinder = _get(Rejoinder, n.rejoinder_id)
    consultation = _consultation(n)
    if rejoinder is None or consultation is None or not can_read_rejoinder(user, rejoinder):
        return False
    response = rejoinder.response
    request = response.request
    comment = rejoinder.comment
    if is_representative_of(user, request.company_id):
        if response.kind == ResponseKind.CLARIFICATION:
            item.title = _(
                "The commenter answered your company's request for clarification (%(ref)s)",
                ref=request.reference,
            )
        else:
            item.title = _(
                "A reply to your company's response on request %(ref)s", ref=request.reference
            )
    else:
        item.title = _(
            "A reply to %(company)s's response in the thread of comment %(ref)s",
            company=response.company.name,
            ref=comment.reference,
        )
    item.excerpt = excerpt(rejoinder.body)
    _thread_item(item, user, comment, consultation, rejoinder.created_at)
    item.values["_anchor"] = f"resp-{response.reference}"
    return True


def _response(item, n, user) -> bool:
    response = _get(Response, n.response_id)
    comment = _get(Comment, n.comment_id)
    consultation = _consultation(n)
    if response is None or comment is None or consultation is None:
        return False
    request = response.request
    if not (can_view_comment(user, comment) and can_read_response(user, request)):
        return False
    company, ref = response.company.name, comment.reference
    if response.kind == ResponseKind.ANSWER:
        item.title = _("%(company)s answered comment %(ref)s", company=company, ref=ref)
        if response.position is not None:
            item.title += f" ({response.position.label})"
    elif response.kind == ResponseKind.DECLINE:
        item.title = _("%(company)s declined to answer comment %(ref)s", company=company, ref=ref)
    elif response.kind == ResponseKind.CLARIFICATION:
        item.title = _(
            "%(company)s asks for clarification about comment %(ref)s", company=company, ref=ref
        )
    else:
        item.title = _("%(company)s followed up on comment %(ref)s", company=company, ref=ref)
    item.excerpt = excerpt(response.body)
    _thread_item(item, user, comment, consultation, response.created_at)
    item.values["_anchor"] = f"resp-{response.reference}"
    return True


def _request_overdue(item, n, user) -> bool:
    request = _get(ResponseRequest, n.request_id)
    comment = _get(Comment, n.comment_id)
    consultation = _consultation(n)
    if request is None or comment is None or consultation is None:
        return False
    if not can_view_comment(user, comment) or request.state not in OPEN_STATES:
        return False
    company = request.company.name
    if n.detail == "very_overdue":
        item.title = _(
            "%(company)s's answer to comment %(ref)s is very overdue (due %(date)s)",
            company=company,
            ref=comment.reference,
            date=format_date(request.due_on, "d MMMM y", locale=user.locale or "en"),
        )
    else:
        item.title = _(
            "%(company)s has not answered comment %(ref)s by its due date (%(date)s)",
            company=company,
            ref=comment.reference,
            date=format_date(request.due_on, "d MMMM y", locale=user.locale or "en"),
        )
    _thread_item(item, user, comment, consultation, n.created_at)
    item.values["_anchor"] = "responses"
    return True


def _own_comment(n, user) -> tuple[Comment, Consultation] | None:
    """A notification about the person's own comment: only its author reads it."""
    comment = _get(Comment, n.comment_id)
    consultation = _consultation(n)
    if comment is None or consultation is None or comment.author_id != user.id:
        return None
    if not can_view_comment(user, comment):
        return None
    return comment, consultation


def _moderated(item, n, user) -> bool:
    found = _own_comment(n, user)
    action = _get(ModerationAction, n.moderation_action_id)
    if found is None or action is None:
        return False
    comment, consultation = found
    if n.event == Event.COMMENT_HIDDEN:
        item.title = _("A coordinator hid your comment %(ref)s", ref=comment.reference)
    else:
        item.title = _("A coordinator restored your comment %(ref)s", ref=comment.reference)
    item.excerpt = _("Reason: %(reason)s", reason=action.reason) if action.reason else None
    _thread_item(item, user, comment, consultation, action.created_at)
    return True


def _late(item, n, user) -> bool:
    found = _own_comment(n, user)
    if found is None:
        return False
    comment, consultation = found
    if n.event == Event.LATE_ACCEPTED:
        item.title = _(
            "A coordinator accepted your late comment %(ref)s. It is now published, labelled late.",
            ref=comment.reference,
        )
    else:
        item.title = _(
            "A coordinator did not accept your late comment %(ref)s", ref=comment.reference
        )
    item.excerpt = (
        _("Their reason: %(reason)s", reason=comment.late_reason) if comment.late_reason else None
    )
    _thread_item(item, user, comment, consultation, comment.late_decided_at or n.created_at)
    return True


def _invited(item, n, user) -> bool:
    comment = _get(Comment, n.comment_id)
    consultation = _consultation(n)
    if comment is None or consultation is None:
        return False
    invited = db.session.scalar(
        db.select(CosignInvitation).where(
            CosignInvitation.comment_id == comment.id,
            CosignInvitation.user_id == user.id,
            CosignInvitation.revoked_at.is_(None),
        )
    )
    if invited is None or not can_view_comment(user, comment):
        return False
    item.title = _("You are invited to read and co-sign comment %(ref)s", ref=comment.reference)
    _thread_item(item, user, comment, consultation, n.created_at)
    return True


def _cosigned_edited(item, n, user) -> bool:
    comment = _get(Comment, n.comment_id)
    consultation = _consultation(n)
    if comment is None or consultation is None or not can_read_body(user, comment):
        return False
    item.title = _(
        "Comment %(ref)s, which your organisation co-signed, was edited", ref=comment.reference
    )
    item.excerpt = _(
        "Your co-signature stays on the revision you endorsed; read the new text and "
        "withdraw your co-signature if you no longer agree."
    )
    _thread_item(item, user, comment, consultation, comment.edited_at or n.created_at)
    return True


def _comment_published(item, n, user) -> bool:
    comment = _get(Comment, n.comment_id)
    consultation = _consultation(n)
    if comment is None or consultation is None or not can_read_body(user, comment):
        return False
    item.title = _("A new comment, %(ref)s", ref=comment.reference)
    item.excerpt = excerpt(comment.body)
    _thread_item(item, user, comment, consultation, comment.created_at)
    return True


def _request_opened(item, n, user) -> bool:
    request = _get(ResponseRequest, n.request_id)
    comment = _get(Comment, n.comment_id)
    consultation = _consultation(n)
    if request is None or comment is None or consultation is None:
        return False
    if not can_answer(user, request) or request.state not in OPEN_STATES:
        return False
    if not can_view_comment(user, comment):
        return False
    item.title = _(
        "New request %(ref)s for %(company)s, due %(date)s",
        ref=request.reference,
        company=request.company.name,
        date=format_date(request.due_on, "d MMMM y", locale=user.locale or "en"),
    )
    if can_read_body(user, comment):
        item.excerpt = excerpt(comment.body)
    _thread_item(item, user, comment, consultation, comment.created_at)
    item.endpoint, item.values = "responses.request_page", {"reference": request.reference}
    return True


def _public_consultation(n, user) -> Consultation | None:
    consultation = _consultation(n)
    if consultation is None or not can_view_consultation(user, consultation):
        return None
    return consultation


def _version(item, n, user) -> bool:
    consultation = _public_consultation(n, user)
    version = _get(DocumentVersion, n.version_id)
    if consultation is None or version is None:
        return False
    item.title = _(
        "Draft %(n)s of %(title)s is published", n=version.number, title=consultation.title
    )
    item.where = consultation.title
    item.endpoint = "consultations.version"
    item.values = {"slug": consultation.slug, "number": version.number}
    return True


def _phase(item, n, user) -> bool:
    consultation = _public_consultation(n, user)
    if consultation is None:
        return False
    if n.detail == Phase.CONCLUDED:
        item.title = _("%(title)s is concluded", title=consultation.title)
    else:
        item.title = _("%(title)s is published for comment", title=consultation.title)
    item.where = consultation.title
    item.endpoint, item.values = "consultations.show", {"slug": consultation.slug}
    return True


def _update(item, n, user) -> bool:
    consultation = _public_consultation(n, user)
    update = _get(Update, n.update_id)
    if consultation is None or update is None:
        return False
    item.title = _(
        "%(kind)s on %(title)s: %(headline)s",
        kind=update.kind.label,
        title=consultation.title,
        headline=update.title,
    )
    item.where = consultation.title
    item.excerpt = excerpt(update.body)
    item.endpoint = "tracking.timeline"
    item.values = {"slug": consultation.slug}
    return True


def _commitment(item, n, user) -> bool:
    commitment = _get(Commitment, n.commitment_id)
    consultation = _public_consultation(n, user)
    if commitment is None or consultation is None or not commitment.is_confirmed:
        return False
    if n.event == Event.COMMITMENT_STATUS:
        event = _get(CommitmentEvent, n.commitment_event_id)
        if event is None:
            return False
        item.title = _(
            "Commitment %(ref)s is now %(status)s",
            ref=commitment.reference,
            status=event.status.label,
        )
    else:
        item.title = _(
            "Commitment %(ref)s is overdue (due %(date)s)",
            ref=commitment.reference,
            date=format_date(commitment.due_on, "d MMMM y", locale=user.locale or "en"),
        )
    text = (
        commitment.text
        if can_read_commitment_text(user, commitment)
        else commitment.public_wording or ""
    )
    item.excerpt = excerpt(text)
    item.where = consultation.title
    item.endpoint, item.values = "commitments.show", {"reference": commitment.reference}
    return True


def _security(item, n, user) -> bool:
    if n.user_id != user.id:
        return False
    titles = {
        Event.SIGNED_IN: _("A new sign-in to your account"),
        Event.PASSWORD_CHANGED: _("Your password was changed"),
        Event.EMAIL_CHANGED: _("Your email address was changed"),
    }
    if n.event == Event.IDENTITY_REVEALED:
        reveal = _get(IdentityReveal, n.reveal_id)
        if reveal is None or reveal.comment.author_id != user.id:
            return False
        item.title = _(
            "A privacy officer looked at who wrote your comment %(ref)s",
            ref=reveal.comment.reference,
        )
        item.excerpt = _("Their reason: %(reason)s", reason=reveal.reason)
        item.endpoint, item.values = "comments.mine", {"_anchor": "reveals"}
        item.open_thread = False
        return True
    item.title = titles[n.event]
    item.endpoint, item.values = "accounts.profile", {}
    return True


_RENDERERS = {
    Event.REPLY_POSTED: _reply,
    Event.REJOINDER_POSTED: _rejoinder,
    Event.RESPONSE_POSTED: _response,
    Event.REQUEST_OVERDUE: _request_overdue,
    Event.COMMENT_HIDDEN: _moderated,
    Event.COMMENT_RESTORED: _moderated,
    Event.LATE_ACCEPTED: _late,
    Event.LATE_REFUSED: _late,
    Event.COSIGN_INVITED: _invited,
    Event.COSIGNED_EDITED: _cosigned_edited,
    Event.COMMENT_PUBLISHED: _comment_published,
    Event.REQUEST_OPENED: _request_opened,
    Event.VERSION_PUBLISHED: _version,
    Event.PHASE_CHANGED: _phase,
    Event.UPDATE_POSTED: _update,
    Event.COMMITMENT_STATUS: _commitment,
    Event.COMMITMENT_OVERDUE: _commitment,
    Event.SIGNED_IN: _security,
    Event.PASSWORD_CHANGED: _security,
    Event.EMAIL_CHANGED: _security,
    Event.IDENTITY_REVEALED: _security,
}
