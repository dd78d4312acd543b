"""The published consultation of tests/comments (Asia/Kolkata, two responding companies,
the people around it) and helpers to read notifications and emails back."""

import inspect
import re

import pytest
import sqlalchemy as sa

from consult.extensions import db
from consult.notifications import follows
from consult.notifications.models import FollowTarget, Notification
from consult.responses import actions
from consult.responses.models import Position, ResponseKind, ResponseRequest
from tests import factories
from tests.comments.conftest import World, world  # noqa: F401  (the shared fixture)


def notifications(user) -> list[Notification]:
    return list(
        db.session.scalars(
            sa.select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
        )
    )


def told(user) -> list[tuple[str, str]]:
    """(event, kind) of every notification ``user`` has."""
    return [(n.event.value, n.kind.value) for n in notifications(user)]


def everyone_told(world: World, event: str) -> set[int]:
    return set(
        db.session.scalars(sa.select(Notification.user_id).where(Notification.event == event))
    )


def request_for(comment, company) -> ResponseRequest:
    return db.session.scalars(
        sa.select(ResponseRequest).where(
            ResponseRequest.comment_id == comment.id, ResponseRequest.company_id == company.id
        )
    ).one()


def respond(world, comment, *, kind=ResponseKind.ANSWER, body="We agree in part.", rep=None):
    rep = rep or world.north_rep
    request = request_for(comment, db.session.get(type(rep.organisation), rep.organisation_id))
    response = actions.post_response(
        request,
        representative=rep,
        kind=kind,
        body=body,
        submission_key=factories.unique_key(),
        position=Position.PARTIALLY_AGREE if kind == ResponseKind.ANSWER else None,
    )
    db.session.commit()
    return response


def follow(user, kind, **ids):
    follows.follow(user, follows.Target(FollowTarget(kind), **ids))
    db.session.commit()


def follow_paragraph(user, world):
    follow(
        user,
        "paragraph",
        consultation_id=world.consultation.id,
        stable_key=world.paragraph.stable_key,
    )


def texts(outbox, address) -> list[str]:
    """Subject, headers and every part of every message to ``address``, as text."""
    found = []
    for message in outbox.messages(address):
        parts = [f"{k}: {v}" for k, v in message.items()]
        for part in message.walk():
            if part.get_content_maintype() == "text":
                parts.append(part.get_content())
        found.append("\n".join(parts))
    return found


URL_RE = re.compile(r"https?://[^/\s]+(/[^\s<>\"]*)")


@pytest.fixture
def stranger():
    """A stakeholder of yet another organisation, with no part in anything."""
    return factories.stakeholder(name="Stella Stranger")


def act(function, *args, **kwargs):
    """Call a service, with a fresh submission key when it takes one."""
    if "submission_key" in inspect.signature(function).parameters:
        kwargs.setdefault("submission_key", factories.unique_key())
    return function(*args, **kwargs)
