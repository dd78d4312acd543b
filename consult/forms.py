"""Shared form pieces, and the rules every form applies to what it is sent.

Every form inherits ``BaseForm``, so what a request may put into a field is decided here,
once: text arrives cleaned of control characters, a file part counts only for a file
field, and a date only within ``DateWindow``. Bad input becomes a field error on a form
shown again with everything else that was typed, never a 500.
"""

import re
from datetime import date, datetime

from babel.dates import format_date
from flask import has_request_context, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.datastructures import CombinedMultiDict, FileStorage, MultiDict
from wtforms import HiddenField, SelectChoice, ValidationError
from wtforms.fields import DateTimeField, FieldList, FileField, FormField, TimeField
from wtforms.validators import Length
from wtforms.widgets import HiddenInput

from consult.db import utcnow
from consult.idempotency import SUBMISSION_KEY_LENGTH, new_submission_key

CSRF_EXPIRED_MESSAGE = _l(
    "Your session expired or the form was open too long. "
    "Nothing was lost: check the form and submit it again."
)
NOT_TEXT_MESSAGE = _l("Send text here, not a file.")
DAMAGED_MESSAGE = _l(
    "Part of the form was changed or damaged on the way. Check the form and submit it again."
)

# C0 control characters but tab, line feed and carriage return, and DEL. PostgreSQL
# refuses NUL in text where SQLite stores it, and none of them can be typed into a form,
# so they are removed from all text, identically on every database.
_CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Half of a UTF-16 pair: not encodable as UTF-8, so neither storable nor printable.
_LONE_SURROGATES = re.compile("[\ud800-\udfff]")
_SUBMIT_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
_FROM_REQUEST = object()


def clean_text(value: str) -> str:
    """Text as every form receives it: control characters (but tab and line breaks)
    removed, and any lone surrogate replaced by U+FFFD.

    Werkzeug already decodes the bytes of a form body this way: invalid UTF-8 becomes
    U+FFFD in a multipart body and stays as its %-escapes in a urlencoded one, so a lone
    surrogate can only come from elsewhere; it gets the same U+FFFD.
    """
    return _LONE_SURROGATES.sub("\ufffd", _CONTROL_CHARACTERS.sub("", value))


def _submitted_formdata():
    """What a submitted form reads: the HTML form's fields and files, or nothing.

    Flask-WTF would also read a JSON body into the form; nothing here posts JSON, and
    its values need not be text (numbers, lists, a top-level array), so a JSON body
    counts as an empty form: the CSRF check fails and the form comes back.
    """
    if not has_request_context() or request.method not in _SUBMIT_METHODS:
        return None
    if request.files:
        return CombinedMultiDict((request.files, request.form))
    return request.form or None


class DateWindow:
    """Accept only dates the application can compute with: from 1 January 2000 to ten
    years after today. Far dates overflow when turned into instants in a time zone or
    moved by a few days (9999-12-31, 0001-01-01), and none is meant.

    ``BaseForm`` adds it to every date field, with its bounds in the field's hint and on
    the date input (``min``/``max``).
    """

    FIRST = date(2000, 1, 1)
    YEARS_AHEAD = 10

    def bounds(self) -> tuple[date, date]:
        today = utcnow().date()
        try:
            last = today.replace(year=today.year + self.YEARS_AHEAD)
        except ValueError:  # 29 February
            last = today.replace(year=today.year + self.YEARS_AHEAD, day=28)
        return self.FIRST, last

    def _format(self, day: date) -> str:
        return format_date(day, "d MMMM y", locale=get_locale() or "en")

    def hint(self) -> str:
        first, last = self.bounds()
        return _(
            "A date from %(first)s to %(last)s.", first=self._format(first), last=self._format(last)
        )

    def __call__(self, form, field):
        day = field.data.date() if isinstance(field.data, datetime) else field.data
        if day is None:
            return
        first, last = self.bounds()
        if not first <= day <= last:
            raise ValidationError(
                _(
                    "Choose a date from %(first)s to %(last)s.",
                    first=self._format(first),
                    last=self._format(last),
                )
            )


