"""The list behind a tracker figure. Rows the reader may not read show only
"Restricted comment (not published) · company · state · due month": no reference, text,
paragraph or category."""

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa

from consult.accounts.models import OrganisationKind
from consult.comments.models import Comment
from consult.consultations.models import Consultation
from consult.db import required
from consult.extensions import db
from consult.policy.comments import visible_comments_clause
from consult.responses.deadlines import Status
from consult.responses.models import Position
from consult.responses.tracker import REQUESTS, population

PAGE_SIZE = 100


@dataclass
class DrillRow:
    readable: bool
    status: Status
    due_on: date
    company: str
    reference: str | None = None
    consultation: str | None = None
    paragraph_number: str | None = None
    category: OrganisationKind | None = None


def _cell_filter(sub, measure: str, dimension: str | None, key: str | None):
    conditions = []
    if measure.startswith("p_"):
        conditions.append(sub.c.position == Position(measure[2:]))
    elif measure != REQUESTS:
        conditions.append(sub.c.status == measure)
    if dimension == "section":
        conditions.append(sub.c.section.is_(None) if not key else sub.c.section == key)
    elif dimension == "category":
        conditions.append(sub.c.category == OrganisationKind(required(key)))  # a linked cell's
    return conditions


def drill_rows(
    viewer,
    *,
    now: datetime,
    company,
    measure: str,
    consultation=None,
    dimension: str | None = None,
    key: str | None = None,
    page: int = 1,
):
    """One page of the requests behind a published cell, as ``viewer`` may see them."""
    sub = population(now, consultation.id if consultation is not None else None)
    readable = sa.case((visible_comments_clause(viewer), True), else_=False)
    query = (
        sa.select(
            sub.c.status,
            sub.c.due_on,
            Comment.reference,
            Comment.paragraph_number,
            Comment.category,
            Consultation.title,
            readable.label("readable"),
        )
        .select_from(sub)
        .join(Comment, Comment.id == sub.c.comment_id)
        .join(Consultation, Consultation.id == sub.c.consultation_id)
        .where(sub.c.company_id == company.id, *_cell_filter(sub, measure, dimension, key))
        .order_by(sub.c.due_on, sub.c.id)
        .limit(PAGE_SIZE + 1)
        .offset((max(page, 1) - 1) * PAGE_SIZE)
    )
    rows = []
    for status, due_on, reference, number, category, title, can_read in db.session.execute(query):
        if can_read:
            rows.append(
                DrillRow(
                    True, Status(status), due_on, company.name, reference, title, number, category
                )
            )
        else:
            rows.append(DrillRow(False, Status(status), due_on, company.name))
    return rows[:PAGE_SIZE], len(rows) > PAGE_SIZE
