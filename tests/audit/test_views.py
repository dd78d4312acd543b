"""The audit log: coordinators read and filter it; it holds ids, not names or text."""

from datetime import UTC, datetime, timedelta

import pytest

from consult.audit.services import record
from consult.extensions import db
from tests import factories


def test_coordinator_filters_the_audit_log_by_action_and_date(client):
    coordinator = factories.coordinator()
    person = factories.stakeholder(name="Very Identifiable Name")
    old = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
    record(coordinator, "registration.approved", person, now=old, decision="confirm")
    record(coordinator, "registration.rejected", person)
    db.session.commit()
    client.sign_in(coordinator)

    page = client.get("/admin/audit/").get_data(as_text=True)
    rows = page.split("<tbody>")[1]  # the filter's menu above lists every action anyway
    assert "<code>registration.approved</code>" in rows
    assert "<code>registration.rejected</code>" in rows
    assert "Very Identifiable Name" not in page
    assert person.email not in page

    filtered = client.get("/admin/audit/?action=registration.approved").get_data(as_text=True)
    rows = filtered.split("<tbody>")[1]
    assert "<code>registration.approved</code>" in rows
    assert "registration.rejected" not in rows

    recent = client.get(f"/admin/audit/?since={(datetime.now(UTC) - timedelta(days=1)).date()}")
    assert "registration.approved" not in recent.get_data(as_text=True).split("<tbody>")[1]


def test_bad_filter_dates_get_a_clear_message_not_an_error(client):
    client.sign_in(factories.coordinator())
    response = client.get("/admin/audit/?since=not-a-date")
    assert response.status_code == 422
    assert b"Not a valid date value" in response.data


def test_audit_details_refuse_free_text():
    with pytest.raises(ValueError, match="id or a code"):
        record(None, "user.suspended", None, reason="He criticised the operator in Lagos")
