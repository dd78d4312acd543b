"""A disposition records what was done with a comment (or a formed campaign, as one)
after the comment period, and why.

Rows are only ever added: a coordinator who changes a disposition records a new one,
which supersedes the earlier (the latest row is the current disposition), so what was
published stays readable and is never rewritten.
"""

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.comments.models import Campaign, Comment
from consult.consultations.models import DocumentVersion
from consult.db import enum_column, utcnow
from consult.extensions import Model


class Outcome(enum.StrEnum):
    INCORPORATED = "incorporated"
    PARTLY_INCORPORATED = "partly_incorporated"
    NOT_INCORPORATED = "not_incorporated"
    OUT_OF_SCOPE = "out_of_scope"
    NO_CHANGE_NEEDED = "no_change_needed"

    @property
    def label(self):
        return OUTCOME_LABELS[self]

    @property
    def needs_reason(self) -> bool:
        """The last three must say why, publicly."""
        return self in REASON_REQUIRED


OUTCOME_LABELS = {
    Outcome.INCORPORATED: _l("Incorporated"),
    Outcome.PARTLY_INCORPORATED: _l("Partly incorporated"),
    Outcome.NOT_INCORPORATED: _l("Not incorporated"),
    Outcome.OUT_OF_SCOPE: _l("Out of scope"),
    Outcome.NO_CHANGE_NEEDED: _l("No change needed"),
}
REASON_REQUIRED = frozenset(
    {Outcome.NOT_INCORPORATED, Outcome.OUT_OF_SCOPE, Outcome.NO_CHANGE_NEEDED}
)


class Disposition(Model):
    __tablename__ = "dispositions"
    __table_args__ = (
        # Exactly one subject: a comment, or a formed campaign as a whole.
        sa.CheckConstraint("(comment_id IS NULL) <> (campaign_id IS NULL)", name="one_subject"),
        # One submission (a form sent twice, or by a double click) records each subject
        # once; see consult/dispositions/services.py.
        sa.Index(
            "uq_dispositions_comment_submission",
            "recorded_by_id",
            "submission_key",
            "comment_id",
            unique=True,
        ),
        sa.Index(
            "uq_dispositions_campaign_submission",
            "recorded_by_id",
            "submission_key",
            "campaign_id",
            unique=True,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(sa.ForeignKey("consultations.id"), index=True)
    comment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("comments.id"), index=True)
    campaign_id: Mapped[int | None] = mapped_column(sa.ForeignKey("campaigns.id"), index=True)
    outcome: Mapped[Outcome] = mapped_column(enum_column(Outcome))
    reason: Mapped[str | None] = mapped_column(sa.Text)  # public
    reason_html: Mapped[str | None] = mapped_column(sa.Text)
    # Where the text went: the paragraph with the same stable key in a later version, or
    # the note that the paragraph was removed in that version.
    later_version_id: Mapped[int | None] = mapped_column(sa.ForeignKey("document_versions.id"))
    later_stable_key: Mapped[str | None] = mapped_column(sa.String(16))
    paragraph_removed: Mapped[bool] = mapped_column(default=False)
    recorded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    submission_key: Mapped[str] = mapped_column(sa.String(64))

    comment: Mapped[Comment | None] = relationship()
    campaign: Mapped[Campaign | None] = relationship()
    later_version: Mapped[DocumentVersion | None] = relationship()


class DispositionImmutable(RuntimeError):
    """A programming error: a recorded disposition is never changed or deleted."""


@sa.event.listens_for(sa.orm.Session, "before_flush")
def _dispositions_are_only_added(session, _context, _instances):
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, Disposition) and (
            obj in session.deleted or session.is_modified(obj, include_collections=False)
        ):
            raise DispositionImmutable(obj)
