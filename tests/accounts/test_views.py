"""Registration, confirmation, approval and sign-in, as people use them."""

import pytest
import sqlalchemy as sa

from consult.accounts.models import OrganisationKind, OrganisationStatus, User, UserStatus
from consult.accounts.passwords import verify_password
from consult.audit.models import AuditEntry
from consult.extensions import db
from tests import factories

REGISTRATION = {
    "email": "Mariam@Example.org",
    "display_name": "Mariam",
    "password": "a long passphrase of words",
    "org_name": "Coastal Rights Centre",
    "org_kind": "civil_society",
    "org_country": "TN",
    "org_website": "https://coastal.example.org",
    "timezone": "Africa/Tunis",
    "understood": "y",
}


def register(client, **changes):
    return client.post("/register", {**REGISTRATION, **changes})


def test_registration_confirmation_and_approval_journey(client, make_client, outbox):
    response = register(client)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/register/check-email")

    user = db.session.scalar(sa.select(User))
    assert user.email == "mariam@example.org"  # stored case-insensitively
    assert user.status == UserStatus.UNCONFIRMED
    assert user.organisation.status == OrganisationStatus.PENDING

    link = outbox.link("mariam@example.org", "/confirm/")
    page = client.get(link)
    assert b"Confirm my email" in page.data
    response = client.post(link, {}, token_from=link)
    assert b"Email confirmed" in response.data
    db.session.refresh(user)
    assert user.status == UserStatus.PENDING

    # Pending: may sign in, cannot reach anything that needs approval.
    client.sign_in(user, password=REGISTRATION["password"])
    assert b"waiting for a coordinator" in client.get("/account").data

    coordinator = factories.coordinator()
    admin = make_client()
    admin.sign_in(coordinator)
    queue = admin.get("/admin/registrations").get_data(as_text=True)
    assert "Coastal Rights Centre" in queue and "mariam@example.org" in queue
    response = admin.post(
        f"/admin/registrations/{user.id}/approve",
        {f"approve-{user.id}-match": "0", f"approve-{user.id}-kind": "investor"},
        prefix=f"approve-{user.id}",
        token_from="/admin/registrations",
    )
    assert response.status_code == 302
    db.session.refresh(user)
    assert user.status == UserStatus.ACTIVE
    assert user.organisation.kind == OrganisationKind.INVESTOR  # the coordinator confirms it
    assert user.organisation.status == OrganisationStatus.CONFIRMED
    assert "approved" in outbox.last("mariam@example.org")["Subject"]

    entry = db.session.scalar(
        sa.select(AuditEntry).where(AuditEntry.action == "registration.approved")
    )
    assert entry.actor_id == coordinator.id and entry.target_id == user.id
    assert "Mariam" not in str(entry.details) and "Coastal" not in str(entry.details)


def test_approval_can_match_an_existing_organisation(client, outbox):
    existing = factories.organisation(OrganisationKind.ACADEMIC, name="Institute of Networks")
    pending = factories.stakeholder(status=UserStatus.PENDING)
    claimed = pending.organisation
    claimed.status = OrganisationStatus.PENDING
    db.session.commit()
    client.sign_in(factories.coordinator())
    client.post(
        f"/admin/registrations/{pending.id}/approve",
        {f"approve-{pending.id}-match": str(existing.id), f"approve-{pending.id}-kind": "other"},
        prefix=f"approve-{pending.id}",
        token_from="/admin/registrations",
    )
    db.session.refresh(pending)
    assert pending.organisation_id == existing.id
    assert claimed.status == OrganisationStatus.MERGED and claimed.merged_into_id == existing.id


def test_rejection_needs_a_reason_and_tells_the_person(client, outbox):
    pending = factories.stakeholder(status=UserStatus.PENDING)
    client.sign_in(factories.coordinator())
    url = f"/admin/registrations/{pending.id}/reject"
    response = client.post(
        url,
        {f"reject-{pending.id}-reason": "  "},
        prefix=f"reject-{pending.id}",
        token_from="/admin/registrations",
    )
    assert response.status_code == 422
    response = client.post(
        url,
        {f"reject-{pending.id}-reason": "We could not verify the group."},
        prefix=f"reject-{pending.id}",
        token_from="/admin/registrations",
    )
    assert response.status_code == 302
    db.session.refresh(pending)
    assert pending.status == UserStatus.REJECTED
    assert "We could not verify the group." in outbox.text(pending.email)


