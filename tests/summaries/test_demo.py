"""The demonstration data: the closed consultations have their frozen summaries."""

import pytest
import sqlalchemy as sa

from consult.consultations.models import Consultation
from consult.extensions import db
from consult.summaries.models import SnapshotKind, SummarySnapshot
from consult.summaries.services import freeze_due


@pytest.fixture
def client(demo_client):
    return demo_client


def _kinds(slug):
    return db.session.scalars(
        sa.select(SummarySnapshot.kind)
        .join(Consultation)
        .where(Consultation.slug == slug)
        .order_by(SummarySnapshot.id)
    ).all()


def test_closed_consultations_have_their_frozen_summaries(client):
    # Closed five days ago, with a two-day window: the factual summary and the addendum.
    assert _kinds("content-removal-demo") == [SnapshotKind.FACTUAL, SnapshotKind.RESPONSES]
    # Closed 16 days ago: the factual summary; the addendum follows the window.
    assert _kinds("network-shutdowns-demo") == [SnapshotKind.FACTUAL]
    assert _kinds("privacy-and-freedom-of-expression-demo") == []  # still open
    nothing_more = freeze_due(db.session.scalar(sa.select(sa.func.max(SummarySnapshot.as_of))))
    assert (nothing_more.factual, nothing_more.addenda) == (0, 0)
    page = client.get("/consultations/content-removal-demo/summary").get_data(as_text=True)
    assert "Comments by stakeholder category" in page and "Northwind Telecom (demo)" in page
    shutdowns = client.get("/consultations/network-shutdowns-demo/summary")
    assert shutdowns.status_code == 200
    assert "Comments by section" in shutdowns.get_data(as_text=True)
