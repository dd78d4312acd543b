"""What the signed-in person may do anywhere on the site: the navigation and the page
tools that depend on the role only. Computed once per page from the rules, and handed
to every template as ``may`` (see ``consult.register_template_helpers``), so templates
show links and tools without deciding anything themselves."""

from dataclasses import dataclass

from consult.permissions import (
    Role,
    is_active_user,
    is_approved_stakeholder,
    is_company_rep,
    is_coordinator,
    is_privacy_officer,
)
from consult.policy.commitments import can_record_commitment


@dataclass(frozen=True)
class Abilities:
    coordinate: bool = False  # registrations, moderation, audit, consultations' tools
    reveal_identities: bool = False  # privacy officer
    answer_for_company: bool = False  # the company queue
    comment: bool = False  # comment, reply, co-sign
    see_my_comments: bool = False  # a stakeholder's own list, even while pending
    record_commitments: bool = False


def abilities_of(user) -> Abilities:
    """The role-level abilities of ``user`` (all False for visitors)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return Abilities()
    return Abilities(
        coordinate=is_coordinator(user),
        reveal_identities=is_privacy_officer(user),
        answer_for_company=is_company_rep(user),
        comment=is_approved_stakeholder(user),
        see_my_comments=user.role == Role.STAKEHOLDER,
        record_commitments=can_record_commitment(user) and is_active_user(user),
    )
