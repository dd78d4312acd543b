"""How a frozen snapshot reads on its page: tables of labels and published texts, made
from the stored figures alone (no query), so every reader gets the same page."""

from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _

from consult.accounts.models import OrganisationKind
from consult.comments.models import CommentKind
from consult.consultations import schedule
from consult.consultations.models import Consultation
from consult.figures import COUNTED_SEPARATELY, NOT_BROKEN_DOWN, Rate, Shown
from consult.i18n import country_name
from consult.responses.models import POSITION_LABELS, Position
from consult.responses.tracker import MEASURES, REQUESTS
from consult.summaries.services import Close, addendum_due_at


@dataclass
class Row:
    label: str
    text: str
    total: bool = False  # the table's total, shown last
    sub: bool = False  # a paragraph under its section


@dataclass
class Table:
    id: str
    caption: str
    header: str  # of the label column
    rows: list[Row]
    value_header: str = ""  # of the figures' column ("Comments" when empty)

    @property
    def values_are(self) -> str:
        return self.value_header or _("Comments")


@dataclass
class CampaignView:
    reference: str
    comments: str
    organisations: str
    text: str | None
    proposed_text: str | None


@dataclass
class FactualView:
    as_of: str
    totals: Table
    tables: list[Table]
    campaigns: list[CampaignView]
    late: Table
    cosignatures: Table


@dataclass
class AddendumView:
    as_of: str
    companies: list[Table]
    positions: Table


@dataclass
class CloseLink:
    number: int
    closed: str
    superseded: bool


@dataclass
class SummaryPage:
    close: Close | None
    closed: str | None  # the close's last minute, in the consultation's zone
    superseded: bool  # a reopening followed this close
    factual: FactualView | None
    factual_due: str | None  # the close after which it is frozen, if not frozen yet
    addendum: AddendumView | None
    addendum_due: str | None
    closes: list[CloseLink] = field(default_factory=list)


def _local(instant: datetime, zone: str) -> str:
    return f"{schedule.format_local(instant, zone)} ({zone})"


def _text(cell: dict) -> str:
    return Shown.from_data(cell).text


def _draft(version: int, several: bool) -> str:
    return _("Draft %(number)d, ", number=version) if several else ""


def _part_label(key: str | None, breakdown: str) -> str:
    if key == COUNTED_SEPARATELY:
        return _("In campaigns (counted separately)")
    if key == NOT_BROKEN_DOWN:
        return _("Not shown by country (anonymous and restricted comments)")
    if breakdown == "category":
        return str(OrganisationKind(str(key)).label)
    if breakdown == "kind":
        return str(CommentKind(str(key)).label)
    return country_name(key) or _("No country given")


def _section_label(section: str, prefix: str) -> str:
    if section == "":
        return prefix + _("whole draft") if prefix else _("Whole draft")
    if section == "0":
        return prefix + _("before the first heading") if prefix else _("Before the first heading")
    return f"{prefix}§{section}"


def _total(figures: dict) -> Row:
    return Row(
        _("All comments, confidential ones included"),
        _text(figures["totals"]["comments"]),
        total=True,
    )


def _breakdowns(figures: dict) -> list[Table]:
    total = _total(figures)
    several = len({row["version"] for row in figures["by_paragraph"]}) > 1
    tables = [
        Table(
            f"by-{name}",
            caption,
            header,
            [Row(_part_label(row["key"], name), _text(row)) for row in figures[f"by_{name}"]]
            + [total],
        )
        for name, caption, header in (
            ("category", _("Comments by stakeholder category"), _("Category")),
            ("country", _("Named comments by country"), _("Country")),
            ("kind", _("Comments by kind"), _("Kind")),
        )
    ]
    sections = [
        Row(
            _part_label(row["key"], "section")
            if "key" in row
            else _section_label(row["section"], _draft(row["version"], several)),
            _text(row),
        )
        for row in figures["by_section"]
    ]
    tables.append(Table("by-section", _("Comments by section"), _("Section"), [*sections, total]))
    paragraphs = [
        Row(
            f"{_draft(row['version'], several)}§{row['paragraph']}"
            if row["paragraph"]
            else _section_label("", _draft(row["version"], several)),
            _text(row),
            sub=bool(row["paragraph"]),
        )
        for row in figures["by_paragraph"]
    ]
    tables.append(
        Table(
            "by-paragraph",
            _("Comments by paragraph (comments in campaigns and confidential ones not included)"),
            _("Paragraph"),
            paragraphs,
        )
    )
    return tables


