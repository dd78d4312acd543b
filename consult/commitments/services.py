"""Recording commitments, confirming representatives' proposals, and changing status
with evidence. Services take the actor explicitly, flush, and write their audit entry."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from urllib.parse import urlparse

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from consult.accounts.models import Organisation, company_slug
from consult.audit.services import record
from consult.commitments.models import (
    Commitment,
    CommitmentEvent,
    CommitmentStatus,
    SourceKind,
    commitment_paragraphs,
)
from consult.consultations import versions
from consult.consultations.models import Consultation, Paragraph
from consult.consultations.schedule import start_of_local_day
from consult.db import required, utcnow
from consult.errors import DomainError, NotAllowed
from consult.extensions import db
from consult.permissions import VISITOR, is_company_rep
from consult.policy.commitments import (
    can_decide_commitments,
    can_record_commitment,
    visible_proposals_clause,
)
from consult.policy.consultations import visible_consultations_clause
from consult.policy.responses import can_read_response
from consult.responses.models import Response
from consult.text import render_markdown

MAX_TEXT = 5000


def is_http_url(url: str | None) -> bool:
    parsed = urlparse((url or "").strip())
    return parsed.scheme in ("http", "https") and bool(parsed.netloc)


@dataclass
class CommitmentDraft:
    text: str
    due_on: date
    source_kind: SourceKind
    company: Organisation | None = None  # None: the whole group
    source_response: Response | None = None
    source_url: str | None = None
    paragraph_numbers: list[str] = field(default_factory=list)
    public_wording: str | None = None


def _stable_keys(consultation: Consultation, numbers: list[str]) -> list[str]:
    """The stable keys of paragraph numbers in the current version."""
    if not numbers:
        return []
    version = versions.latest_published_version(consultation)
    found = dict(
        db.session.execute(
            sa.select(Paragraph.number, Paragraph.stable_key).where(
                Paragraph.version_id == (version.id if version else 0),
                Paragraph.number.in_(numbers),
            )
        )
        .tuples()
        .all()
    )
    missing = [n for n in numbers if n not in found]
    if missing:
        raise DomainError(
            _l("No paragraph has the number %(n)s in the current draft.", n=", ".join(missing))
        )
    return [found[n] for n in numbers]


def _check_source(draft: CommitmentDraft, consultation: Consultation, actor) -> bool:
    """Validate the source; True when it is public."""
    if draft.source_kind == SourceKind.ANSWER:
        response = draft.source_response
        if response is None or response.request.consultation_id != consultation.id:
            raise DomainError(_l("Give the reference of a company response in this consultation."))
        if is_company_rep(actor) and response.company_id != actor.organisation_id:
            raise NotAllowed(
                _l("A representative proposes commitments from the company's own responses.")
            )
        return can_read_response(VISITOR, response.request)
    if not is_http_url(draft.source_url):
        raise DomainError(_l("Give the source's address, starting with https:// or http://."))
    return True


def _wording(text):
    text = (text or "").strip()
    return (text, str(render_markdown(text))) if text else (None, None)


def record_commitment(
    consultation: Consultation, draft: CommitmentDraft, *, actor, now: datetime | None = None
) -> Commitment:
    """A coordinator records a commitment (public at once); a company representative
    proposes one for the company, which a coordinator confirms."""
    now = now or utcnow()
    coordinator = can_decide_commitments(actor)
    if not coordinator:
        if not can_record_commitment(actor):
            raise NotAllowed(
                _l("Only coordinators and company representatives record commitments.")
            )
        if draft.company is None or draft.company.id != actor.organisation_id:
            raise NotAllowed(_l("A representative proposes commitments for the company only."))
    if not draft.text.strip() or len(draft.text) > MAX_TEXT:
        raise DomainError(
            _l("Write what was committed to (at most %(n)s characters).", n=f"{MAX_TEXT:,}")
        )
    if draft.company is not None and draft.company not in consultation.companies:
        raise DomainError(_l("Choose a responding company of this consultation, or the group."))
    source_public = _check_source(draft, consultation, actor)
    wording, wording_html = _wording(draft.public_wording if coordinator else None)
    if coordinator and not source_public and not wording:
        raise DomainError(
            _l("The source is not public: write the public wording of the commitment.")
        )
    commitment = Commitment(
        consultation_id=consultation.id,
        company=draft.company,
        text=draft.text.strip(),
        text_html=str(render_markdown(draft.text.strip())),
        public_wording=wording,
        public_wording_html=wording_html,
        source_public=source_public,
        due_on=draft.due_on,
        overdue_at=start_of_local_day(draft.due_on + timedelta(days=1), consultation.timezone),
        source_kind=draft.source_kind,
        source_response=draft.source_response if draft.source_kind == SourceKind.ANSWER else None,
        # Checked by _check_source: every other kind of source has an address.
        source_url=(
            required(draft.source_url).strip() if draft.source_kind != SourceKind.ANSWER else None
        ),
        status=CommitmentStatus.OPEN,
        created_by_id=actor.id,
        created_at=now,
    )
    db.session.add(commitment)
    db.session.flush()
    keys = _stable_keys(consultation, draft.paragraph_numbers)
    if keys:
        db.session.execute(
            sa.insert(commitment_paragraphs),
            [{"commitment_id": commitment.id, "stable_key": k} for k in keys],
        )
    record(
        actor,
        "commitment.proposed" if not coordinator else "commitment.recorded",
        commitment,
        now=now,
    )
    if coordinator:
        _confirm(commitment, actor, now)
    return commitment


def _confirm(commitment: Commitment, coordinator, now):
    commitment.confirmed_at = now
    commitment.confirmed_by_id = coordinator.id
    db.session.add(
        CommitmentEvent(
            commitment=commitment,
            status=CommitmentStatus.OPEN,
            note="",
            note_html="",
            actor_id=coordinator.id,
            created_at=now,
        )
    )
    db.session.flush()


def confirm_proposal(
    commitment: Commitment,
    *,
    coordinator,
    public_wording: str | None = None,
    now: datetime | None = None,
):
    """Make a representative's proposal a public commitment."""
    now = now or utcnow()
    if not can_decide_commitments(coordinator):
        raise NotAllowed(_l("Only coordinators confirm commitments."))
    if commitment.is_confirmed or commitment.rejected_at is not None:
        raise DomainError(_l("This proposal is already decided."))
    wording, wording_html = _wording(public_wording)
    if not commitment.source_public and not wording:
        raise DomainError(
            _l("The source is not public: write the public wording of the commitment.")
        )
    if wording:
        commitment.public_wording, commitment.public_wording_html = wording, wording_html
    _confirm(commitment, coordinator, now)
    record(coordinator, "commitment.confirmed", commitment, now=now)


