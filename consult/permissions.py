"""Roles, the role checks every rule is built from, and the guards every view uses.

The role checks ("an active coordinator", "a privacy officer", "a representative of this
company", "an approved stakeholder") are defined here once; every rule in
``consult.policy`` and every guard below is made of them. Access fails closed.

Every endpoint is either marked ``public`` or guarded by ``role_required`` /
``login_required``; a test walks the URL map and fails on any endpoint that is neither.
"""

import enum
from dataclasses import dataclass
from functools import wraps
from typing import TypeVar

from flask import abort
from flask_login import current_user
from flask_login import login_required as _flask_login_required

T = TypeVar("T")


class Role(enum.StrEnum):
    STAKEHOLDER = "stakeholder"
    COMPANY_REP = "company_rep"
    COORDINATOR = "coordinator"


# --- the role checks -----------------------------------------------------------------------


def is_active_user(user) -> bool:
    """A signed-in account that is confirmed, approved and not suspended."""
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.can_act)


def is_coordinator(user) -> bool:
    """An active coordinator."""
    return is_active_user(user) and user.role == Role.COORDINATOR


def is_privacy_officer(user) -> bool:
    """An active coordinator who carries the privacy-officer flag."""
    return is_coordinator(user) and bool(user.is_privacy_officer)


def is_company_rep(user) -> bool:
    """An active representative of some company."""
    return is_active_user(user) and user.role == Role.COMPANY_REP


def is_representative_of(user, company_id: int | None) -> bool:
    """An active representative of this company."""
    return company_id is not None and is_company_rep(user) and user.organisation_id == company_id


def is_approved_stakeholder(user) -> bool:
    """An active stakeholder who belongs to an organisation: they comment, reply and co-sign."""
    return (
        is_active_user(user) and user.role == Role.STAKEHOLDER and user.organisation_id is not None
    )


# --- who is looking, for the rules that also have an SQL form ------------------------------


@dataclass(frozen=True)
class Viewer:
    """Who is looking, reduced to what the rules need; inactive accounts are visitors."""

    user_id: int | None = None
    role: Role | None = None
    organisation_id: int | None = None

    @property
    def is_coordinator(self) -> bool:
        return self.role == Role.COORDINATOR

    @property
    def is_company_rep(self) -> bool:
        return self.role == Role.COMPANY_REP

    def is_user(self, user_id: int | None) -> bool:
        """True when this viewer is the account ``user_id`` (never for a visitor)."""
        return self.user_id is not None and self.user_id == user_id


VISITOR = Viewer()


def viewer_of(user) -> Viewer:
    """The Viewer for a user, an anonymous visitor, or a Viewer already made."""
    if isinstance(user, Viewer):
        return user
    if not is_active_user(user):
        return VISITOR
    return Viewer(user_id=user.id, role=user.role, organisation_id=user.organisation_id)


# --- view guards ----------------------------------------------------------------------------


def public(view):
    """Mark a view as readable by anyone, signed in or not."""
    view.is_public = True
    return view


def login_required(view):
    """Allow any signed-in account, whatever its status; others are sent to sign in."""
    wrapped = _flask_login_required(view)
    wrapped.requires_login = True
    return wrapped


def require(allowed: bool, *, hide: bool = True) -> None:
    """Abort unless ``allowed``: 404 when the viewer must not learn the object exists."""
    if not allowed:
        abort(404 if hide else 403)


def require_found(value: T | None) -> T:
    """``value``, or a 404 when there is none (and the checker knows it is not None)."""
    if value is None:
        abort(404)
    return value


def role_required(*roles: Role):
    """Allow active users of the given roles; others get 403 (signed out: sign in first)."""

    def decorator(view):
        @wraps(view)
        @_flask_login_required
        def wrapped(*args, **kwargs):
            if not is_active_user(current_user) or current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        # A function attribute, read by the test that walks the URL map.
        wrapped.required_roles = roles  # type: ignore[attr-defined]
        return wrapped

    return decorator


coordinator_required = role_required(Role.COORDINATOR)
