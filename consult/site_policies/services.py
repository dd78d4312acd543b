"""Reading, drafting and publishing versions of the policies page.

Services take the coordinator explicitly, flush rather than commit, and write their own
audit entry (ids and numbers only). A draft is saved against the revision the editor
started from: when another coordinator saved or published it in between, the save is
refused (``PolicyConflict``) and the view shows the form again with the text kept.
"""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy import exc as sa_exc
from sqlalchemy.orm import exc as orm_exc

from consult.audit.services import record
from consult.db import utcnow
from consult.errors import DomainError, NotAllowed
from consult.extensions import db
from consult.policy.site_policies import can_edit_site_policies
from consult.site_policies.models import PolicyVersion
from consult.site_policies.sections import MAX_NOTE, MAX_SECTION, SECTION_KEYS, standard_sections
from consult.site_policies.settings import live_figures


class PolicyConflict(DomainError):
    """Someone else saved or published the draft since this editor loaded it."""

    status_code = 409


class ChangeNoteMissing(DomainError):
    """A version is published with a note saying what changed."""


# --- reading ---------------------------------------------------------------------------


def current_version() -> PolicyVersion | None:
    """The latest published version, or None before the first is published."""
    return db.session.scalar(
        sa.select(PolicyVersion)
        .where(PolicyVersion.published_at.is_not(None))
        .order_by(PolicyVersion.number.desc())
        .limit(1)
    )


def published_versions() -> list[PolicyVersion]:
    """Every published version, newest first."""
    return list(
        db.session.scalars(
            sa.select(PolicyVersion)
            .where(PolicyVersion.published_at.is_not(None))
            .order_by(PolicyVersion.number.desc())
        )
    )


def version_numbered(number: int) -> PolicyVersion | None:
    return db.session.scalar(sa.select(PolicyVersion).where(PolicyVersion.number == number))


def version_by_id(version_id: int | None) -> PolicyVersion | None:
    return db.session.get(PolicyVersion, version_id) if version_id is not None else None


def current_draft() -> PolicyVersion | None:
    """The version being prepared, if any (there is at most one)."""
    return db.session.scalar(
        sa.select(PolicyVersion)
        .where(PolicyVersion.published_at.is_(None))
        .order_by(PolicyVersion.number.desc())
        .limit(1)
    )


def starting_text() -> dict[str, str]:
    """What a new draft starts from: the current version's prose, or the standard text."""
    current = current_version()
    if current is None:
        return standard_sections()
    return {key: current.sections.get(key, "") for key in SECTION_KEYS}


# --- what a commenter acknowledged ---------------------------------------------------------


def version_token(version: PolicyVersion | None) -> str:
    """What the comment form carries to say which version it showed ("" for none)."""
    return str(version.number) if version is not None else ""


@dataclass(frozen=True)
class Acknowledgement:
    version: PolicyVersion | None  # the version now in force, which the person confirms
    changed: bool  # a different version came into force after the form was shown


def acknowledgement(shown: str | None) -> Acknowledgement:
    """The version a person acknowledges by submitting a form that showed ``shown``."""
    current = current_version()
    return Acknowledgement(current, (shown or "") != version_token(current))


# --- drafting and publishing ---------------------------------------------------------------


def _check_text(sections: dict[str, str], change_note: str):
    for key in SECTION_KEYS:
        if len(sections.get(key) or "") > MAX_SECTION:
            raise DomainError(_l("Keep each section under %(n)s characters.", n=f"{MAX_SECTION:,}"))
    if len(change_note or "") > MAX_NOTE:
        raise DomainError(_l("Keep the note under %(n)s characters.", n=f"{MAX_NOTE:,}"))


def save_draft(
    *,
    sections: dict[str, str],
    change_note: str,
    editing_revision: int | None,
    based_on: int | None,
    coordinator,
    now: datetime | None = None,
) -> PolicyVersion:
    """Save the draft of the next version, starting one if there is none.

    ``editing_revision`` is the draft's revision the editor loaded, or None when no draft
    existed then; ``based_on`` the number of the version in force then. Anything saved or
    published in between is a conflict, never overwritten.
    """
    now = now or utcnow()
    draft, started = _write_draft(
        sections, change_note, editing_revision, based_on, coordinator, now
    )
    action = "site_policies.draft_started" if started else "site_policies.draft_saved"
    record(coordinator, action, draft, now=now, number=draft.number)
    return draft


def publish_draft(
    *,
    sections: dict[str, str],
    change_note: str,
    editing_revision: int | None,
    based_on: int | None,
    coordinator,
    now: datetime | None = None,
) -> PolicyVersion:
    """Save the draft as given and publish it, recording the figures that apply now.

    Final: the version never changes afterwards, and supersedes the one before.
    """
    if not (change_note or "").strip():
        raise ChangeNoteMissing(_l("Say what changed in this version before publishing it."))
    now = now or utcnow()
    draft, _started = _write_draft(
        sections, change_note, editing_revision, based_on, coordinator, now
    )
    draft.figures = live_figures(record=True)
    draft.published_at = now
    draft.published_by_id = coordinator.id
    _flush_or_conflict()
    record(coordinator, "site_policies.published", draft, now=now, number=draft.number)
    return draft


def _write_draft(
    sections: dict[str, str],
    change_note: str,
    editing_revision: int | None,
    based_on: int | None,
    coordinator,
    now: datetime,
) -> tuple[PolicyVersion, bool]:
    """The draft with this text, and whether it was started now."""
    if not can_edit_site_policies(coordinator):
        raise NotAllowed(_l("Only coordinators edit the policies."))
    _check_text(sections, change_note)
    current = current_version()
    if (current.number if current else None) != based_on:
        raise PolicyConflict(
            _l(
                "A new version of the policies was published while you were editing. Your "
                "text is kept below: compare it with the new version before saving again."
            )
        )
    draft = current_draft()
    if draft is None and editing_revision is not None:
        raise PolicyConflict(
            _l("The draft you were editing has been published meanwhile. Your text is kept.")
        )
    if draft is not None and draft.revision != editing_revision:
        raise PolicyConflict(
            _l(
                "Another coordinator saved the draft while you were editing it. Your text is "
                "kept below; saving again replaces theirs."
            )
        )
    text = {key: (sections.get(key) or "").strip() for key in SECTION_KEYS}
    note = (change_note or "").strip()
    if draft is not None:
        draft.sections = text
        draft.change_note = note
        draft.updated_at = now
        draft.updated_by_id = coordinator.id
        _flush_or_conflict()
        return draft, False
    latest = db.session.scalar(sa.select(sa.func.max(PolicyVersion.number))) or 0
    draft = PolicyVersion(
        number=latest + 1,
        sections=text,
        change_note=note,
        created_at=now,
        created_by_id=coordinator.id,
        updated_at=now,
        updated_by_id=coordinator.id,
    )
    try:
        with db.session.begin_nested():  # two coordinators starting a draft at once
            db.session.add(draft)
    except sa_exc.IntegrityError:
        raise PolicyConflict(
            _l("Another coordinator started a draft at the same moment. Your text is kept.")
        ) from None
    return draft, True


def _flush_or_conflict():
    try:
        db.session.flush()
    except orm_exc.StaleDataError:
        # Saved or published by someone else between our read and our write.
        raise PolicyConflict(
            _l("Another coordinator changed the draft at the same moment. Your text is kept.")
        ) from None
