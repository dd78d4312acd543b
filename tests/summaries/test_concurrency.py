"""Two freezes of the same consultation at once, each on its own connection, store one
snapshot (the unique constraint on consultation, kind and close)."""

import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from consult.consultations.models import Consultation
from consult.extensions import db
from consult.summaries import participation
from consult.summaries.models import SnapshotKind, SummarySnapshot
from consult.summaries.services import freeze
from consult.transactions import with_retries
from tests.summaries.conftest import CLOSES_AT, author, new_place


@pytest.fixture(autouse=True)
def _database(committed_database):
    """Each thread reads and writes through its own connection: rows must be committed."""
    return committed_database


def test_two_concurrent_freezes_store_one_snapshot(app, monkeypatch):
    place = new_place()
    place.post(author())
    consultation_id = place.consultation.id
    db.session.commit()
    db.session.remove()

    # Both threads read the figures (and found no snapshot) before either inserts.
    barrier = threading.Barrier(2, timeout=20)
    count = participation.count

    def counted_together(*args):
        counts = count(*args)
        barrier.wait()
        return counts

    monkeypatch.setattr(participation, "count", counted_together)
    results, errors = [], []

    def work(hours):
        try:
            with app.app_context():

                def attempt():
                    consultation = db.session.get(Consultation, consultation_id)
                    snapshot, created = freeze(
                        consultation,
                        SnapshotKind.FACTUAL,
                        now=CLOSES_AT + timedelta(hours=hours),
                    )
                    db.session.commit()
                    return snapshot.id, created

                # A SQLite writer that meets the other's lock runs again, as a request
                # or `flask close-due` would; PostgreSQL's second insert waits for the
                # first to commit, then the unique constraint refuses it.
                results.append(with_retries(attempt))
        except Exception as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(hours,)) for hours in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sorted(created for _id, created in results) == [False, True]
    assert len({snapshot_id for snapshot_id, _created in results}) == 1
    stored = db.session.scalar(sa.select(sa.func.count()).select_from(SummarySnapshot))
    assert stored == 1
