"""The policies page, its versions and the coordinators' editor, as each role meets them."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from consult.accounts.models import UserStatus
from consult.audit.models import AuditEntry
from consult.comments import campaigns
from consult.consultations import schedule
from consult.consultations import services as consultation_services
from consult.extensions import db
from consult.permissions import Role
from consult.site_policies.models import PolicyVersion
from tests import factories
from tests.site_policies.conftest import EDIT, editor_form, publish


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _as_published(page: str) -> str:
    """What a version page shows of the version itself: its date and note, and its
    sections with their figures (around them: links to the versions before and after)."""
    facts = page[page.index('<dl class="facts">') : page.index("</dl>")]
    return facts + page[page.index('aria-labelledby="policy-contents"') : page.index("</main>")]


def _page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


# --- reading -------------------------------------------------------------------------------


def test_visitors_read_the_standard_text_and_live_figures_before_any_version(client):
    page = _page(client, "/policies")
    assert "No version of these policies has been published yet" in page
    assert "People register as members of an organisation" in page
    assert "30 days from the day it is asked" in page
    assert "Edit the policies" not in page
    assert _page(client, "/policies/versions").count("No version has been published yet") == 1


def test_privacy_officers_are_listed_with_their_affiliations(client):
    organisation = factories.organisation(name="Dialogue Secretariat")
    factories.user(
        Role.COORDINATOR,
        name="Pia Officer",
        privacy_officer=True,
        organisation_=organisation,
        role_title="Data protection lead",
    )
    factories.coordinator(name="Otto Notanofficer")
    factories.user(
        Role.COORDINATOR, name="Sam Suspended", privacy_officer=True, status=UserStatus.SUSPENDED
    )
    page = _page(client, "/policies")
    assert "Pia Officer, Data protection lead, Dialogue Secretariat" in page
    assert "Otto Notanofficer" not in page
    assert "Sam Suspended" not in page


# --- who may edit ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "who",
    ["visitor", "stakeholder", "company_rep", "pending_coordinator", "suspended_coordinator"],
)
def test_only_active_coordinators_edit_the_policies(client, coordinator, who):
    # A coordinator's page gives the form its token and hidden values; another person
    # then tries to send it.
    writer = factories.coordinator()
    client.sign_in(writer)
    data = editor_form(
        client, section_registration="Hijacked", change_note="x", publish="Publish this version"
    )
    token = client.csrf_token(EDIT)
    client.sign_out()
    people = {
        "visitor": None,
        "stakeholder": lambda: factories.stakeholder(),
        "company_rep": lambda: factories.company_rep(),
        "pending_coordinator": lambda: factories.user(Role.COORDINATOR, status=UserStatus.PENDING),
        "suspended_coordinator": lambda: factories.user(
            Role.COORDINATOR, status=UserStatus.SUSPENDED
        ),
    }
    audit_before = _count(AuditEntry)
    if people[who] is not None:
        person = people[who]()
        if who == "suspended_coordinator":
            # A suspended account cannot sign in; its old session is refused too.
            person.status = UserStatus.ACTIVE
            db.session.commit()
            client.sign_in(person)
            person.status = UserStatus.SUSPENDED
            db.session.commit()
        else:
            client.sign_in(person)
    get = client.get(EDIT)
    post = client.post(EDIT, {**data, "policies-csrf_token": token}, csrf=False)
    for response in (get, post):
        if who in ("visitor", "suspended_coordinator"):
            # Signed out: sent to sign in (a GET) or told to (a POST, whose text a
            # redirect would lose).
            assert response.status_code in (302, 401, 403)
            if response.status_code == 302:
                assert "/signin" in response.headers["Location"]
        else:
            assert response.status_code == 403
    assert _count(PolicyVersion) == 0
    assert _count(AuditEntry) == audit_before
    assert "Hijacked" not in _page(client, "/policies")


def test_a_privacy_officer_is_a_coordinator_and_edits(client):
    client.sign_in(factories.coordinator(privacy_officer=True))
    assert client.get(EDIT).status_code == 200


def test_a_draft_is_nobodys_to_cite(client, coordinator):
    client.sign_in(coordinator)
    data = editor_form(client, section_registration="Draft words", save="Save the draft")
    assert client.post(EDIT, data, prefix="policies").status_code == 302
    draft = db.session.scalar(sa.select(PolicyVersion))
    assert draft.number == 1 and not draft.is_published
    # Not at its number, for anyone; not on the public pages.
    assert client.get("/policies/versions/1").status_code == 404
    assert "Draft words" not in _page(client, "/policies")
    client.sign_out()
    assert client.get("/policies/versions/1").status_code == 404
    assert "Draft words" not in _page(client, "/policies")
    stakeholder = factories.stakeholder()
    client.sign_in(stakeholder)
    assert client.get("/policies/versions/1").status_code == 404
    assert client.get("/policies/versions/99999").status_code == 404


# --- drafting and publishing ------------------------------------------------------------------


def test_save_then_publish_is_audited_with_ids_only(client, coordinator):
    client.sign_in(coordinator)
    first = client.post(
        EDIT,
        editor_form(client, section_moderation="We **never** delete.", save="Save the draft"),
        prefix="policies",
    )
    assert first.status_code == 302
    again = client.post(
        EDIT,
        editor_form(client, section_moderation="We never delete anything.", save="Save"),
        prefix="policies",
    )
    assert again.status_code == 302
    assert "We never delete anything." in _page(client, EDIT)
    published = publish(client, note="First version, with the moderation rules.")
    assert published.status_code == 302
    assert published.headers["Location"].endswith("/policies/versions/1")
    entries = db.session.scalars(
        sa.select(AuditEntry)
        .where(AuditEntry.action.like("site_policies.%"))
        .order_by(AuditEntry.id)
    ).all()
    assert [e.action for e in entries] == [
        "site_policies.draft_started",
        "site_policies.draft_saved",
        "site_policies.published",
    ]
    version = db.session.scalar(sa.select(PolicyVersion))
    for entry in entries:
        assert entry.actor_id == coordinator.id
        assert (entry.target_type, entry.target_id) == ("policy_versions", version.id)
        assert entry.details == {"number": 1}
    page = _page(client, "/policies")
    assert "We never delete anything." in page and "Version 1, published" in page
    listing = _page(client, "/policies/versions")
    assert "First version, with the moderation rules." in listing


def test_prose_goes_through_the_sanitiser(client, coordinator):
    client.sign_in(coordinator)
    publish(
        client,
        section_times="<script>alert(1)</script> [x](javascript:alert(2)) [ok](https://example.org)",
    )
    page = _page(client, "/policies/versions/1")
    assert "<script>alert(1)" not in page
    assert 'href="javascript' not in page  # left as text, never a link
    assert 'href="https://example.org"' in page


def test_settings_changes_show_in_the_next_draft_and_old_versions_keep_theirs(
    client, coordinator, app, monkeypatch
):
    client.sign_in(coordinator)
    assert publish(client).status_code == 302
    _page(client, "/policies")  # shows (and clears) the message that it was published
    v1_before = _as_published(_page(client, "/policies/versions/1"))
    assert "30 days from the day it is asked" in v1_before
    assert "fewer than 5" in v1_before
    assert "at most 12 hours" in v1_before

    from consult import figures

    monkeypatch.setattr(schedule, "DEFAULT_RESPONSE_WINDOW_DAYS", 45)
    monkeypatch.setattr(figures, "SMALL_CELL", 10)
    monkeypatch.setattr(campaigns, "CAMPAIGN_ORGANISATIONS", 9)
    monkeypatch.setattr(consultation_services, "REOPEN_WITHIN_DAYS", 21)
    monkeypatch.setitem(app.config, "PERMANENT_SESSION_LIFETIME", timedelta(hours=8))
    new_officer = factories.coordinator(name="Nadia Newofficer", privacy_officer=True)

    draft = _page(client, EDIT)  # the next draft, as it will read
    for text in (
        "45 days from the day it is asked",
        "from 45 days after the due date",
        "fewer than 10",
        "9 organisations",
        "within 21 days of the close",
        "at most 8 hours",
        new_officer.display_name,
    ):
        assert text in draft, text
    assert "Publish a new version to record them" in draft
    current = _page(client, "/policies")
    assert "45 days from the day it is asked" in current
    assert "Some settings have changed since this version was published" in current

    assert _as_published(_page(client, "/policies/versions/1")) == v1_before  # as published, still
    assert publish(client, note="Longer response window.").status_code == 302
    v2 = _page(client, "/policies/versions/2")
    assert "45 days from the day it is asked" in v2 and "Nadia Newofficer" in v2
    assert _as_published(_page(client, "/policies/versions/1")) == v1_before
    assert "Some settings have changed" not in _page(client, "/policies")


# --- bad input and conflicts ----------------------------------------------------------------


def test_publishing_needs_a_note_and_keeps_the_text(client, coordinator):
    client.sign_in(coordinator)
    response = publish(client, note="  ", section_campaigns="Text I must not lose")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Text I must not lose" in page
    assert "Say what changed" in page
    assert _count(PolicyVersion) == 0


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"section_times": "x" * 20_001}, "Field cannot be longer"),
        ({"change_note": "y" * 2_001}, "Field cannot be longer"),
        ({"revision": "abc"}, "changed or damaged"),
        ({"based_on": "9" * 40}, "changed or damaged"),
    ],
)
def test_bad_input_is_a_4xx_with_the_text_kept(client, coordinator, changes, message):
    client.sign_in(coordinator)
    data = editor_form(client, section_withdrawal="Marker text kept", save="Save the draft")
    data.update({f"policies-{k}": v for k, v in changes.items()})
    audit_before = _count(AuditEntry)
    response = client.post(EDIT, data, prefix="policies")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Marker text kept" in page and message in page
    assert _count(PolicyVersion) == 0 and _count(AuditEntry) == audit_before


def test_a_save_on_top_of_a_colleagues_is_refused_then_goes_through(
    client, make_client, coordinator
):
    client.sign_in(coordinator)
    mine = editor_form(client, section_registration="My wording", save="Save the draft")
    colleague = make_client()
    colleague.sign_in(factories.coordinator())
    theirs = editor_form(colleague, section_registration="Their wording", save="Save")
    assert colleague.post(EDIT, theirs, prefix="policies").status_code == 302

    refused = client.post(EDIT, mine, prefix="policies")
    page = refused.get_data(as_text=True)
    assert refused.status_code == 409
    assert "My wording" in page and "Another coordinator saved the draft" in page
    assert db.session.scalar(sa.select(PolicyVersion)).sections["registration"] == "Their wording"
    # The form now builds on their save: sending it again replaces it, deliberately.
    from tests.site_policies.conftest import hidden

    mine["policies-revision"] = hidden(page, "revision")
    assert client.post(EDIT, mine, prefix="policies").status_code == 302
    assert db.session.scalar(sa.select(PolicyVersion)).sections["registration"] == "My wording"


def test_a_draft_based_on_a_superseded_version_is_refused(client, make_client, coordinator):
    client.sign_in(coordinator)
    assert publish(client).status_code == 302
    stale = editor_form(client, section_times="Based on version 1", save="Save the draft")
    colleague = make_client()
    colleague.sign_in(factories.coordinator())
    assert publish(colleague, note="Second.").status_code == 302
    refused = client.post(EDIT, stale, prefix="policies")
    assert refused.status_code == 409
    assert "Based on version 1" in refused.get_data(as_text=True)
    assert _count(PolicyVersion) == 2


# --- one consultation --------------------------------------------------------------------------


def test_a_consultation_lists_where_it_departs_from_the_defaults(client):
    from tests.consultations import factories as consultation_factories

    usual = consultation_factories.consultation(timezone="Asia/Kolkata")
    page = _page(client, f"/consultations/{usual.slug}/policies")
    assert "Asia/Kolkata" in page
    assert "follows the site&#39;s defaults" in page or "follows the site's defaults" in page

    unusual = consultation_factories.consultation(
        timezone="America/Santiago",
        closes_on=None,
        opens_on=None,
    )
    unusual.response_window_days = 45
    unusual.update_interval_days = 30
    db.session.commit()
    page = _page(client, f"/consultations/{unusual.slug}/policies")
    assert "45 days (site default: 30 days)" in page
    assert "30 days (site default: 90 days)" in page
    assert "follows the site" not in page


def test_a_draft_consultations_policies_are_hidden(client):
    from consult.consultations.models import Phase
    from tests.consultations import factories as consultation_factories

    hidden_one = consultation_factories.consultation(phase=Phase.DRAFT)
    assert client.get(f"/consultations/{hidden_one.slug}/policies").status_code == 404
