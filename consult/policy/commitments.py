"""Who reads a commitment's full text, records or proposes one, and decides on it."""

import sqlalchemy as sa

from consult.commitments.models import Commitment
from consult.permissions import is_company_rep, is_coordinator, is_representative_of


def can_read_commitment_text(viewer, commitment: Commitment) -> bool:
    """The text itself when its source is public; otherwise only coordinators and the
    company read it, and everyone else the coordinators' public wording."""
    return (
        commitment.source_public
        or is_coordinator(viewer)
        or is_representative_of(viewer, commitment.company_id)
    )


def can_record_commitment(user) -> bool:
    """Coordinators record commitments; company representatives propose them."""
    return is_coordinator(user) or is_company_rep(user)


def can_decide_commitments(user) -> bool:
    """Coordinators confirm or reject proposals and change a commitment's status."""
    return is_coordinator(user)


def can_see_proposal(user, commitment: Commitment) -> bool:
    """A proposal waiting for a coordinator: coordinators see all, a company's
    representatives their own company's, nobody else any."""
    return is_coordinator(user) or is_representative_of(user, commitment.company_id)


def visible_proposals_clause(user):
    """The SQL form of ``can_see_proposal``."""
    if is_coordinator(user):
        return sa.true()
    if is_company_rep(user) and user.organisation_id is not None:
        return Commitment.company_id == user.organisation_id
    return sa.false()  # (comparing with a missing organisation would match the group's)
