"""Accounts: registration, confirmation, approval, invitations and credentials.

Services take the actor explicitly, flush rather than commit, write their own audit
entry, and raise DomainError for refusals the person should read.
"""

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from consult.accounts import events, tokens
from consult.accounts.models import (
    Invitation,
    Organisation,
    OrganisationKind,
    OrganisationStatus,
    User,
    UserStatus,
    new_session_token,
)
from consult.accounts.passwords import hash_password, needs_rehash, verify_password
from consult.audit.services import record
from consult.db import required, utcnow
from consult.errors import DomainError
from consult.extensions import db
from consult.mail import external_url, send_email
from consult.permissions import Role


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))


# --- registration -------------------------------------------------------------------


def register_stakeholder(
    *,
    email,
    display_name,
    password,
    org_name,
    org_kind,
    org_country,
    org_website=None,
    timezone="UTC",
    locale="en",
    now=None,
):
    """Register a stakeholder with the organisation they claim; returns None if the email
    is taken (the caller answers the same way in both cases, and the owner is told)."""
    email = normalise_email(email)
    existing = find_user_by_email(email)
    password_hash = hash_password(password)  # hashed either way: the same work, the same time
    if existing is not None:
        send_email(
            existing.email,
            "already_registered",
            locale=existing.locale,
            user=existing,
            signin_url=external_url("accounts.signin"),
            reset_url=external_url("accounts.forgot_password"),
        )
        return None
    organisation = Organisation(
        name=org_name.strip(),
        kind=OrganisationKind(org_kind),
        country=org_country,
        website=(org_website or "").strip() or None,
        status=OrganisationStatus.PENDING,
        created_at=now or utcnow(),
    )
    user = User(
        email=email,
        display_name=display_name.strip(),
        password_hash=password_hash,
        role=Role.STAKEHOLDER,
        status=UserStatus.UNCONFIRMED,
        organisation=organisation,
        timezone=timezone,
        locale=locale,
        created_at=now or utcnow(),
    )
    db.session.add_all([organisation, user])
    db.session.flush()
    send_confirmation(user)
    return user


def send_confirmation(user: User):
    """Email a confirmation link; only unconfirmed accounts get one."""
    if user.status != UserStatus.UNCONFIRMED:
        return
    token = tokens.make_token(
        tokens.Purpose.CONFIRM_EMAIL,
        {"u": user.id, "f": tokens.fingerprint(user.email, user.status)},
    )
    send_email(
        user.email,
        "confirm_email",
        locale=user.locale,
        user=user,
        url=external_url("accounts.confirm_email", token=token),
    )


def resend_confirmation(email: str):
    user = find_user_by_email(email)
    if user is not None:
        send_confirmation(user)


def user_for_confirmation(token: str) -> User:
    """The account a confirmation link is for; raises if expired, forged or used."""
    payload = tokens.read_token(tokens.Purpose.CONFIRM_EMAIL, token)
    user = db.session.get(User, payload.get("u"))
    if user is None or payload.get("f") != tokens.fingerprint(user.email, user.status):
        raise tokens.LinkInvalid
    return user


def confirm_email(token: str, *, now=None) -> User:
    """Confirm a registration's email; the account then waits for a coordinator."""
    user = user_for_confirmation(token)
    user.status = UserStatus.PENDING
    user.email_confirmed_at = now or utcnow()
    record(user, "user.email_confirmed", user, now=now)
    db.session.flush()
    return user


def pending_registrations():
    return db.session.scalars(
        sa.select(User)
        .where(User.status == UserStatus.PENDING, User.role == Role.STAKEHOLDER)
        .order_by(User.email_confirmed_at)
    ).all()


def confirmed_organisations(kinds=None):
    query = sa.select(Organisation).where(Organisation.status == OrganisationStatus.CONFIRMED)
    if kinds:
        query = query.where(Organisation.kind.in_(kinds))
    return db.session.scalars(query.order_by(sa.func.lower(Organisation.name))).all()


def _require_pending(user: User):
    if user.status != UserStatus.PENDING or user.role != Role.STAKEHOLDER:
        raise DomainError(_l("This registration is not waiting for a decision."))


def approve_registration(
    user: User, *, coordinator: User, kind, match: Organisation | None = None, now=None
):
    """Approve a pending stakeholder: confirm their claimed organisation under ``kind``,
    or match them to an existing confirmed organisation."""
    _require_pending(user)
    now = now or utcnow()
    claimed = required(user.organisation)  # a stakeholder registers with an organisation
    if match is not None:
        if match.status != OrganisationStatus.CONFIRMED or match.is_company:
            raise DomainError(_l("Choose a confirmed organisation that is not a company."))
        claimed.status = OrganisationStatus.MERGED
        claimed.merged_into = match
        user.organisation = match
        decision = "match"
    else:
        kind = OrganisationKind(kind)
        if kind == OrganisationKind.COMPANY:
            raise DomainError(_l("Stakeholders cannot belong to a company organisation."))
        claimed.kind = kind
        claimed.status = OrganisationStatus.CONFIRMED
        claimed.confirmed_at = now
        decision = "confirm"
    user.status = UserStatus.ACTIVE
    user.decided_at = now
    db.session.flush()
    record(
        coordinator,
        "registration.approved",
        user,
        now=now,
        decision=decision,
        organisation_id=user.organisation_id,
    )
    send_email(
        user.email,
        "registration_approved",
        locale=user.locale,
        user=user,
        signin_url=external_url("accounts.signin"),
    )


