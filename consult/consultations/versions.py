"""Document versions: importing a draft, correcting its matching, publishing, reading.

An import becomes the consultation's one unpublished version, numbered after the
latest published one and matched against it; publishing freezes it for good.
"""

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from consult.audit.services import record
from consult.consultations import diffing, events
from consult.consultations.importer import ImportProblem, parse_draft
from consult.consultations.models import Consultation, DocumentVersion, Paragraph
from consult.db import random_reference, utcnow
from consult.errors import DomainError
from consult.extensions import db
from consult.policy.consultations import can_view_version
from consult.text import render_markdown


class ImportRefused(DomainError):
    """The Markdown cannot become a draft (empty, not text, too large, no paragraphs)."""


# --- reading -------------------------------------------------------------------------------


def published_versions(consultation: Consultation) -> list[DocumentVersion]:
    return list(
        db.session.scalars(
            sa.select(DocumentVersion)
            .where(
                DocumentVersion.consultation_id == consultation.id,
                DocumentVersion.published_at.is_not(None),
            )
            .order_by(DocumentVersion.number)
        ).all()
    )


def latest_published_version(consultation: Consultation) -> DocumentVersion | None:
    return db.session.scalar(
        sa.select(DocumentVersion)
        .where(
            DocumentVersion.consultation_id == consultation.id,
            DocumentVersion.published_at.is_not(None),
        )
        .order_by(DocumentVersion.number.desc())
        .limit(1)
    )


def pending_version(consultation: Consultation) -> DocumentVersion | None:
    """The imported, not yet published version, if any (there is at most one)."""
    return db.session.scalar(
        sa.select(DocumentVersion).where(
            DocumentVersion.consultation_id == consultation.id,
            DocumentVersion.published_at.is_(None),
        )
    )


def version_by_number(consultation: Consultation, number: int) -> DocumentVersion | None:
    return db.session.scalar(
        sa.select(DocumentVersion).where(
            DocumentVersion.consultation_id == consultation.id, DocumentVersion.number == number
        )
    )


def paragraphs_of(version: DocumentVersion) -> list[Paragraph]:
    """A version's paragraphs in reading order, in one query."""
    return list(
        db.session.scalars(
            sa.select(Paragraph)
            .where(Paragraph.version_id == version.id)
            .order_by(Paragraph.position)
        ).all()
    )


def resolve_permalink(consultation: Consultation, key: str, viewer) -> Paragraph | None:
    """The paragraph with this stable key in the latest version the viewer may read that
    has it: the current draft where it still exists, else the last version it had."""
    candidates = db.session.execute(
        sa.select(Paragraph, DocumentVersion)
        .join(DocumentVersion, Paragraph.version_id == DocumentVersion.id)
        .where(
            DocumentVersion.consultation_id == consultation.id,
            Paragraph.stable_key == key,
            DocumentVersion.published_at.is_not(None),
        )
        .order_by(DocumentVersion.number.desc())
    ).all()
    for paragraph, version in candidates:
        if can_view_version(viewer, version):
            return paragraph
    return None


# --- importing -----------------------------------------------------------------------------


def import_draft(
    consultation: Consultation, text: str, *, actor, source_name: str, now: datetime | None = None
) -> DocumentVersion:
    """Import Markdown as the consultation's next, unpublished version, matched against
    the latest published one. Replaces any earlier unpublished import."""
    now = now or utcnow()
    try:
        blocks = parse_draft(text)
    except ImportProblem as problem:
        raise ImportRefused(problem.message) from problem
    previous = pending_version(consultation)
    if previous is not None:
        db.session.delete(previous)
        db.session.flush()
    base = latest_published_version(consultation)
    version = DocumentVersion(
        consultation=consultation,
        number=(base.number + 1) if base else 1,
        base_version=base,
        source=text,
        source_name=source_name[:200],
        imported_at=now,
        imported_by_id=actor.id if actor else None,
    )
    db.session.add(version)
    base_paragraphs = paragraphs_of(base) if base else []
    matches = diffing.match_paragraphs(
        [diffing.Item(p.text, p.is_heading) for p in base_paragraphs],
        [diffing.Item(b.text, b.is_heading) for b in blocks],
    )
    keys = _KeyMaker(consultation)
    for position, (block, match) in enumerate(zip(blocks, matches, strict=True)):
        before = base_paragraphs[match.old] if match.old is not None else None
        version.paragraphs.append(
            Paragraph(
                position=position,
                number=block.number,
                kind=block.kind,
                level=block.level,
                source=block.source,
                html=str(render_markdown(block.source)),
                stable_key=before.stable_key if before else keys.new(),
                previous_id=before.id if before else None,
                change=match.change,
            )
        )
    db.session.flush()
    record(
        actor,
        "version.imported",
        version,
        now=now,
        consultation_id=consultation.id,
        number=version.number,
        paragraphs=len(blocks),
    )
    return version


