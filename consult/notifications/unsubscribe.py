"""One-click unsubscribe links (RFC 8058): signed tokens that need no session.

A token names the person and what they stop receiving: a kind of notification, or
``digest`` (every kind they get in the daily digest). It is signed with SECRET_KEY and
still read after the key is rotated, as long as the old key is listed in
SECRET_KEY_FALLBACKS; it lasts UNSUBSCRIBE_LINK_MAX_AGE (400 days by default), so a
link in a year-old email still works. Using it twice does the same as once.
"""

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from consult.mail import external_url
from consult.notifications.models import Kind

SALT = "consult:unsubscribe"
DIGEST = "digest"
DEFAULT_MAX_AGE = 400 * 24 * 3600
# Security and transactional email carries no link: it cannot be turned off.
SCOPES = {*(k.value for k in Kind if k != Kind.SECURITY), DIGEST}


class LinkExpired(Exception):
    """Genuine, but older than UNSUBSCRIBE_LINK_MAX_AGE."""


class LinkInvalid(Exception):
    """Tampered with, signed with an unknown key, or naming nothing known."""


def _keys() -> list[str]:
    """The earlier keys, then the current one, as Flask's sessions use them:
    itsdangerous signs with the last and verifies with any."""
    config = current_app.config
    fallbacks = config.get("SECRET_KEY_FALLBACKS") or []
    if isinstance(fallbacks, str):
        fallbacks = [k.strip() for k in fallbacks.split(",") if k.strip()]
    return [*fallbacks, config["SECRET_KEY"]]


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(_keys(), salt=SALT)


def make_token(user_id: int, scope: str) -> str:
    if scope not in SCOPES:
        raise ValueError(f"no unsubscribe link for {scope!r}")
    return _serializer().dumps({"u": user_id, "s": scope})


def read_token(token: str) -> tuple[int, str]:
    """``(user id, scope)``, or LinkExpired / LinkInvalid."""
    max_age = current_app.config.get("UNSUBSCRIBE_LINK_MAX_AGE", DEFAULT_MAX_AGE)
    try:
        payload = _serializer().loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise LinkExpired from exc
    except BadSignature as exc:
        raise LinkInvalid from exc
    if not isinstance(payload, dict):
        raise LinkInvalid
    user_id, scope = payload.get("u"), payload.get("s")
    if not isinstance(user_id, int) or scope not in SCOPES:
        raise LinkInvalid
    return user_id, scope


def unsubscribe_url(user_id: int, scope: str) -> str:
    return external_url("notifications.unsubscribe", token=make_token(user_id, scope))


def list_headers(url: str) -> dict[str, str]:
    """RFC 2369 and RFC 8058: mail programs offer a one-click unsubscribe button."""
    return {
        "List-Unsubscribe": f"<{url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
