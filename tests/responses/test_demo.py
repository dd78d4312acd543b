"""The demonstration data shows company answers, tracker variety and commitments."""

import pytest
import sqlalchemy as sa

from consult.commitments.models import Commitment, CommitmentStatus
from consult.consultations.schedule import request_time
from consult.extensions import db
from consult.responses.deadlines import Status, status_at
from consult.responses.models import (
    Position,
    Rejoinder,
    RequestState,
    ResponseKind,
    ResponseRequest,
    ResponseRevision,
)


@pytest.fixture
def client(demo_client):
    """The demonstration data, loaded once per run into its own database."""
    return demo_client


def test_demo_has_every_kind_of_answer_state_and_commitment(client):
    requests = db.session.scalars(sa.select(ResponseRequest)).all()
    now = request_time()
    statuses = {status_at(r, now) for r in requests}
    assert {
        Status.ANSWERED,
        Status.DECLINED,
        Status.OVERDUE,
        Status.VERY_OVERDUE,
        Status.AWAITING,
        Status.REASSIGNED,
        Status.VOID,
        Status.MERGED,
    } <= statuses
    assert {r.position for r in requests if r.position} == set(Position)
    kinds = {resp.kind for r in requests for resp in r.responses}
    assert kinds >= {ResponseKind.ANSWER, ResponseKind.DECLINE, ResponseKind.CLARIFICATION}
    assert any(r.campaign_id and r.state == RequestState.ANSWERED for r in requests)
    assert db.session.scalar(sa.select(sa.func.count(Rejoinder.id))) >= 2
    assert db.session.scalar(sa.select(sa.func.max(ResponseRevision.number))) >= 2
    commitments = db.session.scalars(sa.select(Commitment)).all()
    assert {c.status for c in commitments} == set(CommitmentStatus)
    assert any(c.is_overdue(now) for c in commitments)
    assert any(not c.is_confirmed for c in commitments)
    page = client.get("/consultations/network-shutdowns-demo/tracker")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "(demo)" in text and "Baobab Mobile (demo)" in text
    assert client.get("/consultations/network-shutdowns-demo/commitments").status_code == 200
    assert client.get("/tracker").status_code == 200
