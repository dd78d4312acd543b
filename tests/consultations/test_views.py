"""Consultation pages as each kind of person sees them."""

import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from consult.consultations import versions
from consult.consultations.models import Consultation, Phase
from consult.extensions import db
from consult.tracking.models import TimelineEvent
from tests import factories
from tests.consultations import factories as cf

ROLES = ["visitor", "stakeholder", "company_rep", "coordinator"]


@pytest.fixture
def as_role(client):
    def sign_in(role):
        if role == "stakeholder":
            client.sign_in(factories.stakeholder())
        elif role == "company_rep":
            client.sign_in(factories.company_rep())
        elif role == "coordinator":
            client.sign_in(factories.coordinator())
        return client

    return sign_in


def page(response):
    return response.get_data(as_text=True)


def public_urls(consultation):
    one = versions.paragraphs_of(consultation.versions[0])
    slug = consultation.slug
    return [
        f"/consultations/{slug}",
        f"/consultations/{slug}/draft",
        f"/consultations/{slug}/versions/1",
        f"/consultations/{slug}/compare",
        f"/consultations/{slug}/timeline",
        f"/consultations/{slug}/p/{one[0].stable_key}",
    ]


@pytest.mark.parametrize("role", ROLES)
def test_a_draft_consultation_is_404_on_every_page_but_for_coordinators(as_role, role):
    consultation = cf.consultation(
        phase=Phase.DRAFT, title="Secret plans", drafts=(cf.DRAFT_ONE, cf.DRAFT_TWO)
    )
    client = as_role(role)
    for url in public_urls(consultation):
        response = client.get(url)
        if role == "coordinator":
            assert response.status_code in (200, 302), url
        else:
            assert response.status_code == 404, url
            assert "Secret plans" not in page(response)
    listing = page(client.get("/"))
    assert ("Secret plans" in listing) is (role == "coordinator")


@pytest.mark.parametrize("role", ROLES[:3])
def test_public_pages_are_readable_by_everyone(as_role, role):
    consultation = cf.consultation(drafts=(cf.DRAFT_ONE, cf.DRAFT_TWO))
    client = as_role(role)
    for url in public_urls(consultation):
        assert client.get(url).status_code in (200, 302), url


@pytest.mark.parametrize("role", ROLES)
def test_an_unpublished_version_is_404_for_all_but_coordinators(as_role, role):
    consultation = cf.consultation(drafts=(cf.DRAFT_ONE,))
    pending = cf.pending_draft(consultation, cf.DRAFT_TWO)
    new_key = next(p.stable_key for p in versions.paragraphs_of(pending) if p.change == "new")
    client = as_role(role)
    response = client.get(f"/consultations/{consultation.slug}/versions/2")
    assert response.status_code == (302 if role == "coordinator" else 404)
    # Never reachable by permalink before publication, not even for coordinators.
    assert client.get(f"/consultations/{consultation.slug}/p/{new_key}").status_code == 404
    compare = page(client.get(f"/consultations/{consultation.slug}/compare?old=1&new=2"))
    assert "nothing to compare" in compare
    assert "Transparency" not in compare


def coordinator_pages(consultation):
    slug = consultation.slug
    return {
        "GET": [
            "/consultations/new",
            f"/consultations/{slug}/edit",
            f"/consultations/{slug}/import",
            f"/consultations/{slug}/import/preview",
        ],
        "POST": [
            f"/consultations/{slug}/publish",
            f"/consultations/{slug}/conclude",
            f"/consultations/{slug}/import/publish",
            f"/consultations/{slug}/import/discard",
            f"/consultations/{slug}/import/preview",
        ],
    }


def test_coordinator_pages_send_visitors_to_sign_in(client):
    consultation = cf.consultation()
    cf.pending_draft(consultation, cf.DRAFT_TWO)
    pages = coordinator_pages(consultation)
    for url in pages["GET"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert "/signin" in response.headers["Location"]
    for url in pages["POST"]:
        assert client.post(url, csrf=False).status_code == 401, url  # sign in first


@pytest.mark.parametrize("role", ["stakeholder", "company_rep"])
def test_coordinator_pages_refuse_other_roles(as_role, role):
    consultation = cf.consultation()
    cf.pending_draft(consultation, cf.DRAFT_TWO)
    client = as_role(role)
    pages = coordinator_pages(consultation)
    for url in pages["GET"]:
        assert client.get(url).status_code == 403, url
    for url in pages["POST"]:
        assert client.post(url, csrf=False).status_code == 403, url
    assert versions.pending_version(consultation) is not None


def test_coordinator_pages_open_for_coordinators(as_role):
    consultation = cf.consultation()
    cf.pending_draft(consultation, cf.DRAFT_TWO)
    client = as_role("coordinator")
    for url in coordinator_pages(consultation)["GET"]:
        assert client.get(url).status_code == 200, url


FORM = {
    "title": "Privacy and freedom of expression",
    "slug": "privacy-2027",
    "summary": "What we ask.",
    "timezone": "Europe/Brussels",
    "opens_on": "2027-01-04",
    "closes_on": "2027-03-28",
    "response_window_days": "30",
    "update_interval_days": "90",
}


def test_a_coordinator_creates_a_draft_consultation(client):
    company = factories.company(name="Northwind")
    client.sign_in(factories.coordinator())
    response = client.post("/consultations/new", {**FORM, "companies": [str(company.id)]})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/consultations/privacy-2027")
    consultation = db.session.scalar(sa.select(Consultation))
    assert consultation.phase == Phase.DRAFT
    assert consultation.companies == [company]
    assert consultation.summary_due_on == date(2027, 3, 28) + timedelta(weeks=12)
    shown = page(client.get("/consultations/privacy-2027"))
    assert "Import and publish Draft 1." in shown  # why it cannot be published yet


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"closes_on": "2027-02-01"}, "shorter than six weeks: record the reason"),
        ({"slug": "Not A Slug"}, "lower-case letters"),
        ({"opens_on": "not a date"}, "Not a valid date"),
        ({"response_window_days": "0"}, "Number must be between 1 and 365"),
    ],
)
def test_invalid_settings_come_back_with_the_text_kept(client, changes, message):
    client.sign_in(factories.coordinator())
    response = client.post("/consultations/new", {**FORM, **changes})
    assert response.status_code == 422
    assert message in page(response)
    assert 'value="Privacy and freedom of expression"' in page(response)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Consultation)) == 0