def reject_proposal(commitment: Commitment, *, coordinator, now: datetime | None = None):
    """Decline a representative's proposal; it never becomes public."""
    now = now or utcnow()
    if not can_decide_commitments(coordinator):
        raise NotAllowed(_l("Only coordinators decide on proposals."))
    if commitment.is_confirmed or commitment.rejected_at is not None:
        raise DomainError(_l("This proposal is already decided."))
    commitment.rejected_at = now
    db.session.flush()
    record(coordinator, "commitment.rejected", commitment, now=now)


def change_status(
    commitment: Commitment,
    *,
    coordinator,
    status: CommitmentStatus,
    note: str,
    evidence_url: str,
    successor: Commitment | None = None,
    now: datetime | None = None,
) -> CommitmentEvent:
    """Every change of status needs evidence: a note with a link. The history only grows."""
    now = now or utcnow()
    if not can_decide_commitments(coordinator):
        raise NotAllowed(_l("Only coordinators change the status of commitments."))
    if not commitment.is_confirmed:
        raise DomainError(_l("Confirm the proposal first."))
    if status == commitment.status:
        raise DomainError(_l("The commitment already has this status."))
    if not (note or "").strip() or len(note) > MAX_TEXT:
        raise DomainError(_l("Explain the change: the note is the public evidence."))
    if not is_http_url(evidence_url):
        raise DomainError(_l("Link to the evidence, starting with https:// or http://."))
    if status == CommitmentStatus.SUPERSEDED:
        if (
            successor is None
            or successor.id == commitment.id
            or not successor.is_confirmed
            or successor.consultation_id != commitment.consultation_id
        ):
            raise DomainError(_l("Give the reference of the commitment that replaces this one."))
    else:
        successor = None
    event = CommitmentEvent(
        commitment=commitment,
        status=status,
        note=note.strip(),
        note_html=str(render_markdown(note.strip())),
        evidence_url=evidence_url.strip(),
        successor=successor,
        actor_id=coordinator.id,
        created_at=now,
    )
    db.session.add(event)
    commitment.status = status
    commitment.superseded_by = successor
    db.session.flush()
    record(
        coordinator,
        "commitment.status_changed",
        commitment,
        now=now,
        status=status.value,
        successor_id=successor.id if successor else None,
    )
    return event


# --- reading ------------------------------------------------------------------------------


def responding_company(slug: str) -> Organisation | None:
    """The responding company of a public consultation whose name reads as ``slug``."""
    public = db.session.scalars(sa.select(Consultation).where(visible_consultations_clause(None)))
    companies = {c.id: c for consultation in public for c in consultation.companies}
    return next((c for c in companies.values() if company_slug(c.name) == slug), None)


def public_commitments(
    *, consultation: Consultation | None = None, company: Organisation | None = None
) -> list[Commitment]:
    """Confirmed commitments of a public consultation, soonest due first."""
    query = (
        sa.select(Commitment)
        .join(Consultation, Consultation.id == Commitment.consultation_id)
        .where(Commitment.confirmed_at.is_not(None), visible_consultations_clause(None))
    )
    if consultation is not None:
        query = query.where(Commitment.consultation_id == consultation.id)
    if company is not None:
        query = query.where(Commitment.company_id == company.id)
    return list(db.session.scalars(query.order_by(Commitment.due_on, Commitment.id)).all())


def pending_proposals(consultation: Consultation, viewer) -> list[Commitment]:
    """Proposals waiting for a coordinator: all of them for coordinators, the company's
    own for its representatives, none for anyone else."""
    query = sa.select(Commitment).where(
        Commitment.consultation_id == consultation.id,
        Commitment.confirmed_at.is_(None),
        Commitment.rejected_at.is_(None),
        visible_proposals_clause(viewer),
    )
    return list(db.session.scalars(query.order_by(Commitment.created_at)).all())


def related_paragraphs(commitments: list[Commitment]) -> dict[int, list[tuple[str, str]]]:
    """Per commitment id: (stable key, number in the latest published version it has)."""
    if not commitments:
        return {}
    rows = db.session.execute(
        sa.select(
            commitment_paragraphs.c.commitment_id,
            commitment_paragraphs.c.stable_key,
            sa.func.max(Paragraph.number),
        )
        .outerjoin(Paragraph, Paragraph.stable_key == commitment_paragraphs.c.stable_key)
        .where(commitment_paragraphs.c.commitment_id.in_([c.id for c in commitments]))
        .group_by(commitment_paragraphs.c.commitment_id, commitment_paragraphs.c.stable_key)
    ).all()
    found: dict[int, list[tuple[str, str]]] = {}
    for commitment_id, key, number in rows:
        found.setdefault(commitment_id, []).append((key, number or key))
    return found
