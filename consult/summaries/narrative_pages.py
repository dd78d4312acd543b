"""The narrative summary as its pages and its PDF show it: ready data for the templates,
the citations already resolved for the reader (a visitor, for the preview and the PDF)
and the frozen figures of each revision read from their snapshots."""

from collections.abc import Callable
from dataclasses import dataclass, field

from flask import current_app, render_template, url_for
from markupsafe import Markup

from consult.consultations import schedule
from consult.consultations.models import Consultation, DocumentVersion
from consult.db import required
from consult.extensions import db
from consult.mail import base_url, external_url
from consult.permissions import VISITOR
from consult.summaries import citations, pdf
from consult.summaries.models import SummarySnapshot
from consult.summaries.narrative_dispositions import table_at
from consult.summaries.narrative_models import NarrativeRevision
from consult.summaries.present import (
    AddendumView,
    FactualView,
    Table,
    addendum_view,
    factual_view,
)


@dataclass(frozen=True)
class Links:
    """How citations link: within the site, or with the full address (the PDF)."""

    paragraph: Callable[[str], str]
    comment: Callable[[str], str]


def links_for(consultation: Consultation, *, external: bool = False) -> Links:
    build = external_url if external else url_for
    slug = consultation.slug
    return Links(
        paragraph=lambda key: build("consultations.permalink", slug=slug, key=key),
        comment=lambda reference: build("comments.show", reference=reference),
    )


def summary_html(
    consultation: Consultation, version: DocumentVersion, text: str, viewer, links: Links
) -> Markup:
    """``text`` as ``viewer`` reads it: sanitised, its citations linked where allowed."""
    resolved = citations.resolve(consultation, version, [text], viewer)
    return citations.render(
        text, resolved, paragraph_url=links.paragraph, comment_url=links.comment
    )


@dataclass
class RevisionLink:
    number: int
    published: str


@dataclass
class RevisionView:
    """One published revision, as a reader (or the PDF) shows it."""

    number: int
    published: str  # in the consultation's zone, named
    version_label: str
    body: Markup
    change_note: Markup | None
    is_latest: bool
    latest_number: int
    factual: FactualView | None
    addendum: AddendumView | None
    pdf_size: int | None = None
    # The disposition table as it stood at publication, by section (display.by_section).
    dispositions: list = field(default_factory=list)
    others: list[RevisionLink] = field(default_factory=list)
    # Each charted table's bars, by table id: a length (0-100) per row, None for a row
    # without one (a total, a withheld cell).
    bars: dict[str, list[float | None]] = field(default_factory=dict)


# The breakdowns drawn as bar charts beside their tables (the tables carry the figures).
CHARTED = ("by-category", "by-country", "by-kind", "by-section", "positions")


def _count(text: str) -> int | None:
    """A published figure's count, or None for "fewer than 5", "not shown" and the like."""
    digits = text.replace(",", "").replace("\u202f", "").replace("\xa0", "")
    return int(digits) if digits.isdigit() else None


def bars_of(tables: list[Table]) -> dict[str, list[float | None]]:
    """Bar lengths for the charted tables, relative to the largest count shown."""
    result: dict[str, list[float | None]] = {}
    for table in tables:
        if table.id not in CHARTED:
            continue
        counts = [None if row.total else _count(row.text) for row in table.rows]
        largest = max((c for c in counts if c is not None), default=0)
        result[table.id] = [
            None if c is None or not largest else round(100 * c / largest, 1) for c in counts
        ]
    return result


def published_text(revision: NarrativeRevision, zone: str) -> str:
    return f"{schedule.format_local(revision.published_at, zone)} ({zone})"


def _snapshot(snapshot_id: int | None) -> SummarySnapshot | None:
    return db.session.get(SummarySnapshot, snapshot_id) if snapshot_id else None


def revision_view(
    consultation: Consultation,
    revision: NarrativeRevision,
    viewer,
    links: Links,
    *,
    revisions: list[NarrativeRevision] | None = None,
    pdf_size: int | None = None,
) -> RevisionView:
    """A revision for ``viewer``; ``revisions`` (all of them) for the links between them.

    Works on a revision not yet stored (the PDF is rendered before the row is written):
    it reads the version and snapshots by their ids."""
    zone = consultation.timezone
    version = required(db.session.get(DocumentVersion, revision.version_id))
    factual = _snapshot(revision.factual_snapshot_id)
    addendum = _snapshot(revision.addendum_snapshot_id)
    every = revisions or []
    latest = max([revision.number, *(r.number for r in every)])
    note = revision.change_note
    factual_shown = factual_view(factual, zone) if factual else None
    addendum_shown = addendum_view(addendum, zone) if addendum else None
    tables = (factual_shown.tables if factual_shown else []) + (
        [addendum_shown.positions] if addendum_shown else []
    )
    return RevisionView(
        number=revision.number,
        published=published_text(revision, zone),
        version_label=version.label,
        body=summary_html(consultation, version, revision.body, viewer, links),
        change_note=summary_html(consultation, version, note, viewer, links) if note else None,
        is_latest=revision.number == latest,
        latest_number=latest,
        factual=factual_shown,
        addendum=addendum_shown,
        bars=bars_of(tables),
        pdf_size=pdf_size,
        dispositions=table_at(consultation, viewer, revision.published_at),
        others=[
            RevisionLink(r.number, published_text(r, zone))
            for r in every
            if r.number != revision.number
        ],
    )


def revision_pdf(consultation: Consultation, revision: NarrativeRevision) -> bytes:
    """The PDF of a revision, as a visitor reads it.

    Rendered in a request of its own, addressed to the site's public address (never the
    publishing request's Host header): it sees no signed-in person, and every link the
    templates build is made absolute against that address, in a command as in a request.
    """
    page_url = external_url("narrative.revision", slug=consultation.slug, number=revision.number)
    with current_app.test_request_context("/", base_url=base_url()):
        view = revision_view(
            consultation, revision, VISITOR, links_for(consultation, external=True)
        )
        html = render_template(
            "summaries/narrative_pdf.html",
            consultation=consultation,
            revision=view,
            page_url=page_url,
            consultation_url=external_url("narrative.show", slug=consultation.slug),
        )
    return pdf.render_pdf(html, base_url=page_url)


def preview_html(consultation: Consultation, version: DocumentVersion, text: str) -> Markup:
    """The draft as a visitor would read it."""
    return summary_html(consultation, version, text, VISITOR, links_for(consultation))
