"""Each lifecycle event reaches exactly the people concerned, and nobody else."""

from datetime import UTC, datetime, timedelta

import pytest

from consult.comments import services as comments
from consult.comments.models import ReplyIdentity, Visibility
from consult.commitments import services as commitments
from consult.commitments.models import CommitmentStatus, SourceKind
from consult.consultations import services as consultations
from consult.extensions import db
from consult.moderation.models import FlagReason
from consult.moderation.services import hide_comment, restore_comment
from consult.notifications.models import Delivery
from consult.responses import actions
from consult.responses.models import ResponseKind
from tests import factories
from tests.consultations import factories as consultation_factories
from tests.notifications.conftest import (
    act,
    everyone_told,
    follow,
    follow_paragraph,
    notifications,
    request_for,
    respond,
    told,
)


def _reply(world, comment, author, body="A reply."):
    reply = comments.post_reply(
        comment,
        author=author,
        body=body,
        identity=ReplyIdentity.CATEGORY,
        submission_key=factories.unique_key(),
    )
    db.session.commit()
    return reply


def _ids(*users):
    return {u.id for u in users}


def test_a_reply_reaches_the_author_co_signers_and_followers(world, stranger):
    comment = world.post(Visibility.PUBLIC)
    comments.cosign_comment(comment, user=world.other, named=True)
    follow(world.invitee, "comment", comment_id=comment.id)
    db.session.commit()
    _reply(world, comment, stranger)
    assert everyone_told(world, "reply_posted") == _ids(world.author, world.other, world.invitee)
    assert told(world.author)[-1] == ("reply_posted", "thread_reply")
    assert notifications(stranger) == []  # never told of one's own reply


def test_a_reply_in_a_restricted_thread_reaches_only_its_readers(world):
    comment = world.post(Visibility.RESTRICTED, companies=[world.north.id])
    comments.invite_cosigner(comment, author=world.author, email=world.invitee.email)
    follow(
        world.other,
        "paragraph",
        consultation_id=world.consultation.id,
        stable_key=world.paragraph.stable_key,
    )
    _reply(world, comment, world.invitee)
    assert everyone_told(world, "reply_posted") == _ids(world.author)


def test_a_company_answer_reaches_the_thread_and_the_paragraph_followers(world, stranger):
    comment = world.post(Visibility.PUBLIC)
    comments.cosign_comment(comment, user=world.other, named=True)
    follow_paragraph(stranger, world)
    follow_paragraph(world.south_rep, world)
    respond(world, comment)
    assert everyone_told(world, "response_posted") == _ids(
        world.author, world.other, stranger, world.south_rep
    )
    assert told(world.author)[-1] == ("response_posted", "company_response")
    assert told(stranger)[-1] == ("response_posted", "followed_activity")
    # The company is not told of its own answer (only of the request, earlier).
    assert told(world.north_rep) == [("request_opened", "new_request")]


@pytest.mark.parametrize("kind", [ResponseKind.DECLINE, ResponseKind.CLARIFICATION])
def test_declines_and_clarification_requests_reach_the_thread_only(world, stranger, kind):
    comment = world.post(Visibility.PUBLIC)
    follow_paragraph(stranger, world)
    respond(world, comment, kind=kind, body="Please say more.")
    assert everyone_told(world, "response_posted") == _ids(world.author)


def test_a_follow_up_is_announced(world):
    comment = world.post(Visibility.PUBLIC)
    respond(world, comment)
    respond(world, comment, kind=ResponseKind.FOLLOW_UP, body="And another thing.")
    assert [e for e, _ in told(world.author)].count("response_posted") == 2


def test_an_answer_to_a_restricted_comment_reaches_no_other_company(world, stranger):
    comment = world.post(Visibility.RESTRICTED, companies=[world.north.id, world.south.id])
    follow_paragraph(stranger, world)
    follow_paragraph(world.south_rep, world)
    follow(world.south_rep, "comment", comment_id=comment.id)
    respond(world, comment)
    # South reads the comment (addressed) but not North's answer; the stranger neither.
    assert everyone_told(world, "response_posted") == _ids(world.author)


def test_a_confidential_comment_produces_nothing_for_any_company(world, stranger):
    for rep in (world.north_rep, world.south_rep):
        follow_paragraph(rep, world)
        follow(rep, "consultation", consultation_id=world.consultation.id)
    world.post(Visibility.CONFIDENTIAL)
    assert notifications(world.north_rep) == notifications(world.south_rep) == []
    assert everyone_told(world, "comment_published") == set()  # only coordinators read it


def test_new_requests_reach_the_representatives_of_each_company(world):
    extra_rep = factories.company_rep(world.north)
    comment = world.post(Visibility.PUBLIC)
    assert told(world.north_rep) == [("request_opened", "new_request")]
    assert told(extra_rep) == [("request_opened", "new_request")]
    assert told(world.south_rep) == [("request_opened", "new_request")]
    # A daily digest by default (DESIGN): nothing emailed at once.
    assert notifications(world.north_rep)[0].delivery == Delivery.DIGEST
    restricted = world.post(Visibility.RESTRICTED, companies=[world.north.id])
    assert len(told(world.north_rep)) == 2 and len(told(world.south_rep)) == 1
    assert comment.id != restricted.id


