"""The public summary page: the same for every reader, tables of the frozen figures,
no restricted or confidential text, linked from the consultation's page."""

import re
from datetime import timedelta

from consult.comments.models import Visibility
from consult.consultations import services as consultation_services
from consult.extensions import db
from consult.summaries.services import freeze_due
from tests import factories
from tests.consultations import factories as consultation_factories
from tests.summaries.conftest import (
    AFTER_CLOSE,
    CLOSES_AT,
    CLOSES_ON,
    INVESTOR,
    author,
    campaign_text,
)
from tests.summaries.test_participation import build

ADDENDUM_DUE = CLOSES_AT + timedelta(days=31)


def _summary(page: str) -> str:
    return re.search(r'<div class="summary">.*?</div>\s*</main>', page, re.S).group(0)


def test_the_page_is_the_same_for_every_reader_and_keeps_secrets(make_client, place):
    data = build(place)
    freeze_due(ADDENDUM_DUE)
    db.session.commit()
    readers = [
        None,
        data.civil[0].author,  # a stakeholder with comments in it
        factories.company_rep(place.company),
        factories.coordinator(),
        factories.coordinator(privacy_officer=True),
    ]
    url = f"/consultations/{place.consultation.slug}/summary"
    pages = []
    for reader in readers:
        client = make_client()
        if reader is not None:
            client.sign_in(reader)
        response = client.get(url)
        assert response.status_code == 200
        pages.append(response.get_data(as_text=True))
    assert len({_summary(p) for p in pages}) == 1
    page = pages[0]
    for secret in ("Restricted-secret", "Confidential-secret", "anonymousfirst", "Brazil"):
        assert secret not in page
    assert "campaign98 public0" in page  # the campaign's text, from a named public member
    assert re.search(
        r"Not shown by country \(anonymous and restricted comments\)</th>\s*<td[^>]*>fewer than 5<",
        page,
    )
    assert re.search(r"All comments, confidential ones included</th>\s*<td[^>]*>21<", page)
    assert re.search(r"Question</th>\s*<td[^>]*>not shown<", page)
    assert "<caption>Comments by stakeholder category</caption>" in page
    assert 'scope="row"' in page and 'scope="col"' in page
    assert "Addendum: company responses" in page and place.company.name in page
    assert "29 March 2026" in page and "(Asia/Kolkata)" in page


def test_before_the_close_the_page_says_when(client, place):
    page = client.get(f"/consultations/{place.consultation.slug}/summary")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "The factual summary is frozen when commenting closes, 23:59, 29 March 2026" in text


def test_a_draft_has_no_summary_page(client):
    consultation = consultation_factories.consultation(phase="draft")
    assert client.get(f"/consultations/{consultation.slug}/summary").status_code == 404
    client.sign_in(factories.coordinator())
    assert client.get(f"/consultations/{consultation.slug}/summary").status_code == 404


def test_the_consultation_page_links_to_it(client, place):
    page = client.get(f"/consultations/{place.consultation.slug}").get_data(as_text=True)
    assert f'href="/consultations/{place.consultation.slug}/summary"' in page


def test_a_superseded_close_stays_readable(client, place):
    place.post(author(INVESTOR, "NL"), Visibility.PUBLIC)
    freeze_due(AFTER_CLOSE)
    consultation_services.extend_closing(
        place.consultation,
        CLOSES_ON + timedelta(days=10),
        actor=factories.coordinator(),
        reason="Reopened.",
        now=CLOSES_AT + timedelta(days=2),
    )
    db.session.commit()
    slug = place.consultation.slug
    current = client.get(f"/consultations/{slug}/summary").get_data(as_text=True)
    assert "The factual summary is frozen when commenting closes, 23:59, 8 April 2026" in current
    assert f'href="/consultations/{slug}/summary/closes/1"' in current
    assert "(superseded by a reopening)" in current
    earlier = client.get(f"/consultations/{slug}/summary/closes/1").get_data(as_text=True)
    assert "Superseded: the consultation was reopened" in earlier
    assert "Not frozen for this close" in earlier
    assert client.get(f"/consultations/{slug}/summary/closes/2").status_code == 404


def test_a_campaign_without_a_named_public_member_shows_no_text(client, place):
    for i in range(5):
        place.post(author(), Visibility.ANONYMOUS, body=campaign_text(f"anon{i}"))
    freeze_due(AFTER_CLOSE)
    db.session.commit()
    page = client.get(f"/consultations/{place.consultation.slug}/summary").get_data(as_text=True)
    assert "campaign0" not in page
    assert "no member of this campaign was a named public comment" in page
