"""The consultation of the comments tests: an open consultation, two companies, people."""

from tests.comments.conftest import World, world  # noqa: F401