class BaseForm(FlaskForm):
    """A FlaskForm whose CSRF failure is a clear, form-level message with the data kept,
    and which takes from a request only what its fields can hold.

    Each form checks its own token (no global CSRFProtect), so a stale token fails
    validation and the view re-renders the form instead of answering a bare 400.
    """

    #: Field-name prefix, so two forms on one page never share an id or a label.
    default_prefix = ""

    class Meta(FlaskForm.Meta):
        def bind_field(self, form, unbound_field, options):
            field = super().bind_field(form, unbound_field, options)
            if isinstance(field, DateTimeField) and not isinstance(field, TimeField):
                window = DateWindow()
                first, last = window.bounds()
                field.validators = [*field.validators, window]
                field.description = " ".join(
                    s for s in (str(field.description), window.hint()) if s
                )
                field.render_kw = {
                    **(field.render_kw or {}),
                    "min": first.isoformat(),
                    "max": last.isoformat(),
                }
            return field

        def wrap_formdata(self, form, formdata):
            """Text only, cleaned, except in file fields.

            A file part sent for a text field (any field but a FileField) is dropped and
            the field gets an error, rather than the request being refused with a 400:
            the form then comes back with everything else that was typed.
            """
            formdata = super().wrap_formdata(form, formdata)
            form.not_text = set()
            if formdata is None:
                return None
            files = {f.name for f in form if isinstance(f, FileField)}
            received: MultiDict[str, str | FileStorage] = MultiDict()
            for name in formdata:
                for value in formdata.getlist(name):
                    if isinstance(value, str):
                        received.add(name, clean_text(value))
                    elif isinstance(value, FileStorage) and name in files:
                        received.add(name, value)
                    else:
                        form.not_text.add(name)
            return received

    def __init__(self, formdata=_FROM_REQUEST, **kwargs):
        kwargs.setdefault("prefix", self.default_prefix)
        if formdata is _FROM_REQUEST:
            formdata = _submitted_formdata()
        super().__init__(formdata, **kwargs)
        self.refusals: list[str] = []

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        refused = False
        for field in self:
            nested = isinstance(field, FieldList | FormField)
            if not any(
                name == field.name or (nested and name.startswith(f"{field.name}-"))
                for name in self.not_text
            ):
                continue  # a part no field reads changes nothing
            refused = True
            if nested or isinstance(field.widget, HiddenInput):
                # No error of its own is shown for these: say it once, above the form.
                if str(NOT_TEXT_MESSAGE) not in self.refusals:
                    self.refuse(NOT_TEXT_MESSAGE)
            else:
                field.errors.insert(0, str(NOT_TEXT_MESSAGE))
        return valid and not refused

    def refuse(self, message) -> None:
        """Record why the action was refused, for the page to say (a button has no field
        to attach the reason to)."""
        self.refusals.append(str(message))

    def form_level_errors(self) -> list[str]:
        """Errors not attached to a visible field: an expired CSRF token, a damaged hidden
        field, a refusal."""
        csrf = getattr(self, "csrf_token", None)
        expired = [str(CSRF_EXPIRED_MESSAGE)] if csrf is not None and csrf.errors else []
        damaged = any(
            field.errors and field is not csrf and isinstance(field.widget, HiddenInput)
            for field in self
        )
        return expired + ([str(DAMAGED_MESSAGE)] if damaged else []) + self.refusals


class ActionForm(BaseForm):
    """A button that posts (approve, sign out, …): only the CSRF token."""


def _key_or_new(value):
    # An empty key would make every keyless submission of one person "the same one".
    return value or new_submission_key()


def submission_key_field() -> HiddenField:
    """The hidden key that makes a form sent twice (a double click, a resend) post once
    (see consult/idempotency.py). A form shown again after an error keeps the key it
    was sent with, so sending it again is still the same submission; a form sent
    without one gets a fresh key. Bounded like its columns, so a damaged key is a form
    error, not a database error."""
    return HiddenField(
        default=new_submission_key,
        filters=[_key_or_new],
        validators=[Length(max=SUBMISSION_KEY_LENGTH)],
    )


def strip_filter(value):
    return value.strip() if isinstance(value, str) else value


def choices(pairs) -> list[SelectChoice]:
    """Select options from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]