def test_an_expired_token_keeps_the_form(client):
    client.sign_in(factories.coordinator())
    response = client.post("/consultations/new", FORM, csrf=False)
    assert response.status_code == 422
    assert "Your session expired" in page(response)
    assert "What we ask." in page(response)


def test_changing_a_public_date_needs_a_reason_shown_on_the_timeline(client):
    consultation = cf.consultation()
    client.sign_in(factories.coordinator())
    url = f"/consultations/{consultation.slug}/edit"
    later = consultation.closes_on + timedelta(days=7)
    data = {
        "title": consultation.title,
        "slug": consultation.slug,
        "summary": "",
        "timezone": consultation.timezone,
        "opens_on": consultation.opens_on.isoformat(),
        "closes_on": later.isoformat(),
        "response_window_days": "30",
        "summary_due_on": consultation.summary_due_on.isoformat(),
        "update_interval_days": "90",
    }
    refused = client.post(url, data)
    assert refused.status_code == 422
    assert "public reason" in page(refused)
    assert later.isoformat() in page(refused)  # the typed date is kept
    accepted = client.post(url, {**data, "reason": "Requested by several organisations."})
    assert accepted.status_code == 302
    timeline = page(client.get(f"/consultations/{consultation.slug}/timeline"))
    assert "Requested by several organisations." in timeline
    closes = re.search(
        r'<th scope="row">Commenting closes</th>\s*<td data-label="Planned date">(.*?)</td>'
        r'.*?data-status="(\w+)"',
        timeline,
        re.DOTALL,
    )
    planned, status = closes.groups()
    assert planned.endswith(f"→ {later.day} {later:%B %Y}")  # after the earlier date
    assert status == "slipped"


def test_publishing_and_concluding_from_the_consultation_page(client):
    consultation = cf.consultation(phase=Phase.DRAFT)
    client.sign_in(factories.coordinator())
    show = f"/consultations/{consultation.slug}"
    assert client.post(f"{show}/publish", token_from=show).status_code == 302
    db.session.refresh(consultation)
    assert consultation.phase == Phase.PUBLISHED
    response = client.post(f"{show}/conclude", token_from=show, follow_redirects=True)
    assert "still open" in page(response)
    assert consultation.phase == Phase.PUBLISHED
    events = db.session.scalars(sa.select(TimelineEvent.kind)).all()
    assert "phase_changed" in events


def test_the_consultation_page_states_what_publication_requires(client):
    consultation = cf.consultation(companies=[factories.company(name="Northwind")])
    shown = page(client.get(f"/consultations/{consultation.slug}"))
    closes = consultation.closes_on
    assert f"23:59, {closes.day} {closes:%B %Y} (Europe/Brussels)" in shown
    assert "30 days: each addressed company is asked to answer" in shown
    due = consultation.summary_due_on
    assert f"{due.day} {due:%B %Y}" in shown
    for level in ["Public", "Anonymous", "Restricted", "Confidential"]:
        assert f"<dt>{level}</dt>" in shown
    assert "Northwind" in shown
    assert "Read the draft" in shown
    assert "Timeline" in shown


def test_reading_the_current_draft(client):
    consultation = cf.consultation(drafts=(cf.DRAFT_ONE, cf.DRAFT_TWO))
    two = versions.paragraphs_of(consultation.versions[1])
    shown = page(client.get(f"/consultations/{consultation.slug}/draft"))
    assert "Draft 2" in shown
    assert shown.count("<h1>") == 1
    assert '<nav class="toc"' in shown
    assert "Contents" in shown
    for paragraph in two:
        assert f'id="{paragraph.stable_key}"' in shown
        assert f"/consultations/{consultation.slug}/p/{paragraph.stable_key}" in shown
        assert f"§{paragraph.number}" in shown
    assert shown.count("0 comments") == len(two)
    assert "Open for comments" in shown
    assert re.search(r"\d+ days left", shown)
    assert "(Europe/Brussels)" in shown
    assert "your time" not in shown  # visitors read in the consultation's zone
    assert '<h3 dir="auto">Scope</h3>' in shown  # sections are h3 under the page's h2s


