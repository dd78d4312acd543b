"""Company answers to comments (response requests come with the company-answers work).

Until companies can answer, no comment has an answer and hiding or restoring a
comment has no request to void or resume.
"""

from datetime import datetime


def comment_has_answer(comment) -> bool:
    """True once any company has published an answer to ``comment``."""
    return False


def on_comment_hidden(comment, *, now: datetime):
    """Hiding a comment voids its awaiting requests."""


def on_comment_restored(comment, *, hidden_at: datetime, now: datetime):
    """Restoring resumes them, with the hidden days added as paused days."""
