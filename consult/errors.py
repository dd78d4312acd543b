"""Error pages and domain exceptions. Every error rolls the transaction back."""

import re

from flask import Response, current_app, g, render_template, request
from flask_babel import lazy_gettext as _l
from sqlalchemy import exc as sa_exc
from werkzeug.exceptions import HTTPException

from consult import transactions
from consult.extensions import db, login_manager


class DomainError(Exception):
    """A rule of the domain refused an action; shown to the person as a message."""

    status_code = 422

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


class NotAllowed(DomainError):
    status_code = 403


TITLES = {
    400: _l("The request could not be understood"),
    401: _l("Please sign in"),
    403: _l("You cannot do this"),
    404: _l("Page not found"),
    405: _l("This action is not available here"),
    413: _l("What you sent is too large"),
    422: _l("This could not be processed"),
    429: _l("Too many attempts"),
    500: _l("Something went wrong on our side"),
}
MESSAGES = {
    400: _l("Check the address or the form and try again."),
    401: _l("Sign in to continue."),
    403: _l("Your account does not have permission for this page or action."),
    404: _l("There is nothing at this address, or it is not available to you."),
    405: _l("Go back and use the buttons on the page."),
    413: _l("The upload or form was larger than we accept. Make it smaller and try again."),
    422: _l("Check what you entered and try again."),
    429: _l("Please wait a few minutes before trying again."),
    500: _l("The error has been recorded. Please try again later; nothing you did caused it."),
}


def render_error(code, message=None):
    """The error page, after rolling back whatever the request had written."""
    db.session.rollback()
    title = TITLES.get(code, TITLES[500])
    try:
        page = render_template(
            "errors/error.html",
            code=code,
            title=title,
            message=message or MESSAGES.get(code, MESSAGES[500]),
        )
    except Exception:  # the page itself failed: answer plainly rather than not at all
        current_app.logger.exception("Error page failed to render")
        return Response(f"{code}: {title}", status=code, mimetype="text/plain")
    return page, code


# Fields whose value is never shown back or sent again from an outage page.
_SECRET_FIELDS = frozenset(
    {"password", "new_password", "confirm", "current_password", "password_confirm"}
)
# Names the person would recognise, for the fields forms commonly carry; any other field
# is shown under a neutral "Text you typed".
_FIELD_LABELS = {
    "body": _l("Your text"),
    "amendment": _l("Your proposed wording"),
    "text": _l("Your text"),
    "title": _l("Title"),
    "reason": _l("Reason"),
    "summary": _l("Summary"),
    "email": _l("Email"),
}
_MACHINE_FIELDS = ("csrf_token", "submission_key")


def _typed_fields():
    """What the person sent: (label, value) pairs worth showing, and every (name, value)
    pair to send again, passwords left out of both."""
    if request.method in transactions.SAFE_METHODS:
        return [], []
    try:
        items = list(request.form.items(multi=True))
    except Exception:  # a body that cannot be parsed has nothing to give back
        return [], []
    resend = [(k, v) for k, v in items if k.rsplit("-", 1)[-1] not in _SECRET_FIELDS]
    shown = [
        (_FIELD_LABELS.get(k.rsplit("-", 1)[-1], _l("Text you typed")), v)
        for k, v in resend
        if not k.endswith(_MACHINE_FIELDS) and len(v.strip()) > 1
    ]
    return shown, resend


def render_unavailable(busy: bool):
    """The 503 page for a database that is locked or unreachable. It needs no database:
    the visitor is treated as signed out for this page (loading them would need the
    database), the template stands alone, and a failure to render still answers."""
    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 - the connection may be gone; the page matters more
        current_app.logger.warning("Rolling back after a database outage failed")
    # Flask-Login keeps the loaded user in g; an anonymous one means no lookup.
    g._login_user = login_manager.anonymous_user()
    retry_after = str(current_app.config.get("RETRY_AFTER_SECONDS", 30))
    shown, resend = _typed_fields()
    try:
        page = current_app.jinja_env.get_template("errors/unavailable.html").render(
            busy=busy, shown=shown, resend=resend, action=request.full_path.rstrip("?")
        )
    except Exception:  # noqa: BLE001 - answer plainly rather than not at all
        current_app.logger.exception("Outage page failed to render")
        text = "\n\n".join(value for _, value in shown)
        page = f"503: Consult is unavailable for a moment. Nothing was saved.\n\n{text}"
        return Response(page, 503, {"Retry-After": retry_after}, mimetype="text/plain")
    return Response(page, 503, {"Retry-After": retry_after}, mimetype="text/html")


# What the database refuses in a value, whatever the request: a number past the column's
# range (PostgreSQL: NumericValueOutOfRange, a DataError; SQLite: OverflowError), NUL in
# text (psycopg: DataError; psycopg2: ValueError), a lone surrogate (UnicodeEncodeError).
# A driver's DataError is PEP 249's name; for the plain Python errors only the drivers'
# own messages count, and only when SQLAlchemy or the driver raised them.
_DRIVER_MESSAGES = re.compile(
    r"too large to convert to SQLite INTEGER|cannot contain NUL|surrogates not allowed"
)
_DATABASE_MODULES = ("sqlalchemy.", "sqlite3", "psycopg")


def _raised_by_database(error: BaseException) -> bool:
    """The innermost Python frame of the error belongs to SQLAlchemy or a driver."""
    traceback, module = error.__traceback__, ""
    while traceback is not None:
        module = traceback.tb_frame.f_globals.get("__name__", "")
        traceback = traceback.tb_next
    return module.startswith(_DATABASE_MODULES)


def _refused_value(error: BaseException) -> bool:
    if any(cls.__name__ == "DataError" for cls in type(error).__mro__):
        return True
    return isinstance(error, OverflowError | ValueError) and bool(
        _DRIVER_MESSAGES.search(str(error))
    )


def refused_by_database(error: BaseException) -> bool:
    """True when the database refused a value the request carried: bad input (400), not
    a fault of ours (500)."""
    if isinstance(error, sa_exc.StatementError):  # DataError and every DBAPIError too
        return error.orig is not None and _refused_value(error.orig)
    return _refused_value(error) and _raised_by_database(error)


def register_error_handlers(app):
    def handle_http(error: HTTPException):
        if request.path.startswith("/static/"):
            return error
        return render_error(error.code or 500)

    def handle_domain(error: DomainError):
        return render_error(error.status_code, error.message)

    def handle_unexpected(error):
        if isinstance(error, transactions.DatabaseBusy) or transactions.is_lock_conflict(error):
            app.logger.warning("Database busy on %s %s", request.method, request.endpoint)
            return render_unavailable(busy=True)
        if transactions.is_unreachable(error):
            app.logger.error(
                "Database unreachable on %s %s (%s)",
                request.method,
                request.endpoint,
                type(getattr(error, "orig", None) or error).__name__,
            )
            return render_unavailable(busy=False)
        if refused_by_database(error):
            # The route and the kind of refusal only: the value, the statement and its
            # parameters may hold what the person typed.
            app.logger.warning(
                "The database refused a value sent to %s %s (%s)",
                request.method,
                request.endpoint,
                type(getattr(error, "orig", None) or error).__name__,
            )
            return render_error(400)
        app.logger.exception("Unhandled error")
        return render_error(500)

    app.register_error_handler(HTTPException, handle_http)
    app.register_error_handler(DomainError, handle_domain)
    if not app.debug:
        app.register_error_handler(Exception, handle_unexpected)