def test_a_new_published_comment_reaches_the_followers_of_its_place(world, stranger):
    section_follower = factories.stakeholder()
    follow_paragraph(stranger, world)
    follow(world.other, "consultation", consultation_id=world.consultation.id)
    from consult.notifications.follows import section_key

    follow(
        section_follower,
        "section",
        consultation_id=world.consultation.id,
        stable_key=section_key(world.paragraph),
    )
    world.post(Visibility.ANONYMOUS)
    assert everyone_told(world, "comment_published") == _ids(
        stranger, world.other, section_follower
    )
    world.post(Visibility.RESTRICTED, companies=[world.north.id])
    assert len(everyone_told(world, "comment_published")) == 3  # nobody may read it


def test_hiding_and_restoring_tell_the_author_with_the_reason(world, stranger):
    comment = world.post(Visibility.PUBLIC)
    follow(stranger, "comment", comment_id=comment.id)
    act(
        hide_comment,
        comment,
        moderator=world.coordinator,
        reason_code=FlagReason.ABUSE,
        reason="Insults another participant",
    )
    db.session.commit()
    act(restore_comment, comment, moderator=world.coordinator, reason="Misread")
    db.session.commit()
    assert [e for e, _ in told(world.author)] == ["comment_hidden", "comment_restored"]
    assert notifications(stranger) == []


def test_late_decisions_tell_the_author(world):
    world.consultation.closes_at = datetime.now(UTC) - timedelta(days=1)
    db.session.commit()
    accepted = world.post(Visibility.PUBLIC, body="Late one.")
    refused = world.post(Visibility.PUBLIC, body="Late two.")
    comments.decide_late_comment(
        accepted, coordinator=world.coordinator, accept=True, reason="Within grace"
    )
    comments.decide_late_comment(
        refused, coordinator=world.coordinator, accept=False, reason="Far too late"
    )
    db.session.commit()
    events = [e for e, _ in told(world.author)]
    assert "late_accepted" in events and "late_refused" in events


def test_an_invitation_to_co_sign_reaches_the_invitee_only(world):
    comment = world.post(Visibility.CONFIDENTIAL)
    comments.invite_cosigner(comment, author=world.author, email=world.invitee.email)
    db.session.commit()
    assert told(world.invitee) == [("cosign_invited", "cosign_invitation")]
    assert everyone_told(world, "cosign_invited") == _ids(world.invitee)


def test_an_edit_tells_the_co_signers(world):
    comment = world.post(Visibility.PUBLIC, body="First wording.")
    comments.cosign_comment(comment, user=world.other, named=True)
    comments.edit_comment(comment, author=world.author, body="Second wording.", proposed_text=None)
    db.session.commit()
    assert told(world.other) == [("cosigned_edited", "my_comment")]
    assert everyone_told(world, "cosigned_edited") == _ids(world.other)


def test_a_rejoinder_reaches_the_company_and_the_thread(world):
    comment = world.post(Visibility.PUBLIC)
    comments.cosign_comment(comment, user=world.other, named=True)
    db.session.commit()
    response = respond(world, comment, kind=ResponseKind.CLARIFICATION, body="Which networks?")
    actions.post_rejoinder(
        response, user=world.author, body="Mobile ones.", submission_key=factories.unique_key()
    )
    db.session.commit()
    assert told(world.north_rep)[-1] == ("rejoinder_posted", "company_thread")
    assert told(world.other)[-1] == ("rejoinder_posted", "thread_reply")
    assert everyone_told(world, "rejoinder_posted") == _ids(world.north_rep, world.other)


def test_consultation_news_reaches_its_followers(world, stranger):
    follow(stranger, "consultation", consultation_id=world.consultation.id)
    consultation_factories.publish_draft(world.consultation, consultation_factories.DRAFT_TWO)
    consultations.extend_closing(
        world.consultation,
        world.consultation.closes_on + timedelta(days=7),
        actor=world.coordinator,
        reason="Many asked for more time",
    )
    world.consultation.closes_at = datetime.now(UTC) - timedelta(days=1)
    db.session.commit()
    consultations.conclude_consultation(world.consultation, actor=world.coordinator)
    db.session.commit()
    events = [e for e, _ in told(stranger)]
    assert events == ["version_published", "update_posted", "phase_changed"]
    assert notifications(world.other) == []


def test_a_commitment_status_change_reaches_its_and_its_company_followers(world, stranger):
    commitment = commitments.record_commitment(
        world.consultation,
        commitments.CommitmentDraft(
            text="Publish a transparency report.",
            company=world.north,
            due_on=world.consultation.closes_on,
            source_kind=SourceKind.LINK,
            source_url="https://example.org/report",
        ),
        actor=world.coordinator,
    )
    db.session.commit()
    follow(stranger, "commitment", commitment_id=commitment.id)
    follow(world.other, "company", company_id=world.north.id)
    act(
        commitments.change_status,
        commitment,
        coordinator=world.coordinator,
        status=CommitmentStatus.KEPT,
        note="Published.",
        evidence_url="https://example.org/report-2026",
    )
    db.session.commit()
    assert everyone_told(world, "commitment_status") == _ids(stranger, world.other)


def test_an_identity_look_up_tells_the_author_by_email(world, outbox):
    comment = world.post(Visibility.ANONYMOUS)
    comments.reveal_identity(comment, officer=world.officer, reason="A legal request")
    db.session.commit()
    assert told(world.author)[-1] == ("identity_revealed", "security")
    assert outbox.messages(world.author.email)  # discreet, but sent


def test_a_reassigned_request_reaches_its_new_company(world):
    comment = world.post(Visibility.PUBLIC, companies=[world.north.id])
    assert told(world.south_rep) == []
    act(
        actions.reassign_request,
        request_for(comment, world.north),
        coordinator=world.coordinator,
        company=world.south,
        reason="Southgate runs that network.",
    )
    db.session.commit()
    assert told(world.south_rep) == [("request_opened", "new_request")]
