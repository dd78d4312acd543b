"""The disposition table a narrative summary revision shows: consult/dispositions' rows
as they stood when the revision was published.

Dispositions are only ever added (the latest row of a subject is its disposition), so
the table at an instant is the latest row of each subject recorded by then: no copy is
needed to freeze it. What a reader sees of each row follows the rules of
consult/policy/dispositions.py for that reader (a visitor, in the PDF).
"""

from datetime import datetime

import sqlalchemy as sa

from consult.consultations.models import Consultation
from consult.dispositions import display
from consult.dispositions.models import Disposition
from consult.dispositions.services import subjects
from consult.extensions import db


def dispositions_at(consultation_id: int, as_of: datetime) -> dict[tuple[str, int], Disposition]:
    """The disposition of each subject as recorded by ``as_of`` (keys as in
    ``consult.dispositions.services.current_dispositions``)."""
    rows = db.session.scalars(
        sa.select(Disposition)
        .where(Disposition.consultation_id == consultation_id, Disposition.recorded_at <= as_of)
        .order_by(Disposition.id)
    )
    latest: dict[tuple[str, int], Disposition] = {}
    for row in rows:
        if row.campaign_id is not None:
            latest[("campaign", row.campaign_id)] = row  # later rows supersede earlier ones
        else:
            latest[("comment", row.comment_id or 0)] = row
    return latest


def table_at(consultation: Consultation, viewer, as_of: datetime) -> list:
    """The table's rows grouped by section, for ``viewer``, as of ``as_of``."""
    latest = dispositions_at(consultation.id, as_of)
    rows = display.rows(viewer, subjects(consultation), latest, consultation.timezone)
    return display.by_section(rows)
