"""The absolute session lifetime."""

from datetime import UTC, datetime, timedelta

from tests import factories


def test_a_session_ends_12_hours_after_sign_in_however_active(client, app):
    person = factories.stakeholder()
    client.sign_in(person)
    assert client.get("/account").status_code == 200
    with client.raw.session_transaction() as session:
        session["signed_in_at"] = (datetime.now(UTC) - timedelta(hours=12, minutes=1)).timestamp()
    assert client.get("/account").status_code == 302


def test_a_forged_session_token_signs_nobody_in(client):
    factories.stakeholder()
    with client.raw.session_transaction() as session:
        session["_user_id"] = "guessed-token"
    assert client.get("/account").status_code == 302
