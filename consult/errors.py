"""Error pages and domain exceptions. Every error rolls the transaction back."""

import re

from flask import Response, current_app, render_template, request
from flask_babel import lazy_gettext as _l
from sqlalchemy import exc as sa_exc
from werkzeug.exceptions import HTTPException

from consult.extensions import db


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
