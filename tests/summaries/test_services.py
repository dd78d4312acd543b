"""Freezing: exactly once per close, immutable, due at the close and at close + response
window + 1 day, superseded by a reopening, on the first request after a close or by
``flask close-due``, at a constant number of statements."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from consult.comments import services as comment_services
from consult.comments.models import CommentKind, Visibility
from consult.consultations import services as consultation_services
from consult.extensions import db
from consult.summaries import services
from consult.summaries.models import SnapshotImmutable, SnapshotKind, SummarySnapshot
from consult.summaries.services import freeze, freeze_due
from tests import factories
from tests.consultations import factories as consultation_factories
from tests.summaries.conftest import (
    AFTER_CLOSE,
    CLOSES_AT,
    CLOSES_ON,
    CS,
    INVESTOR,
    author,
    campaign_text,
    new_place,
)

FACTUAL, RESPONSES = SnapshotKind.FACTUAL, SnapshotKind.RESPONSES
ADDENDUM_DUE = CLOSES_AT + timedelta(days=31)  # the default 30-day window, plus one day


def _snapshots(consultation=None):
    query = sa.select(SummarySnapshot).order_by(SummarySnapshot.id)
    if consultation is not None:
        query = query.where(SummarySnapshot.consultation_id == consultation.id)
    return list(db.session.scalars(query))


def test_nothing_is_frozen_before_the_close(place):
    place.post(author())
    assert freeze_due(CLOSES_AT - timedelta(seconds=1)).factual == 0
    assert _snapshots() == []
    with pytest.raises(ValueError, match="after a public consultation closes"):
        freeze(place.consultation, FACTUAL, now=CLOSES_AT - timedelta(seconds=1))


def test_due_at_the_close_then_the_addendum_after_the_window(place):
    place.post(author())
    at_close = freeze_due(CLOSES_AT)
    assert (at_close.factual, at_close.addenda, at_close.next_due_at) == (1, 0, ADDENDUM_DUE)
    assert freeze_due(ADDENDUM_DUE - timedelta(seconds=1)).addenda == 0
    assert freeze_due(ADDENDUM_DUE).addenda == 1
    factual, addendum = _snapshots(place.consultation)
    assert (factual.kind, factual.as_of, addendum.kind, addendum.as_of) == (
        FACTUAL,
        CLOSES_AT,
        RESPONSES,
        ADDENDUM_DUE,
    )
    assert addendum.closes_at == CLOSES_AT and addendum.figures["schema_version"] == 1
    # The tracker's own figures: one request to the one company, answered by nobody.
    (company,) = addendum.figures["companies"]
    assert company["name"] == place.company.name
    assert company["cells"]["requests"] == {"value": None, "withheld": "small"}
    assert company["cells"]["very_overdue"] == {"value": None, "withheld": "small"}
    assert company["answer_rate"] is None
    again = freeze_due(ADDENDUM_DUE + timedelta(days=400))
    assert (again.factual, again.addenda, again.next_due_at) == (0, 0, None)
    assert len(_snapshots()) == 2


def test_drafts_are_never_frozen():
    consultation = consultation_factories.consultation(
        phase="draft", opens_on=CLOSES_ON - timedelta(days=90), closes_on=CLOSES_ON
    )
    assert freeze_due(ADDENDUM_DUE).factual == 0
    assert _snapshots(consultation) == []


def test_a_snapshot_cannot_be_changed_or_deleted(place):
    place.post(author())
    snapshot, _ = freeze(place.consultation, FACTUAL, now=AFTER_CLOSE)
    db.session.commit()
    snapshot.figures = {**snapshot.figures, "totals": {}}
    with pytest.raises(SnapshotImmutable):
        db.session.flush()
    db.session.rollback()
    snapshot.as_of = snapshot.as_of + timedelta(days=1)
    with pytest.raises(SnapshotImmutable):
        db.session.flush()
    db.session.rollback()
    db.session.delete(snapshot)
    with pytest.raises(SnapshotImmutable):
        db.session.flush()
    db.session.rollback()
    with pytest.raises(SnapshotImmutable):
        db.session.execute(sa.update(SummarySnapshot).values(schema_version=2))
    with pytest.raises(SnapshotImmutable):
        db.session.execute(sa.delete(SummarySnapshot))
    # The one change allowed: superseded, once.
    snapshot.superseded_at = AFTER_CLOSE + timedelta(days=2)
    db.session.commit()
    snapshot.superseded_at = AFTER_CLOSE + timedelta(days=3)
    with pytest.raises(SnapshotImmutable):
        db.session.flush()
    db.session.rollback()
    db.session.refresh(snapshot)
    assert snapshot.superseded_at == AFTER_CLOSE + timedelta(days=2)


def test_a_second_freeze_of_the_same_close_stores_nothing(place, monkeypatch):
    """Two freezes that both found no snapshot (as two workers at once): the unique
    constraint refuses the second row, and the first snapshot is returned."""
    place.post(author())
    first, created = freeze(place.consultation, FACTUAL, now=AFTER_CLOSE)
    assert created
    find = services.find_snapshot
    monkeypatch.setattr(services, "find_snapshot", lambda *a: None)  # the race: not seen
    store = services._store_once

    def store_after_the_race(*args):
        monkeypatch.setattr(services, "find_snapshot", find)  # then it is found
        return store(*args)

    monkeypatch.setattr(services, "_store_once", store_after_the_race)
    second, created = freeze(place.consultation, FACTUAL, now=AFTER_CLOSE + timedelta(hours=1))
    assert (second.id, created) == (first.id, False)
    assert len(_snapshots()) == 1


def test_a_reopening_supersedes_and_the_new_close_gets_its_own(place):
    coordinator = factories.coordinator()
    place.post(author())
    freeze_due(AFTER_CLOSE)
    db.session.commit()
    reopened_at = CLOSES_AT + timedelta(days=3)
    consultation_services.extend_closing(
        place.consultation,
        CLOSES_ON + timedelta(days=14),
        actor=coordinator,
        reason="Reopened for the regional hearings.",
        now=reopened_at,
    )
    db.session.commit()
    (first,) = _snapshots(place.consultation)
    assert first.superseded_at == reopened_at and first.closes_at == CLOSES_AT
    place.post(author(), now=reopened_at + timedelta(days=1))
    new_close = place.consultation.closes_at
    assert new_close == CLOSES_AT + timedelta(days=14)
    assert freeze_due(new_close - timedelta(seconds=1)).factual == 0
    assert freeze_due(new_close).factual == 1
    first, second = _snapshots(place.consultation)
    assert second.closes_at == new_close and second.superseded_at is None
    assert first.figures["totals"]["comments"] == {"value": None, "withheld": "small"}
    assert second.figures["totals"]["comments"] == {"value": None, "withheld": "small"}
    # No addendum for the first close: it was reopened before its window passed.
    assert freeze_due(new_close + timedelta(days=31)).addenda == 1
    assert [(s.kind, s.closes_at) for s in _snapshots(place.consultation)] == [
        (FACTUAL, CLOSES_AT),
        (FACTUAL, new_close),
        (RESPONSES, new_close),
    ]


def test_a_reopening_before_any_freeze_freezes_the_earlier_close_first(place):
    place.post(author())
    reopened_at = CLOSES_AT + timedelta(days=2)
    consultation_services.extend_closing(
        place.consultation,
        CLOSES_ON + timedelta(days=7),
        actor=factories.coordinator(),
        reason="Reopened.",
        now=reopened_at,
    )
    (snapshot,) = _snapshots(place.consultation)
    assert (snapshot.closes_at, snapshot.as_of, snapshot.superseded_at) == (
        CLOSES_AT,
        reopened_at,
        reopened_at,
    )


def test_an_extension_before_the_close_freezes_nothing(place):
    consultation_services.extend_closing(
        place.consultation,
        CLOSES_ON + timedelta(days=7),
        actor=factories.coordinator(),
        reason="More time.",
        now=CLOSES_AT - timedelta(days=1),
    )
    assert _snapshots() == []
    assert freeze_due(CLOSES_AT + timedelta(days=1)).factual == 0


def test_close_due_command_is_idempotent(app, place):
    place.post(author())
    runner = app.test_cli_runner()
    at = (CLOSES_AT + timedelta(days=40)).isoformat()
    result = runner.invoke(args=["close-due", "--now", at])
    assert result.exit_code == 0, result.output
    assert "Frozen: 1 factual summaries, 1 addenda." in result.output
    again = runner.invoke(args=["close-due", "--now", at])
    assert again.exit_code == 0 and "Frozen: 0 factual summaries, 0 addenda." in again.output
    assert len(_snapshots(place.consultation)) == 2
    bad = runner.invoke(args=["close-due", "--now", "yesterday"])
    assert bad.exit_code == 2 and "ISO 8601" in bad.output


def _bulk(place, size):
    """``size`` comments of every kind and level, on several paragraphs, with a campaign,
    co-signatures and late comments (``size`` = 0: a single comment)."""
    place.post(author())
    if not size:
        return
    numbers = ["0.1", "1.1", "1.2", "2.2", "2.3", None]
    levels = list(Visibility)
    for i in range(size):
        place.post(
            author(INVESTOR if i % 2 else CS, ["KE", "NL", "DE"][i % 3]),
            levels[i % 4],
            number=numbers[i % len(numbers)],
            kind=list(CommentKind)[i % 2],
        )
    for i in range(6):
        place.post(author(), Visibility.PUBLIC, body=campaign_text(f"word{i}"))
    first = place.post(author())
    comment_services.cosign_comment(first, user=author(), named=True, now=first.created_at)
    place.post(author(), now=CLOSES_AT + timedelta(minutes=1))


def test_statements_do_not_grow_with_the_data(count_queries):
    counts = []
    for size in (0, 60):
        place = new_place()
        _bulk(place, size)
        db.session.expire_all()
        with count_queries() as statements:
            snapshot, created = freeze(place.consultation, FACTUAL, now=AFTER_CLOSE)
        assert created
        counts.append(len(statements))
    assert counts[0] == counts[1], counts
    # the consultation and its companies (expired above), the lookup, the nine counts,
    # the insert
    assert counts[0] <= 13, counts
    assert snapshot.figures["totals"]["campaigns"] == 1


def test_the_first_request_after_a_close_freezes_it(app, client, monkeypatch, count_queries):
    monkeypatch.setitem(app.config, "SUMMARIES_FREEZE_ON_REQUEST", True)
    monkeypatch.delitem(app.extensions, "consult.summaries", raising=False)
    consultation = consultation_factories.consultation(
        opens_on=consultation_factories.a_date(-100), closes_on=consultation_factories.a_date(-40)
    )
    assert client.get("/").status_code == 200
    kinds = [s.kind for s in _snapshots(consultation)]
    assert kinds == [FACTUAL, RESPONSES]  # closed 40 days ago: the window has passed too
    with count_queries() as statements:
        client.get("/")
    assert not any("summary_snapshots" in s for s in statements)  # remembered: no look
    assert len(_snapshots()) == 2


def test_a_failed_freeze_does_not_fail_the_page(app, client, monkeypatch, caplog):
    monkeypatch.setitem(app.config, "SUMMARIES_FREEZE_ON_REQUEST", True)
    monkeypatch.delitem(app.extensions, "consult.summaries", raising=False)

    def broken(now):
        raise RuntimeError("boom")

    monkeypatch.setattr(services, "freeze_due", broken)
    assert client.get("/").status_code == 200
    assert "Freezing the summaries due failed" in caplog.text
