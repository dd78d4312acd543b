"""The public timeline: phases, versions and planned dates, with earlier plans kept."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from consult.accounts.models import UserStatus
from consult.audit.models import AuditEntry
from consult.consultations import services
from consult.consultations.models import Phase
from consult.extensions import db
from consult.permissions import Role
from consult.tracking import milestones
from consult.tracking.models import Milestone, TimelineEvent, Update, UpdateKind
from consult.tracking.services import post_update
from tests import factories
from tests.consultations import factories as cf

MILESTONE_ROW = re.compile(r'<th scope="row">([^<]+)</th>.*?data-status="(\w+)"', re.DOTALL)


def milestone_statuses(page):
    """The status of each row of the milestones table, by milestone."""
    table = page[page.index('<table class="milestones">') : page.index("</table>")]
    return dict(MILESTONE_ROW.findall(table))


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
    # The response window follows the closing date, so it slipped with it.
    assert milestone_statuses(page) == {
        "Commenting opens": "done",
        "Commenting closes": "slipped",
        "Company response window ends": "slipped",
        "Narrative summary due": "planned",
        "Draft published": "done",
    }
    assert "slipped 14 days" in page


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


# --- keeping milestones and posting updates ---------------------------------------------------

NOW = datetime(2027, 2, 1, 12, tzinfo=UTC)
CONSULTATION_NAV = '<nav aria-label="This consultation">'


def dated(**kwargs):
    return cf.consultation(opens_on=date(2027, 1, 4), closes_on=date(2027, 3, 28), **kwargs)


def written():
    """How many timeline rows, updates and audit entries exist."""
    return tuple(
        db.session.scalar(sa.select(sa.func.count()).select_from(model))
        for model in (TimelineEvent, Update, AuditEntry)
    )


@pytest.fixture
def coordinator_client(client, clock):
    clock(NOW)
    client.sign_in(factories.coordinator())
    return client


def test_a_coordinator_plans_moves_and_reaches_a_milestone(coordinator_client):
    client = coordinator_client
    consultation = dated()
    base = f"/consultations/{consultation.slug}"
    assert client.get(f"{base}/milestones/new").status_code == 200
    response = client.post(
        f"{base}/milestones/new", {"milestone": "final_principles", "planned_on": "2027-03-01"}
    )
    assert response.status_code == 302
    for planned_on, reason in [("2027-04-15", "More comments."), ("2027-05-30", "Second round.")]:
        url = f"{base}/milestones/final_principles"
        response = client.post(
            f"{url}/plan",
            {"plan-planned_on": planned_on, "plan-reason": reason},
            prefix="plan",
            token_from=url,
        )
        assert response.status_code == 302, response.get_data(as_text=True)
    timeline = client.get(f"{base}/timeline").get_data(as_text=True)
    assert (
        "<del>1 March 2027</del> → "
        '<span class="visually-hidden">earlier plan: </span><del>15 April 2027</del> → '
        "30 May 2027"
    ) in timeline
    assert "slipped 90 days" in timeline
    assert "Reason: Second round." in timeline
    assert milestone_statuses(timeline)["Final principles"] == "slipped"

    show = client.get(base).get_data(as_text=True)
    top = show[: show.index(CONSULTATION_NAV)]
    assert "Slipped:" in top and "Final principles" in top and "slipped 90 days" in top
    assert "<del>1 March 2027</del>" in top

    url = f"{base}/milestones/final_principles"
    response = client.post(
        f"{url}/done", {"done-actual_on": "2027-02-01"}, prefix="done", token_from=url
    )
    assert response.status_code == 302
    timeline = client.get(f"{base}/timeline").get_data(as_text=True)
    assert milestone_statuses(timeline)["Final principles"] == "done"
    assert "Final principles reached on 1 February 2027." in timeline


def test_the_page_names_the_next_scheduled_output_at_the_top(coordinator_client):
    consultation = dated()
    base = f"/consultations/{consultation.slug}"
    coordinator_client.post(
        f"{base}/milestones/new",
        {"milestone": "other", "name": "Public workshop", "planned_on": "2027-02-20"},
    )
    client = coordinator_client
    client.sign_out()
    show = client.get(base).get_data(as_text=True)
    top = show[: show.index(CONSULTATION_NAV)]
    assert (
        "Next scheduled output: Public workshop (planned 20 February 2027, Europe/Brussels)" in top
    )
    assert "Slipped:" not in top


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"plan-planned_on": "2027-04-01", "plan-reason": ""}, "plan-reason", "required"),
        ({"plan-planned_on": "2027-04-01", "plan-reason": "  "}, "plan-reason", "required"),
        ({"plan-planned_on": "2027-13-45", "plan-reason": "Typed reason"}, "plan-planned_on", ""),
        ({"plan-planned_on": "9999-12-31", "plan-reason": "Typed reason"}, "plan-planned_on", ""),
        ({"plan-planned_on": "2027-01-15", "plan-reason": "Typed reason"}, "plan-planned_on", ""),
        ({"plan-planned_on": "2027-03-01", "plan-reason": "Typed reason"}, "plan-planned_on", ""),
    ],
    ids=["no reason", "blank reason", "not a date", "far date", "past date", "same date"],
)
def test_a_bad_change_is_refused_with_the_form_kept(coordinator_client, data, field, message):
    client = coordinator_client
    consultation = dated()
    base = f"/consultations/{consultation.slug}"
    client.post(f"{base}/milestones/new", {"milestone": "next_draft", "planned_on": "2027-03-01"})
    before = written()
    url = f"{base}/milestones/next_draft"
    response = client.post(f"{url}/plan", data, prefix="plan", token_from=url)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'id="{field}"' in page and "There is a problem" in page
    assert message in page
    if "Typed reason" in data["plan-reason"]:
        assert "Typed reason" in page  # nothing typed is lost
    assert written() == before


@pytest.mark.parametrize(
    ("data", "kept"),
    [
        ({"milestone": "other", "name": "", "planned_on": "2027-03-01"}, None),
        ({"milestone": "opens", "planned_on": "2027-03-01"}, None),
        ({"milestone": "other", "name": "Typed name", "planned_on": "2027-02-30"}, "Typed name"),
        ({"milestone": "other", "name": "Typed name", "planned_on": "2026-01-01"}, "Typed name"),
        ({"milestone": "other", "name": "Typed name", "planned_on": ""}, "Typed name"),
    ],
    ids=["unnamed", "a consultation date", "impossible date", "past date", "no date"],
)
def test_a_bad_new_milestone_is_refused_with_the_form_kept(coordinator_client, data, kept):
    consultation = dated()
    before = written()
    response = coordinator_client.post(f"/consultations/{consultation.slug}/milestones/new", data)
    assert response.status_code == 422
    if kept:
        assert kept in response.get_data(as_text=True)
    assert written() == before


def test_a_future_date_cannot_be_recorded_as_reached(coordinator_client):
    consultation = dated()
    base = f"/consultations/{consultation.slug}"
    coordinator_client.post(
        f"{base}/milestones/new", {"milestone": "factual_summary", "planned_on": "2027-03-29"}
    )
    before = written()
    url = f"{base}/milestones/factual_summary"
    response = coordinator_client.post(
        f"{url}/done", {"done-actual_on": "2027-02-02"}, prefix="done", token_from=url
    )
    assert response.status_code == 422
    assert "on or before today (1 February 2027, Europe/Brussels)" in response.get_data(
        as_text=True
    )
    assert written() == before


def test_unknown_milestones_and_those_not_kept_here(coordinator_client):
    consultation = dated()
    base = f"/consultations/{consultation.slug}"
    assert coordinator_client.get(f"{base}/milestones/M-NOTAREAL").status_code == 404
    assert coordinator_client.get(f"{base}/milestones/final_principles").status_code == 404
    before = written()
    # Opening was reached on its own: no date of it is recorded here.
    response = coordinator_client.post(
        f"{base}/milestones/opens/done",
        {"done-actual_on": "2027-01-04"},
        prefix="done",
        token_from=f"{base}/milestones/opens",
    )
    assert response.status_code == 422
    assert written() == before


def test_a_coordinator_posts_an_update_in_sanitised_markdown(coordinator_client):
    consultation = dated()
    base = f"/consultations/{consultation.slug}"
    response = coordinator_client.post(
        f"{base}/updates/new",
        {
            "kind": "progress",
            "title": "Where things stand",
            "body": "We read **every** comment. <script>alert(1)</script> "
            "[bad](javascript:alert(1)) [good](https://example.org)",
        },
    )
    assert response.status_code == 302
    update = db.session.scalar(sa.select(Update))
    assert update.kind == "progress" and update.posted_at == NOW
    page = coordinator_client.get(f"{base}/updates").get_data(as_text=True)
    assert "<strong>every</strong>" in page
    assert "<script>alert" not in page and 'href="javascript' not in page
    assert 'href="https://example.org"' in page
    assert f'id="{update.reference}"' in page
    assert "Last progress update today" in coordinator_client.get(base).get_data(as_text=True)
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "update.posted"))
    assert entry.target_id == update.id and entry.details == {"kind": "progress"}


@pytest.mark.parametrize(
    "data",
    [
        {"kind": "progress", "title": "", "body": "Typed text"},
        {"kind": "gossip", "title": "Typed title", "body": "Typed text"},
        {"kind": "progress", "title": "x" * 201, "body": "Typed text"},
        {"kind": "progress", "title": "Typed title", "body": " "},
    ],
    ids=["no title", "unknown kind", "long title", "blank text"],
)
def test_a_bad_update_is_refused_with_the_text_kept(coordinator_client, data):
    consultation = dated()
    before = written()
    response = coordinator_client.post(f"/consultations/{consultation.slug}/updates/new", data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Typed" in page
    assert written() == before


# Who may not: every coordinator tool, as each other kind of person.
def _tools(consultation):
    base = f"/consultations/{consultation.slug}"
    return [
        ("GET", f"{base}/updates/new", None),
        ("POST", f"{base}/updates/new", {"kind": "progress", "title": "T", "body": "B"}),
        ("GET", f"{base}/milestones/new", None),
        ("POST", f"{base}/milestones/new", {"milestone": "other", "name": "N",
                                              "planned_on": "2027-06-01"}),
        ("GET", f"{base}/milestones/next_draft", None),
        ("POST", f"{base}/milestones/next_draft/plan",
         {"plan-planned_on": "2027-06-01", "plan-reason": "R"}),
        ("POST", f"{base}/milestones/next_draft/done", {"done-actual_on": "2027-01-20"}),
    ]  # fmt: skip


PEOPLE = {
    "stakeholder": lambda: factories.stakeholder(),
    "company representative": lambda: factories.company_rep(),
    "pending coordinator": lambda: factories.user(Role.COORDINATOR, status=UserStatus.PENDING),
}


@pytest.mark.parametrize("who", ["signed out", *PEOPLE])
@pytest.mark.parametrize("phase", [Phase.PUBLISHED, Phase.DRAFT])
def test_nobody_else_posts_updates_or_changes_milestones(client, clock, who, phase):
    clock(NOW)
    consultation = dated(phase=phase)
    milestones.plan_milestone(
        consultation, Milestone.NEXT_DRAFT, date(2027, 3, 1), actor=None, now=NOW
    )
    db.session.commit()
    if who != "signed out":
        client.sign_in(PEOPLE[who]())
    # A valid token of the person's own session, so only the rules can refuse.
    token = client.csrf_token("/account" if who != "signed out" else "/signin")
    before = written()
    for method, url, data in _tools(consultation):
        if method == "GET":
            response = client.get(url)
        else:
            data = {**data, **{f"{p}csrf_token": token for p in ("", "plan-", "done-")}}
            response = client.post(url, data, csrf=False)
        if who == "signed out" and method == "GET":
            assert response.status_code == 302, url
            assert "/signin" in response.headers["Location"]
        elif who == "signed out":
            assert response.status_code == 401, url  # "sign in again", the text kept
        elif phase == Phase.DRAFT and who in ("stakeholder", "company representative"):
            assert response.status_code == 404, url  # they may not know it exists
        else:
            assert response.status_code in (403, 404), (url, response.status_code)
            if phase == Phase.PUBLISHED:
                assert response.status_code == 403, url
    assert written() == before


def test_coordinator_tools_are_shown_only_to_coordinators(client, clock):
    clock(NOW)
    consultation = dated()
    base = f"/consultations/{consultation.slug}"
    for page in (base, f"{base}/timeline", f"{base}/updates"):
        body = client.get(page).get_data(as_text=True)
        assert "/milestones/new" not in body and "/updates/new" not in body
    client.sign_in(factories.coordinator())
    assert "/updates/new" in client.get(base).get_data(as_text=True)
    assert "/milestones/new" in client.get(f"{base}/timeline").get_data(as_text=True)


# --- what the consultation page costs -----------------------------------------------------


def test_the_consultation_page_costs_the_same_statements_for_few_or_many_milestones(
    client, clock, count_queries
):
    clock(NOW)
    few = dated()
    many = dated(drafts=(cf.DRAFT_ONE, cf.DRAFT_TWO, cf.paragraphs_text(3)))
    # Planned after its drafts were published: every version row is looked at.
    milestones.plan_milestone(many, Milestone.NEXT_DRAFT, date(2027, 3, 1), actor=None, now=NOW)
    for n in range(20):
        milestones.plan_milestone(
            many,
            Milestone.OTHER,
            date(2027, 3, 1) + timedelta(days=n),
            name=f"Step {n}",
            actor=None,
            now=NOW,
        )
        post_update(many, kind=UpdateKind.PROGRESS, title=f"U{n}", body="B", author=None, now=NOW)
    db.session.commit()
    counts, mine = {}, {}
    for who in ("visitor", "coordinator"):
        if who == "coordinator":
            client.sign_in(factories.coordinator())
        for name, consultation in (("few", few), ("many", many)):
            url = f"/consultations/{consultation.slug}"
            client.get(url)  # warm up the session
            with count_queries() as statements:
                response = client.get(url)
            assert response.status_code == 200
            counts[who, name] = len(statements)
            mine[who, name] = [
                sum("FROM timeline_events" in s for s in statements),
                sum("WHERE updates.kind" in s for s in statements),
            ]
    assert counts["visitor", "few"] == counts["visitor", "many"], counts
    assert counts["coordinator", "few"] == counts["coordinator", "many"], counts
    # The milestones and the progress line cost one query each, whatever their number
    # (the versions of the timeline rows come in one more, counted in the totals).
    assert all(found == [1, 1] for found in mine.values()), mine
    # A visitor: the consultation, its companies, its timeline rows and their versions,
    # the last progress update, the published versions, the five latest updates, and
    # what the summaries add. A coordinator adds their account, the pending version, the
    # publication checks and what the navigation and the follow button need.
    assert counts["visitor", "many"] <= 9, counts
    assert counts["coordinator", "many"] <= 15, counts
