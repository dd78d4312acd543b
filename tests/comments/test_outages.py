"""Posting a comment while the database is locked or unreachable: the person gets a 503
page that needs no database, shows what they typed and sends it again; nothing is
half-written, and sending again stores the comment once."""

import html
import re
import socket
import sqlite3

import psycopg.errors
import pytest
import sqlalchemy as sa
from sqlalchemy import exc as sa_exc
from werkzeug.datastructures import MultiDict

from config import Config
from consult import create_app, throttle, transactions
from consult.comments import services
from consult.comments.models import Comment
from consult.extensions import db
from tests.comments.test_views import _form, _submission_key, _url
from tests.conftest import Client

BODY = "Keep this text: the operator must publish every shutdown order."


@pytest.fixture(autouse=True)
def _database(committed_database):
    """Locks and outages happen between connections: rows must really be committed."""
    return committed_database


def _comments():
    db.session.rollback()  # see what other connections committed
    return db.session.scalars(sa.select(Comment)).all()


def _resend_fields(page: str) -> list[tuple[str, str]]:
    form = page[page.index('<form method="post"') :]
    return [
        (html.unescape(name), html.unescape(value))
        for name, value in re.findall(r'<input type="hidden" name="([^"]*)" value="([^"]*)">', form)
    ]


def _lock_conflict(sqlstate: str | None):
    orig = (
        psycopg.errors.SerializationFailure("could not serialize access")
        if sqlstate
        else sqlite3.OperationalError("database is locked")
    )
    return sa_exc.OperationalError("INSERT INTO comments", {}, orig)


@pytest.mark.parametrize("sqlstate", [None, "40001"], ids=["sqlite-locked", "pg-serialization"])
def test_a_lock_conflict_is_run_again_and_the_comment_is_stored_once(
    client, world, monkeypatch, sqlstate
):
    client.sign_in(world.author)
    url = _url(world)
    post, conflicts = services.post_comment, []

    def conflicting_once(*args, **kwargs):
        if not conflicts:
            conflicts.append(1)
            post(*args, **kwargs)  # written, then lost with the rollback
            raise _lock_conflict(sqlstate)
        return post(*args, **kwargs)

    monkeypatch.setattr(services, "post_comment", conflicting_once)
    monkeypatch.setattr(transactions.time, "sleep", lambda seconds: None)
    form = _form(world, body=BODY, submission_key=_submission_key(client, url))
    response = client.post(url, form)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert conflicts == [1]
    assert [c.body for c in _comments()] == [BODY]


def test_a_lock_that_outlasts_the_retries_keeps_the_text_and_sending_again_stores_it(
    client, world, monkeypatch
):
    client.sign_in(world.author)
    url = _url(world)
    key = _submission_key(client, url)
    original = services.post_comment

    def always_locked(*args, **kwargs):
        raise _lock_conflict(None)

    monkeypatch.setattr(services, "post_comment", always_locked)
    monkeypatch.setattr(transactions.time, "sleep", lambda seconds: None)
    response = client.post(url, _form(world, body=BODY, submission_key=key))
    page = response.get_data(as_text=True)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    assert "Consult is busy" in page and "nothing was saved yet" in page
    assert html.escape(BODY) in page  # shown, to copy
    resend = _resend_fields(page)
    assert ("submission_key", key) in resend and ("body", BODY) in resend
    assert not any(name == "password" for name, _ in resend)
    assert _comments() == []

    monkeypatch.setattr(services, "post_comment", original)
    throttle.reset_all()  # the busy attempt counted; the person reads the page first
    again = client.raw.post(url, data=MultiDict(resend))  # the "Send again" button
    assert again.status_code == 302, again.get_data(as_text=True)[:2000]
    twice = client.raw.post(url, data=MultiDict(resend))  # pressed twice: the same receipt
    assert twice.headers.get("Location") == again.headers["Location"]
    assert [c.body for c in _comments()] == [BODY]


def test_sqlite_write_lock_held_by_another_process_gives_the_busy_page(
    app, client, world, monkeypatch
):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's own write lock")
    client.sign_in(world.author)
    url = _url(world)
    form = _form(world, body=BODY, submission_key=_submission_key(client, url))
    monkeypatch.setattr(transactions.time, "sleep", lambda seconds: None)
    usual = app.config["SQLITE_BUSY_TIMEOUT_MS"]
    app.config["SQLITE_BUSY_TIMEOUT_MS"] = 20
    db.session.remove()
    db.engine.dispose()  # reconnect with the short timeout
    holder = sqlite3.connect(db.engine.url.database, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another worker in the middle of a write
    try:
        response = client.post(url, form)
        assert response.status_code == 503
        assert html.escape(BODY) in response.get_data(as_text=True)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        # No connection with the short timeout may outlive this test.
        app.config["SQLITE_BUSY_TIMEOUT_MS"] = usual
        db.session.remove()
        db.engine.dispose()
    throttle.reset_all()
    assert _comments() == []
    resend = _resend_fields(response.get_data(as_text=True))
    assert client.raw.post(url, data=MultiDict(resend)).status_code == 302
    assert [c.body for c in _comments()] == [BODY]


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(params=["postgresql", "sqlite"])
def unreachable_app(request, app, tmp_path):
    """The same site, its database gone after start-up: PostgreSQL refusing connections,
    or a SQLite file whose folder is no longer there."""
    if request.param == "postgresql":
        url = f"postgresql+psycopg://postgres@127.0.0.1:{_closed_port()}/consult"
    else:
        url = f"sqlite:///{tmp_path / 'gone' / 'consult.sqlite3'}"
    broken = create_app(
        Config,
        TESTING=True,
        SECRET_KEY=app.config["SECRET_KEY"],
        SERVER_NAME=app.config["SERVER_NAME"],
        SQLALCHEMY_DATABASE_URI=url,
        SQLALCHEMY_ENGINE_OPTIONS={},
        INSTANCE_DIR=str(tmp_path),
        MAIL_OUTBOX_DIR=str(tmp_path / "outbox"),
        RATELIMIT_STORAGE_URI="memory://",
    )
    yield broken
    with broken.app_context():
        db.engine.dispose()


def test_a_signed_in_person_posting_while_the_database_is_unreachable_keeps_their_text(
    client, world, unreachable_app
):
    client.sign_in(world.author)
    url = _url(world)
    form = _form(world, body=BODY, submission_key=_submission_key(client, url))
    form["csrf_token"] = client.csrf_token(url)
    elsewhere = Client(unreachable_app.test_client())
    # The test client's host: consult.test, or localhost once a browser test's live
    # server has cleared SERVER_NAME in this process.
    host = unreachable_app.config["SERVER_NAME"] or "localhost"
    cookie = client.raw.get_cookie("session", domain=host)
    elsewhere.raw.set_cookie("session", cookie.value, domain=host)
    with unreachable_app.app_context():
        response = elsewhere.raw.post(url, data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 503, page[:2000]
    assert response.headers["Retry-After"]
    assert "unavailable for a moment" in page and "Internal Server Error" not in page
    assert html.escape(BODY) in page
    assert ("body", BODY) in _resend_fields(page)
    assert "<title>" in page and 'lang="en"' in page  # a real page, not a bare line


def test_every_page_answers_503_without_the_database(unreachable_app):
    client = unreachable_app.test_client()
    with unreachable_app.app_context():
        for path in ("/", "/tracker", "/consultations/anything"):
            response = client.get(path)
            assert response.status_code == 503, path
            assert "Try again" in response.get_data(as_text=True)
        health = client.get("/healthz")
    assert health.status_code == 503
    assert health.get_json()["checks"]["database"] == "unreachable"
