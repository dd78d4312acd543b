"""Versions of the site's policies page.

A version holds the coordinators' prose, one Markdown text per section (the sections
are listed in ``consult.site_policies.sections``), and a note saying what changed. The
figures shown beside the prose (response window, thresholds, retention, privacy
officers, the visibility levels' texts) are computed from the live settings whenever
the page is shown, and recorded in the version when it is published, so an old version
shows what applied then.

At most one version is unpublished at a time: the draft coordinators edit. Once
published, a version never changes, whoever tries (``PublishedPolicyImmutable``); the
next one supersedes it, and all stay readable at their number.
"""

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.orm.base import NO_VALUE

from consult.db import utcnow
from consult.extensions import Model


class PolicyVersion(Model):
    __tablename__ = "policy_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    # 1, 2, 3 … in the order drafts were started; the number in the version's address.
    number: Mapped[int] = mapped_column(unique=True)
    # Section key -> Markdown, rendered through consult.text when shown.
    sections: Mapped[dict[str, str]] = mapped_column(sa.JSON, default=dict)
    change_note: Mapped[str] = mapped_column(sa.Text, default="")
    # The generated figures as they stood at publication (None while a draft).
    figures: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    # Counts the saves of a draft: each UPDATE checks it (optimistic locking), so two
    # coordinators saving or publishing the same draft at once cannot overwrite each other.
    revision: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    published_at: Mapped[datetime | None] = mapped_column(index=True)
    published_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    __mapper_args__ = {"version_id_col": revision}

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    def __repr__(self):
        return f"<PolicyVersion {self.number}{'' if self.is_published else ' draft'}>"


class PublishedPolicyImmutable(RuntimeError):
    """A programming error: a published version of the policies is never rewritten."""


def _published_before_this_flush(version: PolicyVersion) -> bool:
    state = sa.inspect(version)
    if state.pending or state.transient:
        return False  # created in this flush, perhaps already published: allowed
    previous = state.committed_state.get("published_at", version.published_at)
    return previous is not None and previous is not NO_VALUE


@sa.event.listens_for(sa.orm.Session, "before_flush")
def _published_policies_never_change(session, _context, _instances):
    """Refuse any change to a published version, or its deletion, whoever makes it."""
    for obj in list(session.dirty) + list(session.deleted):
        if not isinstance(obj, PolicyVersion):
            continue
        if obj in session.dirty and not session.is_modified(obj, include_collections=False):
            continue
        if _published_before_this_flush(obj):
            raise PublishedPolicyImmutable(obj)


@sa.event.listens_for(sa.orm.Session, "do_orm_execute")
def _no_bulk_changes(state):
    """Nor through an ORM ``update()`` or ``delete()`` statement: versions change one
    at a time, through the checks above."""
    if (state.is_update or state.is_delete) and any(
        mapper.class_ is PolicyVersion for mapper in state.all_mappers
    ):
        raise PublishedPolicyImmutable(state.statement)
