"""Who keeps a consultation's timeline and posts its updates, and which updates are public."""

import sqlalchemy as sa

from consult.consultations.models import Consultation
from consult.permissions import is_coordinator
from consult.policy.consultations import visible_consultations_clause
from consult.tracking.models import Update


def can_keep_timeline(user) -> bool:
    """Coordinators post dated updates and plan, move and record milestones."""
    return is_coordinator(user)


def visible_updates_clause(viewer):
    """Updates of the consultations ``viewer`` may see. Feeds pass no viewer: they carry
    what every visitor reads, whoever's browser asks for them."""
    return Update.consultation_id.in_(
        sa.select(Consultation.id).where(visible_consultations_clause(viewer))
    )
