"""The people every policy property is checked for, and the consultations their
generated comments, requests and commitments belong to.

Each Hypothesis example writes its rows inside a SAVEPOINT that is rolled back after it
(``example_rows``), so the next example starts from this cast alone: nothing is
deleted, and foreign keys never get in the way on either database.
"""

from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest
from flask_login import AnonymousUserMixin

from consult.accounts.models import OrganisationKind, UserStatus
from consult.consultations.versions import latest_published_version
from consult.extensions import db
from consult.permissions import Role
from tests import factories
from tests.comments.conftest import world  # noqa: F401  (the shared published consultation)
from tests.consultations import factories as consultation_factories

# Everyone a rule is asked about. "north" and "south" are the responding companies a
# comment may address; "west" is a company no comment of these consultations addresses.
VIEWERS = (
    "visitor",
    "author",  # a stakeholder who writes comments
    "other",  # a stakeholder of another organisation, who writes some too
    "invitee",  # a stakeholder invited to co-sign (and sometimes an author)
    "suspended_author",  # an inactive account that wrote comments and was invited
    "north_rep",
    "south_rep",
    "west_rep",  # a representative of another company
    "pending_north_rep",  # an inactive representative of an addressed company
    "unattached_rep",  # a representative with no organisation: the schema allows it
    "coordinator",
    "officer",  # a coordinator who is a privacy officer
    "suspended_coordinator",
)
AUTHORS = ("author", "other", "invitee", "suspended_author")
INVITABLE = ("invitee", "other", "suspended_author")
COMPANIES = ("north", "south")


@dataclass
class Cast:
    consultations: list  # two published consultations; examples set their phases
    versions: list
    companies: dict  # "north", "south", "west" -> Organisation
    people: dict = field(default_factory=dict)  # VIEWERS -> user (an anonymous one for "visitor")

    def viewers(self):
        return [(name, self.people[name]) for name in VIEWERS]


@pytest.fixture
def cast():
    north = factories.company(name="Northwind")
    south = factories.company(name="Southgate")
    west = factories.company(name="Westhaven")
    consultations = [
        consultation_factories.consultation(companies=[north, south], timezone=zone)
        for zone in ("Asia/Kolkata", "America/Santiago")
    ]
    people = {
        "visitor": AnonymousUserMixin(),
        "author": factories.stakeholder(name="Amina Author", kind=OrganisationKind.CIVIL_SOCIETY),
        "other": factories.stakeholder(name="Otto Other", kind=OrganisationKind.INVESTOR),
        "invitee": factories.stakeholder(name="Ines Invitee"),
        "suspended_author": factories.stakeholder(
            name="Sam Suspended", status=UserStatus.SUSPENDED
        ),
        "north_rep": factories.company_rep(north),
        "south_rep": factories.company_rep(south),
        "west_rep": factories.company_rep(west),
        "pending_north_rep": factories.company_rep(north, status=UserStatus.PENDING),
        "unattached_rep": factories.user(Role.COMPANY_REP),
        "coordinator": factories.coordinator(),
        "officer": factories.coordinator(privacy_officer=True),
        "suspended_coordinator": factories.coordinator(status=UserStatus.SUSPENDED),
    }
    return Cast(
        consultations=consultations,
        versions=[latest_published_version(c) for c in consultations],
        companies={"north": north, "south": south, "west": west},
        people=people,
    )


@pytest.fixture
def example_rows():
    """``with example_rows():`` — whatever the block writes is rolled back after it."""

    @contextmanager
    def rolled_back():
        known = set(db.session.identity_map.keys())
        savepoint = db.session.begin_nested()
        try:
            yield
        finally:
            savepoint.rollback()
            # The rollback forgets the objects it saw added, but not a row of the block
            # loaded again after its first object was garbage-collected; SQLite reuses the
            # rolled-back ids, so such a leftover would collide with the next example's.
            for key, obj in list(db.session.identity_map.items()):
                if key not in known:
                    db.session.expunge(obj)
            db.session.expire_all()

    return rolled_back
