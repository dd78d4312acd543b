"""Commitments: recorded or proposed, confirmed, changed only with evidence, with a
history that is never rewritten, and an overdue display."""

import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from consult.comments.models import Visibility
from consult.commitments import services
from consult.commitments.models import (
    Commitment,
    CommitmentEvent,
    CommitmentHistoryImmutable,
    CommitmentStatus,
    SourceKind,
)
from consult.db import utcnow
from consult.errors import DomainError, NotAllowed
from consult.extensions import db
from consult.responses import actions
from consult.responses.models import Position, ResponseKind, ResponseRequest
from tests.comments.conftest import world  # noqa: F401  (the shared fixture)

LINK = "https://example.org/evidence"
OVERDUE_BADGE = '<strong class="badge state-overdue">overdue</strong>'


def _answer(world, visibility=Visibility.PUBLIC):
    comment = world.post(visibility)
    request = db.session.scalar(
        sa.select(ResponseRequest).where(
            ResponseRequest.comment_id == comment.id, ResponseRequest.company_id == world.north.id
        )
    )
    response = actions.post_response(
        request,
        representative=world.north_rep,
        kind=ResponseKind.ANSWER,
        body="We will publish it.",
        position=Position.AGREE,
        submission_key="s",
    )
    db.session.commit()
    return response


def _record(world, *, actor=None, response=None, due_on=None, **kwargs):
    draft = services.CommitmentDraft(
        text=kwargs.pop("text", "Publish a yearly transparency report."),
        due_on=due_on or date.today() + timedelta(days=90),
        source_kind=SourceKind.ANSWER if response else SourceKind.LINK,
        company=kwargs.pop("company", world.north),
        source_response=response,
        source_url=None if response else "https://example.org/announcement",
        **kwargs,
    )
    commitment = services.record_commitment(
        world.consultation, draft, actor=actor or world.coordinator
    )
    db.session.commit()
    return commitment


def test_a_status_change_needs_evidence(world):
    commitment = _record(world, response=_answer(world))
    for note, url in [("", LINK), ("Published in May.", ""), ("Published.", "javascript:x")]:
        with pytest.raises(DomainError):
            services.change_status(
                commitment,
                coordinator=world.coordinator,
                status=CommitmentStatus.KEPT,
                note=note,
                evidence_url=url,
            )
    services.change_status(
        commitment,
        coordinator=world.coordinator,
        status=CommitmentStatus.KEPT,
        note="Published in May.",
        evidence_url=LINK,
    )
    db.session.commit()
    assert commitment.status == CommitmentStatus.KEPT
    assert [e.status for e in commitment.events] == [CommitmentStatus.OPEN, CommitmentStatus.KEPT]
    with pytest.raises(NotAllowed):
        services.change_status(
            commitment,
            coordinator=world.north_rep,
            status=CommitmentStatus.MISSED,
            note="x",
            evidence_url=LINK,
        )


def test_the_history_cannot_be_edited_or_deleted(world):
    commitment = _record(world)
    event = commitment.events[0]
    event.note = "rewritten"
    with pytest.raises(CommitmentHistoryImmutable):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.get(CommitmentEvent, event.id))
    with pytest.raises(CommitmentHistoryImmutable):
        db.session.flush()
    db.session.rollback()


def test_superseded_links_to_its_successor(world):
    old, new = _record(world), _record(world, text="Publish twice a year.")
    with pytest.raises(DomainError):
        services.change_status(
            old,
            coordinator=world.coordinator,
            status=CommitmentStatus.SUPERSEDED,
            note="Replaced.",
            evidence_url=LINK,
        )
    services.change_status(
        old,
        coordinator=world.coordinator,
        status=CommitmentStatus.SUPERSEDED,
        note="Replaced.",
        evidence_url=LINK,
        successor=new,
    )
    db.session.commit()
    assert old.superseded_by == new


def test_open_past_its_due_date_shows_as_overdue(client, world):
    commitment = _record(world, due_on=date.today() - timedelta(days=3))
    assert commitment.is_overdue(utcnow())
    url = f"/consultations/{world.consultation.slug}/commitments"
    page = client.get(url)
    assert page.status_code == 200
    # The badge on the card (the page's introduction mentions "overdue" in any case).
    assert OVERDUE_BADGE in page.get_data(as_text=True)
    services.change_status(
        commitment,
        coordinator=world.coordinator,
        status=CommitmentStatus.MISSED,
        note="Not published.",
        evidence_url=LINK,
    )
    db.session.commit()
    assert not commitment.is_overdue(utcnow())
    assert OVERDUE_BADGE not in client.get(url).get_data(as_text=True)


