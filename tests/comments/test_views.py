"""Writing a comment as a person does: form, preview, receipt, thread, my comments."""

import re
from datetime import UTC
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from consult.comments.models import Comment, Visibility
from consult.extensions import db


def _form(world, **changes):
    data = {
        "kind": "comment",
        "body": "The scope should cover **subsidiaries** too.",
        "proposed_text": "",
        "audience": "everyone",
        "display": "name",
        "addressed_to": "companies",
        "companies": [str(world.north.id), str(world.south.id)],
        "understood": "y",
        "submit": "Publish my comment",
    }
    data.update(changes)
    return data


def _url(world):
    return f"/consultations/{world.consultation.slug}/p/{world.paragraph.stable_key}/comment"


def _submission_key(client, url):
    page = client.get(url).get_data(as_text=True)
    return re.search(r'name="submission_key" type="hidden" value="([^"]+)"', page).group(1)


def test_stakeholder_posts_a_public_comment_and_gets_a_receipt(client, world, outbox):
    client.sign_in(world.author)
    url = _url(world)
    response = client.post(url, _form(world, submission_key=_submission_key(client, url)))
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    comment = db.session.scalar(sa.select(Comment))
    assert re.fullmatch(r"C-[0-9A-HJKMNP-TV-Z]{8}", comment.reference)
    receipt = client.get(response.headers["Location"]).get_data(as_text=True)
    assert comment.reference in receipt
    # The time it was received, in UTC and in the consultation's zone (the labels name
    # both zones whatever the times shown).
    received = comment.created_at.replace(tzinfo=comment.created_at.tzinfo or UTC)
    assert f"{received:%Y-%m-%d %H:%M:%S} UTC" in receipt
    local = received.astimezone(ZoneInfo("Asia/Kolkata"))
    assert f"{local:%Y-%m-%d %H:%M:%S} (Asia/Kolkata)" in receipt
    mail = outbox.last(world.author.email)
    assert comment.reference in mail.get_body(("plain",)).get_content()
    for part in ("plain", "html"):  # receipts are discreet, in both parts
        assert "subsidiaries" not in mail.get_body((part,)).get_content()

    thread = client.get(
        f"/consultations/{world.consultation.slug}/p/{world.paragraph.stable_key}/comments"
    ).get_data(as_text=True)
    assert "<strong>subsidiaries</strong>" in thread
    assert "Amina Author" in thread
    mine = client.get("/my/comments").get_data(as_text=True)
    assert comment.reference in mine and "published" in mine


def test_preview_shows_the_rendered_text_and_who_reads_it_without_posting(client, world):
    client.sign_in(world.author)
    url = _url(world)
    data = _form(
        world,
        audience="companies",
        display="region",
        companies=[str(world.north.id)],
        submission_key=_submission_key(client, url),
    )
    data.pop("submit")
    data["preview"] = "Preview"
    response = client.post(url, data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<strong>subsidiaries</strong>" in page
    assert "Northwind" in page and "category and the date only" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Comment)) == 0


def test_double_submit_makes_one_comment(client, world):
    client.sign_in(world.author)
    url = _url(world)
    data = _form(world, submission_key=_submission_key(client, url))
    first = client.post(url, data)
    second = client.post(url, data)
    assert first.headers["Location"] == second.headers["Location"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Comment)) == 1


def test_the_confirmation_is_required_and_the_text_is_kept(client, world):
    client.sign_in(world.author)
    url = _url(world)
    response = client.post(
        url,
        _form(
            world,
            understood="",
            body="Text I must not lose",
            submission_key=_submission_key(client, url),
        ),
    )
    assert response.status_code == 422
    assert "Text I must not lose" in response.get_data(as_text=True)
    assert "Please confirm" in response.get_data(as_text=True)


def test_name_cannot_be_shown_on_a_restricted_comment(client, world):
    client.sign_in(world.author)
    url = _url(world)
    response = client.post(
        url,
        _form(
            world, audience="companies", display="name", submission_key=_submission_key(client, url)
        ),
    )
    assert response.status_code == 422
    assert "Only comments everyone can read show your name" in response.get_data(as_text=True)


def test_restricted_needs_a_company(client, world):
    client.sign_in(world.author)
    url = _url(world)
    response = client.post(
        url,
        _form(
            world,
            audience="companies",
            display="nothing",
            companies=[],
            submission_key=_submission_key(client, url),
        ),
    )
    assert response.status_code == 422
    assert "at least one company" in response.get_data(as_text=True)


def test_oversize_body_is_refused_with_the_text_kept(client, world):
    client.sign_in(world.author)
    url = _url(world)
    body = "word " * 4001 + "THE END MARKER"
    response = client.post(
        url, _form(world, body=body, submission_key=_submission_key(client, url))
    )
    assert response.status_code == 422
    assert "THE END MARKER" in response.get_data(as_text=True)


def test_expired_csrf_keeps_the_text(client, world):
    client.sign_in(world.author)
    url = _url(world)
    data = _form(world, body="Typed over an hour", submission_key="k1", csrf_token="stale")
    response = client.post(url, data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Typed over an hour" in page and "Your session expired" in page


def test_rate_limit_keeps_the_text(client, world):
    client.sign_in(world.author)
    url = _url(world)
    client.post(url, _form(world, submission_key=_submission_key(client, url)))
    response = client.post(
        url, _form(world, body="My second thought", submission_key=_submission_key(client, url))
    )
    assert response.status_code == 429
    assert "My second thought" in response.get_data(as_text=True)


def test_mass_assignment_is_ignored(client, world):
    client.sign_in(world.author)
    url = _url(world)
    response = client.post(
        url,
        _form(
            world,
            submission_key=_submission_key(client, url),
            author_id=str(world.other.id),
            organisation_id="1",
            visibility="confidential",
            created_at="2020-01-01",
            reference="C-AAAAAAAA",
        ),
    )
    assert response.status_code == 302
    comment = db.session.scalar(sa.select(Comment))
    assert comment.author_id == world.author.id
    assert comment.organisation_id == world.author.organisation_id
    assert comment.visibility == Visibility.PUBLIC
    assert comment.created_at.year != 2020 and comment.reference != "C-AAAAAAAA"


def test_only_approved_stakeholders_can_open_the_form(client, world):
    client.sign_in(world.north_rep)
    assert client.get(_url(world)).status_code == 403
    client.sign_out()
    client.sign_in(world.coordinator)
    assert client.get(_url(world)).status_code == 403


def test_signed_out_visitor_is_sent_to_sign_in(client, world):
    response = client.get(_url(world))
    assert response.status_code == 302 and "/signin" in response.headers["Location"]


def test_an_expired_session_keeps_the_comment_text(client, world):
    client.sign_in(world.author)
    url = _url(world)
    key = _submission_key(client, url)
    token = client.csrf_token(url)
    client.sign_out()
    response = client.post(
        url, _form(world, body="Hours of careful drafting", submission_key=key, csrf_token=token)
    )
    assert response.status_code == 401
    assert "Hours of careful drafting" in response.get_data(as_text=True)
