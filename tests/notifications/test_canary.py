"""An email canary run: a unique marker in every restricted, confidential, hidden and
withdrawn item, then everything that tells people anything (immediate emails, digests,
notification pages) is searched for markers that reached someone who may not read them.

Also: discreet recipients get no title and no text; a restricted comment's author is
never named to a company; a confidential comment produces nothing for any company.
"""

from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from consult.comments import services as comments
from consult.comments.models import ReplyIdentity, Visibility
from consult.db import utcnow
from consult.extensions import db
from consult.moderation.models import FlagReason
from consult.moderation.services import hide_comment
from consult.notifications import preferences
from consult.notifications.digests import send_personal_digests
from consult.notifications.models import Delivery, Notification
from tests import factories
from tests.notifications.conftest import act, follow, follow_paragraph, respond, texts

DISCREET_SUBJECT = "Consult: you have a new notification"


def _reply(comment, author, body):
    reply = comments.post_reply(
        comment,
        author=author,
        body=body,
        identity=ReplyIdentity.CATEGORY,
        submission_key=factories.unique_key(),
    )
    db.session.commit()
    return reply


@pytest.fixture
def canary(world, stranger, outbox, make_client):
    """The run; returns (people by name, markers, every email text by name, pages)."""
    w = world
    people = {
        "author": w.author,
        "other": w.other,
        "invitee": w.invitee,
        "stranger": stranger,
        "north_rep": w.north_rep,
        "south_rep": w.south_rep,
        "coordinator": w.coordinator,
        "officer": w.officer,
    }
    # Some want everything at once, others keep the defaults (digests): both paths.
    for name in ("stranger", "north_rep", "coordinator", "invitee"):
        for kind in preferences.kinds_for(people[name]):
            preferences.set_delivery(people[name], kind, Delivery.IMMEDIATE)
    for name in ("stranger", "north_rep", "south_rep", "coordinator", "invitee", "other"):
        follow_paragraph(people[name], w)
        follow(people[name], "consultation", consultation_id=w.consultation.id)
    db.session.commit()

    public = w.post(Visibility.PUBLIC, author=w.other, body="An open remark.")
    hidden = w.post(Visibility.PUBLIC, author=w.other, body="CANARY-HIDDEN remark.")
    withdrawn = w.post(Visibility.PUBLIC, author=w.other, body="CANARY-WITHDRAWN remark.")
    follow(w.invitee, "comment", comment_id=hidden.id)
    follow(stranger, "comment", comment_id=withdrawn.id)
    restricted = w.post(
        Visibility.RESTRICTED,
        body="CANARY-RESTRICTED remark.",
        companies=[w.north.id, w.south.id],
    )
    confidential = w.post(Visibility.CONFIDENTIAL, body="CANARY-CONFIDENTIAL remark.")
    anonymous = w.post(Visibility.ANONYMOUS, body="An anonymous remark.")
    comments.invite_cosigner(restricted, author=w.author, email=w.invitee.email)
    db.session.commit()

    _reply(public, stranger, "A public reply.")
    _reply(restricted, w.invitee, "CANARY-RESTRICTED-REPLY text.")
    respond(w, restricted, body="CANARY-RESTRICTED-ANSWER-NORTH text.")
    respond(w, restricted, body="CANARY-RESTRICTED-ANSWER-SOUTH text.", rep=w.south_rep)
    respond(w, anonymous, body="An answer everyone reads.")
    before_moderation = {name: texts(outbox, u.email) for name, u in people.items()}

    for path in Path(outbox.folder).glob("*.eml"):
        path.unlink()  # from here on: what is sent after the hiding and the withdrawal
    act(
        hide_comment,
        hidden,
        moderator=w.coordinator,
        reason_code=FlagReason.ABUSE,
        reason="Insults",
    )
    comments.withdraw_comment(withdrawn, author=w.other, remove_name=False)
    db.session.commit()
    send_personal_digests(utcnow() + timedelta(days=1))
    after_moderation = {name: texts(outbox, u.email) for name, u in people.items()}

    pages = {}
    for name, user in people.items():
        client = make_client()
        client.sign_in(user)
        pages[name] = client.get("/notifications").get_data(as_text=True)
    return people, before_moderation, after_moderation, pages, (restricted, confidential)


