"""The demonstration consultation: open today, two drafts, numbering and a comparison."""

import pytest
import sqlalchemy as sa

from consult.consultations import services, versions
from consult.consultations.models import Consultation, Phase
from consult.consultations.schedule import request_time
from consult.demo import COMPANIES
from consult.extensions import db


@pytest.fixture
def client(demo_client):
    """The demonstration data, loaded once per run into its own database."""
    return demo_client


def test_the_demo_consultation_is_open_with_two_published_drafts(client):
    demo = db.session.scalar(sa.select(Consultation).where(Consultation.phase == Phase.PUBLISHED))
    assert "(demo)" in demo.title
    assert demo.is_open_at(request_time())
    assert sorted(c.name for c in demo.companies) == sorted(name for name, *_ in COMPANIES)
    published = versions.published_versions(demo)
    assert [v.number for v in published] == [1, 2]
    paragraphs = versions.paragraphs_of(published[-1])
    assert len([p for p in paragraphs if not p.is_heading]) >= 20
    assert len([p for p in paragraphs if p.is_section]) >= 5
    assert "Demonstration text" in paragraphs[0].source
    assert services.publication_problems(demo) == []

    compare = client.get(f"/consultations/{demo.slug}/compare").get_data(as_text=True)
    assert "row-changed" in compare
    assert "row-new" in compare
    assert "row-removed" in compare
    home = client.get("/").get_data(as_text=True)
    assert demo.title in home
    assert "elections" not in home  # the draft-phase demo consultation stays hidden
