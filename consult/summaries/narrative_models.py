"""The narrative summary: the coordinators' draft, its published revisions and their PDFs.

A coordinator writes the summary in Markdown on the server (``NarrativeDraft``, one per
consultation, seen by coordinators only). Publishing copies the draft into revision N
(``NarrativeRevision``: 1, 2, ...), with the version its paragraph citations resolve
against, the frozen snapshots it shows and, from revision 2 on, a public note of what
changed. Its PDF (``NarrativePdf``) is rendered once, in the same transaction, and
stored in the database beside it.

A published revision and its PDF never change, whoever tries: the guard below refuses
any change or deletion at flush time, and any ORM ``update()`` or ``delete()`` on them,
as published document versions and frozen snapshots are protected.
"""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.consultations.models import Consultation, DocumentVersion
from consult.db import utcnow
from consult.extensions import Model
from consult.summaries.models import SummarySnapshot


class NarrativeDraft(Model):
    """The summary being written: saved on the server, changed freely, never public."""

    __tablename__ = "narrative_drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(sa.ForeignKey("consultations.id"), unique=True)
    # The version whose paragraph numbers the citations (§3.2) mean.
    version_id: Mapped[int] = mapped_column(sa.ForeignKey("document_versions.id"))
    body: Mapped[str] = mapped_column(sa.Text, default="")
    # What changed since the last revision: public, required from revision 2 on.
    change_note: Mapped[str] = mapped_column(sa.Text, default="")
    # Counts the saves, so a publication publishes exactly the text that was previewed.
    edits: Mapped[int] = mapped_column(default=0)
    # The ``edits`` published last: pressing "Publish" twice publishes once.
    published_edits: Mapped[int | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    consultation: Mapped[Consultation] = relationship()
    version: Mapped[DocumentVersion] = relationship()

    def __repr__(self):
        return f"<NarrativeDraft {self.consultation_id} edit {self.edits}>"


class NarrativeRevision(Model):
    """One published revision of the summary. Never changed once stored."""

    __tablename__ = "narrative_revisions"
    __table_args__ = (
        sa.UniqueConstraint("consultation_id", "number", name="uq_narrative_revisions_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(sa.ForeignKey("consultations.id"))
    number: Mapped[int]
    version_id: Mapped[int] = mapped_column(sa.ForeignKey("document_versions.id"))
    body: Mapped[str] = mapped_column(sa.Text)
    change_note: Mapped[str | None] = mapped_column(sa.Text)  # None for revision 1
    published_at: Mapped[datetime]
    published_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    # The frozen figures it shows: those of the close current at its publication.
    factual_snapshot_id: Mapped[int | None] = mapped_column(sa.ForeignKey("summary_snapshots.id"))
    addendum_snapshot_id: Mapped[int | None] = mapped_column(sa.ForeignKey("summary_snapshots.id"))
    # What the leak check found at publication, and the privacy officer's override:
    # seen by coordinators only (the audit log holds ids, so the reason lives here).
    leak_findings: Mapped[int] = mapped_column(default=0)
    leak_override_reason: Mapped[str | None] = mapped_column(sa.Text)
    leak_overridden_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    consultation: Mapped[Consultation] = relationship()
    version: Mapped[DocumentVersion] = relationship()
    factual_snapshot: Mapped[SummarySnapshot | None] = relationship(
        foreign_keys=[factual_snapshot_id]
    )
    addendum_snapshot: Mapped[SummarySnapshot | None] = relationship(
        foreign_keys=[addendum_snapshot_id]
    )
    pdf: Mapped["NarrativePdf | None"] = relationship(back_populates="revision")

    def __repr__(self):
        return f"<NarrativeRevision {self.consultation_id} #{self.number}>"


class NarrativePdf(Model):
    """The PDF of a revision, rendered once at publication: its bytes and their SHA-256.

    Stored in the database rather than the instance folder: it is written in the same
    transaction as its revision (never a revision without its PDF, nor a file without
    its revision), every app server reads it (they share no disk), and the database's
    backups carry it. A PDF is some tens of kilobytes.
    """

    __tablename__ = "narrative_pdfs"

    revision_id: Mapped[int] = mapped_column(
        sa.ForeignKey("narrative_revisions.id"), primary_key=True
    )
    # Deferred: read only by the download, never by a page listing revisions.
    content: Mapped[bytes] = mapped_column(sa.LargeBinary, deferred=True)
    sha256: Mapped[str] = mapped_column(sa.String(64))
    size: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    revision: Mapped[NarrativeRevision] = relationship(back_populates="pdf")

    def __repr__(self):
        return f"<NarrativePdf {self.revision_id} {self.sha256[:12]}>"


class RevisionImmutable(RuntimeError):
    """A programming error: a published revision of the summary, or its PDF, is never
    rewritten or deleted."""


_IMMUTABLE = (NarrativeRevision, NarrativePdf)


@sa.event.listens_for(sa.orm.Session, "before_flush")
def _revisions_never_change(session, _context, _instances):
    """Refuse any change to, or deletion of, a stored revision or PDF, whoever makes it."""
    for obj in session.deleted:
        if isinstance(obj, _IMMUTABLE):
            raise RevisionImmutable(obj)
    for obj in session.dirty:
        # A collection changing on the other side (the PDF attached) is not a change.
        if isinstance(obj, _IMMUTABLE) and session.is_modified(obj, include_collections=False):
            raise RevisionImmutable(obj)


@sa.event.listens_for(sa.orm.Session, "do_orm_execute")
def _no_bulk_changes(state):
    """Nor through an ORM ``update()`` or ``delete()`` statement."""
    if (state.is_update or state.is_delete) and any(
        mapper.class_ in _IMMUTABLE for mapper in state.all_mappers
    ):
        raise RevisionImmutable(state.statement)
