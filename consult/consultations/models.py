"""Consultations, their document versions and the paragraphs of each version."""

import enum
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy.ext.hybrid import hybrid_method
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.orm.base import NO_VALUE

from consult.accounts.models import Organisation
from consult.consultations import schedule
from consult.consultations.diffing import Change
from consult.consultations.importer import BlockKind, normalise_text, readable_source
from consult.db import enum_column, utcnow
from consult.extensions import Model, db
from consult.text import imported_html


class Phase(enum.StrEnum):
    """The coordinator's intent; whether commenting is open is computed from the dates."""

    DRAFT = "draft"  # only coordinators see it
    PUBLISHED = "published"
    CONCLUDED = "concluded"

    @property
    def label(self):
        return PHASE_LABELS[self]


PHASE_LABELS = {
    Phase.DRAFT: _l("Draft (not public)"),
    Phase.PUBLISHED: _l("Published"),
    Phase.CONCLUDED: _l("Concluded"),
}

consultation_companies = sa.Table(
    "consultation_companies",
    db.metadata,
    sa.Column("consultation_id", sa.ForeignKey("consultations.id"), primary_key=True),
    sa.Column("organisation_id", sa.ForeignKey("organisations.id"), primary_key=True),
)


class Consultation(Model):
    __tablename__ = "consultations"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    summary: Mapped[str] = mapped_column(sa.Text, default="")
    timezone: Mapped[str] = mapped_column(sa.String(64))
    phase: Mapped[Phase] = mapped_column(enum_column(Phase), default=Phase.DRAFT, index=True)
    opens_on: Mapped[date | None]
    closes_on: Mapped[date | None]
    # Derived from the local dates and the zone by set_schedule(), stored for queries.
    opens_at: Mapped[datetime | None] = mapped_column(index=True)
    closes_at: Mapped[datetime | None] = mapped_column(index=True)
    response_window_days: Mapped[int] = mapped_column(default=schedule.DEFAULT_RESPONSE_WINDOW_DAYS)
    summary_due_on: Mapped[date | None]
    update_interval_days: Mapped[int] = mapped_column(default=schedule.DEFAULT_UPDATE_INTERVAL_DAYS)
    short_period_reason: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    published_at: Mapped[datetime | None]
    concluded_at: Mapped[datetime | None]

    companies: Mapped[list[Organisation]] = relationship(
        secondary=consultation_companies, order_by=Organisation.name, lazy="selectin"
    )
    versions: Mapped[list["DocumentVersion"]] = relationship(
        back_populates="consultation", order_by="DocumentVersion.number"
    )

    def set_schedule(self, opens_on: date | None, closes_on: date | None, zone: str):
        """Set the local dates and zone, and derive the stored UTC instants from them."""
        self.opens_on, self.closes_on, self.timezone = opens_on, closes_on, zone
        self.opens_at, self.closes_at = schedule.comment_window(opens_on, closes_on, zone)

    @hybrid_method
    def is_open_at(self, now: datetime) -> bool:
        """Commenting is open: published, and ``now`` within [opens_at, closes_at)."""
        return self.phase == Phase.PUBLISHED and schedule.is_open(
            self.opens_at, self.closes_at, now
        )

    @is_open_at.expression
    @classmethod
    def _is_open_at_expression(cls, now: datetime) -> sa.ColumnElement[bool]:
        """The SQL form of the same rule (a distinct name, as SQLAlchemy's typing asks)."""
        return sa.and_(cls.phase == Phase.PUBLISHED, cls.opens_at <= now, cls.closes_at > now)

    @property
    def is_public(self) -> bool:
        return self.phase != Phase.DRAFT

    def __repr__(self):
        return f"<Consultation {self.slug}>"


