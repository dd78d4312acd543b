"""The narrative summary's pages: coordinators write, preview as a visitor and publish;
everyone else gets 404 on the draft; revisions and their PDFs are public; the due date
and "overdue by N days" show on the consultation."""

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from consult.accounts.models import UserStatus
from consult.audit.models import AuditEntry
from consult.comments.models import Visibility
from consult.db import utcnow
from consult.extensions import db
from consult.permissions import Role
from consult.summaries import narrative
from consult.summaries.narrative_models import NarrativeRevision
from consult.tracking.models import UpdateKind
from consult.tracking.services import post_update
from tests import factories
from tests.consultations import factories as consultation_factories
from tests.summaries.narrative import SECRET, publish, restricted_comment, save

EIGHT = " ".join(SECRET.split()[:8])


def _url(place, tail=""):
    return f"/consultations/{place.consultation.slug}/summary/narrative{tail}"


def _edits(page: str) -> str:
    return re.search(r'name="publish-edits" type="hidden" value="(\d+)"', page).group(1)


def _revisions():
    return db.session.scalar(sa.select(sa.func.count(NarrativeRevision.id)))


OTHERS = {
    "visitor": None,
    "stakeholder": factories.stakeholder,
    "company representative": factories.company_rep,
    "privacy-less pending coordinator": lambda: factories.user(
        Role.COORDINATOR, status=UserStatus.PENDING
    ),
}


@pytest.mark.parametrize("who", OTHERS)
def test_nobody_but_coordinators_sees_or_touches_the_draft(make_client, place, who):
    save(place, "A draft nobody else may see.")
    client = make_client()
    if OTHERS[who] is not None:
        client.sign_in(OTHERS[who]())
    for tail in ("/draft", "/draft/preview"):
        response = client.get(_url(place, tail))
        assert response.status_code == 404, tail
        assert "A draft nobody else may see" not in response.get_data(as_text=True)
    token = client.csrf_token("/signin" if who == "visitor" else "/account")
    data = {"publish-csrf_token": token, "publish-edits": "1"}
    assert client.post(_url(place, "/draft/publish"), data, csrf=False).status_code == 404
    data = {"csrf_token": token, "version": str(place.version.id), "body": "Mine now."}
    assert client.post(_url(place, "/draft"), data, csrf=False).status_code == 404
    assert narrative.draft_of(place.consultation).body == "A draft nobody else may see."
    assert _revisions() == 0
    assert "A draft nobody else may see" not in client.get(_url(place)).get_data(as_text=True)


