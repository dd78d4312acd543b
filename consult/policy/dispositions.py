"""Who records dispositions, and what each viewer is shown of a disposition's comment.

A disposition follows its comment's visibility. Its outcome and reason are public, so a
restricted comment keeps its row in the published table, but only those who may read
the comment see its reference, category or text; confidential comments (and anything
else the viewer may not know of) have no row.
"""

import sqlalchemy as sa

from consult.comments.models import Comment, Visibility
from consult.permissions import is_coordinator
from consult.policy.comments import can_read_body, can_view_comment, visible_comments_clause


def can_record_dispositions(user) -> bool:
    """Active coordinators record dispositions, one by one or in bulk."""
    return is_coordinator(user)


def shows_disposition_row(viewer, comment: Comment) -> bool:
    """True when ``viewer``'s table has a row for this comment's disposition."""
    return comment.visibility == Visibility.RESTRICTED or can_view_comment(viewer, comment)


def disposition_rows_clause(viewer):
    """The SQL condition equivalent to ``shows_disposition_row``."""
    return sa.or_(Comment.visibility == Visibility.RESTRICTED, visible_comments_clause(viewer))


def shows_comment_details(viewer, comment: Comment) -> bool:
    """Reference, category and paragraph link: only for those who may open the comment."""
    return can_view_comment(viewer, comment)


def shows_comment_text(viewer, comment: Comment) -> bool:
    return can_read_body(viewer, comment)
