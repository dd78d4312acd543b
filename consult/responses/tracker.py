"""The published response tracker: one fixed population, the same for every viewer.

Population: every response request of a public consultation except void, reassigned,
merged and withdrawn ones (so a campaign counts once, and a comment withdrawn before an
answer drops out); confidential comments have no requests. Figures come from grouped
SQL at a constant number of statements, whatever the number of comments and companies.

Formulas (published on the page):
- answer rate = answered ÷ (answered + declined + overdue + very overdue);
- responded rate = (answered + declined) ÷ the same;
- on-time share = first answers or declines made by the due date ÷ the same;
- median days to first response = calendar days from the request's start date to the
  first answer or decline, minus paused days (the middle value; the mean of the two
  middle values for an even count);
- "noted" share = answers whose position is "noted" only ÷ answered.

Small cells: a count of 1–4 shows as "fewer than 5", and when a row or column would
let it be worked out by subtraction, the next smallest cell there is withheld too. A
rate or median is shown only when it rests on at least 5 requests and its numerator
is shown. These are the rules of every published figure (consult/figures.py).
"""

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from consult.accounts.models import Organisation, OrganisationKind
from consult.comments.models import Comment
from consult.consultations.models import Consultation, Phase
from consult.extensions import db
from consult.figures import MASKED, Rate, Shown, lone, protect, rate, rests_on_enough
from consult.responses.deadlines import Status, status_sql
from consult.responses.models import EXCLUDED_STATES, Position, ResponseRequest

MEASURES = [
    Status.AWAITING.value,
    Status.CLARIFICATION.value,
    Status.OVERDUE.value,
    Status.VERY_OVERDUE.value,
    Status.ANSWERED.value,
    Status.DECLINED.value,
]
REQUESTS = "requests"
DIMENSIONS = ("section", "category")


@dataclass
class Row:
    """One company (or one section / category of a company) in the tracker."""

    key: str | None
    label: str
    cells: dict[str, Shown]
    answer_rate: Rate = Rate(None)
    responded_rate: Rate = Rate(None)
    on_time_share: Rate = Rate(None)


@dataclass
class CompanyFigures:
    company: Organisation
    row: Row
    positions: dict[str, Shown]
    noted_share: Rate
    median_days: float | None
    by_section: list[Row] = field(default_factory=list)
    by_category: list[Row] = field(default_factory=list)


@dataclass
class Tracker:
    companies: list[CompanyFigures]
    positions: dict[str, Shown]  # every company together
    as_of: datetime


def population(now: datetime, consultation_id: int | None = None):
    """The fixed population as a subquery, with each request's status at ``now``."""
    R = ResponseRequest
    query = (
        sa.select(
            R.id.label("id"),
            R.comment_id.label("comment_id"),
            R.company_id.label("company_id"),
            R.consultation_id.label("consultation_id"),
            R.section.label("section"),
            Comment.category.label("category"),
            status_sql(now).label("status"),
            R.position.label("position"),
            R.on_time.label("on_time"),
            R.days_to_respond.label("days"),
            R.due_on.label("due_on"),
        )
        .join(Comment, Comment.id == R.comment_id)
        .join(Consultation, Consultation.id == R.consultation_id)
        .where(R.state.not_in(EXCLUDED_STATES), Consultation.phase != Phase.DRAFT)
    )
    if consultation_id is not None:
        query = query.where(R.consultation_id == consultation_id)
    return query.subquery("population")


def _tallies(sub, *keys):
    columns = [sa.func.count().label(REQUESTS)]
    columns += [sa.func.sum(sa.case((sub.c.status == m, 1), else_=0)).label(m) for m in MEASURES]
    columns.append(sa.func.sum(sa.case((sub.c.on_time.is_(True), 1), else_=0)).label("on_time"))
    columns += [
        sa.func.sum(sa.case((sub.c.position == p, 1), else_=0)).label(f"p_{p.value}")
        for p in Position
    ]
    rows = db.session.execute(sa.select(*keys, *columns).group_by(*keys)).mappings().all()
    return [{k: (v if v is not None else 0) for k, v in row.items()} for row in rows]


