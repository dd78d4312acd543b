"""Who flags, moderates, and acts on the author of a comment."""

from consult.comments.models import Comment, Visibility
from consult.permissions import is_active_user, is_coordinator, is_privacy_officer
from consult.policy.comments import can_view_comment


def can_flag(user, comment: Comment) -> bool:
    """Any active account that can see the comment may flag it."""
    return is_active_user(user) and can_view_comment(user, comment)


def can_moderate(user) -> bool:
    """Coordinators hide and restore comments and dismiss flags."""
    return is_coordinator(user)


def can_suspend_author(user, comment: Comment) -> bool:
    """Suspending who wrote a non-public comment is acting on their identity: only a
    privacy officer may; a public comment's author any coordinator may."""
    return is_privacy_officer(user) or (
        is_coordinator(user) and comment.visibility == Visibility.PUBLIC
    )
