from tests.comments.conftest import world  # noqa: F401  (the same published consultation)
