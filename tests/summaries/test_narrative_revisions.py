"""Published revisions of the narrative summary and their PDFs: numbered, each with its
frozen figures, never changed by anyone (like published draft versions), and the PDF
tagged (PDF/UA) with its fonts embedded."""

import os
import re
import zlib
from datetime import timedelta

import pytest
import sqlalchemy as sa

from consult.audit.models import AuditEntry
from consult.dispositions import services as dispositions
from consult.dispositions.models import Outcome
from consult.extensions import db
from consult.summaries import narrative
from consult.summaries.narrative_models import (
    NarrativeDraft,
    NarrativePdf,
    NarrativeRevision,
    RevisionImmutable,
)
from consult.summaries.narrative_pages import bars_of
from consult.summaries.pdf import font_faces
from consult.summaries.present import Row, Table
from consult.summaries.services import freeze_due
from tests import factories
from tests.summaries.conftest import CLOSES_AT
from tests.summaries.narrative import publish, save

ARABIC = "ملخص المشاورة"


def inflated(pdf: bytes) -> bytes:
    """The PDF with every compressed stream inflated, to search its objects."""
    parts = [pdf]
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            parts.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue  # an image or a font program compressed otherwise
    return b"\n".join(parts)


@pytest.fixture
def published(place):
    freeze_due(CLOSES_AT + timedelta(days=40))  # the factual summary and the addendum
    db.session.commit()
    save(place, f"# What we heard\n\nMost comments were on §1.1.\n\n{ARABIC}\n")
    return publish(place)


def test_publishing_makes_revision_one_with_its_pdf_and_snapshots(place, published):
    assert published.number == 1 and published.change_note is None
    assert published.factual_snapshot_id and published.addendum_snapshot_id
    stored = narrative.pdf_of(published)
    assert stored.content.startswith(b"%PDF-")
    assert stored.size == len(stored.content)
    actions = db.session.scalars(sa.select(AuditEntry.action)).all()
    assert {"summary.draft_saved", "summary.revision_published"} <= set(actions)


def test_the_pdf_is_tagged_and_embeds_latin_and_arabic_fonts(app, place, published):
    pdf = inflated(narrative.pdf_of(published).content)
    assert b"/StructTreeRoot" in pdf
    assert re.search(rb"/MarkInfo\s*<<\s*/Marked\s+true", pdf)
    assert re.search(rb"/Lang\s*\(en\)", pdf)
    assert b"pdfuaid:part" in pdf  # declared PDF/UA-1 in its metadata
    fonts = set(re.findall(rb"/FontName\s*/[A-Z]{6}\+([\w-]+)", pdf))
    assert pdf.count(b"/FontFile2") == len(fonts) >= 2  # every font program is in the file
    if not font_faces(app.config["SUMMARY_FONT_DIR"]) and not os.environ.get("REQUIRE_BROWSER"):
        return  # `npm ci` not run: the system's fonts, embedded all the same
    assert any(name.startswith(b"Noto-Sans-Arabic") for name in fonts), fonts
    assert any(re.fullmatch(rb"Noto-Sans(-Bold)?", name) for name in fonts), fonts


def test_a_second_revision_needs_a_public_note_and_leaves_the_first_as_it_was(place, published):
    first_pdf = narrative.pdf_of(published).content
    save(place, "# What we heard\n\nRevised.\n")
    with pytest.raises(narrative.PublicationRefused):
        publish(place)
    save(place, "# What we heard\n\nRevised.\n", change_note="Corrected the section on §1.1.")
    second = publish(place)
    assert second.number == 2 and second.change_note == "Corrected the section on §1.1."
    db.session.expire_all()
    first = db.session.get(NarrativeRevision, published.id)
    assert first.body.startswith("# What we heard\n\nMost comments")
    assert narrative.pdf_of(first).content == first_pdf
    assert narrative.draft_of(place.consultation).change_note == ""  # for the next one


def test_publishing_twice_the_same_save_publishes_once(place, published):
    draft = narrative.draft_of(place.consultation)
    again = narrative.publish_revision(
        place.consultation,
        edits=draft.edits,
        actor=factories.coordinator(),
        now=published.published_at,
        override_reason=None,
    )
    assert again.created is False and again.revision.id == published.id


