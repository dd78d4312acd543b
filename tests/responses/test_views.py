"""The queue, a request's page and the official actions, as people use them; and who is
refused."""

import re

import pytest
import sqlalchemy as sa

from consult.comments.models import Reply, Visibility
from consult.extensions import db
from consult.responses.models import Rejoinder, RequestState, Response, ResponseRequest


def request_for(comment, company):
    return db.session.scalar(
        sa.select(ResponseRequest).where(
            ResponseRequest.comment_id == comment.id, ResponseRequest.company_id == company.id
        )
    )


def _key(client, url, prefix):
    page = client.get(url).get_data(as_text=True)
    return re.search(rf'name="{prefix}-submission_key" type="hidden" value="([^"]+)"', page).group(
        1
    )


def answer(client, req, *, position="partially_agree", body="We will look at **scope**.", **extra):
    url = f"/requests/{req.reference}"
    data = {
        "answer-position": position,
        "answer-body": body,
        "answer-submission_key": _key(client, url, "answer"),
        **extra,
    }
    return client.post(f"{url}/answer", data, prefix="answer", token_from=url)


def test_a_representative_works_the_queue_and_answers(client, world, outbox):
    comment = world.post(Visibility.PUBLIC, body="Cover subsidiaries.")
    client.sign_in(world.north_rep)
    queue = client.get("/company/queue").get_data(as_text=True)
    request = request_for(comment, world.north)
    assert request.reference in queue and "Cover subsidiaries." in queue
    assert request_for(comment, world.south).reference not in queue
    response = answer(client, request)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    db.session.refresh(request)
    assert request.state == RequestState.ANSWERED
    thread = client.get(f"/comments/{comment.reference}").get_data(as_text=True)
    assert "<strong>scope</strong>" in thread
    assert "Partially agree" in thread and "Head of Policy" in thread
    # The author posted public comments only, so their email is not discreet: it names
    # the company (tests/notifications covers discreet recipients and restricted text).
    mail = outbox.text(world.author.email)
    assert comment.reference in mail and "Northwind" in mail


def test_the_queue_filters_by_state_and_category(client, world):
    first = world.post(Visibility.PUBLIC, body="First")
    world.post(Visibility.PUBLIC, author=world.other, body="Second from an investor")
    client.sign_in(world.north_rep)
    answer(client, request_for(first, world.north))
    page = client.get("/company/queue?status=answered").get_data(as_text=True)
    assert "First" in page and "Second from an investor" not in page
    page = client.get("/company/queue?category=investor").get_data(as_text=True)
    assert "Second from an investor" in page and ">First<" not in page


def test_an_invalid_answer_keeps_the_text(client, world):
    comment = world.post()
    client.sign_in(world.north_rep)
    response = answer(
        client, request_for(comment, world.north), position="", body="Text that must not be lost"
    )
    assert response.status_code == 422
    assert "Text that must not be lost" in response.get_data(as_text=True)


def test_an_edit_is_a_public_revision_with_the_earlier_text_readable(client, world):
    comment = world.post()
    request = request_for(comment, world.north)
    client.sign_in(world.north_rep)
    answer(client, request, body="First wording.")
    reply = db.session.scalar(sa.select(Response))
    url = f"/requests/{request.reference}"
    response = client.post(
        f"/responses/{reply.reference}/edit",
        {
            f"edit-{reply.reference}-body": "Second wording.",
            f"edit-{reply.reference}-position": "agree",
        },
        prefix=f"edit-{reply.reference}",
        token_from=url,
    )
    assert response.status_code == 302
    thread = client.get(f"/comments/{comment.reference}").get_data(as_text=True)
    assert "Second wording." in thread and "First wording." in thread
    assert "Earlier revisions" in thread and "Agree and will incorporate" in thread


def test_another_companys_representative_cannot_see_answer_or_edit(client, world):
    comment = world.post()
    north = request_for(comment, world.north)
    client.sign_in(world.north_rep)
    answer(client, north, body="North's answer.")
    reply = db.session.scalar(sa.select(Response))
    client.sign_out()
    client.sign_in(world.south_rep)
    assert client.get(f"/requests/{north.reference}").status_code == 404
    own = f"/requests/{request_for(comment, world.south).reference}"
    response = client.post(
        f"/requests/{north.reference}/answer",
        {"answer-position": "agree", "answer-body": "Hijack", "answer-submission_key": "x"},
        prefix="answer",
        token_from=own,
    )
    assert response.status_code == 404
    response = client.post(
        f"/responses/{reply.reference}/edit",
        {f"edit-{reply.reference}-body": "Hijack"},
        prefix=f"edit-{reply.reference}",
        token_from=own,
    )
    assert response.status_code == 404
    assert db.session.scalar(sa.select(sa.func.count(Response.id))) == 1
    assert "Hijack" not in client.get(f"/comments/{comment.reference}").get_data(as_text=True)


