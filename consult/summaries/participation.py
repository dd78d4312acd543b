"""The factual summary's figures: who took part, and on what, when commenting closed.

Population (one, the same for every reader): the consultation's comments posted on time
(not late) that are still published at the "as of" instant, that is neither withdrawn
nor hidden by then, at every visibility level. The total counts each of them once, and
so does each breakdown, by the rules of every published figure (consult/figures.py):

- confidential comments only in the total: in every breakdown they are one part that is
  never published and always counts as withheld, so it cannot be worked out;
- members of a campaign formed by then are counted separately, in a row of their own;
- by country, only named (public) comments, by their organisation's country at posting;
  anonymous and restricted comments are "not shown by country";
- the others by stakeholder category, kind, section and paragraph (of the draft they
  were written on).

Campaigns: each formed campaign with its members in the population and their
organisations, and the text of its earliest named public member, if it has one.
Late comments received by then are counted apart, by decision, confidential ones in their
total only. Co-signatures: those in force then, on the population's comments that are
not confidential.

Counts come from grouped SQL, a constant number of statements whatever the number of
comments; ``publish`` then applies the small-cell rule and complementary suppression
across every line (a breakdown and its total, a section and its paragraphs, the
campaigns and their part), and what it returns is what is stored: withheld cells keep
no value.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa

from consult.accounts.models import OrganisationKind
from consult.comments.models import (
    Campaign,
    Comment,
    CommentKind,
    CoSignature,
    LateStatus,
    Visibility,
)
from consult.consultations.models import DocumentVersion
from consult.extensions import db
from consult.figures import (
    COUNTED_SEPARATELY,
    NOT_BROKEN_DOWN,
    ONLY_IN_TOTAL,
    breakdown_row,
    lone,
    protect,
)

BREAKDOWNS = ("category", "kind", "country")
PARTS = (COUNTED_SEPARATELY, ONLY_IN_TOTAL)
CATEGORIES = [k.value for k in OrganisationKind if k != OrganisationKind.COMPANY]
KINDS = [k.value for k in CommentKind]
LATE = [LateStatus.ACCEPTED.value, LateStatus.PENDING.value, LateStatus.REFUSED.value]

# Keys of the cells shared by several lines.
TOTAL = ("total",)
SEPARATELY = ("part", COUNTED_SEPARATELY)
ONLY_TOTAL = ("part", ONLY_IN_TOTAL)
LATE_TOTAL = ("late", "total")
LATE_ONLY_TOTAL = ("late", ONLY_IN_TOTAL)


@dataclass
class CampaignCount:
    reference: str
    comments: int = 0
    organisations: int = 0
    text: str | None = None  # the earliest named public member's, or none
    proposed_text: str | None = None


@dataclass
class Counts:
    """The raw counts, before the publication rules; never stored or shown as such."""

    total: int = 0
    organisations: int = 0
    rows: dict[str, Counter] = field(default_factory=dict)  # breakdown -> row -> count
    # (draft number, paragraph number or None for the whole draft) -> count of the
    # comments broken down (the parts are in ``rows``).
    paragraphs: Counter = field(default_factory=Counter)
    campaigns: list[CampaignCount] = field(default_factory=list)
    late: Counter = field(default_factory=Counter)  # decision or ONLY_IN_TOTAL -> count
    cosignatures: int = 0
    cosigning_organisations: int = 0
    cosigned_comments: int = 0


def _still(column, as_of: datetime):
    """Not yet done at ``as_of`` (withdrawn, hidden)."""
    return sa.or_(column.is_(None), column > as_of)


def _formed_campaigns(consultation_id: int, as_of: datetime):
    return sa.select(Campaign.id).where(
        Campaign.consultation_id == consultation_id,
        Campaign.formed_at.is_not(None),
        Campaign.formed_at <= as_of,
    )


def _population(consultation_id: int, as_of: datetime):
    confidential = Comment.visibility == Visibility.CONFIDENTIAL
    parts = dict(
        only_in_total=confidential,
        counted_separately=Comment.campaign_id.in_(_formed_campaigns(consultation_id, as_of)),
    )
    return (
        sa.select(
            Comment.id.label("id"),
            Comment.organisation_id.label("organisation_id"),
            Comment.late_status.label("late_status"),
            Comment.campaign_id.label("campaign_id"),
            breakdown_row(Comment.category, **parts).label("category"),
            breakdown_row(Comment.kind, **parts).label("kind"),
            breakdown_row(
                Comment.author_country,
                not_broken_down=Comment.visibility != Visibility.PUBLIC,
                **parts,
            ).label("country"),
            breakdown_row(Comment.paragraph_number, **parts).label("paragraph"),
            breakdown_row(Comment.late_status, only_in_total=confidential).label("late"),
            DocumentVersion.number.label("version"),
        )
        .join(DocumentVersion, DocumentVersion.id == Comment.version_id)
        .where(
            Comment.consultation_id == consultation_id,
            Comment.created_at <= as_of,
            _still(Comment.withdrawn_at, as_of),
            _still(Comment.hidden_at, as_of),
        )
        .subquery("population")
    )


def _campaign_texts(consultation_id: int, as_of: datetime) -> list[CampaignCount]:
    """Every campaign formed by ``as_of``, in order, with its earliest named public
    member's text (never an anonymous, restricted or confidential one's)."""
    ranked = (
        sa.select(
            Comment.campaign_id.label("campaign_id"),
            Comment.body.label("body"),
            Comment.proposed_text.label("proposed_text"),
            sa.func.row_number()
            .over(partition_by=Comment.campaign_id, order_by=(Comment.created_at, Comment.id))
            .label("rank"),
        )
        .where(
            Comment.consultation_id == consultation_id,
            Comment.campaign_id.is_not(None),
            Comment.visibility == Visibility.PUBLIC,
            Comment.created_at <= as_of,
            sa.or_(Comment.late_status.is_(None), Comment.late_status == LateStatus.ACCEPTED),
            _still(Comment.withdrawn_at, as_of),
            _still(Comment.hidden_at, as_of),
        )
        .subquery("ranked")
    )
    rows = db.session.execute(
        sa.select(Campaign.reference, ranked.c.body, ranked.c.proposed_text)
        .outerjoin(ranked, sa.and_(ranked.c.campaign_id == Campaign.id, ranked.c.rank == 1))
        .where(Campaign.id.in_(_formed_campaigns(consultation_id, as_of)))
        .order_by(Campaign.formed_at, Campaign.id)
    ).all()
    return [
        CampaignCount(reference, text=body, proposed_text=proposed)
        for reference, body, proposed in rows
    ]


def _grouped(query) -> Counter:
    return Counter(dict(db.session.execute(query).tuples().all()))


def count(consultation_id: int, as_of: datetime) -> Counts:
    """The raw counts of the population at ``as_of``, in nine statements."""
    pop = _population(consultation_id, as_of)
    on_time = pop.c.late_status.is_(None)
    counts = Counts()
    counts.total, counts.organisations = db.session.execute(
        sa.select(sa.func.count(), sa.func.count(sa.distinct(pop.c.organisation_id))).where(on_time)
    ).one()
    for name in BREAKDOWNS:
        column = pop.c[name]
        counts.rows[name] = _grouped(
            sa.select(column, sa.func.count()).where(on_time).group_by(column)
        )
    for version, paragraph, n in db.session.execute(
        sa.select(pop.c.version, pop.c.paragraph, sa.func.count())
        .where(on_time, pop.c.paragraph.is_(None) | pop.c.paragraph.not_in(PARTS))
        .group_by(pop.c.version, pop.c.paragraph)
    ):
        counts.paragraphs[(version, paragraph)] += n
    counts.late = _grouped(
        sa.select(pop.c.late, sa.func.count())
        .where(pop.c.late_status.is_not(None))
        .group_by(pop.c.late)
    )
    members = {
        campaign_id: (n, organisations)
        for campaign_id, n, organisations in db.session.execute(
            sa.select(
                Campaign.reference,
                sa.func.count(),
                sa.func.count(sa.distinct(pop.c.organisation_id)),
            )
            .join(Campaign, Campaign.id == pop.c.campaign_id)
            .where(on_time, pop.c.category == COUNTED_SEPARATELY)
            .group_by(Campaign.reference)
        )
    }
    counts.campaigns = _campaign_texts(consultation_id, as_of)
    for campaign in counts.campaigns:
        campaign.comments, campaign.organisations = members.get(campaign.reference, (0, 0))
    cosigned = sa.select(pop.c.id).where(on_time, pop.c.category != ONLY_IN_TOTAL)
    (
        counts.cosignatures,
        counts.cosigning_organisations,
        counts.cosigned_comments,
    ) = db.session.execute(
        sa.select(
            sa.func.count(CoSignature.id),
            sa.func.count(sa.distinct(CoSignature.organisation_id)),
            sa.func.count(sa.distinct(CoSignature.comment_id)),
        ).where(
            CoSignature.comment_id.in_(cosigned),
            CoSignature.created_at <= as_of,
            _still(CoSignature.withdrawn_at, as_of),
        )
    ).one()
    return counts


# --- publication ------------------------------------------------------------------------


def section_of(paragraph: str | None) -> str:
    """ "3" for §3.2 or §3; "" for the whole draft."""
    return paragraph.split(".", 1)[0] if paragraph else ""


def _number_order(number: str):
    return [int(part) if part.isdigit() else part for part in number.split(".")] if number else []


def _rows(breakdown: str, counts: Counts) -> list[str]:
    """The rows of a breakdown, in a fixed order that does not depend on the counts
    (an order by size would hint at withheld values)."""
    present = [key for key in counts.rows[breakdown] if key not in PARTS and key is not None]
    fixed = {"category": CATEGORIES, "kind": KINDS}.get(breakdown)
    if fixed is None:  # by country: those present, by code; then "not shown by country"
        countries = sorted(key for key in present if key != NOT_BROKEN_DOWN)
        unknown = [None] if counts.rows[breakdown].get(None) else []
        return [*countries, *unknown, NOT_BROKEN_DOWN]
    return [*fixed, *sorted(set(present) - set(fixed))]


def publish(counts: Counts) -> dict:
    """The published figures, as stored: every rule of consult/figures.py applied."""
    parts = counts.rows["category"]
    values: dict = {
        TOTAL: counts.total,
        SEPARATELY: parts[COUNTED_SEPARATELY],
        ONLY_TOTAL: parts[ONLY_IN_TOTAL],
    }
    lines: list[list] = []
    tables: dict[str, list] = {}
    for name in BREAKDOWNS:
        keys = [(name, row) for row in _rows(name, counts)]
        values |= {key: counts.rows[name].get(key[1], 0) for key in keys}
        tables[name] = [*keys, SEPARATELY]
        lines.append([*keys, SEPARATELY, ONLY_TOTAL, TOTAL])

    sections: dict[tuple, list] = defaultdict(list)  # section key -> its paragraph keys
    for (version, paragraph), n in counts.paragraphs.items():
        section = ("section", version, section_of(paragraph))
        values[section] = values.get(section, 0) + n
        if paragraph:
            values[("paragraph", version, paragraph)] = n
            sections[section].append(("paragraph", version, paragraph))
    section_keys = sorted(
        {key for key in values if key[0] == "section"},
        key=lambda k: (k[1], k[2] == "", _number_order(k[2])),
    )
    lines.append([*section_keys, SEPARATELY, ONLY_TOTAL, TOTAL])
    for section, paragraphs in sections.items():
        paragraphs.sort(key=lambda k: _number_order(k[2]))
        lines.append([*paragraphs, section])

    campaign_keys = [("campaign", c.reference) for c in counts.campaigns]
    values |= {key: c.comments for key, c in zip(campaign_keys, counts.campaigns, strict=True)}
    lines.append([*campaign_keys, SEPARATELY])

    late_keys = [("late", decision) for decision in LATE]
    values |= {key: counts.late.get(key[1], 0) for key in late_keys}
    values[LATE_ONLY_TOTAL] = counts.late.get(ONLY_IN_TOTAL, 0)
    values[LATE_TOTAL] = sum(counts.late.values())
    lines.append([*late_keys, LATE_ONLY_TOTAL, LATE_TOTAL])

    shown = protect(values, lines, unpublished=[ONLY_TOTAL, LATE_ONLY_TOTAL])

    def row(cell, **labels):
        return {**labels, **shown[cell].data()}

    return {
        "totals": {
            "comments": shown[TOTAL].data(),
            "organisations": lone(counts.organisations).data(),
            "in_campaigns": shown[SEPARATELY].data(),
            # Each campaign is listed below: their number is no count of people.
            "campaigns": len(counts.campaigns),
        },
        **{f"by_{name}": [row(key, key=key[1]) for key in keys] for name, keys in tables.items()},
        "by_section": [row(key, version=key[1], section=key[2]) for key in section_keys]
        + [row(SEPARATELY, key=COUNTED_SEPARATELY)],
        # Section by section; the whole draft's comments are one row of their own.
        "by_paragraph": [
            row(key, version=key[1], section=section[2], paragraph=key[2] or None)
            for section in section_keys
            for key in (sections[section] if section[2] else [section])
        ],
        "campaigns": [
            {
                "reference": c.reference,
                "comments": shown[key].data(),
                "organisations": lone(c.organisations).data(),
                "text": c.text,
                "proposed_text": c.proposed_text,
            }
            for key, c in zip(campaign_keys, counts.campaigns, strict=True)
        ],
        "late": {
            "received": shown[LATE_TOTAL].data(),
            **{decision: shown[("late", decision)].data() for decision in LATE},
        },
        "cosignatures": {
            "cosignatures": lone(counts.cosignatures).data(),
            "organisations": lone(counts.cosigning_organisations).data(),
            "comments": lone(counts.cosigned_comments).data(),
        },
    }
