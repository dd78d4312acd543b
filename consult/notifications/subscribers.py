"""Notifications follow the lifecycle events of every layer below: one receiver per event.

``subscribe()`` is called last by ``consult.register_subscribers``, so campaigns are
recounted, requests opened and the timeline written before anyone is told. Each receiver
describes what happened as a ``Happening`` and publishes it, in the event's transaction.
"""

from datetime import datetime

import sqlalchemy as sa
from flask import has_request_context
from flask import request as http_request
from flask_login import user_logged_in

from consult.accounts import events as account_events
from consult.comments import events as comment_events
from consult.comments.models import Campaign, Comment, CosignInvitation, IdentityReveal, Reply
from consult.commitments import events as commitment_events
from consult.consultations import events as consultation_events
from consult.consultations.models import Consultation, DocumentVersion, Phase
from consult.db import utcnow
from consult.extensions import db
from consult.moderation.models import ModerationAction, ModerationKind
from consult.notifications import audiences  # noqa: F401  (fills services.AUDIENCES)
from consult.notifications.models import Event
from consult.notifications.services import Happening, publish
from consult.responses import events as response_events
from consult.responses.models import OPEN_STATES, Rejoinder, ResponseRequest
from consult.tracking import events as tracking_events
from consult.tracking.models import Update

# --- comments ----------------------------------------------------------------------------


def _comment_ids(comment: Comment) -> dict[str, int]:
    return {"comment_id": comment.id, "consultation_id": comment.consultation_id}


def _is_published(comment: Comment) -> bool:
    return comment.late_status in (None, "accepted") and not (
        comment.is_hidden or comment.is_withdrawn
    )


def tell_requests(comment: Comment, *, now: datetime):
    """Every open request about ``comment`` (its own, or its campaign's) reaches its
    company's representatives once (the event key is the request)."""
    about = ResponseRequest.comment_id == comment.id
    if comment.campaign_id is not None:
        about = sa.or_(about, ResponseRequest.campaign_id == comment.campaign_id)
    requests = db.session.scalars(
        sa.select(ResponseRequest)
        .where(about, ResponseRequest.state.in_(OPEN_STATES))
        .order_by(ResponseRequest.id)
    ).all()
    for request in requests:
        publish(
            Happening(
                Event.REQUEST_OPENED,
                f"request:{request.id}",
                {
                    "request_id": request.id,
                    "comment_id": request.comment_id,
                    "consultation_id": request.consultation_id,
                },
            ),
            now=now,
        )


def comment_posted(comment: Comment, *, now: datetime, **_):
    """A new published comment: its place's followers; its companies' representatives."""
    if not _is_published(comment):
        return  # a late comment waits for a coordinator
    publish(
        Happening(
            Event.COMMENT_PUBLISHED,
            f"comment:{comment.id}",
            _comment_ids(comment),
            actor_id=comment.author_id,
        ),
        now=now,
    )
    tell_requests(comment, now=now)


def requests_may_have_opened(comment: Comment, *, now: datetime, **_):
    """Companies added, or the comment made restricted for more of them."""
    tell_requests(comment, now=now)


def late_decided(comment: Comment, *, now: datetime, **_):
    accepted = comment.late_status == "accepted"
    publish(
        Happening(
            Event.LATE_ACCEPTED if accepted else Event.LATE_REFUSED,
            f"late:{comment.id}",
            _comment_ids(comment),
            to=(comment.author_id,),
        ),
        now=now,
    )
    if accepted:
        comment_posted(comment, now=now)


def _last_action(comment: Comment, kind: ModerationKind) -> ModerationAction | None:
    return db.session.scalar(
        sa.select(ModerationAction)
        .where(ModerationAction.comment_id == comment.id, ModerationAction.kind == kind)
        .order_by(ModerationAction.id.desc())
        .limit(1)
    )


def _moderated(comment: Comment, event: Event, kind: ModerationKind, now: datetime):
    action = _last_action(comment, kind)
    if action is None:
        return
    publish(
        Happening(
            event,
            f"moderation:{action.id}",
            {**_comment_ids(comment), "moderation_action_id": action.id},
            to=(comment.author_id,),
        ),
        now=now,
    )


def comment_hidden(comment: Comment, *, now: datetime, **_):
    _moderated(comment, Event.COMMENT_HIDDEN, ModerationKind.HIDE, now)


def comment_restored(comment: Comment, *, now: datetime, **_):
    _moderated(comment, Event.COMMENT_RESTORED, ModerationKind.RESTORE, now)


def comment_edited(comment: Comment, *, now: datetime, **_):
    """Co-signers endorsed an earlier revision: each is told of the new one."""
    cosigners = tuple(sorted(c.user_id for c in comment.cosignatures if c.withdrawn_at is None))
    publish(
        Happening(
            Event.COSIGNED_EDITED,
            f"edited:{comment.id}:{comment.revision_count}",
            _comment_ids(comment),
            to=cosigners,
        ),
        now=now,
    )


def reply_posted(reply: Reply, *, now: datetime, **_):
    comment = reply.comment
    publish(
        Happening(
            Event.REPLY_POSTED,
            f"reply:{reply.id}",
            {**_comment_ids(comment), "reply_id": reply.id},
            actor_id=reply.author_id,
        ),
        now=now,
    )


def cosigner_invited(invitation: CosignInvitation, *, now: datetime, **_):
    comment = invitation.comment
    publish(
        Happening(
            Event.COSIGN_INVITED,
            f"invitation:{invitation.id}:{int(now.timestamp())}",
            _comment_ids(comment),
            to=(invitation.user_id,),
        ),
        now=now,
    )