def test_a_coordinator_writes_previews_as_a_visitor_and_publishes(client, place):
    coordinator = factories.coordinator()
    confidential = place.post(factories.stakeholder(), Visibility.CONFIDENTIAL)
    public = place.post(factories.stakeholder(), Visibility.PUBLIC)
    client.sign_in(coordinator)
    page = client.get(_url(place, "/draft"))
    assert page.status_code == 200
    body = f"Most said §1.1 works ({public.reference}); see also {confidential.reference}."
    data = {"version": str(place.version.id), "body": body}
    response = client.post(_url(place, "/draft"), data)
    assert response.status_code == 302 and response.headers["Location"].endswith("/draft/preview")
    preview = client.get(_url(place, "/draft/preview")).get_data(as_text=True)
    # As a visitor: the public comment is a link, the confidential one plain text.
    assert f'href="/comments/{public.reference}"' in preview
    assert f'href="/comments/{confidential.reference}"' not in preview
    assert confidential.reference in preview
    assert "Nothing found" in preview
    response = client.post(
        _url(place, "/draft/publish"),
        {"publish-edits": _edits(preview)},
        prefix="publish",
        token_from=_url(place, "/draft/preview"),
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("/revisions/1")
    page = client.get(_url(place)).get_data(as_text=True)
    assert "Revision 1, published" in page and "Most said" in page
    actions = set(
        db.session.scalars(
            sa.select(AuditEntry.action).where(AuditEntry.actor_id == coordinator.id)
        )
    )
    assert {"summary.draft_saved", "summary.revision_published"} <= actions


def test_an_invalid_draft_comes_back_with_its_text(client, place):
    client.sign_in(factories.coordinator())
    data = {"version": "999999", "body": "Text kept after an error."}
    response = client.post(_url(place, "/draft"), data)
    assert response.status_code == 422
    assert "Text kept after an error." in response.get_data(as_text=True)
    assert narrative.draft_of(place.consultation) is None


def test_the_leak_check_blocks_and_only_a_privacy_officer_overrides(make_client, place):
    restricted_comment(place)
    save(place, f"One group wrote that {EIGHT}.")
    coordinator, officer = make_client(), make_client()
    coordinator.sign_in(factories.coordinator())
    officer.sign_in(factories.coordinator(privacy_officer=True))
    preview = coordinator.get(_url(place, "/draft/preview")).get_data(as_text=True)
    assert "1 finding stops the publication" in preview
    assert "publish-override_reason" not in preview  # not offered to a plain coordinator
    edits = _edits(preview)
    sent = {"publish-edits": edits}
    token_page = _url(place, "/draft/preview")
    response = coordinator.post(
        _url(place, "/draft/publish"), sent, prefix="publish", token_from=token_page
    )
    assert response.status_code == 422 and _revisions() == 0
    sent["publish-override_reason"] = "I override it myself."
    response = coordinator.post(
        _url(place, "/draft/publish"), sent, prefix="publish", token_from=token_page
    )
    assert response.status_code == 403 and _revisions() == 0
    assert "Only a privacy officer may publish over the leak check" in response.get_data(
        as_text=True
    )
    assert "publish-override_reason" in officer.get(token_page).get_data(as_text=True)
    sent["publish-override_reason"] = "The author agreed to this quotation."
    response = officer.post(
        _url(place, "/draft/publish"), sent, prefix="publish", token_from=token_page
    )
    assert response.status_code == 302 and _revisions() == 1
    reason = "The author agreed to this quotation."
    assert reason in coordinator.get(_url(place)).get_data(as_text=True)  # coordinators
    assert reason not in make_client().get(_url(place)).get_data(as_text=True)  # visitors


def test_visitors_read_every_revision_and_download_each_pdf(client, place):
    save(place, "First revision text.")
    first = publish(place)
    save(place, "Second revision text.", change_note="We added the second text.")
    publish(place)
    latest = client.get(_url(place)).get_data(as_text=True)
    assert "Second revision text." in latest and "We added the second text." in latest
    assert "Revision 1" in latest  # the link to the earlier one
    old = client.get(_url(place, "/revisions/1")).get_data(as_text=True)
    assert "First revision text." in old and "Superseded" in old
    response = client.get(_url(place, "/revisions/1.pdf"))
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data == narrative.pdf_of(first).content
    assert "attachment" in response.headers["Content-Disposition"]
    assert client.get(_url(place, "/revisions/3")).status_code == 404
    assert client.get(_url(place, "/revisions/3.pdf")).status_code == 404


def test_a_draft_consultation_has_no_summary_pages(client):
    consultation = consultation_factories.consultation(phase="draft")
    client.sign_in(factories.coordinator())
    for tail in ("", "/draft", "/draft/preview"):
        url = f"/consultations/{consultation.slug}/summary/narrative{tail}"
        assert client.get(url).status_code == 404


def test_the_due_date_shows_from_the_start(client):
    today = utcnow().date()
    consultation = consultation_factories.consultation(
        opens_on=today - timedelta(days=5), closes_on=today + timedelta(days=80)
    )
    due = consultation.summary_due_on
    assert due == consultation.closes_on + timedelta(weeks=12)
    page = client.get(f"/consultations/{consultation.slug}").get_data(as_text=True)
    assert "Summary due" in page and "Summary overdue" not in page
    page = client.get(f"/consultations/{consultation.slug}/summary/narrative")
    assert "The narrative summary is due" in page.get_data(as_text=True)


def test_once_past_with_no_summary_it_is_overdue_with_the_latest_delay_notice(client, place):
    consultation = place.consultation
    today = utcnow().astimezone(ZoneInfo(consultation.timezone)).date()
    days = (today - consultation.summary_due_on).days  # the place closed in March 2026
    assert days > 1
    pages = [f"/consultations/{consultation.slug}", _url(place)]
    for url in pages:
        text = client.get(url).get_data(as_text=True)
        assert f"Summary overdue by {days} days" in text, url
        assert "Latest delay notice" not in text
    for title in ("An earlier delay", "The summary follows in May"):
        post_update(
            consultation,
            kind=UpdateKind.DELAY,
            title=title,
            body="Why.",
            author=factories.coordinator(),
            now=utcnow(),
        )
        db.session.commit()
    for url in pages:
        page = client.get(url).get_data(as_text=True)
        notice = re.search(r'<div class="notice summary-overdue">.*?</div>', page, re.S).group(0)
        assert "Latest delay notice" in notice and "The summary follows in May" in notice, url
        assert "An earlier delay" not in notice
    save(place, "At last.")
    publish(place)
    for url in pages:
        assert "Summary overdue" not in client.get(url).get_data(as_text=True)
