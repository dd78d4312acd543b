"""A consultation with fixed dates in Asia/Kolkata (UTC+05:30), three responding
companies, and helpers to post comments at chosen instants."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from consult.accounts.models import OrganisationKind
from consult.consultations.models import Paragraph
from consult.consultations.versions import latest_published_version
from consult.extensions import db
from tests import factories
from tests.comments.conftest import World, world  # noqa: F401  (the shared fixture)
from tests.consultations import factories as consultation_factories

ZONE = "Asia/Kolkata"
OPENS_ON = date(2026, 1, 5)
CLOSES_ON = date(2026, 3, 29)


def kolkata(year, month, day, hour=12, minute=0, second=0) -> datetime:
    """An instant given as local time in Kolkata, as aware UTC."""
    return datetime(year, month, day, hour, minute, second, tzinfo=ZoneInfo(ZONE)).astimezone(UTC)


class Fixed(World):
    """The comments World, with fixed dates and a third company."""

    west: object = None


@pytest.fixture
def fixed():
    north = factories.company(name="Northwind")
    south = factories.company(name="Southgate")
    west = factories.company(name="Westhaven")
    consultation = consultation_factories.consultation(
        companies=[north, south, west], timezone=ZONE, opens_on=OPENS_ON, closes_on=CLOSES_ON
    )
    version = latest_published_version(consultation)
    paragraph = db.session.scalar(
        sa.select(Paragraph).where(Paragraph.version_id == version.id, Paragraph.number == "1.1")
    )
    w = Fixed(
        consultation=consultation,
        version=version,
        paragraph=paragraph,
        north=north,
        south=south,
        author=factories.stakeholder(
            name="Amina Author", email="amina@example.org", kind=OrganisationKind.CIVIL_SOCIETY
        ),
        other=factories.stakeholder(name="Otto Other", kind=OrganisationKind.INVESTOR),
        invitee=factories.stakeholder(name="Ines Invitee"),
        north_rep=factories.company_rep(north, role_title="Head of Human Rights"),
        south_rep=factories.company_rep(south, role_title="Policy Director"),
        coordinator=factories.coordinator(),
        officer=factories.coordinator(privacy_officer=True),
    )
    w.west = west
    w.west_rep = factories.company_rep(west)
    return w


def day(n: int) -> timedelta:
    return timedelta(days=n)
