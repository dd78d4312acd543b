"""Builders for test data. Each commits, so views in the same test see the rows."""

import itertools

from consult.accounts.models import (
    Organisation,
    OrganisationKind,
    OrganisationStatus,
    User,
    UserStatus,
)
from consult.accounts.passwords import hash_password
from consult.db import utcnow
from consult.extensions import db
from consult.permissions import Role

PASSWORD = "correct horse battery staple"
_sequence = itertools.count(1)


def organisation(
    kind=OrganisationKind.CIVIL_SOCIETY,
    *,
    name=None,
    country="KE",
    status=OrganisationStatus.CONFIRMED,
    commit=True,
):
    n = next(_sequence)
    org = Organisation(
        name=name or f"Organisation {n}",
        kind=kind,
        country=country,
        status=status,
        confirmed_at=utcnow(),
    )
    db.session.add(org)
    if commit:
        db.session.commit()
    return org


def company(name=None, country="SE"):
    return organisation(OrganisationKind.COMPANY, name=name, country=country)


def user(
    role=Role.STAKEHOLDER,
    *,
    status=UserStatus.ACTIVE,
    organisation_=None,
    email=None,
    name=None,
    privacy_officer=False,
    kind=OrganisationKind.CIVIL_SOCIETY,
    role_title=None,
    password=PASSWORD,
    timezone="UTC",
):
    n = next(_sequence)
    if organisation_ is None and role == Role.STAKEHOLDER:
        organisation_ = organisation(kind, commit=False)
    person = User(
        email=email or f"person{n}@example.org",
        display_name=name or f"Person {n}",
        role=role,
        status=status,
        organisation=organisation_,
        is_privacy_officer=privacy_officer,
        role_title=role_title or ("Head of Policy" if role == Role.COMPANY_REP else None),
        password_hash=hash_password(password),
        email_confirmed_at=None if status == UserStatus.UNCONFIRMED else utcnow(),
        timezone=timezone,
    )
    db.session.add(person)
    db.session.commit()
    return person


def stakeholder(**kwargs):
    return user(Role.STAKEHOLDER, **kwargs)


def coordinator(**kwargs):
    return user(Role.COORDINATOR, **kwargs)


def company_rep(company_=None, **kwargs):
    return user(Role.COMPANY_REP, organisation_=company_ or company(), **kwargs)


def unique_key() -> str:
    """A fresh form submission key."""
    return f"key-{next(_sequence)}"
