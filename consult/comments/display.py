"""What a viewer is shown of comments, replies and rejoinders, decided before rendering;
and display helpers for amendments and receipts.

Views call ``present()`` with everything a page displays; templates read the result
(``shown[comment].author``, ``.readable``, ``.when``) and decide nothing themselves.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from flask_babel import format_date

from consult.comments.models import Comment
from consult.consultations.diffing import word_diff
from consult.i18n import format_instant
from consult.permissions import viewer_of
from consult.policy.comments import (
    ShownAuthor,
    can_read_body,
    shown_author,
    shown_reply_author,
    shows_exact_time,
)


@dataclass(frozen=True)
class Shown:
    """One viewer's view of one comment, reply or rejoinder."""

    author: ShownAuthor
    when: str  # date and time for public threads, the date only otherwise
    readable: bool = True  # a comment's text (replies carry their own withdrawn/hidden flags)


def present(
    user, zone: str, *, comments: Iterable[Comment] = (), replies: Iterable = ()
) -> dict[object, Shown]:
    """How ``user`` is shown each comment and each reply (or rejoinder), by object."""
    viewer = viewer_of(user)
    shown: dict[object, Shown] = {}
    for comment in comments:
        shown[comment] = Shown(
            author=shown_author(viewer, comment),
            when=written_when(comment.created_at, comment, zone),
            readable=can_read_body(viewer, comment),
        )
    for reply in replies:
        shown[reply] = Shown(
            author=shown_reply_author(viewer, reply),
            when=written_when(reply.created_at, reply.comment, zone),
        )
    return shown


def written_when(instant, thread: Comment, zone: str) -> str:
    """When a comment or a reply in its thread was written. Only a public thread shows
    the time (in the reader's zone); the others show the date, in the consultation's
    zone, so the minute of writing cannot identify anyone."""
    if shows_exact_time(thread):
        return format_instant(instant)
    return format_date(instant.astimezone(ZoneInfo(zone)).date(), "long")


def amendment_segments(comment: Comment):
    """The proposed text against the paragraph of the comment's own version."""
    original = comment.paragraph.source if comment.paragraph is not None else ""
    return word_diff(original, comment.proposed_text or "")


def amendment_preview(paragraph, proposed_text: str):
    return word_diff(paragraph.source if paragraph is not None else "", proposed_text)


def local_time(instant, zone: str) -> str:
    """An instant in a named zone, e.g. for a receipt: "2026-03-03 14:05:09 (Europe/Brussels)"."""
    return f"{instant.astimezone(ZoneInfo(zone)).strftime('%Y-%m-%d %H:%M:%S')} ({zone})"