class _KeyMaker:
    """New stable keys, unique among every key the consultation has ever used."""

    def __init__(self, consultation):
        self.used = set(
            db.session.scalars(
                sa.select(Paragraph.stable_key)
                .join(DocumentVersion, Paragraph.version_id == DocumentVersion.id)
                .where(DocumentVersion.consultation_id == consultation.id)
            )
        )

    def new(self) -> str:
        while True:
            key = random_reference("P")
            if key not in self.used:
                self.used.add(key)
                return key


def correct_matches(
    version: DocumentVersion,
    previous_numbers: list[str | None],
    *,
    actor,
    now: datetime | None = None,
) -> DocumentVersion:
    """Set by hand which paragraph of the base version each paragraph continues.

    ``previous_numbers[i]`` is a paragraph number of the base version for the i-th
    paragraph, or None for a new paragraph. Each base paragraph continues at most once.
    """
    if version.is_published:
        raise DomainError(_l("A published version never changes."))
    paragraphs = paragraphs_of(version)
    if len(previous_numbers) != len(paragraphs):
        raise DomainError(
            _l("The draft changed while you were correcting it: reload the preview and try again.")
        )
    base = paragraphs_of(version.base_version) if version.base_version else []
    by_number = {p.number: p for p in base}
    wanted, problems = [], {}
    for index, number in enumerate(previous_numbers):
        number = (number or "").strip().lstrip("§") or None
        if number is not None and number not in by_number:
            problems[index] = _l(
                "There is no paragraph %(number)s in %(label)s.",
                number=number,
                label=version.base_version.label if version.base_version else "",
            )
        wanted.append(by_number.get(number) if number else None)
    seen = {}
    for index, before in enumerate(wanted):
        if before is not None and before.id in seen:
            problems[index] = _l(
                "Paragraph %(number)s is already matched to another paragraph.",
                number=before.number,
            )
        elif before is not None:
            seen[before.id] = index
    if problems:
        raise MatchProblems(problems)
    keys = _KeyMaker(version.consultation)
    base_keys = {p.stable_key for p in base}
    own_keys = {p.id: p.stable_key for p in paragraphs if p.stable_key not in base_keys}
    # Two steps: placeholders first, so swapping two matches never collides on the key.
    for paragraph in paragraphs:
        paragraph.stable_key = f"~{paragraph.position}"
    db.session.flush()
    for paragraph, before in zip(paragraphs, wanted, strict=True):
        if before is None:
            paragraph.previous_id = None
            paragraph.change = diffing.Change.NEW
            paragraph.stable_key = own_keys.get(paragraph.id) or keys.new()
        else:
            paragraph.previous_id = before.id
            paragraph.stable_key = before.stable_key
            paragraph.change = (
                diffing.Change.UNCHANGED
                if before.text == paragraph.text
                else diffing.Change.CHANGED
            )
    db.session.flush()
    record(
        actor,
        "version.matching_corrected",
        version,
        now=now,
        consultation_id=version.consultation_id,
    )
    return version


class MatchProblems(DomainError):
    """Corrections that cannot apply, by paragraph index."""

    def __init__(self, problems: dict[int, str]):
        super().__init__(_l("Some matches could not be applied."))
        self.problems = problems


def publish_version(version: DocumentVersion, *, actor, now: datetime | None = None):
    """Publish an imported version: from now on it never changes."""
    now = now or utcnow()
    if version.is_published:
        raise DomainError(_l("This version is already published."))
    latest = latest_published_version(version.consultation)
    if (latest.id if latest else None) != version.base_version_id:
        raise DomainError(
            _l("Another version was published since this one was imported. Import the draft again.")
        )
    # Both in one step: reading ``actor.id`` may reload the actor, and the autoflush of
    # that reload would otherwise find a published version being changed.
    version.published_by_id, version.published_at = (actor.id if actor else None), now
    record(
        actor,
        "version.published",
        version,
        now=now,
        consultation_id=version.consultation_id,
        number=version.number,
    )
    db.session.flush()
    events.version_published.send(version, actor=actor, now=now)


def discard_version(version: DocumentVersion, *, actor, now: datetime | None = None):
    """Throw away an unpublished import."""
    if version.is_published:
        raise DomainError(_l("A published version never changes."))
    record(
        actor,
        "version.discarded",
        version,
        now=now,
        consultation_id=version.consultation_id,
        number=version.number,
    )
    db.session.delete(version)
    db.session.flush()
