"""Shared form pieces."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectChoice

CSRF_EXPIRED_MESSAGE = _l(
    "Your session expired or the form was open too long. "
    "Nothing was lost: check the form and submit it again."
)


class BaseForm(FlaskForm):
    """A FlaskForm whose CSRF failure is a clear, form-level message with the data kept.

    Each form checks its own token (no global CSRFProtect), so a stale token fails
    validation and the view re-renders the form instead of answering a bare 400.
    """

    #: Field-name prefix, so two forms on one page never share an id or a label.
    default_prefix = ""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", self.default_prefix)
        super().__init__(*args, **kwargs)
        self.refusals: list[str] = []

    def refuse(self, message) -> None:
        """Record why the action was refused, for the page to say (a button has no field
        to attach the reason to)."""
        self.refusals.append(str(message))

    def form_level_errors(self) -> list[str]:
        """Errors not attached to a visible field: an expired CSRF token, a refusal."""
        csrf = getattr(self, "csrf_token", None)
        expired = [str(CSRF_EXPIRED_MESSAGE)] if csrf is not None and csrf.errors else []
        return expired + self.refusals


class ActionForm(BaseForm):
    """A button that posts (approve, sign out, …): only the CSRF token."""


def strip_filter(value):
    return value.strip() if isinstance(value, str) else value


def choices(pairs) -> list[SelectChoice]:
    """Select options from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]