def test_a_representative_proposes_and_a_coordinator_confirms_with_public_wording(client, world):
    response = _answer(world, Visibility.RESTRICTED)
    proposal = _record(
        world,
        actor=world.north_rep,
        response=response,
        text="Publish figures for country X by June.",
    )
    assert not proposal.is_confirmed and not proposal.source_public
    page = client.get(f"/consultations/{world.consultation.slug}/commitments")
    assert "country X" not in page.get_data(as_text=True)
    assert client.get(f"/commitments/{proposal.reference}").status_code == 404
    with pytest.raises(DomainError, match="public wording"):
        services.confirm_proposal(proposal, coordinator=world.coordinator)
    services.confirm_proposal(
        proposal,
        coordinator=world.coordinator,
        public_wording="Publish more detailed figures by June.",
    )
    db.session.commit()
    page = client.get(f"/commitments/{proposal.reference}").get_data(as_text=True)
    assert "more detailed figures" in page and "country X" not in page
    assert "not published" in page  # the source is not linked
    client.sign_in(world.north_rep)
    assert "country X" in client.get(f"/commitments/{proposal.reference}").get_data(as_text=True)


def test_representatives_propose_only_for_their_company(world):
    with pytest.raises(NotAllowed):
        _record(world, actor=world.south_rep, company=world.north)
    with pytest.raises(NotAllowed):
        _record(
            world, actor=world.south_rep, company=world.south, response=_answer(world)
        )  # North's answer


def test_pages_and_permissions(client, world, make_client):
    commitment = _record(world, paragraph_numbers=["1.1"])
    slug = world.consultation.slug
    page = client.get(f"/consultations/{slug}/commitments").get_data(as_text=True)
    assert commitment.reference in page and "§1.1" in page
    assert client.get("/companies/northwind/commitments").status_code == 200
    assert client.get("/companies/nobody/commitments").status_code == 404
    assert client.get(f"/consultations/{slug}/commitments/new").status_code == 302
    url = f"/commitments/{commitment.reference}/status"
    data = {"status-status": "kept", "status-note": "Done.", "status-evidence_url": LINK}
    for person, status in [(world.author, 403), (world.north_rep, 403)]:
        other = make_client()
        other.sign_in(person)
        assert (
            other.post(
                url, data, prefix="status", token_from=f"/commitments/{commitment.reference}"
            ).status_code
            == status
        )
    stakeholder = make_client()
    stakeholder.sign_in(world.author)
    assert stakeholder.get(f"/consultations/{slug}/commitments/new").status_code == 403
    coordinator = make_client()
    coordinator.sign_in(world.coordinator)
    response = coordinator.post(
        url,
        {**data, "status-evidence_url": ""},
        prefix="status",
        token_from=f"/commitments/{commitment.reference}",
    )
    assert response.status_code == 422 and "Done." in response.get_data(as_text=True)
    response = coordinator.post(
        url, data, prefix="status", token_from=f"/commitments/{commitment.reference}"
    )
    assert response.status_code == 302
    page = client.get(f"/commitments/{commitment.reference}").get_data(as_text=True)
    assert "Kept" in page and LINK in page


def test_coordinator_records_through_the_form(make_client, world):
    response = _answer(world)
    coordinator = make_client()
    coordinator.sign_in(world.coordinator)
    url = f"/consultations/{world.consultation.slug}/commitments/new"
    result = coordinator.post(
        url,
        {
            "text": "Keep emergency calls working.",
            "company": "group",
            "due_on": "2027-01-31",
            "source_kind": "answer",
            "source_response": response.reference,
            "paragraphs": "1.1",
        },
    )
    assert result.status_code == 302, result.get_data(as_text=True)[:2000]
    commitment = db.session.scalar(sa.select(Commitment))
    assert commitment.company is None and commitment.source_response_id == response.id
    rep = make_client()
    rep.sign_in(world.north_rep)
    result = rep.post(
        url,
        {
            "text": "Ours.",
            "company": str(world.south.id),
            "due_on": "2027-01-31",
            "source_kind": "link",
            "source_url": "https://example.org/x",
        },
    )
    assert result.status_code == 422  # not a choice for a North representative


# --- deciding on a representative's proposal, from its page --------------------------------


def _form_data(page, action):
    """What a browser sends for the form posting to ``action``: its hidden fields."""
    form = re.search(rf'<form[^>]*action="{re.escape(action)}"[^>]*>(.*?)</form>', page, re.S)
    assert form, f"no form posting to {action}"
    return dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', form.group(1)))


