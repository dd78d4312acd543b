"""Error pages and domain exceptions. Every error rolls the transaction back."""

from flask import Response, current_app, render_template, request
from flask_babel import lazy_gettext as _l
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


def register_error_handlers(app):
    def handle_http(error: HTTPException):
        if request.path.startswith("/static/"):
            return error
        return render_error(error.code or 500)

    def handle_domain(error: DomainError):
        return render_error(error.status_code, error.message)

    def handle_unexpected(error):
        app.logger.exception("Unhandled error")
        return render_error(500)

    app.register_error_handler(HTTPException, handle_http)
    app.register_error_handler(DomainError, handle_domain)
    if not app.debug:
        app.register_error_handler(Exception, handle_unexpected)
