"""Writing and publishing the narrative summary, and when it is due.

Coordinators save the draft on the server (``save_draft``), preview it as a visitor
sees it with the leak check's findings, and publish it (``publish_revision``): the
draft becomes the next revision, never changed afterwards, with its PDF rendered in the
same transaction. Revision 2 and later carry a public note of what changed. A
publication the leak check stops goes through only for a privacy officer, with a
reason; the reason stays on the revision (coordinators only) and the override is in the
audit log. Every action is audited, with ids only.

The summary is due on the consultation's ``summary_due_on`` (by default 12 weeks after
the close), a local date; from the next local midnight, with no revision published, it
is overdue by the number of days since.
"""

import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy import exc as sa_exc

from consult.audit.services import record
from consult.consultations.models import Consultation, DocumentVersion
from consult.consultations.versions import latest_published_version, published_versions
from consult.errors import DomainError, NotAllowed
from consult.extensions import db
from consult.policy.summaries import can_override_leak_check
from consult.summaries import narrative_pages
from consult.summaries.leaks import Finding, check_summary
from consult.summaries.models import SnapshotKind
from consult.summaries.narrative_models import NarrativeDraft, NarrativePdf, NarrativeRevision
from consult.summaries.services import find_snapshot
from consult.tracking import milestones
from consult.tracking.models import Milestone, Update, UpdateKind

BODY_MAX = 60_000
NOTE_MAX = 5_000
REASON_MAX = 2_000


class PublicationRefused(DomainError):
    """The draft cannot be published as it is (empty, changed since the preview, ...)."""


class LeakCheckFailed(DomainError):
    """The leak check found what the summary may not publish; ``findings`` says what."""

    def __init__(self, findings: list[Finding]):
        super().__init__(
            _l("The leak check stopped the publication: change the text, or ask a privacy officer.")
        )
        self.findings = findings


# --- reading -------------------------------------------------------------------------------


def draft_of(consultation: Consultation) -> NarrativeDraft | None:
    return db.session.scalar(
        sa.select(NarrativeDraft).where(NarrativeDraft.consultation_id == consultation.id)
    )


def revisions_of(consultation: Consultation) -> list[NarrativeRevision]:
    """Every published revision, the first first."""
    return list(
        db.session.scalars(
            sa.select(NarrativeRevision)
            .where(NarrativeRevision.consultation_id == consultation.id)
            .order_by(NarrativeRevision.number)
        )
    )


def pdf_of(revision: NarrativeRevision) -> NarrativePdf | None:
    return db.session.get(NarrativePdf, revision.id)


def version_choices(consultation: Consultation) -> list[DocumentVersion]:
    """The versions a summary may cite: the published ones."""
    return published_versions(consultation)


def latest_delay_notice(consultation: Consultation) -> Update | None:
    return db.session.scalar(
        sa.select(Update)
        .where(Update.consultation_id == consultation.id, Update.kind == UpdateKind.DELAY)
        .order_by(Update.posted_at.desc(), Update.id.desc())
        .limit(1)
    )


@dataclass(frozen=True)
class DueStatus:
    """When the narrative summary is due, and whether it is late."""

    due_on: date | None
    published: bool
    overdue_days: int = 0  # 0: not overdue
    delay_notice: Update | None = None


def is_published(consultation: Consultation) -> bool:
    return bool(
        db.session.scalar(
            sa.select(sa.exists().where(NarrativeRevision.consultation_id == consultation.id))
        )
    )


def due_status(
    consultation: Consultation, now: datetime, *, published: bool | None = None
) -> DueStatus:
    """Overdue from the local midnight after ``summary_due_on`` while nothing is
    published; then it names the latest delay notice, if any."""
    if published is None:
        published = is_published(consultation)
    due_on = consultation.summary_due_on
    if due_on is None or published or not consultation.is_public:
        return DueStatus(due_on, published)
    today = now.astimezone(ZoneInfo(consultation.timezone)).date()
    if today <= due_on:
        return DueStatus(due_on, published)
    return DueStatus(due_on, published, (today - due_on).days, latest_delay_notice(consultation))


# --- writing -------------------------------------------------------------------------------


