"""Template helpers for comments: when they were written and how amendments read."""

from zoneinfo import ZoneInfo

from flask_babel import format_date

from consult.comments.models import Comment
from consult.consultations.diffing import word_diff
from consult.i18n import format_instant
from consult.policy.comments import (
    shows_exact_time,
)


def comment_when(comment: Comment, zone: str) -> str:
    """Public comments show date and time (reader's zone); the others their date only,
    in the consultation's zone, so the minute of writing cannot identify anyone."""
    if shows_exact_time(comment):
        return format_instant(comment.created_at)
    return format_date(comment.created_at.astimezone(ZoneInfo(zone)).date(), "long")


def reply_when(reply, zone: str) -> str:
    """A reply follows its thread's rule: exact time only in a public comment's thread."""
    if shows_exact_time(reply.comment):
        return format_instant(reply.created_at)
    return format_date(reply.created_at.astimezone(ZoneInfo(zone)).date(), "long")


def amendment_segments(comment: Comment):
    """The proposed text against the paragraph of the comment's own version."""
    original = comment.paragraph.source if comment.paragraph is not None else ""
    return word_diff(original, comment.proposed_text or "")


def amendment_preview(paragraph, proposed_text: str):
    return word_diff(paragraph.source if paragraph is not None else "", proposed_text)


def local_time(instant, zone: str) -> str:
    """An instant in a named zone, e.g. for a receipt: "2026-03-03 14:05:09 (Europe/Brussels)"."""
    return f"{instant.astimezone(ZoneInfo(zone)).strftime('%Y-%m-%d %H:%M:%S')} ({zone})"