def reject_registration(user: User, *, coordinator: User, reason: str, now=None):
    """Reject a pending registration with a reason the person is told."""
    _require_pending(user)
    now = now or utcnow()
    user.status = UserStatus.REJECTED
    user.status_reason = reason.strip()
    user.decided_at = now
    user.session_token = new_session_token()
    record(coordinator, "registration.rejected", user, now=now)
    db.session.flush()
    send_email(user.email, "registration_rejected", locale=user.locale, user=user, reason=reason)


# --- sign-in and credentials --------------------------------------------------------


def authenticate(email: str, password: str) -> User | None:
    """Return the user whose credentials these are, else None (same work either way)."""
    user = find_user_by_email(email)
    if not verify_password(user.password_hash if user else None, password) or user is None:
        return None
    if needs_rehash(required(user.password_hash)):  # verified, so there is a hash
        user.password_hash = hash_password(password)
    return user


def sign_in_refusal(user: User):
    """Why a person with the right password still may not sign in, or None."""
    if user.status == UserStatus.UNCONFIRMED:
        return _l("Confirm your email address first: follow the link we sent you.")
    if user.status == UserStatus.REJECTED:
        return _l("Your registration was not approved.")
    if user.status == UserStatus.SUSPENDED:
        return _l("This account is suspended.")
    return None


def end_all_sessions(user: User):
    """Rotate the session version: every existing session and remember-me cookie ends."""
    user.session_token = new_session_token()
    db.session.flush()


def change_password(user: User, *, new_password: str, now=None):
    user.password_hash = hash_password(new_password)
    end_all_sessions(user)
    record(user, "user.password_changed", user, now=now)
    send_email(user.email, "password_changed", locale=user.locale, user=user)
    events.password_changed.send(user, now=now or utcnow())


def request_password_reset(email: str):
    """Email a reset link if the account exists; the caller answers the same either way."""
    user = find_user_by_email(email)
    if user is None or not user.password_hash:
        return
    token = tokens.make_token(
        tokens.Purpose.RESET_PASSWORD,
        {"u": user.id, "f": tokens.fingerprint(user.password_hash, user.email)},
    )
    send_email(
        user.email,
        "reset_password",
        locale=user.locale,
        user=user,
        url=external_url("accounts.reset_password", token=token),
    )


def user_for_reset(token: str) -> User:
    payload = tokens.read_token(tokens.Purpose.RESET_PASSWORD, token)
    user = db.session.get(User, payload.get("u"))
    if user is None or payload.get("f") != tokens.fingerprint(user.password_hash, user.email):
        raise tokens.LinkInvalid
    return user


def reset_password(token: str, new_password: str, *, now=None) -> User:
    user = user_for_reset(token)
    user.password_hash = hash_password(new_password)
    end_all_sessions(user)
    record(user, "user.password_reset", user, now=now)
    return user


def request_email_change(user: User, new_email: str):
    """Send a confirmation link to the new address; the email changes only when followed."""
    new_email = normalise_email(new_email)
    if find_user_by_email(new_email) is not None:
        # Answer the same way; tell nobody else anything.
        return
    token = tokens.make_token(
        tokens.Purpose.CHANGE_EMAIL,
        {"u": user.id, "e": new_email, "f": tokens.fingerprint(user.email)},
    )
    send_email(
        new_email,
        "change_email",
        locale=user.locale,
        user=user,
        url=external_url("accounts.confirm_email_change", token=token),
    )


def user_for_email_change(token: str) -> tuple[User, str]:
    """The account and new address of a change-email link; raises if expired or used."""
    payload = tokens.read_token(tokens.Purpose.CHANGE_EMAIL, token)
    user = db.session.get(User, payload.get("u"))
    if user is None or payload.get("f") != tokens.fingerprint(user.email):
        raise tokens.LinkInvalid
    if find_user_by_email(payload["e"]) is not None:
        raise DomainError(_l("That email address is already in use."))
    return user, payload["e"]


def confirm_email_change(token: str, *, now=None) -> User:
    user, new_email = user_for_email_change(token)
    old_email = user.email
    user.email = new_email
    end_all_sessions(user)
    record(user, "user.email_changed", user, now=now)
    send_email(old_email, "email_changed", locale=user.locale, user=user)
    events.email_changed.send(user, now=now or utcnow())
    return user


def update_preferences(user: User, *, timezone: str, locale: str, display_name: str):
    user.timezone = timezone
    user.locale = locale
    user.display_name = display_name.strip()
    db.session.flush()


# --- coordinators, companies and invitations ----------------------------------------