class DocumentVersion(Model):
    """Draft N of a consultation. Immutable once published; at most one unpublished."""

    __tablename__ = "document_versions"
    __table_args__ = (
        sa.UniqueConstraint("consultation_id", "number", name="uq_document_versions_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(sa.ForeignKey("consultations.id"), index=True)
    number: Mapped[int]
    # The version this one was matched against (the latest published one at import).
    base_version_id: Mapped[int | None] = mapped_column(sa.ForeignKey("document_versions.id"))
    source: Mapped[str] = mapped_column(sa.Text)
    source_name: Mapped[str] = mapped_column(sa.String(200))
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)
    imported_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    published_at: Mapped[datetime | None]
    published_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    consultation: Mapped[Consultation] = relationship(back_populates="versions")
    base_version: Mapped["DocumentVersion | None"] = relationship(remote_side=[id])
    paragraphs: Mapped[list["Paragraph"]] = relationship(
        back_populates="version", order_by="Paragraph.position", cascade="all, delete-orphan"
    )

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    @property
    def label(self) -> str:
        return str(_l("Draft %(number)d", number=self.number))

    def __repr__(self):
        return f"<DocumentVersion {self.consultation_id} #{self.number}>"


class Paragraph(Model):
    """One addressable block of a version; ``stable_key`` carries over when matched."""

    __tablename__ = "paragraphs"
    __table_args__ = (
        sa.UniqueConstraint("version_id", "position", name="uq_paragraphs_version_position"),
        sa.UniqueConstraint("version_id", "stable_key", name="uq_paragraphs_version_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(sa.ForeignKey("document_versions.id"), index=True)
    position: Mapped[int]
    number: Mapped[str] = mapped_column(sa.String(20))
    kind: Mapped[BlockKind] = mapped_column(enum_column(BlockKind))
    level: Mapped[int | None]
    source: Mapped[str] = mapped_column(sa.Text)
    # render_markdown(source), stored: rendering goes through the one sanitiser once.
    html: Mapped[str] = mapped_column(sa.Text)
    # Opaque and random (never an id or a sequence): permalinks and comments use it.
    stable_key: Mapped[str] = mapped_column(sa.String(16), index=True)
    # The paragraph of the base version this one continues, and how it changed.
    previous_id: Mapped[int | None] = mapped_column(sa.ForeignKey("paragraphs.id"))
    change: Mapped[Change] = mapped_column(enum_column(Change), default=Change.NEW)

    version: Mapped[DocumentVersion] = relationship(back_populates="paragraphs")

    @property
    def rendered(self) -> Markup:
        """The stored HTML, produced by consult.text.render_markdown at import."""
        return imported_html(self.html)

    @property
    def text(self) -> str:
        """What matching compares: the source with white space collapsed."""
        return normalise_text(self.source)

    @property
    def diff_text(self) -> str:
        """What a word diff shows: the source with hard-wrapped lines joined."""
        return readable_source(self.source, self.kind)

    @property
    def is_heading(self) -> bool:
        return self.kind == BlockKind.HEADING

    @property
    def is_section(self) -> bool:
        return "." not in self.number

    def __repr__(self):
        return f"<Paragraph {self.number} {self.stable_key}>"


class PublishedVersionImmutable(RuntimeError):
    """A programming error: published versions are never rewritten."""


@sa.event.listens_for(sa.orm.Session, "before_flush")
def _published_versions_never_change(session, _context, _instances):
    """Refuse any change to a published version or its paragraphs, whoever makes it."""
    for obj in list(session.new) + list(session.dirty) + list(session.deleted):
        if not isinstance(obj, Paragraph | DocumentVersion):
            continue
        # A collection changing on the other side (e.g. a comment added) is not a change.
        if obj in session.dirty and not session.is_modified(obj, include_collections=False):
            continue
        version = obj.version if isinstance(obj, Paragraph) else obj
        if version is not None and _published_before_this_flush(version):
            raise PublishedVersionImmutable(obj)


def _published_before_this_flush(version: DocumentVersion) -> bool:
    state = sa.inspect(version)
    if state.pending or state.transient:
        return False  # created in this flush, perhaps already published: allowed
    previous = state.committed_state.get("published_at", version.published_at)
    return previous is not None and previous is not NO_VALUE
