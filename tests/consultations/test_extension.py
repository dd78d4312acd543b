"""Extending the closing date: for everyone, with the original date kept, posted as an update."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from consult.consultations import services
from consult.errors import DomainError
from consult.extensions import db
from consult.tracking.models import TimelineEvent, Update
from tests import factories
from tests.consultations import factories as consultation_factories


def test_coordinator_extends_for_everyone_and_an_update_is_posted(client):
    coordinator = factories.coordinator()
    consultation = consultation_factories.consultation()
    original = consultation.closes_on
    client.sign_in(coordinator)
    url = f"/consultations/{consultation.slug}"
    new_date = original + timedelta(days=14)
    response = client.post(
        f"{url}/extend",
        {"extend-closes_on": new_date.isoformat(), "extend-reason": "Many requests for more time"},
        prefix="extend",
        token_from=url,
    )
    assert response.status_code == 302
    db.session.refresh(consultation)
    assert consultation.closes_on == new_date
    update = db.session.scalar(sa.select(Update))
    assert update.kind == "extension" and "Many requests for more time" in update.body
    event = db.session.scalar(sa.select(TimelineEvent).where(TimelineEvent.previous_on == original))
    assert event.planned_on == new_date and event.reason == "Many requests for more time"
    page = client.get(url).get_data(as_text=True)
    assert "Commenting extended to" in page


def test_an_extension_needs_a_later_date_and_a_reason(client):
    coordinator = factories.coordinator()
    consultation = consultation_factories.consultation()
    client.sign_in(coordinator)
    url = f"/consultations/{consultation.slug}"
    earlier = client.post(
        f"{url}/extend",
        {"extend-closes_on": consultation.closes_on.isoformat(), "extend-reason": "x"},
        prefix="extend",
        token_from=url,
    )
    assert earlier.status_code == 422 and b"after the current closing date" in earlier.data
    no_reason = client.post(
        f"{url}/extend",
        {"extend-closes_on": "2099-01-01", "extend-reason": ""},
        prefix="extend",
        token_from=url,
    )
    assert no_reason.status_code == 422


def test_reopening_only_within_14_days_of_close(app):
    coordinator = factories.coordinator()
    consultation = consultation_factories.consultation()
    later = consultation.closes_at + timedelta(days=15)
    with pytest.raises(DomainError, match="within 14 days"):
        services.extend_closing(
            consultation,
            consultation.closes_on + timedelta(days=30),
            actor=coordinator,
            reason="Reopen",
            now=later,
        )
    soon = consultation.closes_at + timedelta(days=3)
    services.extend_closing(
        consultation,
        consultation.closes_on + timedelta(days=30),
        actor=coordinator,
        reason="Reopen for late input",
        now=soon,
    )
    assert db.session.scalar(sa.select(Update.kind)) == "reopening"
    assert consultation.is_open_at(soon)


@pytest.mark.parametrize("who", ["stakeholder", "company_rep"])
def test_only_coordinators_extend(client, who):
    consultation = consultation_factories.consultation()
    client.sign_in(getattr(factories, who)())
    url = f"/consultations/{consultation.slug}"
    response = client.post(
        f"{url}/extend",
        {"extend-closes_on": "2099-01-01", "extend-reason": "no"},
        prefix="extend",
        token_from=url,
    )
    assert response.status_code == 403
    db.session.refresh(consultation)
    assert consultation.closes_on.year != 2099
