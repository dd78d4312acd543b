"""Comments, their revisions, replies, co-signatures and campaigns.

What is stored on a comment at posting — the author's category, country and region,
and for public comments their name and organisation — is never rewritten by later
changes to the person or organisation.
"""

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.accounts.models import Organisation, OrganisationKind, User
from consult.consultations.models import DocumentVersion, Paragraph
from consult.db import enum_column, random_reference, utcnow
from consult.extensions import Model, db
from consult.idempotency import submission_key_index


class CommentKind(enum.StrEnum):
    COMMENT = "comment"
    QUESTION = "question"
    AMENDMENT = "amendment"

    @property
    def label(self):
        return {
            CommentKind.COMMENT: _l("Comment"),
            CommentKind.QUESTION: _l("Question"),
            CommentKind.AMENDMENT: _l("Amendment"),
        }[self]


class Visibility(enum.StrEnum):
    """Who may read a comment, from most to least public."""

    PUBLIC = "public"  # everyone; name and organisation shown
    ANONYMOUS = "anonymous"  # everyone; category (and country, region or nothing)
    RESTRICTED = "restricted"  # author, invited co-signers, coordinators, addressed companies
    CONFIDENTIAL = "confidential"  # author, invited co-signers, coordinators

    @property
    def rank(self) -> int:
        """0 for public up to 3 for confidential: a higher rank is less public."""
        return list(Visibility).index(self)

    @property
    def label(self):
        return VISIBILITY_LABELS[self]


VISIBILITY_LABELS = {
    Visibility.PUBLIC: _l("Public"),
    Visibility.ANONYMOUS: _l("Anonymous"),
    Visibility.RESTRICTED: _l("Restricted"),
    Visibility.CONFIDENTIAL: _l("Confidential"),
}
OPEN_TO_ALL = (Visibility.PUBLIC, Visibility.ANONYMOUS)


class AuthorDisplay(enum.StrEnum):
    """How the author is shown (besides the stakeholder category, always shown)."""

    NAME = "name"  # name and organisation (public comments only)
    COUNTRY = "country"  # category and the organisation's country
    REGION = "region"  # category and the organisation's UN M49 region
    NOTHING = "nothing"  # category only


class LateStatus(enum.StrEnum):
    PENDING = "pending"  # submitted after close, awaiting a coordinator
    ACCEPTED = "accepted"
    REFUSED = "refused"


comment_addressees = sa.Table(
    "comment_addressees",
    db.metadata,
    sa.Column("comment_id", sa.ForeignKey("comments.id"), primary_key=True),
    sa.Column("organisation_id", sa.ForeignKey("organisations.id"), primary_key=True),
)


def new_comment_reference() -> str:
    return random_reference("C")