def test_a_stale_preview_cannot_publish(place):
    draft = save(place, "First text.")
    save(place, "Second text.")
    with pytest.raises(narrative.PublicationRefused):
        narrative.publish_revision(
            place.consultation,
            edits=draft.edits - 1,
            actor=factories.coordinator(),
            now=draft.updated_at,
            override_reason=None,
        )


@pytest.mark.parametrize(
    "change",
    [
        lambda r, p: setattr(r, "body", "Rewritten."),
        lambda r, p: setattr(r, "change_note", "Another note."),
        lambda r, p: setattr(r, "published_at", r.published_at + timedelta(days=1)),
        lambda r, p: setattr(p, "content", b"%PDF-1.7 forged"),
        lambda r, p: setattr(p, "sha256", "0" * 64),
        lambda r, p: db.session.delete(r),
        lambda r, p: db.session.delete(p),
    ],
    ids=["body", "note", "date", "pdf", "hash", "delete revision", "delete pdf"],
)
def test_a_published_revision_and_its_pdf_never_change(place, published, change):
    change(published, narrative.pdf_of(published))
    with pytest.raises(RevisionImmutable):
        db.session.flush()
    db.session.rollback()


@pytest.mark.parametrize("model", [NarrativeRevision, NarrativePdf])
def test_nor_through_bulk_statements(place, published, model):
    with pytest.raises(RevisionImmutable):
        db.session.execute(
            sa.update(model).values(size=1)
            if model is NarrativePdf
            else sa.update(model).values(body="Rewritten.")
        )
    with pytest.raises(RevisionImmutable):
        db.session.execute(sa.delete(model))


def test_the_draft_stays_editable(place, published):
    draft = db.session.scalar(sa.select(NarrativeDraft))
    draft.body = "Work on the next revision."
    db.session.flush()


def test_each_revision_shows_the_dispositions_recorded_by_its_publication(client, place):
    coordinator = factories.coordinator()
    comment = place.post(factories.stakeholder(), body="Please define the term.")
    subject = next(s for s in dispositions.subjects(place.consultation) if s.comment == comment)

    def decide(outcome, reason, key):
        dispositions.record(
            coordinator,
            place.consultation,
            [subject],
            dispositions.Decision(outcome, reason),
            submission_key=key,
        )
        db.session.commit()

    decide(Outcome.NOT_INCORPORATED, "Defined elsewhere already.", "k1")
    save(place, "First.")
    publish(place)
    decide(Outcome.INCORPORATED, None, "k2")
    save(place, "Second.", change_note="Dispositions updated.")
    second = publish(place)
    url = f"/consultations/{place.consultation.slug}/summary/narrative/revisions"
    first_page = client.get(f"{url}/1").get_data(as_text=True)
    second_page = client.get(f"{url}/2").get_data(as_text=True)
    assert "Defined elsewhere already." in first_page and "Not incorporated" in first_page
    assert ">Incorporated<" not in first_page
    assert ">Incorporated<" in second_page
    assert comment.reference in second_page
    pdf = inflated(narrative.pdf_of(second).content)
    assert b"/S /Table" in pdf


def test_breakdowns_are_charted_beside_their_tables(client, place):
    table = Table(
        "by-kind",
        "Comments by kind",
        "Kind",
        [
            Row("Comment", "12"),
            Row("Question", "fewer than 5"),
            Row("Amendment", "6"),
            Row("All", "21", total=True),
        ],
    )
    assert bars_of([table]) == {"by-kind": [100.0, None, 50.0, None]}
    assert bars_of([Table("totals", "Totals", "Figure", [Row("Campaigns", "3")])]) == {}
    for _ in range(6):
        place.post(factories.stakeholder())
    freeze_due(CLOSES_AT + timedelta(days=1))
    db.session.commit()
    save(place, "With figures.")
    publish(place)
    page = client.get(f"/consultations/{place.consultation.slug}/summary/narrative")
    text = page.get_data(as_text=True)
    assert '<figure class="bar-chart" aria-hidden="true">' in text
    assert re.search(r'<rect x="0" y="0" height="8" width="100(\.0)?">', text)


def test_the_first_revision_reaches_the_summary_due_milestone(place, published):
    from consult.db import utcnow
    from consult.tracking.milestones import find_milestone, milestones
    from consult.tracking.services import timeline_events

    views = milestones(place.consultation, timeline_events(place.consultation), utcnow())
    due = find_milestone(views, "summary_due")
    assert due is not None and due.is_done