def identity_revealed(reveal: IdentityReveal, *, now: datetime, **_):
    comment = reveal.comment
    publish(
        Happening(
            Event.IDENTITY_REVEALED,
            f"reveal:{reveal.id}",
            {**_comment_ids(comment), "reveal_id": reveal.id},
            to=(comment.author_id,),
        ),
        now=now,
    )


def campaign_formed(campaign: Campaign, *, now: datetime, **_):
    """The members' requests became one per company: each company hears of its own."""
    tell_requests(campaign.representative, now=now)


# --- responses ---------------------------------------------------------------------------


def response_posted(request: ResponseRequest, *, response, now: datetime, **_):
    publish(
        Happening(
            Event.RESPONSE_POSTED,
            f"response:{response.id}",
            {
                "response_id": response.id,
                "request_id": request.id,
                "comment_id": request.comment_id,
                "consultation_id": request.consultation_id,
            },
            actor_id=response.author_id,
        ),
        now=now,
    )


def request_reassigned(request: ResponseRequest, *, successor, now: datetime, **_):
    """The company the request moved to hears of it as of a new request."""
    publish(
        Happening(
            Event.REQUEST_OPENED,
            f"request:{successor.id}",
            {
                "request_id": successor.id,
                "comment_id": successor.comment_id,
                "consultation_id": successor.consultation_id,
            },
        ),
        now=now,
    )


def rejoinder_posted(rejoinder: Rejoinder, *, now: datetime, **_):
    response = rejoinder.response
    publish(
        Happening(
            Event.REJOINDER_POSTED,
            f"rejoinder:{rejoinder.id}",
            {
                "rejoinder_id": rejoinder.id,
                "response_id": response.id,
                "request_id": response.request_id,
                "comment_id": rejoinder.comment_id,
                "consultation_id": response.request.consultation_id,
            },
            actor_id=rejoinder.author_id,
        ),
        now=now,
    )


# --- consultations, the timeline, commitments ------------------------------------------------


def _phase(consultation: Consultation, phase: Phase, now: datetime):
    publish(
        Happening(
            Event.PHASE_CHANGED,
            f"phase:{consultation.id}:{phase}",
            {"consultation_id": consultation.id},
            detail=phase.value,
        ),
        now=now,
    )


def consultation_published(consultation: Consultation, *, now: datetime, **_):
    _phase(consultation, Phase.PUBLISHED, now)


def consultation_concluded(consultation: Consultation, *, now: datetime, **_):
    _phase(consultation, Phase.CONCLUDED, now)


def version_published(version: DocumentVersion, *, now: datetime, **_):
    publish(
        Happening(
            Event.VERSION_PUBLISHED,
            f"version:{version.id}",
            {"version_id": version.id, "consultation_id": version.consultation_id},
        ),
        now=now,
    )


def update_posted(update: Update, *, now: datetime, **_):
    """Progress, extension, reopening, delay or new version: every update is news."""
    publish(
        Happening(
            Event.UPDATE_POSTED,
            f"update:{update.id}",
            {"update_id": update.id, "consultation_id": update.consultation_id},
        ),
        now=now,
    )


def commitment_status_changed(commitment, *, entry, now: datetime, **_):
    publish(
        Happening(
            Event.COMMITMENT_STATUS,
            f"commitment-event:{entry.id}",
            {
                "commitment_id": commitment.id,
                "commitment_event_id": entry.id,
                "consultation_id": commitment.consultation_id,
            },
        ),
        now=now,
    )


# --- accounts -----------------------------------------------------------------------------


def _security(user, event: Event, now: datetime):
    publish(Happening(event, f"{event}:{user.id}:{now.isoformat()}", {}, to=(user.id,)), now=now)


def signed_in(_app, user, **_):
    """A sign-in with the password (not a remember-me cookie, nor the session renewed
    after a password change): the person is told, by email too."""
    if has_request_context() and http_request.endpoint == "accounts.signin":
        _security(user, Event.SIGNED_IN, utcnow())


def password_changed(user, *, now: datetime, **_):
    _security(user, Event.PASSWORD_CHANGED, now)


def email_changed(user, *, now: datetime, **_):
    _security(user, Event.EMAIL_CHANGED, now)


def subscribe():
    """Connect every receiver; called after the lower layers' subscribers."""
    comment_events.comment_posted.connect(comment_posted)
    comment_events.companies_added.connect(requests_may_have_opened)
    comment_events.visibility_changed.connect(requests_may_have_opened)
    comment_events.late_comment_accepted.connect(late_decided)
    comment_events.late_comment_refused.connect(late_decided)
    comment_events.comment_hidden.connect(comment_hidden)
    comment_events.comment_restored.connect(comment_restored)
    comment_events.comment_edited.connect(comment_edited)
    comment_events.reply_posted.connect(reply_posted)
    comment_events.cosigner_invited.connect(cosigner_invited)
    comment_events.identity_revealed.connect(identity_revealed)
    comment_events.campaign_formed.connect(campaign_formed)
    for answered in (
        response_events.request_answered,
        response_events.request_declined,
        response_events.clarification_requested,
        response_events.follow_up_posted,
    ):
        answered.connect(response_posted)
    response_events.rejoinder_posted.connect(rejoinder_posted)
    response_events.request_reassigned.connect(request_reassigned)
    consultation_events.consultation_published.connect(consultation_published)
    consultation_events.consultation_concluded.connect(consultation_concluded)
    consultation_events.version_published.connect(version_published)
    tracking_events.update_posted.connect(update_posted)
    commitment_events.commitment_status_changed.connect(commitment_status_changed)
    account_events.password_changed.connect(password_changed)
    account_events.email_changed.connect(email_changed)
    user_logged_in.connect(signed_in)