class Comment(Model):
    __tablename__ = "comments"
    __table_args__ = (sa.UniqueConstraint("author_id", "submission_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(
        sa.String(12), unique=True, default=new_comment_reference
    )
    consultation_id: Mapped[int] = mapped_column(sa.ForeignKey("consultations.id"), index=True)
    version_id: Mapped[int] = mapped_column(sa.ForeignKey("document_versions.id"))
    # None for a comment on the whole draft.
    paragraph_id: Mapped[int | None] = mapped_column(sa.ForeignKey("paragraphs.id"))
    stable_key: Mapped[str | None] = mapped_column(sa.String(16), index=True)
    paragraph_number: Mapped[str | None] = mapped_column(sa.String(20))

    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    # Fixed at posting; see the module docstring.
    category: Mapped[OrganisationKind] = mapped_column(enum_column(OrganisationKind))
    author_country: Mapped[str | None] = mapped_column(sa.String(2))
    author_region: Mapped[str | None] = mapped_column(sa.String(60))
    author_name: Mapped[str | None] = mapped_column(sa.String(120))
    organisation_name: Mapped[str | None] = mapped_column(sa.String(200))

    kind: Mapped[CommentKind] = mapped_column(enum_column(CommentKind))
    visibility: Mapped[Visibility] = mapped_column(enum_column(Visibility), index=True)
    display: Mapped[AuthorDisplay] = mapped_column(enum_column(AuthorDisplay))
    to_coordinators: Mapped[bool] = mapped_column(default=False)

    body: Mapped[str] = mapped_column(sa.Text)
    body_html: Mapped[str] = mapped_column(sa.Text)
    proposed_text: Mapped[str | None] = mapped_column(sa.Text)
    revision_count: Mapped[int] = mapped_column(default=1)

    submission_key: Mapped[str] = mapped_column(sa.String(64))
    # The version of the site's policies in force when the author confirmed the form
    # (consult/site_policies; None before any was published). Named, not imported: that
    # package sits above this one.
    policy_version_id: Mapped[int | None] = mapped_column(sa.ForeignKey("policy_versions.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    edited_at: Mapped[datetime | None]
    # Machine outputs wait 24 hours after posting or after the last change to less public.
    exposed_since: Mapped[datetime] = mapped_column(default=utcnow)

    late_status: Mapped[LateStatus | None] = mapped_column(enum_column(LateStatus))
    late_decided_at: Mapped[datetime | None]
    late_reason: Mapped[str | None] = mapped_column(sa.Text)

    withdrawn_at: Mapped[datetime | None]
    withdrew_name: Mapped[bool] = mapped_column(default=False)
    hidden_at: Mapped[datetime | None]
    hidden_reason: Mapped[str | None] = mapped_column(sa.Text)

    cosigning_closed: Mapped[bool] = mapped_column(default=False)
    show_named_cosigners: Mapped[bool] = mapped_column(default=True)
    campaign_id: Mapped[int | None] = mapped_column(sa.ForeignKey("campaigns.id"), index=True)
    # A restricted or confidential text close to a campaign: shown to coordinators only.
    near_duplicate_of_id: Mapped[int | None] = mapped_column(sa.ForeignKey("campaigns.id"))

    author: Mapped[User] = relationship(foreign_keys=[author_id])
    organisation: Mapped[Organisation] = relationship(foreign_keys=[organisation_id])
    version: Mapped["DocumentVersion"] = relationship()
    paragraph: Mapped["Paragraph | None"] = relationship()
    addressees: Mapped[list[Organisation]] = relationship(
        secondary=comment_addressees, order_by="Organisation.name"
    )
    revisions: Mapped[list["CommentRevision"]] = relationship(
        back_populates="comment", order_by="CommentRevision.number"
    )
    cosignatures: Mapped[list["CoSignature"]] = relationship(
        back_populates="comment", order_by="CoSignature.created_at"
    )
    invitations: Mapped[list["CosignInvitation"]] = relationship(back_populates="comment")
    replies: Mapped[list["Reply"]] = relationship(
        back_populates="comment", order_by="Reply.created_at"
    )
    # post_update: a comment is written first, then joins the group it may represent.
    campaign: Mapped["Campaign | None"] = relationship(
        back_populates="members", foreign_keys=[campaign_id], post_update=True
    )
    near_duplicate_of: Mapped["Campaign | None"] = relationship(foreign_keys=[near_duplicate_of_id])

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    @property
    def is_late(self) -> bool:
        return self.late_status is not None


class CommentRevision(Model):
    """Every text a comment has had; redaction blanks one at the author's request."""

    __tablename__ = "comment_revisions"
    __table_args__ = (sa.UniqueConstraint("comment_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(sa.ForeignKey("comments.id"), index=True)
    number: Mapped[int]
    body: Mapped[str] = mapped_column(sa.Text)
    body_html: Mapped[str] = mapped_column(sa.Text)
    proposed_text: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    redacted_at: Mapped[datetime | None]

    comment: Mapped[Comment] = relationship(back_populates="revisions")


class ReplyIdentity(enum.StrEnum):
    AS_COMMENT = "as_comment"  # the comment's author: shown exactly as on the comment
    AS_COSIGNATURE = "as_cosignature"  # a co-signer: shown as on their co-signature
    NAMED = "named"
    CATEGORY = "category"


class Reply(Model):
    """A reply in a comment's thread; ``parent`` makes the second level."""

    __tablename__ = "replies"
    # One row per submission of the form (consult/idempotency.py).
    __table_args__ = (submission_key_index("replies", "author_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(
        sa.String(12), unique=True, default=lambda: random_reference("R")
    )
    comment_id: Mapped[int] = mapped_column(sa.ForeignKey("comments.id"), index=True)
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("replies.id"))
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    identity: Mapped[ReplyIdentity] = mapped_column(enum_column(ReplyIdentity))
    category: Mapped[OrganisationKind] = mapped_column(enum_column(OrganisationKind))
    author_name: Mapped[str | None] = mapped_column(sa.String(120))
    organisation_name: Mapped[str | None] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text)
    body_html: Mapped[str] = mapped_column(sa.Text)
    submission_key: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    withdrawn_at: Mapped[datetime | None]
    hidden_at: Mapped[datetime | None]
    hidden_reason: Mapped[str | None] = mapped_column(sa.Text)

    comment: Mapped[Comment] = relationship(back_populates="replies")
    author: Mapped[User] = relationship()
    parent: Mapped["Reply | None"] = relationship(remote_side=[id])


class CoSignature(Model):
    """An organisation's endorsement of a comment, given by one approved member.

    One per organisation and comment: withdrawn and given again, it is the same row,
    with the key of the form that signed it last.
    """

    __tablename__ = "cosignatures"
    __table_args__ = (
        sa.UniqueConstraint("comment_id", "organisation_id"),
        submission_key_index("cosignatures", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(sa.ForeignKey("comments.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    named: Mapped[bool] = mapped_column(default=True)
    category: Mapped[OrganisationKind] = mapped_column(enum_column(OrganisationKind))
    organisation_name: Mapped[str] = mapped_column(sa.String(200))
    revision_number: Mapped[int]
    submission_key: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    withdrawn_at: Mapped[datetime | None]

    comment: Mapped[Comment] = relationship(back_populates="cosignatures")
    user: Mapped[User] = relationship()


class CosignInvitation(Model):
    """The author's invitation to read and co-sign a restricted or confidential comment."""

    __tablename__ = "cosign_invitations"
    __table_args__ = (sa.UniqueConstraint("comment_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(sa.ForeignKey("comments.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]

    comment: Mapped[Comment] = relationship(back_populates="invitations")
    user: Mapped[User] = relationship()


class IdentityReveal(Model):
    """A privacy officer's look at who wrote a non-public comment; listed to the author."""

    __tablename__ = "identity_reveals"

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(sa.ForeignKey("comments.id"), index=True)
    officer_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    comment: Mapped[Comment] = relationship()
    officer: Mapped[User] = relationship()


class Campaign(Model):
    """A group of public or anonymous comments with the same or nearly the same text.

    Every such comment belongs to a group whose representative it matched (or which it
    started). The group is shown as a campaign once five or more organisations are in
    it (``formed_at``); until then its members appear as ordinary comments.
    """

    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(
        sa.String(12), unique=True, default=lambda: random_reference("K")
    )
    consultation_id: Mapped[int] = mapped_column(sa.ForeignKey("consultations.id"), index=True)
    representative_id: Mapped[int] = mapped_column(
        sa.ForeignKey("comments.id", use_alter=True, name="fk_campaigns_representative_id")
    )
    text_hash: Mapped[str] = mapped_column(sa.String(64), index=True)
    organisation_count: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    formed_at: Mapped[datetime | None]

    representative: Mapped[Comment] = relationship(foreign_keys=[representative_id])
    members: Mapped[list[Comment]] = relationship(
        back_populates="campaign", foreign_keys=[Comment.campaign_id]
    )


class CampaignBand(Model):
    """One locality-sensitive-hashing band of a campaign representative's MinHash: texts
    sharing a band are candidates, so a new comment is compared with few representatives."""

    __tablename__ = "campaign_bands"

    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaigns.id"), primary_key=True)
    band: Mapped[str] = mapped_column(sa.String(40), primary_key=True, index=True)
