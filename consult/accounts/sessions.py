"""Flask-Login wiring: session versions, the absolute lifetime, and expired-session POSTs."""

from datetime import UTC, datetime

import sqlalchemy as sa
from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, logout_user

from consult.accounts.models import User
from consult.extensions import db, login_manager

SIGNED_IN_AT = "signed_in_at"


def init_login(app):
    login_manager.init_app(app)
    login_manager.login_view = "accounts.signin"
    login_manager.login_message = _l("Please sign in to continue.")
    login_manager.session_protection = "basic"
    login_manager.user_loader(_load_user)
    login_manager.unauthorized_handler(_unauthorized)
    app.before_request(_enforce_absolute_lifetime)


def _load_user(session_token: str):
    return db.session.scalar(sa.select(User).where(User.session_token == session_token))


def mark_signed_in():
    session.permanent = True
    session[SIGNED_IN_AT] = datetime.now(UTC).timestamp()


def _enforce_absolute_lifetime():
    """A session lasts 12 hours from sign-in, however active; remember-me restarts it."""
    if not current_user.is_authenticated:
        return
    started = session.get(SIGNED_IN_AT)
    if started is None:  # restored from a remember-me cookie
        mark_signed_in()
        return
    lifetime = current_app.permanent_session_lifetime.total_seconds()
    if datetime.now(UTC).timestamp() - started > lifetime:
        logout_user()
        session.pop(SIGNED_IN_AT, None)


def _unauthorized():
    """Signed out mid-form: show what was typed instead of throwing it away."""
    if request.method == "POST":
        kept = {
            key: value
            for key, value in request.form.items()
            if key not in {"csrf_token", "password", "new_password", "confirm", "current_password"}
            and value.strip()
        }
        return render_template("errors/session_expired.html", kept=kept, next=request.path), 401
    flash(login_manager.login_message, "info")
    return redirect(url_for("accounts.signin", next=request.full_path.rstrip("?")))
