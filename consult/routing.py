"""What an address may hold. Values outside these bounds never reach a query.

- ``<number:...>`` in a route is a whole number from 1 to ``MAX_NUMBER`` (PostgreSQL's
  integer) written without sign or leading zeros; anything else is not that route (404).
"""

import re

from flask import Flask
from werkzeug.routing import BaseConverter, ValidationError

MAX_NUMBER = 2_147_483_647  # the largest PostgreSQL integer, the type of every id
_NUMBER = re.compile(r"[1-9][0-9]{0,9}")  # at most MAX_NUMBER's ten digits


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
