"""Signed, expiring, single-use links sent by email.

Each token is signed for one purpose and carries a fingerprint of the state it
changes; once used, that state differs and the same link is refused. No table of
used tokens is needed.
"""

import hashlib
from enum import StrEnum

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer


class Purpose(StrEnum):
    CONFIRM_EMAIL = "confirm-email"
    CHANGE_EMAIL = "change-email"
    RESET_PASSWORD = "reset-password"  # noqa: S105 - a purpose name, not a password
    INVITATION = "invitation"


MAX_AGE_SETTINGS = {
    Purpose.CONFIRM_EMAIL: "CONFIRM_LINK_MAX_AGE",
    Purpose.CHANGE_EMAIL: "CONFIRM_LINK_MAX_AGE",
    Purpose.RESET_PASSWORD: "RESET_LINK_MAX_AGE",
    Purpose.INVITATION: "INVITATION_LINK_MAX_AGE",
}


class LinkExpired(Exception):
    """The link was genuine but is too old."""


class LinkInvalid(Exception):
    """The link was tampered with, already used, or never valid."""


def fingerprint(*parts) -> str:
    """A short digest of mutable state, so a link stops working once the state changes."""
    joined = "\x1f".join("" if p is None else str(p) for p in parts)
    return hashlib.sha256(joined.encode()).hexdigest()[:20]


def _serializer(purpose: Purpose):
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"consult:{purpose}")


def make_token(purpose: Purpose, payload: dict) -> str:
    return _serializer(purpose).dumps(payload)


def read_token(purpose: Purpose, token: str) -> dict:
    """Return the payload, or raise LinkExpired / LinkInvalid."""
    max_age = current_app.config[MAX_AGE_SETTINGS[purpose]]
    try:
        return _serializer(purpose).loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise LinkExpired from exc
    except BadSignature as exc:
        raise LinkInvalid from exc
