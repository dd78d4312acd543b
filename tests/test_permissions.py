"""Access fails closed: every endpoint is public or guarded, and guards refuse the wrong roles."""

import pytest

from consult.accounts.models import UserStatus
from consult.permissions import Role
from tests import factories

# Endpoints that need no decorator: static files only.
UNGUARDED = {"static"}


def _is_guarded(view):
    """True when the view is marked public or wrapped by a login or role guard."""
    return bool(
        getattr(view, "is_public", False)
        or getattr(view, "requires_login", False)
        or getattr(view, "required_roles", None)
    )


def test_every_endpoint_is_public_or_protected(app):
    unmarked = [
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.endpoint not in UNGUARDED and not _is_guarded(app.view_functions[rule.endpoint])
    ]
    assert unmarked == []


COORDINATOR_PAGES = ["/admin/registrations", "/admin/companies", "/admin/audit/"]


@pytest.mark.parametrize("url", COORDINATOR_PAGES)
def test_signed_out_visitors_are_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert "/signin" in response.headers["Location"]


@pytest.mark.parametrize("url", COORDINATOR_PAGES)
@pytest.mark.parametrize("who", ["stakeholder", "company_rep", "pending_coordinator"])
def test_coordinator_pages_refuse_other_roles(client, url, who):
    person = {
        "stakeholder": factories.stakeholder,
        "company_rep": factories.company_rep,
        "pending_coordinator": lambda: factories.user(Role.COORDINATOR, status=UserStatus.PENDING),
    }[who]()
    client.sign_in(person)
    assert client.get(url).status_code == 403


def test_coordinator_actions_refuse_a_company_representative(client):
    pending = factories.stakeholder(status=UserStatus.PENDING)
    client.sign_in(factories.company_rep())
    response = client.post(
        f"/admin/registrations/{pending.id}/approve",
        {f"approve-{pending.id}-match": "0"},
        prefix=f"approve-{pending.id}",
        token_from="/account",
    )
    assert response.status_code == 403
    response = client.post(
        "/admin/companies/invitations",
        {"invite-email": "x@example.org"},
        prefix="invite",
        token_from="/account",
    )
    assert response.status_code == 403


def test_approving_a_non_pending_account_is_404(client):
    active = factories.stakeholder()
    client.sign_in(factories.coordinator())
    response = client.post(
        f"/admin/registrations/{active.id}/approve",
        {f"approve-{active.id}-match": "0"},
        prefix=f"approve-{active.id}",
        token_from="/account",
    )
    assert response.status_code == 404


def test_suspended_account_loses_its_session(client):
    from consult.accounts.services import suspend_user
    from consult.extensions import db

    person = factories.stakeholder()
    client.sign_in(person)
    suspend_user(person, coordinator=factories.coordinator())
    db.session.commit()
    assert client.get("/account").status_code == 302
