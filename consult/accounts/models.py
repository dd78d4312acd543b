"""People and their organisations."""

import enum
import re
import secrets
import unicodedata
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.db import enum_column, utcnow
from consult.extensions import Model
from consult.permissions import Role


class OrganisationKind(enum.StrEnum):
    CIVIL_SOCIETY = "civil_society"
    INVESTOR = "investor"
    ACADEMIC = "academic"
    COMPANY = "company"
    OTHER = "other"

    @property
    def label(self):
        return KIND_LABELS[self]


KIND_LABELS = {
    OrganisationKind.CIVIL_SOCIETY: _l("Civil society"),
    OrganisationKind.INVESTOR: _l("Investor"),
    OrganisationKind.ACADEMIC: _l("Academic"),
    OrganisationKind.COMPANY: _l("Company"),
    OrganisationKind.OTHER: _l("Other"),
}
# Kinds a stakeholder may register under; companies are created by coordinators.
STAKEHOLDER_KINDS = [k for k in OrganisationKind if k != OrganisationKind.COMPANY]


class OrganisationStatus(enum.StrEnum):
    PENDING = "pending"  # claimed at registration, not yet confirmed by a coordinator
    CONFIRMED = "confirmed"
    MERGED = "merged"  # the claim was matched to an existing organisation


class Organisation(Model):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[OrganisationKind] = mapped_column(enum_column(OrganisationKind))
    country: Mapped[str | None] = mapped_column(sa.String(2))
    website: Mapped[str | None] = mapped_column(sa.String(300))
    status: Mapped[OrganisationStatus] = mapped_column(
        enum_column(OrganisationStatus), default=OrganisationStatus.PENDING
    )
    merged_into_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    confirmed_at: Mapped[datetime | None]

    members: Mapped[list["User"]] = relationship(back_populates="organisation")
    merged_into: Mapped["Organisation | None"] = relationship(remote_side=[id])

    @property
    def is_company(self):
        return self.kind == OrganisationKind.COMPANY


class UserStatus(enum.StrEnum):
    UNCONFIRMED = "unconfirmed"
    PENDING = "pending"  # email confirmed, waiting for a coordinator
    ACTIVE = "active"
    SUSPENDED = "suspended"
    REJECTED = "rejected"


def new_session_token() -> str:
    return secrets.token_urlsafe(24)


class User(UserMixin, Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased: email is unique whatever its case.
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    display_name: Mapped[str] = mapped_column(sa.String(120))
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    role: Mapped[Role] = mapped_column(enum_column(Role), default=Role.STAKEHOLDER)
    is_privacy_officer: Mapped[bool] = mapped_column(default=False)
    role_title: Mapped[str | None] = mapped_column(sa.String(120))
    organisation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisations.id"), index=True
    )
    status: Mapped[UserStatus] = mapped_column(
        enum_column(UserStatus), default=UserStatus.UNCONFIRMED
    )
    status_reason: Mapped[str | None] = mapped_column(sa.Text)
    timezone: Mapped[str] = mapped_column(sa.String(64), default="UTC")
    locale: Mapped[str] = mapped_column(sa.String(10), default="en")
    # Rotated on sign-out and password change: every other session and remember-me
    # cookie of the account stops working at once (the per-user session version).
    session_token: Mapped[str] = mapped_column(
        sa.String(64), unique=True, default=new_session_token
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    email_confirmed_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]
    # An address a mail server refused for good (SMTP 5xx), set by email delivery. Kept
    # as the address, so that changing one's email ends the warning by itself.
    undeliverable_email: Mapped[str | None] = mapped_column(sa.String(254))

    organisation: Mapped[Organisation | None] = relationship(back_populates="members")

    def get_id(self):
        return self.session_token

    @property
    def email_refused(self) -> bool:
        """Our emails to the account's current address are refused: a banner asks the
        person to check it."""
        return self.undeliverable_email is not None and self.undeliverable_email == self.email

    @property
    def can_act(self) -> bool:
        """Only confirmed, approved, unsuspended accounts may do anything."""
        return self.status == UserStatus.ACTIVE

    @property
    def is_coordinator(self):
        return self.role == Role.COORDINATOR

    @property
    def is_company_rep(self):
        return self.role == Role.COMPANY_REP

    @property
    def is_stakeholder(self):
        return self.role == Role.STAKEHOLDER


class Invitation(Model):
    """A coordinator's invitation for a company representative."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), index=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"))
    role_title: Mapped[str] = mapped_column(sa.String(120))
    invited_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    accepted_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    organisation: Mapped[Organisation] = relationship()
    invited_by: Mapped[User] = relationship(foreign_keys=[invited_by_id])


def company_slug(name: str) -> str:
    """A readable address part from a company's public name (never its database id)."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-") or "company"