RESTRICTED_MARKERS = {
    # marker -> who may read it on a page (never by email)
    "CANARY-RESTRICTED remark": {"author", "invitee", "north_rep", "south_rep", "coordinator"},
    "CANARY-RESTRICTED-REPLY": {"author", "invitee", "north_rep", "south_rep", "coordinator"},
    "CANARY-RESTRICTED-ANSWER-NORTH": {"author", "invitee", "north_rep", "coordinator"},
    "CANARY-RESTRICTED-ANSWER-SOUTH": {"author", "invitee", "south_rep", "coordinator"},
    "CANARY-CONFIDENTIAL": {"author", "coordinator"},
}
MODERATED_MARKERS = {"CANARY-HIDDEN": {"other", "coordinator"}, "CANARY-WITHDRAWN": set()}


def test_no_restricted_or_confidential_text_is_ever_emailed(canary):
    people, before, after, _pages, _ = canary
    for name in people:
        for text in before[name] + after[name]:
            for marker in RESTRICTED_MARKERS:
                assert marker not in text, f"{marker} emailed to {name}"


def test_hidden_and_withdrawn_text_is_not_sent_once_moderated(canary):
    people, _before, after, _pages, _ = canary
    for name in people:
        for text in after[name]:
            for marker in MODERATED_MARKERS:
                assert marker not in text, f"{marker} emailed to {name} after moderation"


def test_notification_pages_show_markers_only_to_their_readers(canary):
    people, _before, _after, pages, _ = canary
    for name in people:
        for marker, readers in {**RESTRICTED_MARKERS, **MODERATED_MARKERS}.items():
            if name not in readers:
                assert marker not in pages[name], f"{marker} shown to {name}"


def test_the_run_did_reach_people(canary):
    """Guard against a vacuous run: readers saw the markers, and email was sent."""
    people, before, after, pages, _ = canary
    assert "CANARY-RESTRICTED-ANSWER-NORTH" in pages["invitee"]
    assert "CANARY-RESTRICTED remark" in pages["north_rep"]
    assert "A public reply." in " ".join(before["other"] + after["other"] + [pages["other"]])
    assert any("An answer everyone reads." in t for t in before["stranger"])
    assert after["south_rep"]  # the digest of what south follows


def test_discreet_recipients_get_no_title_and_no_text(canary, world):
    people, before, after, _pages, _ = canary
    assert preferences.is_discreet(people["author"])  # posted non-public comments
    mails = before["author"] + after["author"]
    notices = [t for t in mails if DISCREET_SUBJECT in t]
    assert notices, "the author was told nothing"
    for text in notices:
        for secret in (
            world.consultation.title,
            "Northwind",
            "Southgate",
            "§",
            "remark",
            "CANARY",
        ):
            assert secret not in text


def test_a_restricted_comments_author_is_never_named_to_a_company(canary, world):
    people, before, after, pages, _ = canary
    author = people["author"]
    names = (author.display_name, author.organisation.name)
    for name in ("north_rep", "south_rep", "stranger", "other", "coordinator", "invitee"):
        for text in before[name] + after[name] + [pages[name]]:
            for secret in names:
                assert secret not in text, f"{secret} shown to {name}"


def test_a_confidential_comment_produces_nothing_for_any_company(canary):
    people, _before, _after, _pages, (_restricted, confidential) = canary
    told = db.session.scalars(
        sa.select(Notification.user_id).where(Notification.comment_id == confidential.id)
    ).all()
    assert people["north_rep"].id not in told and people["south_rep"].id not in told
    assert set(told) <= {people["coordinator"].id}