def _propose(make_client, world, text, **fields):
    """The North representative proposes a commitment through the form; its page's path."""
    rep = make_client()
    rep.sign_in(world.north_rep)
    data = {
        "text": text,
        "company": str(world.north.id),
        "due_on": (date.today() + timedelta(days=200)).isoformat(),
        "source_kind": "link",
        "source_url": "https://example.org/announcement",
        **fields,
    }
    response = rep.post(f"/consultations/{world.consultation.slug}/commitments/new", data)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return response.headers["Location"]


def test_a_coordinator_confirms_a_proposal_from_its_page(make_client, world):
    answer = _answer(world, Visibility.RESTRICTED)  # not public: the coordinator words it
    url = _propose(
        make_client,
        world,
        "Publish figures for country X by June.",
        source_kind="answer",
        source_response=answer.reference,
    )
    reference = url.rsplit("/", 1)[1]
    index = f"/consultations/{world.consultation.slug}/commitments"
    visitor = make_client()
    assert visitor.get(url).status_code == 404
    assert reference not in visitor.get(index).get_data(as_text=True)

    # A representative cannot confirm it, not even their own company's.
    rep = make_client()
    rep.sign_in(world.north_rep)
    assert rep.post(f"{url}/confirm", {}, prefix="confirm", token_from=url).status_code == 403

    coordinator = make_client()
    coordinator.sign_in(world.coordinator)
    page = coordinator.get(url).get_data(as_text=True)
    assert "Proposals waiting for a coordinator" in coordinator.get(index).get_data(as_text=True)
    confirm = f"{url}/confirm"
    data = _form_data(page, confirm)
    refused = coordinator.raw.post(confirm, data={**data, "confirm-public_wording": ""})
    assert refused.status_code == 422
    assert "write the public wording" in refused.get_data(as_text=True)
    assert visitor.get(url).status_code == 404

    done = coordinator.raw.post(
        confirm,
        data={**data, "confirm-public_wording": "Publish more detailed figures by June."},
        follow_redirects=True,
    )
    assert "The commitment is confirmed and public." in done.get_data(as_text=True)
    public = visitor.get(url).get_data(as_text=True)
    assert "more detailed figures" in public and "country X" not in public
    assert '<span class="badge">Open</span>' in public
    assert "proposal, not public" not in public
    listing = visitor.get(index).get_data(as_text=True)
    assert reference in listing and "<h2>1 commitment</h2>" in listing
    assert "Proposals waiting" not in coordinator.get(index).get_data(as_text=True)


def test_a_declined_proposal_is_never_published(make_client, world):
    url = _propose(make_client, world, "Publish a yearly report.")
    reference = url.rsplit("/", 1)[1]
    index = f"/consultations/{world.consultation.slug}/commitments"
    for person in (world.north_rep, world.author):
        other = make_client()
        other.sign_in(person)
        assert other.post(f"{url}/reject", {}, token_from=url).status_code == 403
    assert db.session.scalar(sa.select(Commitment.rejected_at)) is None

    coordinator = make_client()
    coordinator.sign_in(world.coordinator)
    done = coordinator.post(
        f"{url}/reject", {}, prefix="decline", token_from=url, follow_redirects=True
    )
    assert "The proposal is declined; it stays unpublished." in done.get_data(as_text=True)
    assert db.session.scalar(sa.select(Commitment.rejected_at)) is not None
    assert make_client().get(url).status_code == 404
    assert reference not in make_client().get(index).get_data(as_text=True)
    assert reference not in coordinator.get(index).get_data(as_text=True)  # not waiting now
    page = coordinator.get(url).get_data(as_text=True)
    assert f'action="{url}/confirm"' not in page and f'action="{url}/reject"' not in page
    late = coordinator.post(
        f"{url}/confirm", {"confirm-public_wording": ""}, prefix="confirm", token_from=url
    )
    assert late.status_code == 422  # already decided (the page does not say why)
    assert db.session.scalar(sa.select(Commitment.confirmed_at)) is None
    assert make_client().get(url).status_code == 404


def test_a_coordinator_declines_a_proposal_with_the_pages_button(make_client, world):
    url = _propose(make_client, world, "Publish a yearly report.")
    coordinator = make_client()
    coordinator.sign_in(world.coordinator)
    page = coordinator.get(url).get_data(as_text=True)
    reject = f"{url}/reject"
    done = coordinator.raw.post(reject, data=_form_data(page, reject), follow_redirects=True)
    assert "The proposal is declined; it stays unpublished." in done.get_data(as_text=True)
    assert db.session.scalar(sa.select(Commitment.rejected_at)) is not None
    declined = coordinator.get(url).get_data(as_text=True)
    assert "proposal declined by the coordinators" in declined
    assert "Declined by the coordinators on" in declined
    assert "not public until a coordinator confirms it" not in declined
