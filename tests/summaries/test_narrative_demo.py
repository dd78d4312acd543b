"""The demonstration data: the closed consultation has a narrative summary in two
revisions, each with its PDF, labelled as demonstration, and a third in the draft."""

import sqlalchemy as sa

from consult.consultations.models import Consultation
from consult.extensions import db
from consult.summaries import narrative


def test_the_closed_consultation_has_two_published_revisions_with_their_pdfs(demo, demo_client):
    consultation = db.session.scalar(
        sa.select(Consultation).where(Consultation.slug == "content-removal-demo")
    )
    first, second = narrative.revisions_of(consultation)
    assert (first.number, second.number) == (1, 2)
    assert second.change_note and first.change_note is None
    for revision in (first, second):
        assert "Demonstration data" in revision.body
        assert narrative.pdf_of(revision).content.startswith(b"%PDF-")
    assert second.addendum_snapshot_id is not None  # frozen before it was published
    draft = narrative.draft_of(consultation)
    assert draft.published_edits != draft.edits  # a third revision in the works
    page = demo_client.get("/consultations/content-removal-demo/summary/narrative")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Revision 2, published" in text
    assert "Demonstration data" in text and "Download the PDF" in text
    response = demo_client.get(
        "/consultations/content-removal-demo/summary/narrative/revisions/1.pdf"
    )
    assert response.data == narrative.pdf_of(first).content