def test_registration_answers_the_same_when_the_email_exists(client, outbox):
    existing = factories.stakeholder(email="taken@example.org")
    first = register(client, email="TAKEN@example.org")
    second = register(client, email="fresh@example.org")
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 2
    assert "already has an account" in outbox.text(existing.email)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"password": "short"}, "at least 12 characters"),
        ({"password": "qwertyasdfgh"}, "most common"),
        ({"password": "x" * 1025}, "at most 1024 bytes"),
        ({"email": "not-an-email"}, "Invalid email"),
        ({"org_country": "XX"}, "Not a valid choice"),
        ({"understood": ""}, "confirm that you have read"),
    ],
)
def test_registration_refuses_bad_input_and_keeps_what_was_typed(client, change, message):
    response = register(client, **change)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in page
    assert 'value="Coastal Rights Centre"' in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def test_a_long_password_is_accepted_whole(client, outbox):
    long_password = "éàü ßøñ " * 72  # 576 characters, 1,008 bytes
    assert len(long_password.encode()) <= 1024
    register(client, password=long_password)
    user = db.session.scalar(sa.select(User))
    assert verify_password(user.password_hash, long_password)
    assert not verify_password(user.password_hash, long_password[:-1])  # never truncated


def test_expired_csrf_token_keeps_the_typed_form(client):
    response = client.post("/register", REGISTRATION, csrf=False)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Your session expired" in page
    assert 'value="Coastal Rights Centre"' in page


def test_confirmation_link_works_once(client, outbox):
    register(client)
    link = outbox.link("mariam@example.org", "/confirm/")
    assert client.post(link, {}, token_from=link).status_code == 200
    again = client.get(link)
    assert again.status_code == 400
    assert b"may have been used already" in again.data


def test_tampered_and_expired_links_fail_clearly(client, outbox, app):
    register(client)
    link = outbox.link("mariam@example.org", "/confirm/")
    assert client.get(link[:-3] + "abc").status_code == 400
    app.config["CONFIRM_LINK_MAX_AGE"] = -1
    try:
        response = client.get(link)
    finally:
        app.config["CONFIRM_LINK_MAX_AGE"] = 172800
    assert response.status_code == 400
    assert b"has expired" in response.data


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (UserStatus.UNCONFIRMED, b"Confirm your email address first"),
        (UserStatus.REJECTED, b"was not approved"),
        (UserStatus.SUSPENDED, b"is suspended"),
    ],
)
def test_accounts_that_cannot_act_are_refused_at_sign_in(client, status, message):
    person = factories.stakeholder(status=status)
    response = client.post("/signin", {"email": person.email, "password": factories.PASSWORD})
    assert response.status_code == 403
    assert message in response.data
    assert client.get("/account").status_code == 302  # still signed out


def test_wrong_password_and_unknown_email_answer_alike(client):
    person = factories.stakeholder()
    wrong = client.post("/signin", {"email": person.email, "password": "not the password!"})
    unknown = client.post("/signin", {"email": "nobody@example.org", "password": "whatever12345"})
    assert wrong.status_code == unknown.status_code == 401
    assert b"The email or password is not right." in wrong.data
    assert b"The email or password is not right." in unknown.data


def test_failed_sign_ins_are_throttled_per_account(client, make_client):
    person = factories.stakeholder()
    for _ in range(10):
        client.post("/signin", {"email": person.email, "password": "wrong password!!"})
    response = client.post("/signin", {"email": person.email, "password": factories.PASSWORD})
    assert response.status_code == 429
    assert b"Too many attempts" in response.data
    assert person.email.encode() in response.data  # the typed email is kept
    # Per account: another account signs in from the same address.
    make_client().sign_in(factories.stakeholder())


def test_sign_in_redirects_only_to_local_paths(client):
    person = factories.stakeholder()
    response = client.post(
        "/signin?next=https://evil.example/x",
        {"email": person.email, "password": factories.PASSWORD},
        token_from="/signin",
    )
    assert response.headers["Location"] == "/"
    other = client.raw
    del other


def test_sign_out_ends_every_session_of_the_account(client, make_client):
    person = factories.stakeholder()
    laptop, phone = client, make_client()
    laptop.sign_in(person)
    phone.sign_in(person, remember=True)
    assert phone.get("/account").status_code == 200
    laptop.sign_out()
    assert laptop.get("/account").status_code == 302
    assert phone.get("/account").status_code == 302  # the remember-me cookie is revoked too


