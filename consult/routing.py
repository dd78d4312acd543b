"""What an address may hold: numbers in the path, page numbers and cursors in the query
string, no NUL anywhere. Values outside these bounds never reach a query.

- ``<number:...>`` in a route is a whole number from 1 to ``MAX_NUMBER`` (PostgreSQL's
  integer) written without sign or leading zeros; anything else is not that route (404).
- ``page_number(request.args)`` and ``page_cursor(request.args)`` are the one place a
  page of a list is read from the query string; ``page_url(n)`` is the current address
  at page ``n``.
- ``refuse_nul_in_address`` answers 400 to an address holding NUL, which no page uses
  and PostgreSQL refuses in text.
"""

import re
from urllib.parse import urlencode

from flask import Flask, abort, request, url_for
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict
from werkzeug.routing import BaseConverter, ValidationError

from consult.errors import DomainError

MAX_NUMBER = 2_147_483_647  # the largest PostgreSQL integer, the type of every id
_NUMBER = re.compile(r"[1-9][0-9]{0,9}")  # at most MAX_NUMBER's ten digits
_DIGITS = re.compile(r"[1-9][0-9]*")
MAX_CURSOR_LENGTH = 100


class InvalidAddress(DomainError):
    """The address holds a value no page accepts: a clear 400, never a query."""

    status_code = 400


class NumberConverter(BaseConverter):
    """A path part that is an id or a version number: 1 to MAX_NUMBER, digits only."""

    regex = _NUMBER.pattern
    weight = 50  # as werkzeug's own number converters: tried before plain strings

    def to_python(self, value: str) -> int:
        number = int(value)
        if number > MAX_NUMBER:
            raise ValidationError()  # no such route: 404
        return number

    def to_url(self, value) -> str:
        return str(int(value))


def register_url_converters(app: Flask) -> None:
    app.url_map.converters["number"] = NumberConverter


def page_number(args: MultiDict, name: str = "page") -> int:
    """The page asked for (1 when none is). A value that is no page number is refused
    with a message; a number past the end of any list is not found."""
    value = args.get(name, "")
    if value == "":
        return 1
    if not _DIGITS.fullmatch(value):
        raise InvalidAddress(_l("The page number in the address must be a whole number from 1."))
    if len(value) > len(str(MAX_NUMBER)) or int(value) > MAX_NUMBER:
        abort(404)
    return int(value)


def page_cursor(args: MultiDict, name: str = "after") -> str | None:
    """A reference to continue a list after, as the page's own "More" link gives it."""
    value = args.get(name) or None
    if value is not None and (len(value) > MAX_CURSOR_LENGTH or not value.isprintable()):
        raise InvalidAddress(_l("The address does not point to a place in this list."))
    return value


def page_url(page: int) -> str:
    """The current page's address showing page ``page``, other query parameters kept.

    The query string is encoded here rather than passed to ``url_for`` as keywords, so a
    parameter named ``endpoint`` or ``_external`` is carried, not interpreted."""
    pairs = [(k, v) for k, v in request.args.items(multi=True) if k != "page"]
    if page > 1:
        pairs.append(("page", str(page)))
    path = url_for(request.endpoint or "", **(request.view_args or {}))
    return f"{path}?{urlencode(pairs)}" if pairs else path


def refuse_nul_in_address() -> None:
    """Before every request: NUL has no place in a path or a query string."""
    if "\x00" in request.path or any(
        "\x00" in key or "\x00" in value for key, value in request.args.items(multi=True)
    ):
        raise InvalidAddress(_l("The address holds a character no page accepts."))
