"""One-click unsubscribe (RFC 8058): valid, tampered, expired, reused, after a key
rotation, posted by a mail program without cookies; none on security email."""

import re
import time

import pytest

from consult.comments.models import Visibility
from consult.extensions import db
from consult.notifications import preferences
from consult.notifications.models import Delivery, Kind
from consult.notifications.unsubscribe import make_token
from tests.notifications.conftest import respond

ONE_CLICK = {"List-Unsubscribe": "One-Click"}


def _unsubscribe_path(message) -> str:
    header = message["List-Unsubscribe"]
    match = re.fullmatch(r"<https?://[^/]+(/unsubscribe/[^>]+)>", header)
    assert match, header
    return match.group(1)


def test_a_notification_email_carries_the_rfc_8058_headers_and_link(world, outbox):
    comment = world.post(Visibility.PUBLIC)
    respond(world, comment)
    message = outbox.last(world.author.email)
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    path = _unsubscribe_path(message)
    assert path in outbox.text(world.author.email)  # the same link in the body


def test_a_mail_program_unsubscribes_with_one_post_and_no_cookies(app, world, outbox):
    comment = world.post(Visibility.PUBLIC)
    respond(world, comment)
    path = _unsubscribe_path(outbox.last(world.author.email))
    bare = app.test_client(use_cookies=False)
    response = bare.post(path, data=ONE_CLICK)
    assert response.status_code == 200
    assert preferences.delivery_for(world.author, Kind.COMPANY_RESPONSE) == Delivery.APP
    assert "Set-Cookie" not in response.headers or "session" not in response.headers["Set-Cookie"]
    # Reused: the same answer, the same state.
    assert bare.post(path, data=ONE_CLICK).status_code == 200
    assert preferences.delivery_for(world.author, Kind.COMPANY_RESPONSE) == Delivery.APP
    # And the next answer is no longer emailed, but still shown in the app.
    before = len(outbox.messages(world.author.email))
    respond(world, world.post(Visibility.PUBLIC, body="Another"))
    assert len(outbox.messages(world.author.email)) == before + 1  # the receipt only


def test_the_link_shows_a_confirmation_page_first(client, world):
    token = make_token(world.author.id, Kind.THREAD_REPLY.value)
    page = client.get(f"/unsubscribe/{token}")
    assert page.status_code == 200 and b'<form method="post"' in page.data
    assert preferences.delivery_for(world.author, Kind.THREAD_REPLY) == Delivery.IMMEDIATE
    assert client.post(f"/unsubscribe/{token}", csrf=False).status_code == 200
    assert preferences.delivery_for(world.author, Kind.THREAD_REPLY) == Delivery.APP


def test_a_tampered_link_changes_nothing(client, world):
    token = make_token(world.author.id, Kind.THREAD_REPLY.value)
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert client.post(f"/unsubscribe/{tampered}", data=ONE_CLICK, csrf=False).status_code == 400
    forged = make_token(world.author.id, Kind.THREAD_REPLY.value).replace(".", "x", 1)
    assert client.post(f"/unsubscribe/{forged}", data=ONE_CLICK, csrf=False).status_code == 400
    assert client.get("/unsubscribe/not-a-token").status_code == 400
    assert preferences.delivery_for(world.author, Kind.THREAD_REPLY) == Delivery.IMMEDIATE


def test_a_link_lasts_a_year_and_then_expires(app, client, world, monkeypatch):
    token = make_token(world.author.id, Kind.THREAD_REPLY.value)
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now + 366 * 24 * 3600)
    assert client.get(f"/unsubscribe/{token}").status_code == 200  # a year and a day later
    monkeypatch.setattr(time, "time", lambda: now + 401 * 24 * 3600)
    assert client.post(f"/unsubscribe/{token}", data=ONE_CLICK, csrf=False).status_code == 410
    assert preferences.delivery_for(world.author, Kind.THREAD_REPLY) == Delivery.IMMEDIATE


def test_a_link_survives_a_rotation_of_the_secret_key(app, client, world, monkeypatch):
    old_key = app.config["SECRET_KEY"]
    token = make_token(world.author.id, Kind.THREAD_REPLY.value)
    monkeypatch.setitem(app.config, "SECRET_KEY", "a-brand-new-secret-key-after-rotation")
    monkeypatch.setitem(app.config, "SECRET_KEY_FALLBACKS", [old_key])
    assert client.post(f"/unsubscribe/{token}", data=ONE_CLICK, csrf=False).status_code == 200
    assert preferences.delivery_for(world.author, Kind.THREAD_REPLY) == Delivery.APP
    # Without the old key among the fallbacks, the link no longer verifies.
    other = make_token(world.other.id, Kind.THREAD_REPLY.value)
    monkeypatch.setitem(app.config, "SECRET_KEY", "yet-another-key")
    monkeypatch.setitem(app.config, "SECRET_KEY_FALLBACKS", [])
    assert client.post(f"/unsubscribe/{other}", data=ONE_CLICK, csrf=False).status_code == 400


def test_the_digest_link_stops_every_digest_kind(client, world):
    token = make_token(world.author.id, "digest")
    client.post(f"/unsubscribe/{token}", data=ONE_CLICK, csrf=False)
    chosen = preferences.preferences_of(world.author)
    assert Delivery.DIGEST not in chosen.values()
    assert chosen[Kind.THREAD_REPLY] == Delivery.IMMEDIATE  # not a digest kind: untouched


@pytest.mark.parametrize("scope", ["security", "nonsense", ""])
def test_there_is_no_link_for_security_or_unknown_kinds(scope, world):
    with pytest.raises(ValueError, match="no unsubscribe link"):
        make_token(world.author.id, scope)


def test_security_and_transactional_email_carries_no_unsubscribe(client, world, outbox):
    client.sign_in(world.author)  # a new sign-in: always sent, no way to turn it off
    message = outbox.last(world.author.email)
    assert "sign-in" in message["Subject"]
    assert message["List-Unsubscribe"] is None
    receipt = outbox.messages(world.author.email)
    world.post(Visibility.PUBLIC)
    receipt = outbox.last(world.author.email)
    assert receipt["Subject"].startswith("Receipt") and receipt["List-Unsubscribe"] is None
    db.session.rollback()