def test_extra_form_fields_cannot_redirect_an_answer_to_another_company(client, world):
    comment = world.post()
    south = request_for(comment, world.south)
    client.sign_in(world.north_rep)
    answer(
        client,
        request_for(comment, world.north),
        company_id=str(world.south.id),
        request=south.reference,
        company=str(world.south.id),
    )
    db.session.refresh(south)
    assert south.state == RequestState.AWAITING
    assert db.session.scalar(sa.select(Response.company_id)) == world.north.id


def test_representatives_post_no_plain_replies(client, world):
    comment = world.post()
    client.sign_in(world.north_rep)
    # A complete, valid reply form (as a stakeholder would send it): only the role refuses it.
    response = client.post(
        f"/comments/{comment.reference}/reply",
        {
            "reply-body": "An unofficial aside",
            "reply-identity": "named",
            "reply-submission_key": "k",
        },
        prefix="reply",
        token_from=f"/comments/{comment.reference}",
    )
    assert response.status_code == 403
    assert db.session.scalar(sa.select(sa.func.count(Reply.id))) == 0


@pytest.mark.parametrize("who", ["author", "other", "coordinator"])
def test_only_representatives_answer_officially(client, world, who):
    comment = world.post()
    request = request_for(comment, world.north)
    client.sign_in(getattr(world, who))
    response = client.post(
        f"/requests/{request.reference}/answer",
        {
            "answer-position": "agree",
            "answer-body": "Not mine to say",
            "answer-submission_key": "k",
        },
        prefix="answer",
        token_from=f"/comments/{comment.reference}",
    )
    assert response.status_code == 403
    assert db.session.scalar(sa.select(sa.func.count(Response.id))) == 0


def test_request_page_access(client, world, make_client):
    comment = world.post()
    url = f"/requests/{request_for(comment, world.north).reference}"
    assert client.get(url).status_code == 302  # visitors sign in first
    assert "/signin" in client.get(url).headers["Location"]
    for person, status in [
        (world.author, 403),
        (world.south_rep, 404),
        (world.north_rep, 200),
        (world.coordinator, 200),
    ]:
        other = make_client()
        other.sign_in(person)
        assert other.get(url).status_code == status, person
    assert client.get("/company/queue").status_code == 302
    for person, status in [(world.author, 403), (world.coordinator, 403), (world.south_rep, 200)]:
        other = make_client()
        other.sign_in(person)
        assert other.get("/company/queue").status_code == status


def test_coordinator_actions_are_refused_to_others(client, world):
    comment = world.post()
    request = request_for(comment, world.north)
    client.sign_in(world.north_rep)
    url = f"/requests/{request.reference}"
    for action, data in [
        ("extend", {"extend-days": "5", "extend-reason": "x"}),
        ("void", {"void-reason": "x"}),
        ("reassign", {"reassign-company": str(world.south.id), "reassign-reason": "x"}),
    ]:
        prefix = action
        response = client.post(f"{url}/{action}", data, prefix=prefix, token_from=url)
        assert response.status_code == 403
    db.session.refresh(request)
    assert request.state == RequestState.AWAITING and request.extension_days == 0


def test_a_coordinator_extends_and_voids_with_public_reasons(client, world):
    comment = world.post()
    north, south = request_for(comment, world.north), request_for(comment, world.south)
    client.sign_in(world.coordinator)
    url = f"/requests/{north.reference}"
    response = client.post(
        f"{url}/extend",
        {"extend-days": "7", "extend-reason": "National holiday."},
        prefix="extend",
        token_from=url,
    )
    assert response.status_code == 302
    url = f"/requests/{south.reference}"
    response = client.post(
        f"{url}/void",
        {"void-reason": "Southgate sells no networks."},
        prefix="void",
        token_from=url,
    )
    assert response.status_code == 302
    client.sign_out()
    thread = client.get(f"/comments/{comment.reference}").get_data(as_text=True)
    assert "National holiday." in thread
    assert "outside its remit" in thread and "Southgate sells no networks." in thread


