"""The demonstration consultation: open today, two drafts, numbering and a comparison."""

import pytest
import sqlalchemy as sa

from consult.consultations import services, versions
from consult.consultations.models import Consultation, Phase
from consult.consultations.schedule import request_time
from consult.demo import COMPANIES
from consult.extensions import db
from consult.tracking import milestones, progress
from consult.tracking.services import timeline_events


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


def test_the_demo_consultation_shows_a_slipped_milestone_and_an_overdue_update(client):
    demo = db.session.scalar(sa.select(Consultation).where(Consultation.phase == Phase.PUBLISHED))
    views = milestones.milestones(demo, timeline_events(demo), request_time())
    by_key = {v.key: v for v in views}
    assert by_key["final_principles"].status == "slipped"
    assert by_key["final_principles"].slipped_days == 90
    assert by_key["next_draft"].status == "done"  # moved once, then reached by Draft 2
    assert by_key["next_draft"].earlier_plans
    assert any(v.milestone == "other" and "(demo)" in v.label for v in views)
    status = progress.status_of(demo, request_time())
    assert status.overdue and status.days == 20

    page = client.get(f"/consultations/{demo.slug}").get_data(as_text=True)
    assert "Next scheduled output:" in page
    assert "Slipped:" in page and "slipped 90 days" in page
    assert "Last progress update 20 days ago" in page and "Overdue:" in page
    home = client.get("/").get_data(as_text=True)
    overdue = home[home.index('id="overdue-updates"') :]
    assert demo.title in overdue[: overdue.index("</section>")]
    timeline = client.get(f"/consultations/{demo.slug}/timeline").get_data(as_text=True)
    assert "(demo) The member companies asked for a second comment round" in timeline
