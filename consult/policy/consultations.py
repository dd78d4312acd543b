"""Who may read a consultation and its versions."""

import sqlalchemy as sa

from consult.consultations.models import Consultation, DocumentVersion, Phase
from consult.permissions import is_coordinator


def can_view_consultation(viewer, consultation: Consultation) -> bool:
    """Published and concluded consultations are public; drafts only coordinators see."""
    return consultation.phase != Phase.DRAFT or is_coordinator(viewer)


def visible_consultations_clause(viewer):
    """The SQL form of ``can_view_consultation``."""
    return sa.true() if is_coordinator(viewer) else Consultation.phase != Phase.DRAFT


def can_view_version(viewer, version: DocumentVersion) -> bool:
    """A version is public once published in a public consultation; coordinators see all."""
    if is_coordinator(viewer):
        return True
    return version.is_published and version.consultation.phase != Phase.DRAFT


def can_manage_consultations(user) -> bool:
    """Coordinators create, date, publish, extend and conclude consultations."""
    return is_coordinator(user)
