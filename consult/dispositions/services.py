"""Recording dispositions and reading them back.

What needs a disposition: every comment (amendments and questions included) that is
neither hidden nor withdrawn, nor a late comment that was not accepted; a formed
campaign counts as one, its members sharing the campaign's disposition.

Each read below is a fixed number of statements, whatever the number of comments.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy import exc as sa_exc
from sqlalchemy.orm import selectinload

from consult.audit.services import record as audit
from consult.comments.models import Campaign, Comment, LateStatus
from consult.consultations.models import Consultation, DocumentVersion, Paragraph
from consult.db import utcnow
from consult.dispositions.events import disposition_recorded
from consult.dispositions.models import Disposition, Outcome
from consult.errors import DomainError
from consult.extensions import db
from consult.text import render_markdown

REASON_MAX_LENGTH = 4000


@dataclass(frozen=True)
class Subject:
    """One thing to dispose of: a comment, or a formed campaign as a whole (shown by a
    member that needs a disposition, its representative when it can)."""

    comment: Comment
    campaign: Campaign | None = None
    members: int = 1

    @property
    def reference(self) -> str:
        return self.campaign.reference if self.campaign else self.comment.reference

    @property
    def section(self) -> str | None:
        number = self.comment.paragraph_number
        return number.split(".", 1)[0] if number else None


@dataclass(frozen=True)
class Decision:
    outcome: Outcome
    reason: str | None = None
    later_version: DocumentVersion | None = None


def _needing_disposition(consultation_id: int):
    return sa.and_(
        Comment.consultation_id == consultation_id,
        Comment.hidden_at.is_(None),
        Comment.withdrawn_at.is_(None),
        sa.or_(Comment.late_status.is_(None), Comment.late_status == LateStatus.ACCEPTED),
    )


def subjects(consultation: Consultation) -> list[Subject]:
    """Everything in the consultation that needs a disposition, in paragraph order."""
    comments = db.session.scalars(
        sa.select(Comment)
        .where(_needing_disposition(consultation.id))
        .options(
            selectinload(Comment.campaign),
            selectinload(Comment.paragraph),
            selectinload(Comment.addressees),
            selectinload(Comment.invitations),
        )
        .order_by(Comment.created_at, Comment.id)
    ).all()
    found: list[Subject] = []
    campaigns: dict[int, list[Comment]] = {}
    for comment in comments:
        campaign = comment.campaign
        if campaign is not None and campaign.formed_at is not None:
            if campaign.id not in campaigns:
                campaigns[campaign.id] = []
                found.append(Subject(comment, campaign))  # replaced below
            campaigns[campaign.id].append(comment)
        else:
            found.append(Subject(comment))
    result = []
    for subject in found:
        if subject.campaign is None:
            result.append(subject)
            continue
        members = campaigns[subject.campaign.id]
        shown = next((c for c in members if c.id == subject.campaign.representative_id), None)
        result.append(Subject(shown or members[0], subject.campaign, len(members)))
    return sorted(result, key=lambda s: (_paragraph_order(s.comment), s.comment.created_at))


def _paragraph_order(comment: Comment) -> tuple:
    if comment.paragraph is None:
        return (-1,)  # the whole draft first
    return (comment.paragraph.position,)


def current_dispositions(consultation_id: int) -> dict[tuple[str, int], Disposition]:
    """The latest disposition of each comment (("comment", id)) and campaign
    (("campaign", id)) of the consultation."""
    rows = db.session.scalars(
        sa.select(Disposition)
        .where(Disposition.consultation_id == consultation_id)
        .options(selectinload(Disposition.later_version))
        .order_by(Disposition.id)
    ).all()
    latest: dict[tuple[str, int], Disposition] = {}
    for row in rows:
        latest[_subject_key(row)] = row  # later rows supersede earlier ones
    return latest


def _subject_key(row: Disposition) -> tuple[str, int]:
    if row.campaign_id is not None:
        return ("campaign", row.campaign_id)
    return ("comment", row.comment_id or 0)


def disposition_for(subject: Subject, latest: dict) -> Disposition | None:
    if subject.campaign is not None:
        return latest.get(("campaign", subject.campaign.id))
    return latest.get(("comment", subject.comment.id))


def disposition_of(comment: Comment) -> Disposition | None:
    """The current disposition of one comment: its campaign's when it is in a formed
    campaign, else its own."""
    campaign = comment.campaign
    if campaign is not None and campaign.formed_at is not None:
        condition = Disposition.campaign_id == campaign.id
    else:
        condition = Disposition.comment_id == comment.id
    return db.session.scalar(
        sa.select(Disposition).where(condition).order_by(Disposition.id.desc()).limit(1)
    )


def dispositions_of(comments: Sequence[Comment]) -> dict[int, Disposition]:
    """The current disposition of each of these comments (for "My comments"), by id."""
    if not comments:
        return {}
    comment_ids = [c.id for c in comments]
    campaign_ids = [
        c.campaign_id for c in comments if c.campaign is not None and c.campaign.formed_at
    ]
    rows = db.session.scalars(
        sa.select(Disposition)
        .where(
            sa.or_(
                Disposition.comment_id.in_(comment_ids),
                Disposition.campaign_id.in_(campaign_ids),
            )
        )
        .order_by(Disposition.id)
    ).all()
    latest = {_subject_key(row): row for row in rows}
    result = {}
    for comment in comments:
        if comment.campaign is not None and comment.campaign.formed_at is not None:
            found = latest.get(("campaign", comment.campaign_id or 0))
        else:
            found = latest.get(("comment", comment.id))
        if found is not None:
            result[comment.id] = found
    return result


def count_disposed(found: Sequence[Subject], latest: dict) -> int:
    """How many of ``found`` have a disposition in ``latest``."""
    return sum(1 for s in found if disposition_for(s, latest) is not None)


def progress(consultation: Consultation) -> tuple[int, int]:
    """(disposed, total): how many of the things needing a disposition have one."""
    everything = subjects(consultation)
    return count_disposed(everything, current_dispositions(consultation.id)), len(everything)


def later_versions(consultation: Consultation, after: int = 0) -> list[DocumentVersion]:
    """Published versions after number ``after``: where a disposition may point."""
    return list(
        db.session.scalars(
            sa.select(DocumentVersion)
            .where(
                DocumentVersion.consultation_id == consultation.id,
                DocumentVersion.published_at.is_not(None),
                DocumentVersion.number > after,
            )
            .order_by(DocumentVersion.number)
        )
    )


def check(decision: Decision, chosen: Sequence[Subject]) -> dict[str, str]:
    """What is wrong with recording ``decision`` for ``chosen``, by form field."""
    problems: dict[str, str] = {}
    if not chosen:
        problems["subjects"] = str(_l("Choose at least one comment or campaign."))
    if decision.outcome.needs_reason and not (decision.reason or "").strip():
        problems["reason"] = str(
            _l("Say publicly why: a reason is required for “%(outcome)s”.",
               outcome=decision.outcome.label)
        )  # fmt: skip
    if decision.reason and len(decision.reason) > REASON_MAX_LENGTH:
        problems["reason"] = str(_l("Keep the reason under 4,000 characters."))
    later = decision.later_version
    if later is not None:
        if later.published_at is None:
            problems["later_version"] = str(_l("Choose a published draft."))
        elif any(s.comment.version_id == later.id or _version_number(s) >= later.number
                 for s in chosen):  # fmt: skip
            problems["later_version"] = str(
                _l("Choose a draft published after the one every chosen comment was made on.")
            )
    return problems


def _version_number(subject: Subject) -> int:
    version = db.session.get(DocumentVersion, subject.comment.version_id)
    return version.number if version is not None else 0


def record(
    actor,
    consultation: Consultation,
    chosen: Sequence[Subject],
    decision: Decision,
    *,
    submission_key: str,
    now: datetime | None = None,
) -> tuple[list[Disposition], bool]:
    """Record one decision for every chosen subject: ``(rows, True)``; or, when this
    submission was already recorded (a second click, a resend), ``(its rows, False)``
    and nothing new."""
    earlier = _recorded(actor, submission_key)
    if earlier:
        return earlier, False
    problems = check(decision, chosen)
    if problems:
        raise DomainError(" ".join(problems.values()))
    now = now or utcnow()
    later = decision.later_version
    present = _keys_in(later, [s.comment.stable_key for s in chosen]) if later else set()
    reason = (decision.reason or "").strip() or None
    rows = [
        Disposition(
            consultation_id=consultation.id,
            comment_id=None if subject.campaign else subject.comment.id,
            campaign_id=subject.campaign.id if subject.campaign else None,
            outcome=decision.outcome,
            reason=reason,
            reason_html=str(render_markdown(reason)) if reason else None,
            later_version_id=later.id if later else None,
            later_stable_key=subject.comment.stable_key if later else None,
            paragraph_removed=bool(
                later and subject.comment.stable_key and subject.comment.stable_key not in present
            ),
            recorded_by_id=actor.id,
            recorded_at=now,
            submission_key=submission_key,
        )
        for subject in chosen
    ]
    try:
        with db.session.begin_nested():
            db.session.add_all(rows)
    except sa_exc.IntegrityError:
        # The same submission, recorded by a concurrent request in the meantime.
        earlier = _recorded(actor, submission_key)
        if earlier:
            return earlier, False
        raise
    for row in rows:
        audit(actor, "disposition_recorded", row, now=now, outcome=row.outcome.value)
        disposition_recorded.send(row, now=now)
    return rows, True


def _recorded(actor, submission_key: str) -> list[Disposition]:
    return list(
        db.session.scalars(
            sa.select(Disposition)
            .where(
                Disposition.recorded_by_id == actor.id,
                Disposition.submission_key == submission_key,
            )
            .order_by(Disposition.id)
        )
    )


def _keys_in(version: DocumentVersion, keys: Iterable[str | None]) -> set[str]:
    wanted = {k for k in keys if k}
    if not wanted:
        return set()
    return set(
        db.session.scalars(
            sa.select(Paragraph.stable_key).where(
                Paragraph.version_id == version.id, Paragraph.stable_key.in_(wanted)
            )
        )
    )


def later_paragraphs(latest: Iterable[Disposition]) -> dict[tuple[int, str], Paragraph]:
    """The paragraphs dispositions point to, by (version id, stable key): one query."""
    pairs = {
        (d.later_version_id, d.later_stable_key)
        for d in latest
        if d.later_version_id and d.later_stable_key and not d.paragraph_removed
    }
    if not pairs:
        return {}
    rows = db.session.scalars(
        sa.select(Paragraph).where(
            sa.tuple_(Paragraph.version_id, Paragraph.stable_key).in_(list(pairs))
        )
    ).all()
    return {(p.version_id, p.stable_key): p for p in rows}