def create_coordinator(email: str, password: str, *, privacy_officer=False, name=None, now=None):
    email = normalise_email(email)
    if find_user_by_email(email) is not None:
        raise DomainError(_l("An account with this email already exists."))
    user = User(
        email=email,
        display_name=name or email.split("@")[0],
        role=Role.COORDINATOR,
        is_privacy_officer=privacy_officer,
        status=UserStatus.ACTIVE,
        password_hash=hash_password(password),
        email_confirmed_at=now or utcnow(),
        decided_at=now or utcnow(),
    )
    db.session.add(user)
    db.session.flush()
    record(None, "coordinator.created", user, now=now, privacy_officer=privacy_officer)
    return user


def create_company(
    *, name: str, country: str | None, website: str | None, coordinator: User, now=None
) -> Organisation:
    name = name.strip()
    clash = db.session.scalar(
        sa.select(Organisation).where(
            sa.func.lower(Organisation.name) == name.lower(),
            Organisation.kind == OrganisationKind.COMPANY,
        )
    )
    if clash is not None:
        raise DomainError(_l("A company with this name already exists."))
    company = Organisation(
        name=name,
        kind=OrganisationKind.COMPANY,
        country=country or None,
        website=(website or "").strip() or None,
        status=OrganisationStatus.CONFIRMED,
        confirmed_at=now or utcnow(),
    )
    db.session.add(company)
    db.session.flush()
    record(coordinator, "company.created", company, now=now)
    return company


def invite_representative(
    *, email: str, company: Organisation, role_title: str, coordinator: User, now=None
) -> Invitation:
    """Invite a company representative; the link binds them to ``company``."""
    if not company.is_company or company.status != OrganisationStatus.CONFIRMED:
        raise DomainError(_l("Representatives can only be invited for a member company."))
    email = normalise_email(email)
    if find_user_by_email(email) is not None:
        raise DomainError(_l("An account with this email already exists."))
    invitation = Invitation(
        email=email,
        organisation=company,
        role_title=role_title.strip(),
        invited_by=coordinator,
        created_at=now or utcnow(),
    )
    db.session.add(invitation)
    db.session.flush()
    record(coordinator, "invitation.sent", invitation, now=now, organisation_id=company.id)
    token = tokens.make_token(
        tokens.Purpose.INVITATION, {"i": invitation.id, "f": tokens.fingerprint(invitation.email)}
    )
    send_email(
        email,
        "invitation",
        invitation=invitation,
        url=external_url("accounts.accept_invitation", token=token),
    )
    return invitation


def invitation_for(token: str) -> Invitation:
    payload = tokens.read_token(tokens.Purpose.INVITATION, token)
    invitation = db.session.get(Invitation, payload.get("i"))
    if (
        invitation is None
        or invitation.accepted_at is not None
        or invitation.revoked_at is not None
        or payload.get("f") != tokens.fingerprint(invitation.email)
    ):
        raise tokens.LinkInvalid
    return invitation


def accept_invitation(
    token: str, *, display_name: str, password: str, timezone="UTC", now: datetime | None = None
) -> User:
    invitation = invitation_for(token)
    if find_user_by_email(invitation.email) is not None:
        raise tokens.LinkInvalid
    now = now or utcnow()
    user = User(
        email=invitation.email,
        display_name=display_name.strip(),
        role=Role.COMPANY_REP,
        role_title=invitation.role_title,
        organisation=invitation.organisation,
        status=UserStatus.ACTIVE,
        password_hash=hash_password(password),
        email_confirmed_at=now,
        decided_at=now,
        timezone=timezone,
    )
    db.session.add(user)
    db.session.flush()
    invitation.accepted_at = now
    invitation.user_id = user.id
    record(
        user, "invitation.accepted", invitation, now=now, organisation_id=invitation.organisation_id
    )
    db.session.flush()
    return user


def suspend_user(user: User, *, coordinator: User, now=None):
    """Suspend an account: it can no longer act anywhere, and its sessions end."""
    if user.id == coordinator.id:
        raise DomainError(_l("You cannot suspend your own account."))
    user.status = UserStatus.SUSPENDED
    end_all_sessions(user)
    record(coordinator, "user.suspended", user, now=now)
    db.session.flush()


def privacy_officers():
    """Active privacy officers; their names and affiliations are published."""
    return db.session.scalars(
        sa.select(User)
        .where(
            User.role == Role.COORDINATOR,
            User.is_privacy_officer.is_(True),
            User.status == UserStatus.ACTIVE,
        )
        .order_by(User.display_name)
    ).all()


def recent_invitations(limit: int = 100) -> list[Invitation]:
    """The latest invitations of company representatives, newest first."""
    return list(
        db.session.scalars(
            sa.select(Invitation).order_by(Invitation.created_at.desc()).limit(limit)
        )
    )


def company_representatives() -> list[User]:
    """Every company representative's account, by name."""
    return list(
        db.session.scalars(
            sa.select(User).where(User.role == Role.COMPANY_REP).order_by(User.display_name)
        )
    )