def test_password_change_ends_other_sessions_but_not_this_one(client, make_client, outbox):
    person = factories.stakeholder()
    other = make_client()
    other.sign_in(person)
    client.sign_in(person)
    response = client.post(
        "/account/password",
        {"current_password": factories.PASSWORD, "password": "a brand new passphrase"},
    )
    assert response.status_code == 302
    assert client.get("/account").status_code == 200
    assert other.get("/account").status_code == 302
    assert "password was changed" in outbox.last(person.email)["Subject"]


def test_password_change_requires_the_current_password(client):
    person = factories.stakeholder()
    client.sign_in(person)
    response = client.post(
        "/account/password",
        {"current_password": "wrong wrong wrong", "password": "a brand new passphrase"},
    )
    assert response.status_code == 422
    assert b"not your current password" in response.data


def test_forgot_password_answers_the_same_and_the_link_works_once(client, outbox):
    person = factories.stakeholder()
    known = client.post("/password/forgot", {"email": person.email})
    unknown = client.post("/password/forgot", {"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 200
    assert known.data == unknown.data
    assert len(outbox.messages()) == 1

    link = outbox.link(person.email, "/password/reset/")
    response = client.post(link, {"password": "my new long passphrase"}, token_from=link)
    assert response.status_code == 302
    assert client.get(link).status_code == 400  # used: the password hash changed
    client.sign_in(person, password="my new long passphrase")


def test_change_email_is_reconfirmed(client, outbox):
    person = factories.stakeholder()
    old_email = person.email
    client.sign_in(person)
    client.post(
        "/account/email", {"new_email": "New@Example.org", "current_password": factories.PASSWORD}
    )
    db.session.refresh(person)
    assert person.email != "new@example.org"  # not until confirmed
    link = outbox.link("new@example.org", "/account/email/confirm/")
    response = client.post(link, {}, token_from=link)
    assert response.status_code == 302
    db.session.refresh(person)
    assert person.email == "new@example.org"
    assert client.get(link).status_code == 400
    # The link came to the new address (read above); the old one is told of the change.
    assert outbox.last(old_email)["Subject"] == "Your Consult email address was changed"


def test_preferences_set_time_zone_and_language(client):
    person = factories.stakeholder()
    client.sign_in(person)
    response = client.post(
        "/account", {"display_name": "New Name", "timezone": "Asia/Kolkata", "locale": "en"}
    )
    assert response.status_code == 302
    db.session.refresh(person)
    assert person.timezone == "Asia/Kolkata"
    bad = client.post(
        "/account", {"display_name": "New Name", "timezone": "Mars/Olympus", "locale": "en"}
    )
    assert bad.status_code == 422


def test_invitation_binds_a_representative_to_the_company(client, make_client, outbox):
    coordinator = factories.coordinator()
    company = factories.company(name="Northwind")
    client.sign_in(coordinator)
    response = client.post(
        "/admin/companies/invitations",
        {
            "invite-email": "Rep@Northwind.example",
            "invite-company": str(company.id),
            "invite-role_title": "Head of Human Rights",
        },
        prefix="invite",
        token_from="/admin/companies",
    )
    assert response.status_code == 302
    link = outbox.link("rep@northwind.example", "/invitation/")

    newcomer = make_client()
    assert b"Northwind" in newcomer.get(link).data
    response = newcomer.post(
        link,
        {
            "display_name": "Ana",
            "password": "company passphrase ok",
            "timezone": "Europe/Stockholm",
        },
        token_from=link,
    )
    assert response.status_code == 302
    rep = db.session.scalar(sa.select(User).where(User.email == "rep@northwind.example"))
    assert rep.organisation_id == company.id
    assert rep.role_title == "Head of Human Rights"
    assert rep.role == "company_rep"
    assert newcomer.get(link).status_code == 400  # single use


def test_coordinator_adds_a_company(client):
    client.sign_in(factories.coordinator())
    response = client.post(
        "/admin/companies",
        {"company-name": "Meridian", "company-country": "FI", "company-website": ""},
        prefix="company",
    )
    assert response.status_code == 302
    assert b"Meridian" in client.get("/admin/companies").data
    duplicate = client.post(
        "/admin/companies", {"company-name": "meridian", "company-country": ""}, prefix="company"
    )
    assert duplicate.status_code == 422
    assert b"already exists" in duplicate.data