def test_restricted_answer_text_reaches_only_the_people_named(make_client, world):
    comment = world.post(Visibility.RESTRICTED, display=None)
    from consult.comments import services as comment_services

    comment_services.invite_cosigner(comment, author=world.author, email=world.invitee.email)
    db.session.commit()
    rep = make_client()
    rep.sign_in(world.north_rep)
    answer(rep, request_for(comment, world.north), body="Confidential-ish plan ZX81.")
    readers = {
        "author": world.author,
        "invitee": world.invitee,
        "coordinator": world.coordinator,
        "north_rep": world.north_rep,
    }
    for name, person in readers.items():
        c = make_client()
        c.sign_in(person)
        assert "ZX81" in c.get(f"/comments/{comment.reference}").get_data(as_text=True), name
    south = make_client()
    south.sign_in(world.south_rep)
    page = south.get(f"/comments/{comment.reference}").get_data(as_text=True)
    assert "ZX81" not in page and "Partially agree" not in page
    assert "Northwind answered." in page  # the state, not the text
    other = make_client()
    other.sign_in(world.other)
    assert other.get(f"/comments/{comment.reference}").status_code == 404


def test_the_author_replies_to_an_answer_and_others_cannot(make_client, world):
    comment = world.post(Visibility.ANONYMOUS)
    rep = make_client()
    rep.sign_in(world.north_rep)
    answer(rep, request_for(comment, world.north))
    reply = db.session.scalar(sa.select(Response))
    author = make_client()
    author.sign_in(world.author)
    url = f"/comments/{comment.reference}"
    prefix = f"rejoin-{reply.reference}"
    key = re.search(
        rf'name="{prefix}-submission_key" type="hidden" value="([^"]+)"',
        author.get(url).get_data(as_text=True),
    ).group(1)
    response = author.post(
        f"/responses/{reply.reference}/rejoinder",
        {f"{prefix}-body": "Thank you, but when?", f"{prefix}-submission_key": key},
        prefix=prefix,
        token_from=url,
    )
    assert response.status_code == 302
    visitor = make_client().get(url).get_data(as_text=True)
    assert "Thank you, but when?" in visitor
    assert "Amina Author" not in visitor  # shown as on the anonymous comment
    other = make_client()
    other.sign_in(world.other)
    response = other.post(
        f"/responses/{reply.reference}/rejoinder",
        {f"{prefix}-body": "Me too", f"{prefix}-submission_key": "z"},
        prefix=prefix,
        token_from=url,
    )
    assert response.status_code == 403


TOO_LONG = "x" * 20_000 + " and the last words KEEP-ME"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", "Write your reply."),  # refused by the form
        ("   ", "Write your reply."),  # refused by the service
        (TOO_LONG, "cannot be longer than 20000 characters"),
    ],
    ids=["empty", "blank", "too-long"],
)
def test_a_refused_rejoinder_comes_back_on_the_comment_page(make_client, world, body, message):
    comment = world.post(Visibility.ANONYMOUS)
    rep = make_client()
    rep.sign_in(world.north_rep)
    answer(rep, request_for(comment, world.north))
    reply = db.session.scalar(sa.select(Response))
    author = make_client()
    author.sign_in(world.author)
    url = f"/comments/{comment.reference}"
    prefix = f"rejoin-{reply.reference}"
    key = re.search(
        rf'name="{prefix}-submission_key" type="hidden" value="([^"]+)"',
        author.get(url).get_data(as_text=True),
    ).group(1)
    response = author.post(
        f"/responses/{reply.reference}/rejoinder",
        {f"{prefix}-body": body, f"{prefix}-submission_key": key},
        prefix=prefix,
        token_from=url,
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f"<h1>Comment {comment.reference}</h1>" in page  # the comment page, not an error page
    error = re.search(rf'id="{prefix}-body-error">([^<]*)<', page)
    assert error and message in error.group(1)
    if body.strip():
        assert "KEEP-ME</textarea>" in page  # the typed text is kept in the box
    assert db.session.scalar(sa.select(sa.func.count(Rejoinder.id))) == 0
    assert "KEEP-ME" not in make_client().get(url).get_data(as_text=True)


def test_overdue_wording_in_the_thread(client, world):
    from datetime import timedelta

    from consult.db import utcnow

    comment = world.post()
    request = request_for(comment, world.north)
    request.overdue_at = utcnow() - timedelta(days=1)
    request.due_on = request.due_on - timedelta(days=40)
    db.session.commit()
    page = client.get(f"/comments/{comment.reference}").get_data(as_text=True)
    assert re.search(r"Northwind has not responded \(due [^,]+, \d+ days overdue\)", page)
    assert '<h3>Northwind <span class="badge state-overdue">Overdue</span></h3>' in page
    # Southgate's request is not past its due date: it is not called overdue.
    assert '<h3>Southgate <span class="badge state-awaiting">' in page
    assert "Southgate has not responded" not in page
    assert db.session.scalar(sa.select(sa.func.count(Response.id))) == 0
