"""Follow buttons, handed ready to the pages that show them (templates decide nothing).

Each button is a small POST form with its own CSRF token that works without JavaScript;
pages pass the button to ``templates/notifications/_follow.html``.
"""

from dataclasses import dataclass

from flask import request
from flask_babel import lazy_gettext as _l

from consult.notifications.follows import Target, is_following
from consult.notifications.forms import FollowForm
from consult.notifications.models import FollowTarget
from consult.permissions import is_active_user

LABELS = {
    FollowTarget.CONSULTATION: (_l("Follow this consultation"), _l("Unfollow this consultation")),
    FollowTarget.SECTION: (_l("Follow this section"), _l("Unfollow this section")),
    FollowTarget.PARAGRAPH: (_l("Follow this paragraph"), _l("Unfollow this paragraph")),
    FollowTarget.COMMENT: (_l("Follow this thread"), _l("Unfollow this thread")),
    FollowTarget.COMMITMENT: (_l("Follow this commitment"), _l("Unfollow this commitment")),
    FollowTarget.COMPANY: (
        _l("Follow this company's commitments"),
        _l("Unfollow this company's commitments"),
    ),
}


@dataclass
class FollowButton:
    form: FollowForm
    target: str
    following: bool
    label: str
    hint: str | None = None


def follow_button(user, target: Target, *, hint=None, **fields) -> FollowButton | None:
    """The button for ``target`` (by its public ``fields``: slug, key, reference or
    name), or None for visitors and accounts that cannot act."""
    if not is_active_user(user):
        return None
    following = is_following(user, target)
    form = FollowForm(
        prefix=f"follow-{target.kind}",
        formdata=None,
        data={"target": target.kind.value, "next": request.full_path.rstrip("?"), **fields},
    )
    follow, unfollow = LABELS[target.kind]
    return FollowButton(
        form=form,
        target=target.kind.value,
        following=following,
        label=str(unfollow if following else follow),
        hint=hint,
    )