def _medians(sub) -> dict[int, tuple[float, int]]:
    """Median days to first response per company, with window functions (SQLite and
    PostgreSQL alike): the middle row, or the mean of the two middle rows."""
    ranked = (
        sa.select(
            sub.c.company_id,
            sub.c.days,
            sa.func.row_number()
            .over(partition_by=sub.c.company_id, order_by=sub.c.days)
            .label("rn"),
            sa.func.count().over(partition_by=sub.c.company_id).label("n"),
        )
        .where(sub.c.days.is_not(None))
        .subquery("ranked")
    )
    rows = db.session.execute(
        sa.select(ranked.c.company_id, sa.func.avg(ranked.c.days), sa.func.max(ranked.c.n))
        .where(sa.or_(ranked.c.rn == (ranked.c.n + 1) // 2, ranked.c.rn == (ranked.c.n + 2) // 2))
        .group_by(ranked.c.company_id)
    ).all()
    return {company_id: (float(median), n) for company_id, median, n in rows}


def _lines(dimension_keys: dict[str, list]) -> list[list]:
    lines: list[list] = [  # of 2-tuples (main, position) and 3-tuples (by dimension)
        [("main", m) for m in MEASURES] + [("main", REQUESTS)],
        [("position", p.value) for p in Position] + [("main", Status.ANSWERED.value)],
    ]
    for dimension, keys in dimension_keys.items():
        for key in keys:
            lines.append([(dimension, key, m) for m in MEASURES] + [(dimension, key, REQUESTS)])
        for m in [*MEASURES, REQUESTS]:
            lines.append([(dimension, key, m) for key in keys] + [("main", m)])
    return lines


def _row(key, label, cells: dict[str, Shown], raw: dict) -> Row:
    answered, declined = raw[Status.ANSWERED.value], raw[Status.DECLINED.value]
    denominator = answered + declined + raw[Status.OVERDUE.value] + raw[Status.VERY_OVERDUE.value]
    both = Shown(
        answered + declined,
        None
        if cells[Status.ANSWERED.value].known and cells[Status.DECLINED.value].known
        else MASKED,
    )
    return Row(
        key,
        label,
        cells,
        answer_rate=rate(cells[Status.ANSWERED.value], denominator, answered),
        responded_rate=rate(both, denominator, answered + declined),
        on_time_share=rate(lone(raw["on_time"]), denominator, raw["on_time"]),
    )


def section_label(section: str | None) -> str:
    return str(_l("Whole draft")) if section is None else f"§{section}"


def _company_figures(company, totals, sections, categories, median) -> CompanyFigures:
    raw_main = totals or dict.fromkeys([REQUESTS, *MEASURES, "on_time"], 0) | {
        f"p_{p.value}": 0 for p in Position
    }
    values: dict[tuple[str, ...], int] = {("main", m): raw_main[m] for m in [*MEASURES, REQUESTS]}
    values |= {("position", p.value): raw_main[f"p_{p.value}"] for p in Position}
    keyed = {
        "section": {r["section"] or "": r for r in sections},
        "category": {r["category"].value: r for r in categories},
    }
    for dimension, rows in keyed.items():
        for key, raw in rows.items():
            values |= {(dimension, key, m): raw[m] for m in [*MEASURES, REQUESTS]}
    shown = protect(values, _lines({d: list(rows) for d, rows in keyed.items()}))

    def cells(prefix):
        return {m: shown[(*prefix, m)] for m in [*MEASURES, REQUESTS]}

    answered = shown[("main", Status.ANSWERED.value)]
    noted = shown[("position", Position.NOTED.value)]
    by_section = [
        _row(key or None, section_label(key or None), cells(("section", key)), raw)
        for key, raw in sorted(keyed["section"].items(), key=_section_order)
    ]
    by_category = [
        _row(key, OrganisationKind(key).label, cells(("category", key)), raw)
        for key, raw in sorted(keyed["category"].items())
    ]
    median_value, median_n = median or (None, 0)
    return CompanyFigures(
        company=company,
        row=_row(None, company.name, cells(("main",)), raw_main),
        positions={p.value: shown[("position", p.value)] for p in Position},
        noted_share=rate(
            noted, answered.value if answered.known else 0, raw_main[f"p_{Position.NOTED.value}"]
        ),
        median_days=median_value if rests_on_enough(median_n) else None,
        by_section=by_section,
        by_category=by_category,
    )


def _section_order(item):
    key = item[0]
    return (0, int(key)) if key.isdigit() else (1 if key else 2, key)


def tracker_figures(now: datetime, consultation: Consultation | None = None) -> Tracker:
    """Every company's figures, for one consultation or across all public ones."""
    sub = population(now, consultation.id if consultation is not None else None)
    totals = {r["company_id"]: r for r in _tallies(sub, sub.c.company_id)}
    sections: dict[int, list] = {}  # company id -> tallies per section
    categories: dict[int, list] = {}  # company id -> tallies per category
    for r in _tallies(sub, sub.c.company_id, sub.c.section):
        sections.setdefault(r["company_id"], []).append(r)
    for r in _tallies(sub, sub.c.company_id, sub.c.category):
        categories.setdefault(r["company_id"], []).append(r)
    medians = _medians(sub)
    ids = set(totals) | ({c.id for c in consultation.companies} if consultation else set())
    companies = db.session.scalars(
        sa.select(Organisation).where(Organisation.id.in_(ids or [0])).order_by(Organisation.name)
    ).all()
    figures = [
        _company_figures(
            c, totals.get(c.id), sections.get(c.id, []), categories.get(c.id, []), medians.get(c.id)
        )
        for c in companies
    ]
    overall = {p.value: sum(r[f"p_{p.value}"] for r in totals.values()) for p in Position}
    answered = sum(r[Status.ANSWERED.value] for r in totals.values())
    positions = protect({**overall, "answered": answered}, [[*overall, "answered"]])
    positions.pop("answered")
    return Tracker(companies=figures, positions=positions, as_of=now)


def find_cell(
    tracker: Tracker,
    company_id: int,
    measure: str,
    dimension: str | None = None,
    key: str | None = None,
) -> Shown | None:
    """The published cell behind a drill-down link (None when there is no such cell)."""
    company = next((c for c in tracker.companies if c.company.id == company_id), None)
    if company is None:
        return None
    if measure.startswith("p_"):
        return company.positions.get(measure[2:]) if dimension is None else None
    if dimension is None:
        return company.row.cells.get(measure)
    rows = company.by_section if dimension == "section" else company.by_category
    row = next((r for r in rows if (r.key or "") == (key or "")), None)
    return row.cells.get(measure) if row is not None else None