def test_the_readers_own_time_is_shown_beside_the_deadline(client):
    consultation = cf.consultation()
    client.sign_in(factories.stakeholder(timezone="Asia/Kolkata"))
    shown = page(client.get(f"/consultations/{consultation.slug}/draft"))
    assert "your time: 04:29" in shown or "your time: 03:29" in shown
    assert "(Asia/Kolkata)" in shown


def test_an_older_version_is_readable_and_says_so(client):
    consultation = cf.consultation(drafts=(cf.DRAFT_ONE, cf.DRAFT_TWO))
    shown = page(client.get(f"/consultations/{consultation.slug}/versions/1"))
    assert "This is an older version." in shown
    assert "They cover networks, devices and services." in shown  # removed in Draft 2
    assert client.get(f"/consultations/{consultation.slug}/versions/9").status_code == 404


def test_permalinks_redirect_to_the_paragraph_where_it_lives(client):
    consultation = cf.consultation(drafts=(cf.DRAFT_ONE, cf.DRAFT_TWO))
    one = {p.number: p for p in versions.paragraphs_of(consultation.versions[0])}
    slug = consultation.slug
    kept = client.get(f"/consultations/{slug}/p/{one['1.1'].stable_key}")
    assert kept.headers["Location"] == f"/consultations/{slug}/draft#{one['1.1'].stable_key}"
    removed = client.get(f"/consultations/{slug}/p/{one['1.2'].stable_key}")
    assert removed.headers["Location"] == (
        f"/consultations/{slug}/versions/1#{one['1.2'].stable_key}"
    )
    assert client.get(f"/consultations/{slug}/p/P-00000000").status_code == 404


def test_comparing_versions_with_a_filter(client):
    consultation = cf.consultation(drafts=(cf.DRAFT_ONE, cf.DRAFT_TWO))
    url = f"/consultations/{consultation.slug}/compare"
    shown = page(client.get(url))
    assert "2 new paragraphs" in shown  # a new section heading and its paragraph
    assert "1 changed" in shown
    assert "1 removed" in shown
    assert '<ins><span class="visually-hidden">[added: </span> and to their subsidiaries' in shown
    assert "They cover networks, devices and services." in shown
    assert "row-unchanged" in shown
    only = page(client.get(f"{url}?old=1&new=2&changes_only=y"))
    assert "row-unchanged" not in only
    assert "row-changed" in only
    assert "row-removed" in only
    assert "row-new" in only
    backwards = page(client.get(f"{url}?old=2&new=1"))
    assert "row-removed" in backwards


def test_comparing_needs_two_versions_and_valid_choices(client):
    single = cf.consultation()
    assert "nothing to compare" in page(client.get(f"/consultations/{single.slug}/compare"))
    double = cf.consultation(drafts=(cf.DRAFT_ONE, cf.DRAFT_TWO))
    assert client.get(f"/consultations/{double.slug}/compare?old=1&new=7").status_code == 422


def test_the_home_page_lists_consultations_by_phase_with_key_dates(client):
    cf.consultation(title="Open one")
    cf.consultation(
        title="Finished one",
        phase=Phase.CONCLUDED,
        opens_on=date(2025, 1, 1),
        closes_on=date(2025, 3, 31),
    )
    cf.consultation(title="Hidden one", phase=Phase.DRAFT)
    shown = page(client.get("/"))
    assert shown.index("Published consultations") < shown.index("Open one")
    assert shown.index("Concluded consultations") < shown.index("Finished one")
    assert "Hidden one" not in shown
    assert "Drafts" not in shown
    assert "1 January 2025 to 31 March 2025 (Europe/Brussels)" in shown
    assert "All consultations" in shown
    assert "Finished one" in page(client.get("/consultations/"))


def test_reading_a_draft_costs_the_same_number_of_statements(client, count_queries):
    short = cf.consultation(drafts=(cf.paragraphs_text(5),))
    long = cf.consultation(drafts=(cf.paragraphs_text(300),))
    client.sign_in(factories.stakeholder())
    counts = {}
    for consultation, size in [(short, 5), (long, 300)]:
        url = f"/consultations/{consultation.slug}/draft"
        client.get(url)  # warm up the session
        with count_queries() as statements:
            response = client.get(url)
        assert response.status_code == 200
        body = page(response)
        headings = (size + 9) // 10
        assert body.count("0 comments") == size + headings
        counts[size] = len(statements)
    assert counts[5] == counts[300], counts
    # user, consultation, its companies, latest version, paragraphs, the version list,
    # (once comments exist) one grouped count, and for the header the unread
    # notifications and whether mail to the address bounced
    assert counts[5] <= 9, counts