def save_draft(
    consultation: Consultation,
    *,
    version: DocumentVersion,
    body: str,
    change_note: str,
    actor,
    now: datetime,
) -> NarrativeDraft:
    """Save the coordinators' draft (created at the first save)."""
    if version.consultation_id != consultation.id or not version.is_published:
        raise PublicationRefused(_l("Choose a published version of this consultation."))
    draft = draft_of(consultation)
    if draft is None:
        draft = NarrativeDraft(consultation_id=consultation.id, edits=0)
        db.session.add(draft)
    draft.version_id = version.id
    draft.body = body
    draft.change_note = change_note
    draft.edits += 1
    draft.updated_at = now
    draft.updated_by_id = actor.id
    db.session.flush()
    record(actor, "summary.draft_saved", draft, now=now, edits=draft.edits, version_id=version.id)
    return draft


def new_draft_version(consultation: Consultation) -> DocumentVersion | None:
    """The version a new draft cites by default: the latest published one."""
    return latest_published_version(consultation)


def leak_findings(consultation: Consultation, draft: NarrativeDraft) -> list[Finding]:
    return check_summary(consultation, [draft.body, draft.change_note])


@dataclass(frozen=True)
class Published:
    revision: NarrativeRevision
    created: bool  # False: that edit was published already (a second press)


def _problems(draft: NarrativeDraft, number: int) -> str | None:
    if not draft.body.strip():
        return str(_l("Write the summary before publishing it."))
    if number > 1 and not draft.change_note.strip():
        return str(_l("Say what changed since the last revision: the note is published with it."))
    return None


def publish_revision(
    consultation: Consultation,
    *,
    edits: int,
    actor,
    now: datetime,
    override_reason: str | None,
) -> Published:
    """Publish the draft, as saved at ``edits``, as the next revision with its PDF.

    Raises ``PublicationRefused``, ``LeakCheckFailed``, or ``NotAllowed`` when someone
    other than a privacy officer tries to override the leak check.
    """
    draft = draft_of(consultation)
    if draft is None or draft.edits != edits:
        raise PublicationRefused(
            _l("The draft changed since this preview: check the new text, then publish it.")
        )
    revisions = revisions_of(consultation)
    if draft.published_edits == edits and revisions:
        return Published(revisions[-1], created=False)
    number = len(revisions) + 1
    problem = _problems(draft, number)
    if problem:
        raise PublicationRefused(problem)
    findings = leak_findings(consultation, draft)
    reason = (override_reason or "").strip() or None
    if findings and reason is None:
        raise LeakCheckFailed(findings)
    if findings and not can_override_leak_check(actor):
        raise NotAllowed(_l("Only a privacy officer may publish over the leak check."))
    closes_at = consultation.closes_at
    revision = NarrativeRevision(
        consultation_id=consultation.id,
        number=number,
        version_id=draft.version_id,
        body=draft.body,
        change_note=draft.change_note.strip() if number > 1 else None,
        published_at=now,
        published_by_id=actor.id,
        leak_findings=len(findings),
        leak_override_reason=reason if findings else None,
        leak_overridden_by_id=actor.id if findings else None,
    )
    if closes_at is not None:
        for kind, attribute in (
            (SnapshotKind.FACTUAL, "factual_snapshot"),
            (SnapshotKind.RESPONSES, "addendum_snapshot"),
        ):
            snapshot = find_snapshot(consultation.id, kind, closes_at)
            if snapshot is not None and snapshot.as_of <= now:
                setattr(revision, f"{attribute}_id", snapshot.id)
    content = narrative_pages.revision_pdf(consultation, revision)
    try:
        with db.session.begin_nested():
            db.session.add(revision)
    except sa_exc.IntegrityError as exc:  # another coordinator published that number
        raise PublicationRefused(
            _l("Another revision was published a moment ago: check it, then publish again.")
        ) from exc
    db.session.add(
        NarrativePdf(
            revision_id=revision.id,
            content=content,
            sha256=hashlib.sha256(content).hexdigest(),
            size=len(content),
            created_at=now,
        )
    )
    draft.published_edits = edits
    draft.change_note = ""
    db.session.flush()
    if number == 1:
        # The "narrative summary due" milestone is reached: it no longer shows as slipped.
        milestones.mark_reached(consultation, Milestone.SUMMARY_DUE, now=now)
    record(
        actor,
        "summary.revision_published",
        revision,
        now=now,
        number=number,
        version_id=revision.version_id,
        draft_edits=edits,
    )
    if findings:
        record(actor, "summary.leak_check_overridden", revision, now=now, findings=len(findings))
    return Published(revision, created=True)
