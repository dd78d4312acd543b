"""Demonstration data, written for this project and labelled as such everywhere.

Every organisation, person and text below is invented. The passwords are published
in README.md: never load this data on a public server.
"""

from consult.accounts.models import (
    Organisation,
    OrganisationKind,
    OrganisationStatus,
    User,
    UserStatus,
)
from consult.accounts.passwords import hash_password
from consult.db import utcnow
from consult.demo.comments import load_closed_consultation, load_demo_comments
from consult.demo.consultations import load_demo_consultations
from consult.demo.dispositions import load_demo_dispositions
from consult.demo.narrative import load_demo_narrative
from consult.demo.notifications import load_demo_follows
from consult.demo.policies import load_demo_policies
from consult.demo.responses import load_demo_responses
from consult.demo.summaries import load_demo_summaries
from consult.extensions import db
from consult.mail import discard_queued
from consult.permissions import Role

DEMO_PASSWORD = "demonstration only"  # shared by every demo account; see README.md
DEMO_LABEL = "(demo)"

COMPANIES = [
    ("Northwind Telecom (demo)", "SE", "Head of Human Rights Policy", "rep@northwind.demo"),
    ("Meridian Networks (demo)", "FI", "Director, Responsible Business", "rep@meridian.demo"),
    ("Baobab Mobile (demo)", "KE", "Public Policy Lead", "rep@baobab.demo"),
]

STAKEHOLDERS = [
    # (email, display name, organisation, kind, country)
    (
        "amina@openlines.demo",
        "Amina (demo)",
        "Open Lines Coalition (demo)",
        OrganisationKind.CIVIL_SOCIETY,
        "NG",
    ),
    (
        "tomas@digitalrights.demo",
        "Tomás (demo)",
        "Digital Rights Watch (demo)",
        OrganisationKind.CIVIL_SOCIETY,
        "AR",
    ),
    (
        "li@pressfreedom.demo",
        "Li (demo)",
        "Press Freedom Network (demo)",
        OrganisationKind.CIVIL_SOCIETY,
        "HK",
    ),
    (
        "sara@ethicalcapital.demo",
        "Sara (demo)",
        "Ethical Capital Partners (demo)",
        OrganisationKind.INVESTOR,
        "NL",
    ),
    (
        "james@pensionfund.demo",
        "James (demo)",
        "Civil Servants Pension Fund (demo)",
        OrganisationKind.INVESTOR,
        "GB",
    ),
    (
        "noor@university.demo",
        "Dr Noor (demo)",
        "Institute for Network Policy (demo)",
        OrganisationKind.ACADEMIC,
        "JO",
    ),
    ("kai@consumers.demo", "Kai (demo)", "Consumer Voice (demo)", OrganisationKind.OTHER, "DE"),
]

COORDINATORS = [
    ("coordinator@consult.demo", "Coordinator (demo)", False),
    ("privacy@consult.demo", "Privacy Officer (demo)", True),
]


def _organisation(name, kind, country):
    now = utcnow()
    return Organisation(
        name=name,
        kind=kind,
        country=country,
        status=OrganisationStatus.CONFIRMED,
        confirmed_at=now,
        created_at=now,
    )


def load_demo_data() -> dict:
    """Create the demonstration accounts and organisations; returns them by email."""
    now = utcnow()
    password_hash = hash_password(DEMO_PASSWORD)
    people = {}

    def person(email, name, role, organisation=None, **extra):
        user = User(
            email=email,
            display_name=name,
            role=role,
            organisation=organisation,
            password_hash=password_hash,
            status=UserStatus.ACTIVE,
            email_confirmed_at=now,
            decided_at=now,
            **extra,
        )
        db.session.add(user)
        people[email] = user
        return user

    for email, name, privacy in COORDINATORS:
        person(email, name, Role.COORDINATOR, is_privacy_officer=privacy)
    companies = []
    for name, country, title, email in COMPANIES:
        company = _organisation(name, OrganisationKind.COMPANY, country)
        companies.append(company)
        person(email, f"Representative of {name}", Role.COMPANY_REP, company, role_title=title)
    for email, name, org_name, kind, country in STAKEHOLDERS:
        person(email, name, Role.STAKEHOLDER, _organisation(org_name, kind, country))

    # One registration waiting for approval, so the coordinator's queue is not empty.
    waiting = Organisation(
        name="Rural Connectivity Forum (demo)",
        kind=OrganisationKind.CIVIL_SOCIETY,
        country="BO",
        status=OrganisationStatus.PENDING,
        created_at=now,
    )
    person("rosa@ruralforum.demo", "Rosa (demo)", Role.STAKEHOLDER, waiting)
    people["rosa@ruralforum.demo"].status = UserStatus.PENDING
    db.session.flush()
    load_demo_policies(people=people, now=now)
    coordinator = people["coordinator@consult.demo"]
    consultation, _later = load_demo_consultations(
        coordinator=coordinator, companies=companies, now=now
    )
    load_demo_follows(consultation, people=people, companies=companies)
    load_demo_comments(
        consultation, people=people, companies=companies, coordinator=coordinator, now=now
    )
    load_closed_consultation(people=people, companies=companies, coordinator=coordinator, now=now)
    load_demo_dispositions(people=people, companies=companies, coordinator=coordinator, now=now)
    load_demo_responses(people=people, companies=companies, coordinator=coordinator, now=now)
    load_demo_summaries(now=now)  # after everything: the figures count what was there
    load_demo_narrative(coordinator=coordinator, now=now)  # after the frozen figures
    discard_queued()  # demonstration activity mails nobody
    return {"people": people, "companies": companies}
