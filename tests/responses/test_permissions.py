"""Every new endpoint refuses whom it must: visitors sign in first (401 with the text
kept for a form, a redirect for a page; 404 for what is not public), wrong roles get
403, another company's representatives 404."""

import pytest
import sqlalchemy as sa

from consult.comments.models import Visibility
from consult.commitments import services as commitment_services
from consult.commitments.models import SourceKind
from consult.consultations.models import Phase
from consult.extensions import db
from consult.responses import actions
from consult.responses.models import Position, ResponseKind, ResponseRequest
from tests import factories
from tests.consultations import factories as consultation_factories


def _setup(world):
    comment = world.post()
    request = db.session.scalar(
        sa.select(ResponseRequest).where(
            ResponseRequest.comment_id == comment.id, ResponseRequest.company_id == world.north.id
        )
    )
    response = actions.post_response(
        request,
        representative=world.north_rep,
        kind=ResponseKind.ANSWER,
        position=Position.AGREE,
        body="Yes.",
        submission_key="k",
    )
    proposal = commitment_services.record_commitment(
        world.consultation,
        commitment_services.CommitmentDraft(
            text="Do it.",
            due_on=factories.utcnow().date(),
            source_kind=SourceKind.LINK,
            company=world.north,
            source_url="https://example.org/x",
        ),
        actor=world.north_rep,
    )
    db.session.commit()
    return comment, request, response, proposal


def _posts(request, response, proposal, slug):
    return [
        f"/requests/{request.reference}/answer",
        f"/requests/{request.reference}/decline",
        f"/requests/{request.reference}/clarify",
        f"/requests/{request.reference}/followup",
        f"/requests/{request.reference}/reassign",
        f"/requests/{request.reference}/void",
        f"/requests/{request.reference}/extend",
        f"/responses/{response.reference}/edit",
        f"/responses/{response.reference}/rejoinder",
        f"/consultations/{slug}/commitments/new",
        f"/commitments/{proposal.reference}/confirm",
        f"/commitments/{proposal.reference}/reject",
        f"/commitments/{proposal.reference}/status",
    ]


def test_visitors_are_sent_to_sign_in_for_every_action(client, world):
    comment, request, response, proposal = _setup(world)
    for url in _posts(request, response, proposal, world.consultation.slug):
        # Signed out mid-form: the typed text comes back with a sign-in link, nothing written.
        result = client.post(url, {"answer-body": "Typed before signing out"}, csrf=False)
        assert result.status_code == 401, url
        assert "Typed before signing out" in result.get_data(as_text=True), url
    for url in ["/company/queue", f"/requests/{request.reference}"]:
        assert "/signin" in client.get(url).headers["Location"]


@pytest.mark.parametrize("who", ["author", "north_rep"])
def test_coordinator_only_actions_refuse_others(client, world, who):
    comment, request, response, proposal = _setup(world)
    client.sign_in(getattr(world, who))
    for url in _posts(request, response, proposal, world.consultation.slug)[4:7] + [
        f"/commitments/{proposal.reference}/confirm",
        f"/commitments/{proposal.reference}/reject",
    ]:
        assert client.post(url, {}, token_from="/account").status_code == 403, url


def test_stakeholders_cannot_edit_answers_and_others_cannot_read_proposals(
    client, world, make_client
):
    comment, request, response, proposal = _setup(world)
    client.sign_in(world.author)
    assert (
        client.post(f"/responses/{response.reference}/edit", {}, token_from="/account").status_code
        == 403
    )
    assert client.get(f"/commitments/{proposal.reference}").status_code == 404
    south = make_client()
    south.sign_in(world.south_rep)
    assert south.get(f"/commitments/{proposal.reference}").status_code == 404
    north = make_client()
    north.sign_in(world.north_rep)
    assert north.get(f"/commitments/{proposal.reference}").status_code == 200


def test_a_draft_consultation_has_no_public_tracker(client, world):
    draft = consultation_factories.consultation(phase=Phase.DRAFT, companies=[world.north])
    assert client.get(f"/consultations/{draft.slug}/tracker").status_code == 404
    assert client.get(f"/consultations/{draft.slug}/commitments").status_code == 404
    assert (
        client.get(
            f"/consultations/{draft.slug}/tracker/list?company=northwind&measure=requests"
        ).status_code
        == 404
    )


def test_the_confidential_text_never_reaches_the_tracker_or_queue(make_client, world):
    world.post(Visibility.CONFIDENTIAL, body="Confidential detail QQ7.")
    for person in [None, world.north_rep]:
        client = make_client()
        if person:
            client.sign_in(person)
            assert "QQ7" not in client.get("/company/queue?status=all").get_data(as_text=True)
        page = client.get(f"/consultations/{world.consultation.slug}/tracker")
        assert "QQ7" not in page.get_data(as_text=True)


def test_a_campaign_answer_shows_in_every_members_thread(client, world):
    text = "Please cover subsidiaries and joint ventures in scope, with no exceptions at all."
    members = [world.post(author=factories.stakeholder(), body=text) for _ in range(5)]
    request = db.session.scalar(
        sa.select(ResponseRequest).where(
            ResponseRequest.campaign_id.is_not(None), ResponseRequest.company_id == world.north.id
        )
    )
    actions.post_response(
        request,
        representative=world.north_rep,
        kind=ResponseKind.ANSWER,
        position=Position.AGREE,
        body="Campaign answer WX9.",
        submission_key="c",
    )
    db.session.commit()
    for member in members:
        assert "Campaign answer WX9." in client.get(f"/comments/{member.reference}").get_data(
            as_text=True
        )


def test_queue_filters_by_consultation_and_section(client, world):
    world.post(body="On section one")
    world.post(body="On the whole draft", paragraph=None)
    client.sign_in(world.north_rep)
    page = client.get("/company/queue?section=whole").get_data(as_text=True)
    assert "On the whole draft" in page and "On section one" not in page
    page = client.get(f"/company/queue?consultation={world.consultation.slug}&section=1")
    assert "On section one" in page.get_data(as_text=True)
    assert "On section one" not in client.get("/company/queue?consultation=elsewhere").get_data(
        as_text=True
    )
