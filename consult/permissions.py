"""Roles and the checks every view uses. Access fails closed.

Every endpoint is either marked ``public`` or guarded by ``role_required`` /
``login_required``; a test walks the URL map and fails on any endpoint that is neither.
"""

import enum
from functools import wraps

from flask import abort
from flask_login import current_user
from flask_login import login_required as _flask_login_required


class Role(enum.StrEnum):
    STAKEHOLDER = "stakeholder"
    COMPANY_REP = "company_rep"
    COORDINATOR = "coordinator"


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


def is_active_user(user) -> bool:
    """True for a signed-in account that is confirmed, approved and not suspended."""
    return bool(user and user.is_authenticated and user.can_act)


def is_coordinator(user) -> bool:
    """True for an active coordinator."""
    return is_active_user(user) and user.role == Role.COORDINATOR


def is_privacy_officer(user) -> bool:
    """True for an active coordinator who carries the privacy-officer flag."""
    return is_coordinator(user) and user.is_privacy_officer


def role_required(*roles: Role):
    """Allow active users of the given roles; others get 403 (signed out: sign in first)."""

    def decorator(view):
        @wraps(view)
        @_flask_login_required
        def wrapped(*args, **kwargs):
            if not is_active_user(current_user) or current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        wrapped.required_roles = roles
        return wrapped

    return decorator


coordinator_required = role_required(Role.COORDINATOR)
