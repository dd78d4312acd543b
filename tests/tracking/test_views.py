"""The public timeline: phases, versions and planned dates, with earlier plans kept."""

import re
from datetime import timedelta

from consult.consultations import services
from consult.consultations.models import Phase
from consult.extensions import db
from tests import factories
from tests.consultations import factories as cf

MILESTONE_ROW = re.compile(
    r'<th scope="row">([^<]+)</th>\s*<td>[^<]*</td>\s*<td>([^<]*)</td>', re.MULTILINE
)


def milestone_statuses(page):
    """The status column of the milestones table, by milestone."""
    return dict(MILESTONE_ROW.findall(page))


def test_the_timeline_shows_phases_versions_and_date_changes_with_reasons(client):
    consultation = cf.consultation(drafts=(cf.DRAFT_ONE, cf.DRAFT_TWO))
    old_close = consultation.closes_on
    settings = services.Settings(
        title=consultation.title,
        slug=consultation.slug,
        timezone=consultation.timezone,
        opens_on=consultation.opens_on,
        closes_on=old_close + timedelta(days=14),
        summary_due_on=consultation.summary_due_on,
    )
    services.update_consultation(
        consultation, settings, actor=None, reason="An extension asked for by many organisations."
    )
    db.session.commit()
    page = client.get(f"/consultations/{consultation.slug}/timeline").get_data(as_text=True)
    assert page.count("<h1>") == 1
    assert "The consultation was published." in page
    assert "Draft 1 was published." in page
    assert "Draft 2 was published." in page
    assert "An extension asked for by many organisations." in page
    assert f"<del>{old_close.day} {old_close:%B %Y}</del>" in page  # the earlier plan stays
    # Each milestone's own row: opening has passed, the closing date moved later.
    assert milestone_statuses(page) == {
        "Commenting opens": "done",
        "Commenting closes": "slipped",
        "Summary due": "planned",
    }


def test_event_times_are_in_the_readers_zone(client):
    consultation = cf.consultation(timezone="Asia/Kolkata")
    visitor = client.get(f"/consultations/{consultation.slug}/timeline").get_data(as_text=True)
    assert "(Asia/Kolkata)" in visitor
    client.sign_in(factories.stakeholder(timezone="America/Santiago"))
    member = client.get(f"/consultations/{consultation.slug}/timeline").get_data(as_text=True)
    assert "(America/Santiago)" in member


def test_the_timeline_of_a_draft_consultation_is_hidden(client):
    consultation = cf.consultation(phase=Phase.DRAFT)
    assert client.get(f"/consultations/{consultation.slug}/timeline").status_code == 404
    client.sign_in(factories.coordinator())
    assert client.get(f"/consultations/{consultation.slug}/timeline").status_code == 200