def factual_view(snapshot, zone: str) -> FactualView:
    figures = snapshot.figures
    totals = figures["totals"]
    late, cosignatures = figures["late"], figures["cosignatures"]
    return FactualView(
        as_of=_local(snapshot.as_of, zone),
        totals=Table(
            "totals",
            _("Comments received by the close"),
            _("Figure"),
            [
                Row(_("Organisations that commented"), _text(totals["organisations"])),
                Row(_("Campaigns"), f"{totals['campaigns']:,}"),
                Row(_("Comments in campaigns"), _text(totals["in_campaigns"])),
                _total(figures),
            ],
            _("Count"),
        ),
        tables=_breakdowns(figures),
        campaigns=[
            CampaignView(
                c["reference"],
                _text(c["comments"]),
                _text(c["organisations"]),
                c["text"],
                c["proposed_text"],
            )
            for c in figures["campaigns"]
        ],
        late=Table(
            "late",
            _("Late comments received by then"),
            _("Decision"),
            [
                Row(_("Accepted"), _text(late["accepted"])),
                Row(_("Awaiting a decision"), _text(late["pending"])),
                Row(_("Refused"), _text(late["refused"])),
                Row(
                    _("All late comments, confidential ones included"),
                    _text(late["received"]),
                    total=True,
                ),
            ],
        ),
        cosignatures=Table(
            "cosignatures",
            _("Co-signatures"),
            _("Figure"),
            [
                Row(_("Co-signatures"), _text(cosignatures["cosignatures"])),
                Row(_("Co-signing organisations"), _text(cosignatures["organisations"])),
                Row(_("Comments co-signed"), _text(cosignatures["comments"])),
            ],
            _("Count"),
        ),
    )


MEASURE_LABELS = {
    REQUESTS: lambda: _("Requests"),
    "answered": lambda: _("Answered"),
    "declined": lambda: _("Declined"),
    "awaiting": lambda: _("Awaiting"),
    "clarification_requested": lambda: _("Clarification requested"),
    "overdue": lambda: _("Overdue"),
    "very_overdue": lambda: _("Very overdue"),
}


def addendum_view(snapshot, zone: str) -> AddendumView:
    figures = snapshot.figures
    companies: list[Table] = []
    for company in figures["companies"]:
        median = company["median_days"]
        rows = [Row(MEASURE_LABELS[m](), _text(company["cells"][m])) for m in [REQUESTS, *MEASURES]]
        rows += [
            Row(_("Answer rate"), Rate(company["answer_rate"]).text),
            Row(_("Responded rate"), Rate(company["responded_rate"]).text),
            Row(_("On time"), Rate(company["on_time_share"]).text),
            Row(_("Median days to first response"), "—" if median is None else f"{median:g}"),
            Row(_("Answers that are “noted” only"), Rate(company["noted_share"]).text),
        ]
        rows += [
            Row(str(POSITION_LABELS[Position(p)]), _text(cell))
            for p, cell in company["positions"].items()
        ]
        companies.append(
            Table(f"company-{len(companies) + 1}", company["name"], _("Figure"), rows, _("Value"))
        )
    positions = Table(
        "positions",
        _("Positions in the answers of every company"),
        _("Position"),
        [
            Row(str(POSITION_LABELS[Position(p)]), _text(cell))
            for p, cell in figures["positions"].items()
        ],
        _("Answers"),
    )
    return AddendumView(_local(snapshot.as_of, zone), companies, positions)


def summary_page(
    consultation: Consultation, closes: list[Close], close: Close | None
) -> SummaryPage:
    """The summary page of one close (``None``: the current close, not frozen yet)."""
    zone = consultation.timezone
    closes_at = close.closes_at if close else consultation.closes_at
    superseded = close is not None and close.superseded
    closed = schedule.describe_deadline(closes_at, zone, None).local if closes_at else None
    factual = close.factual if close else None
    addendum = close.addendum if close else None
    return SummaryPage(
        close=close,
        closed=closed,
        superseded=superseded,
        factual=factual_view(factual, zone) if factual else None,
        factual_due=closed if not factual else None,
        addendum=addendum_view(addendum, zone) if addendum else None,
        addendum_due=_local(addendum_due_at(closes_at, consultation), zone)
        if closes_at and not addendum and not superseded
        else None,
        closes=[
            CloseLink(
                c.number, schedule.describe_deadline(c.closes_at, zone, None).local, c.superseded
            )
            for c in closes
            if c is not close
        ],
    )
