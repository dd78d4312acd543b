"""Recording commitments, confirming representatives' proposals, and changing status
with evidence. Services take the actor explicitly, flush, and write their audit entry."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from urllib.parse import urlparse

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from consult.accounts.models import Organisation, User, company_slug
from consult.audit.services import record
from consult.commitments import events
from consult.commitments.models import (
    Commitment,
    CommitmentEvent,
    CommitmentStatus,
    SourceKind,
    commitment_paragraphs,
)
from consult.consultations import versions
from consult.consultations.models import Consultation, Paragraph
from consult.consultations.schedule import format_local, start_of_local_day
from consult.db import required, utcnow
from consult.errors import DomainError, NotAllowed
from consult.extensions import db
from consult.idempotency import AlreadyDone, claim, insert_once, key_or_new
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
            # Written by the confirmation, which happens once (see _decide).
            submission_key=f"confirm-{commitment.reference}",
            created_at=now,
        )
    )
    db.session.flush()


def _when(commitment: Commitment, instant: datetime) -> str:
    zone = required(db.session.get(Consultation, commitment.consultation_id)).timezone
    return f"{format_local(instant, zone)} ({zone})"


def _decided_first(commitment: Commitment) -> DomainError:
    """The proposal was confirmed or declined first (a moment ago by another
    coordinator, or earlier): who, and when. Refused as before, with a 422."""
    if commitment.confirmed_at is not None:
        who = db.session.get(User, commitment.confirmed_by_id)
        return DomainError(
            _l(
                "%(name)s already confirmed this proposal, at %(time)s.",
                name=who.display_name if who else "",
                time=_when(commitment, commitment.confirmed_at),
            )
        )
    return DomainError(
        _l(
            "The coordinators already declined this proposal, at %(time)s.",
            time=_when(commitment, required(commitment.rejected_at)),
        )
    )


def _decide(commitment: Commitment, **values) -> None:
    """Confirm or decline a proposal only if nobody has decided it yet."""
    undecided = (Commitment.confirmed_at.is_(None), Commitment.rejected_at.is_(None))
    if commitment.is_confirmed or commitment.rejected_at is not None:
        raise _decided_first(commitment)
    if not claim(commitment, *undecided, **values):
        raise _decided_first(commitment)


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
        raise _decided_first(commitment)
    wording, wording_html = _wording(public_wording)
    if not commitment.source_public and not wording:
        raise DomainError(
            _l("The source is not public: write the public wording of the commitment.")
        )
    _decide(commitment, confirmed_at=now, confirmed_by_id=coordinator.id)
    if wording:
        commitment.public_wording, commitment.public_wording_html = wording, wording_html
    _confirm(commitment, coordinator, now)
    record(coordinator, "commitment.confirmed", commitment, now=now)


def reject_proposal(commitment: Commitment, *, coordinator, now: datetime | None = None):
    """Decline a representative's proposal; it never becomes public."""
    now = now or utcnow()
    if not can_decide_commitments(coordinator):
        raise NotAllowed(_l("Only coordinators decide on proposals."))
    _decide(commitment, rejected_at=now)
    db.session.flush()
    record(coordinator, "commitment.rejected", commitment, now=now)


def _status_submission(coordinator, submission_key: str) -> CommitmentEvent | None:
    """The change an earlier submission of the same form recorded, if any."""
    return db.session.scalar(
        sa.select(CommitmentEvent).where(
            CommitmentEvent.actor_id == coordinator.id,
            CommitmentEvent.submission_key == submission_key,
        )
    )


def _changed_first(commitment: Commitment) -> AlreadyDone:
    """Who last changed the status, to what, and when."""
    last = db.session.scalar(
        sa.select(CommitmentEvent)
        .where(CommitmentEvent.commitment_id == commitment.id)
        .order_by(CommitmentEvent.created_at.desc(), CommitmentEvent.id.desc())
        .limit(1)
    )
    if last is None:
        return AlreadyDone(_l("The commitment already has this status."))
    who = db.session.get(User, last.actor_id)
    return AlreadyDone(
        _l(
            "%(name)s already changed the status to “%(status)s”, at %(time)s.",
            name=who.display_name if who else "",
            status=last.status.label,
            time=_when(commitment, last.created_at),
        )
    )


def change_status(
    commitment: Commitment,
    *,
    coordinator,
    status: CommitmentStatus,
    note: str,
    evidence_url: str,
    submission_key: str | None = None,
    seen: CommitmentStatus | None = None,
    successor: Commitment | None = None,
    now: datetime | None = None,
) -> CommitmentEvent:
    """Every change of status needs evidence: a note with a link. The history only grows.

    The same form sent twice records one change. A change is made from the status the
    coordinator saw (``seen``, else the one read now): of two coordinators changing it
    at once, or one after the other from the same page, the second is told what the
    first did (``AlreadyDone``) and nothing of theirs is recorded.
    """
    now, submission_key = now or utcnow(), key_or_new(submission_key)
    if not can_decide_commitments(coordinator):
        raise NotAllowed(_l("Only coordinators change the status of commitments."))
    earlier = _status_submission(coordinator, submission_key)
    if earlier is not None:
        return earlier
    if not commitment.is_confirmed:
        raise DomainError(_l("Confirm the proposal first."))
    seen = seen or commitment.status
    if status == commitment.status or seen != commitment.status:
        raise _changed_first(commitment)
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
    if not claim(
        commitment,
        Commitment.status == seen,
        status=status,
        superseded_by_id=successor.id if successor else None,
    ):
        earlier = _status_submission(coordinator, submission_key)  # this form, sent twice
        if earlier is not None:
            return earlier
        raise _changed_first(commitment)
    event, created = insert_once(
        lambda: CommitmentEvent(
            commitment=commitment,
            status=status,
            note=note.strip(),
            note_html=str(render_markdown(note.strip())),
            evidence_url=evidence_url.strip(),
            successor=successor,
            actor_id=coordinator.id,
            submission_key=submission_key,
            created_at=now,
        ),
        lambda: _status_submission(coordinator, submission_key),
    )
    if not created:  # not reached: the claim above lets one change through
        return event
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
    events.commitment_status_changed.send(commitment, entry=event, now=now)
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
