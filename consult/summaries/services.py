"""Freezing the summaries' figures, exactly once per close, and reading them back.

A snapshot falls due at a consultation's close (the factual summary) and at close +
response window + 1 day (the addendum). ``freeze_due`` freezes whatever is due; it runs
on the first request after a due instant (``freeze_on_request``, the embedded default)
and from cron (``flask close-due``). Freezing twice, or on two machines at once, stores
one snapshot: the row is inserted inside a SAVEPOINT, and when the unique constraint on
(consultation, kind, close) refuses it, the snapshot already stored is returned.

A reopening supersedes the snapshots of the earlier close (``supersede_on_reopening``);
the new close gets its own.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask import current_app, request
from sqlalchemy import exc as sa_exc

from consult.audit.services import record
from consult.consultations import schedule
from consult.consultations.models import Consultation, Phase
from consult.db import required
from consult.extensions import db
from consult.figures import SMALL_CELL
from consult.summaries import addendum, events, participation
from consult.summaries.models import SnapshotKind, SummarySnapshot

SCHEMA_VERSION = 1
# How long a process trusts what it last read about the next due instant: dates changed
# by another process are noticed within this time, without a query on every request.
RECHECK = timedelta(minutes=5)
BACK_OFF = timedelta(seconds=30)  # after a freeze failed (database busy or down)


def addendum_due_at(closes_at: datetime, consultation: Consultation) -> datetime:
    """Close + response window + 1 day: every request made before the close is due."""
    return closes_at + timedelta(days=consultation.response_window_days + 1)


def _instant(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def find_snapshot(consultation_id: int, kind: SnapshotKind, closes_at: datetime):
    return db.session.scalar(
        sa.select(SummarySnapshot).where(
            SummarySnapshot.consultation_id == consultation_id,
            SummarySnapshot.kind == kind,
            SummarySnapshot.closes_at == closes_at,
        )
    )


def _store_once(consultation: Consultation, kind: SnapshotKind, closes_at, now, figures):
    """Insert the snapshot, or return the one another freeze stored first."""
    snapshot = SummarySnapshot(
        consultation_id=consultation.id,
        kind=kind,
        closes_at=closes_at,
        as_of=now,
        schema_version=SCHEMA_VERSION,
        figures={
            "schema_version": SCHEMA_VERSION,
            "kind": kind.value,
            "as_of": _instant(now),
            "closes_at": _instant(closes_at),
            "small_cell": SMALL_CELL,
            **figures,
        },
    )
    try:
        with db.session.begin_nested():  # flushes what came before, outside the savepoint
            db.session.add(snapshot)
    except sa_exc.IntegrityError:
        first = find_snapshot(consultation.id, kind, closes_at)
        if first is None:
            raise
        return first, False
    record(None, "summary.frozen", snapshot, now=now, kind=kind.value)
    events.snapshot_frozen.send(snapshot, now=now)
    return snapshot, True


def freeze(
    consultation: Consultation,
    kind: SnapshotKind,
    *,
    now: datetime,
    closes_at: datetime | None = None,
) -> tuple[SummarySnapshot, bool]:
    """Freeze one snapshot of the consultation for its close (or ``closes_at``), as of
    ``now``; ``(snapshot, True)`` when this call stored it, ``(the stored one, False)``
    when it existed already."""
    closes_at = closes_at or required(consultation.closes_at)
    if consultation.phase == Phase.DRAFT or now < closes_at:
        raise ValueError("a snapshot is frozen only after a public consultation closes")
    existing = find_snapshot(consultation.id, kind, closes_at)
    if existing is not None:
        return existing, False
    if kind == SnapshotKind.FACTUAL:
        figures = participation.publish(participation.count(consultation.id, now))
    else:
        figures = addendum.publish(consultation, now)
    return _store_once(consultation, kind, closes_at, now, figures)


@dataclass
class Pending:
    """A public consultation with a snapshot still to freeze for its current close."""

    consultation_id: int
    factual_at: datetime | None  # when the factual summary falls due, if not frozen
    addendum_at: datetime | None


def pending(now: datetime | None = None) -> list[Pending]:
    """Every snapshot not yet frozen for a public consultation's current close, due or
    not (one statement)."""
    S = SummarySnapshot

    def frozen(kind):
        return (
            sa.select(S.id)
            .where(
                S.consultation_id == Consultation.id,
                S.kind == kind,
                S.closes_at == Consultation.closes_at,
            )
            .exists()
        )

    factual, responses = frozen(SnapshotKind.FACTUAL), frozen(SnapshotKind.RESPONSES)
    rows = db.session.execute(
        sa.select(Consultation, factual, responses).where(
            Consultation.phase != Phase.DRAFT,
            Consultation.closes_at.is_not(None),
            sa.or_(~factual, ~responses),
        )
    ).all()
    return [
        Pending(
            consultation.id,
            None if has_factual else consultation.closes_at,
            None
            if has_addendum
            else addendum_due_at(required(consultation.closes_at), consultation),
        )
        for consultation, has_factual, has_addendum in rows
    ]


@dataclass
class Frozen:
    factual: int = 0
    addenda: int = 0
    next_due_at: datetime | None = None  # the next instant a snapshot falls due


def freeze_due(now: datetime) -> Frozen:
    """Freeze every snapshot due at ``now``; idempotent. Flushes; the caller commits."""
    result = Frozen()
    for item in pending(now):
        consultation = required(db.session.get(Consultation, item.consultation_id))
        for kind, due_at in (
            (SnapshotKind.FACTUAL, item.factual_at),
            (SnapshotKind.RESPONSES, item.addendum_at),
        ):
            if due_at is None:
                continue
            if due_at > now:
                if result.next_due_at is None or due_at < result.next_due_at:
                    result.next_due_at = due_at
                continue
            _snapshot, created = freeze(consultation, kind, now=now)
            if created and kind == SnapshotKind.FACTUAL:
                result.factual += 1
            elif created:
                result.addenda += 1
    return result


def freeze_on_request():
    """A before_request hook: freeze what fell due since this process last looked.

    In the embedded default no scheduler runs, so the first request after a close
    freezes its summary. The process remembers the next due instant, so other requests
    cost no statement; it looks again every ``RECHECK`` for dates changed elsewhere. A
    failure (database busy or down) is logged and the page is served all the same.
    Tests turn it on with ``SUMMARIES_FREEZE_ON_REQUEST``.
    """
    app = current_app
    if not app.config.get("SUMMARIES_FREEZE_ON_REQUEST", not app.testing):
        return
    if request.endpoint in ("static", "main.healthz"):
        return  # files, and the health check, which must answer whatever happens here
    now = schedule.request_time()
    memo = app.extensions.setdefault("consult.summaries", {"look_at": None})
    if memo["look_at"] is not None and now < memo["look_at"]:
        return
    try:
        result = freeze_due(now)
        db.session.commit()
    except Exception:  # the page must not fail because a freeze did
        db.session.rollback()
        app.logger.exception("Freezing the summaries due failed; trying again later")
        memo["look_at"] = now + BACK_OFF
        return
    look_at = now + RECHECK
    if result.next_due_at is not None:
        look_at = min(look_at, result.next_due_at)
    memo["look_at"] = look_at


def supersede_on_reopening(
    consultation: Consultation, *, previous_closes_at: datetime, now: datetime
) -> list[SummarySnapshot]:
    """A reopening: the earlier close's factual summary is frozen if it was not yet (it
    closed, so it has one), then every snapshot of an earlier close is superseded."""
    if consultation.phase != Phase.DRAFT and now >= previous_closes_at:
        freeze(consultation, SnapshotKind.FACTUAL, now=now, closes_at=previous_closes_at)
    superseded = list(
        db.session.scalars(
            sa.select(SummarySnapshot).where(
                SummarySnapshot.consultation_id == consultation.id,
                SummarySnapshot.closes_at < required(consultation.closes_at),
                SummarySnapshot.superseded_at.is_(None),
            )
        )
    )
    for snapshot in superseded:
        snapshot.superseded_at = now
    db.session.flush()
    for snapshot in superseded:
        record(None, "summary.superseded", snapshot, now=now, kind=snapshot.kind.value)
        events.snapshot_superseded.send(snapshot, now=now)
    return superseded


# --- reading ------------------------------------------------------------------------------


@dataclass
class Close:
    """The snapshots of one close of a consultation (the first, or one after a reopening)."""

    number: int  # 1 for the first close
    closes_at: datetime
    factual: SummarySnapshot | None = None
    addendum: SummarySnapshot | None = None

    @property
    def superseded(self) -> bool:
        return any(s is not None and s.is_superseded for s in (self.factual, self.addendum))


def closes_of(consultation: Consultation) -> list[Close]:
    """Every close with frozen snapshots, earliest first (one statement)."""
    closes: dict[datetime, Close] = {}
    for snapshot in db.session.scalars(
        sa.select(SummarySnapshot)
        .where(SummarySnapshot.consultation_id == consultation.id)
        .order_by(SummarySnapshot.closes_at, SummarySnapshot.kind)
    ):
        close = closes.setdefault(snapshot.closes_at, Close(len(closes) + 1, snapshot.closes_at))
        if snapshot.kind == SnapshotKind.FACTUAL:
            close.factual = snapshot
        else:
            close.addendum = snapshot
    return list(closes.values())
