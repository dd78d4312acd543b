"""Headers, error pages and limits that apply to every response."""

import re
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import pytest
from flask import abort

from tests import factories


def test_every_page_sends_the_security_headers(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_session_cookie_is_httponly_and_lax(client):
    person = factories.stakeholder()
    response = client.sign_in(person)
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def _expires(response, name):
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith(f"{name}="))
    return parsedate_to_datetime(re.search(r"Expires=([^;]+)", cookie).group(1))


def test_remember_me_lasts_at_most_30_days(app, client):
    assert app.config["REMEMBER_COOKIE_DURATION"].days <= 30
    assert app.config["PERMANENT_SESSION_LIFETIME"].total_seconds() == 12 * 3600
    # The cookies a browser is actually given (not only the settings).
    response = client.sign_in(factories.stakeholder(), remember=True)
    now = datetime.now(UTC)
    assert _expires(response, "remember_token") <= now + timedelta(days=30, minutes=1)
    assert _expires(response, "session") <= now + timedelta(hours=12, minutes=1)


@pytest.mark.parametrize(
    ("url", "status", "text"),
    [
        ("/no-such-page", 404, b"Page not found"),
    ],
)
def test_friendly_error_pages(client, url, status, text):
    response = client.get(url)
    assert response.status_code == status
    assert text in response.data
    assert b"<h1>" in response.data


def test_too_large_a_request_gets_the_413_page(client, app):
    body = {"email": "x@example.org", "password": "y" * (app.config["MAX_CONTENT_LENGTH"] + 10)}
    response = client.post("/signin", body, csrf=False)
    assert response.status_code == 413
    assert b"too large" in response.data


@pytest.fixture
def app_with_routes(app):
    """A second app on the same database, to which a test may add routes before use."""

    def build(**routes):
        from config import Config
        from consult import create_app

        other = create_app(Config, **{k: v for k, v in app.config.items() if k.isupper()})
        for path, view in routes.items():
            other.add_url_rule(path, path.strip("/").replace("/", "_"), view)
        return other.test_client()

    return build


def test_an_unexpected_error_shows_no_traceback(app_with_routes):
    def boom():
        raise RuntimeError("secret internal detail")

    response = app_with_routes(**{"/boom": boom}).get("/boom")
    assert response.status_code == 500
    assert b"secret internal detail" not in response.data
    assert b"Traceback" not in response.data
    assert b"Something went wrong" in response.data


@pytest.mark.parametrize("code", [400, 403, 405, 422, 429])
def test_each_error_code_has_a_page(app_with_routes, code):
    response = app_with_routes(**{"/abort": lambda: abort(code)}).get("/abort")
    assert response.status_code == code
    assert b"Error %d" % code in response.data


def test_production_refuses_to_start_without_a_secret_key():
    from config import Config

    class Production(Config):
        PRODUCTION = True
        SECRET_KEY = None

    from consult import create_app

    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(Production)


def test_signed_out_post_keeps_the_typed_text(client):
    person = factories.stakeholder()
    client.sign_in(person)
    token = client.csrf_token("/account")
    client.sign_out()
    response = client.post(
        "/account",
        {
            "display_name": "Text I typed carefully",
            "csrf_token": token,
            "timezone": "UTC",
            "locale": "en",
        },
    )
    assert response.status_code == 401
    assert b"Text I typed carefully" in response.data
    assert b"Please sign in again" in response.data
