"""Comment services: editing, withdrawing, visibility changes, co-signing and replies."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from consult.comments import services
from consult.comments.models import AuthorDisplay, CommentKind, ReplyIdentity, Visibility
from consult.errors import DomainError, NotAllowed
from consult.extensions import db
from tests import factories


def test_reference_is_random_and_unguessable(world):
    references = [world.post(Visibility.PUBLIC, body=f"Text {i}").reference for i in range(12)]
    assert len(set(references)) == 12
    # Not sequential: creation order is neither ascending nor descending (for 12 random
    # references either happens once in 12! ≈ 479 million runs).
    assert references != sorted(references)
    assert references != sorted(references, reverse=True)
    assert all(len(r) == 10 and r.startswith("C-") for r in references)


def test_category_and_place_are_fixed_at_posting(world):
    comment = world.post(Visibility.ANONYMOUS, display=AuthorDisplay.COUNTRY)
    world.author.organisation.country = "FR"
    world.author.organisation.kind = "investor"
    db.session.commit()
    db.session.refresh(comment)
    assert comment.author_country == "KE" and comment.category == "civil_society"


def test_edit_keeps_every_revision_and_tells_co_signers(world, outbox):
    comment = world.post(Visibility.PUBLIC, body="First wording.")
    services.cosign_comment(comment, user=world.other, named=True)
    services.edit_comment(comment, author=world.author, body="Second wording.", proposed_text=None)
    db.session.commit()
    assert [r.body for r in comment.revisions] == ["First wording.", "Second wording."]
    assert comment.cosignatures[0].revision_number == 1
    assert "edited" in outbox.last(world.other.email)["Subject"]


def test_only_the_author_edits(world):
    comment = world.post(Visibility.PUBLIC)
    with pytest.raises(NotAllowed):
        services.edit_comment(comment, author=world.other, body="Hijack", proposed_text=None)


def test_edit_after_close_is_refused(world):
    comment = world.post(Visibility.PUBLIC)
    world.consultation.closes_at = datetime.now(UTC) - timedelta(minutes=1)
    with pytest.raises(services.CommentingClosed):
        services.edit_comment(comment, author=world.author, body="Late edit", proposed_text=None)


def test_withdrawal_removes_text_and_optionally_name(client, world):
    comment = world.post(Visibility.PUBLIC, body="Soon gone.")
    services.withdraw_comment(comment, author=world.author, remove_name=True)
    db.session.commit()
    page = client.get(f"/comments/{comment.reference}").get_data(as_text=True)
    assert "Soon gone." not in page and "Amina Author" not in page
    assert "Withdrawn by the author" in page


def test_less_public_any_time(world):
    comment = world.post(Visibility.PUBLIC)
    services.change_visibility(
        comment,
        author=world.author,
        visibility=Visibility.ANONYMOUS,
        display=AuthorDisplay.NOTHING,
        company_ids=[],
    )
    assert comment.author_name is None and comment.organisation_name is None
    services.change_visibility(
        comment,
        author=world.author,
        visibility=Visibility.CONFIDENTIAL,
        display=AuthorDisplay.NOTHING,
        company_ids=[],
    )
    assert comment.addressees == []


def test_restricted_change_needs_a_company(world):
    comment = world.post(Visibility.ANONYMOUS, companies=[])
    with pytest.raises(DomainError, match="at least one company"):
        services.change_visibility(
            comment,
            author=world.author,
            visibility=Visibility.RESTRICTED,
            display=AuthorDisplay.NOTHING,
            company_ids=[],
        )


def test_companies_can_be_added_never_removed(world):
    comment = world.post(Visibility.PUBLIC, companies=[world.north.id])
    services.add_addressees(comment, author=world.author, company_ids=[world.south.id])
    assert {c.id for c in comment.addressees} == {world.north.id, world.south.id}
    services.add_addressees(comment, author=world.author, company_ids=[])
    assert len(comment.addressees) == 2


def test_confidential_comment_addresses_no_company(world):
    comment = world.post(Visibility.CONFIDENTIAL, companies=[world.north.id])
    assert comment.addressees == []


def test_question_to_the_coordinators_addresses_no_company(world):
    comment = world.post(Visibility.PUBLIC, to_coordinators=True, kind=CommentKind.QUESTION)
    assert comment.to_coordinators and comment.addressees == []


def test_cosigning_rules(world):
    comment = world.post(Visibility.PUBLIC)
    with pytest.raises(NotAllowed):  # one's own organisation cannot co-sign
        services.cosign_comment(comment, user=world.author, named=True)
    services.cosign_comment(comment, user=world.other, named=False)
    assert comment.cosignatures[0].named  # public comments name co-signers
    with pytest.raises(NotAllowed):  # once per organisation
        services.cosign_comment(comment, user=world.other, named=True)
    services.set_cosigning(comment, author=world.author, closed=True, show_named=True)
    with pytest.raises(NotAllowed):
        services.cosign_comment(comment, user=world.invitee, named=True)


def test_restricted_comments_are_cosigned_by_invitation_only(world, outbox):
    comment = world.post(Visibility.RESTRICTED, companies=[world.north.id])
    with pytest.raises(NotAllowed):
        services.cosign_comment(comment, user=world.invitee, named=True)
    assert (
        services.invite_cosigner(comment, author=world.author, email="nobody@example.org") is None
    )
    services.invite_cosigner(comment, author=world.author, email=world.invitee.email)
    db.session.commit()
    invitation_mail = outbox.text(world.invitee.email)
    assert comment.body not in invitation_mail and "Northwind" not in invitation_mail
    services.cosign_comment(comment, user=world.invitee, named=False)
    assert len(comment.cosignatures) == 1


def test_company_representatives_cannot_post_plain_replies(world):
    comment = world.post(Visibility.PUBLIC)
    with pytest.raises(NotAllowed):
        services.post_reply(
            comment,
            author=world.north_rep,
            body="Thanks!",
            identity=ReplyIdentity.NAMED,
            submission_key="k",
        )


def test_replies_have_two_levels(world):
    comment = world.post(Visibility.PUBLIC)
    first = services.post_reply(
        comment, author=world.other, body="One", identity=ReplyIdentity.CATEGORY, submission_key="a"
    )
    second = services.post_reply(
        comment,
        author=world.author,
        body="Two",
        identity=ReplyIdentity.NAMED,
        submission_key="b",
        parent=first,
    )
    third = services.post_reply(
        comment,
        author=world.other,
        body="Three",
        identity=ReplyIdentity.CATEGORY,
        submission_key="c",
        parent=second,
    )
    assert second.parent_id == first.id and third.parent_id == first.id
    assert second.identity == ReplyIdentity.AS_COMMENT  # the author is shown as on the comment


def test_late_comment_after_close(world, outbox):
    world.consultation.closes_at = datetime.now(UTC) - timedelta(days=1)
    db.session.commit()
    comment = world.post(Visibility.PUBLIC)
    assert comment.late_status == "pending"
    assert "awaiting" in outbox.text(world.author.email)
    with pytest.raises(DomainError):
        services.decide_late_comment(
            comment, coordinator=world.coordinator, accept=False, reason=" "
        )
    services.decide_late_comment(
        comment,
        coordinator=world.coordinator,
        accept=False,
        reason="Outside the scope of the extension",
    )
    assert comment.late_status == "refused"


def test_no_comment_before_opening_or_after_conclusion(world):
    world.consultation.opens_at = datetime.now(UTC) + timedelta(days=1)
    world.consultation.closes_at = datetime.now(UTC) + timedelta(days=60)
    with pytest.raises(services.CommentingClosed):
        world.post(Visibility.PUBLIC)
    # Concluded after it closed: no late comment either (before conclusion there would be).
    world.consultation.opens_at = datetime.now(UTC) - timedelta(days=60)
    world.consultation.closes_at = datetime.now(UTC) - timedelta(days=1)
    world.consultation.phase = "concluded"
    with pytest.raises(services.CommentingClosed):
        world.post(Visibility.PUBLIC)


@pytest.mark.parametrize("status", ["pending", "suspended"])
def test_pending_and_suspended_stakeholders_cannot_comment(world, status):
    from consult.accounts.models import UserStatus

    person = factories.stakeholder(status=UserStatus(status))
    with pytest.raises(NotAllowed):
        world.post(Visibility.PUBLIC, author=person)


def test_amendment_needs_proposed_text(world):
    with pytest.raises(DomainError, match="text you propose"):
        world.post(Visibility.PUBLIC, kind=CommentKind.AMENDMENT, proposed_text="")
    comment = world.post(
        Visibility.PUBLIC,
        kind=CommentKind.AMENDMENT,
        proposed_text="Every member company and its subsidiaries.",
    )
    assert comment.proposed_text.startswith("Every")


def test_redaction_blanks_an_earlier_revision(world):
    comment = world.post(Visibility.PUBLIC, body="I named a colleague here by mistake.")
    services.edit_comment(comment, author=world.author, body="Fixed.", proposed_text=None)
    first = comment.revisions[0]
    with pytest.raises(DomainError):
        services.redact_revision(comment.revisions[1], coordinator=world.coordinator)
    services.redact_revision(first, coordinator=world.coordinator)
    db.session.commit()
    assert first.body == "" and first.redacted_at is not None
    from consult.audit.models import AuditEntry

    assert db.session.scalar(
        sa.select(AuditEntry).where(AuditEntry.action == "comment.revision_redacted")
    )


def test_the_audit_log_never_pairs_a_stakeholder_with_their_comment(world):
    from consult.audit.models import AuditEntry

    comment = world.post(Visibility.ANONYMOUS, display=AuthorDisplay.NOTHING)
    services.edit_comment(comment, author=world.author, body="Changed.", proposed_text=None)
    services.cosign_comment(comment, user=world.other, named=False)
    services.post_reply(
        comment,
        author=world.author,
        body="Me again.",
        identity=ReplyIdentity.CATEGORY,
        submission_key="audit-r",
    )
    services.withdraw_comment(comment, author=world.author, remove_name=True)
    db.session.commit()
    actors = db.session.scalars(sa.select(AuditEntry.actor_id)).all()
    assert world.author.id not in actors and world.other.id not in actors
