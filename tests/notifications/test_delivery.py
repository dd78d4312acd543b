"""Delivery of the outbox: what SMTP answers decides the row's fate, retries back off,
the sweep sends what was missed (SMTP or Redis down, a deliverer that died), a claim
lets only one deliverer send, and with Redis an RQ worker delivers.

SMTP is a local sink (tests/test_mail.py); "down" is a free port where nothing listens.
"""

import os
import signal
import socket
import uuid
from datetime import timedelta
from urllib.parse import urlsplit, urlunsplit

import pytest
import redis
import sqlalchemy as sa
from rq import Queue

from consult.db import utcnow
from consult.extensions import db
from consult.mail import EmailStatus, OutboundEmail, send_email
from consult.notifications import delivery
from consult.notifications.delivery import (
    MAX_ATTEMPTS,
    STALE_CLAIM,
    claim,
    deliver,
    delivery_session,
    retry_delay,
)
from consult.notifications.outbox import SWEEP_AFTER, send_pending
from tests import factories
from tests.comments.conftest import world  # noqa: F401  (the fixture)
from tests.comments.test_views import _form, _submission_key, _url
from tests.test_mail import running_sink, send_through, smtp  # noqa: F401  (the fixture)

WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
ON_ITS_WAY = "This receipt is on its way to you by email."
ON_SCREEN_ONLY = "This receipt is on screen only"
BANNER = "were refused by the receiving mail server"


def free_port() -> int:
    """A local port where nothing listens (SMTP or Redis "down")."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def latest(**where) -> OutboundEmail:
    db.session.expire_all()  # delivery wrote through a session of its own
    query = sa.select(OutboundEmail).filter_by(**where).order_by(OutboundEmail.id.desc())
    return db.session.scalars(query.limit(1)).one()


def queued_unannounced(address="ines@example.org") -> OutboundEmail:
    """A committed row that no after-commit delivery was started for, as when the
    process that committed it died at once."""
    email = send_email(address, "password_changed", user=None, name="Ines")
    db.session.info.pop("consult.outgoing_mail")
    db.session.commit()
    return email


def receipts(outbox, email):
    """The copies of ``email`` in the outbox folder (signing in may mail the person too)."""
    return [m for m in outbox.messages() if m["Message-ID"] == email.message_id]


def post_comment(client, world) -> str:
    """Post a comment as the author, through the form; the receipt page."""
    client.sign_in(world.author)
    url = _url(world)
    response = client.post(url, _form(world, submission_key=_submission_key(client, url)))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return client.get(response.headers["Location"]).get_data(as_text=True)


# What SMTP answers -----------------------------------------------------------------


def test_an_smtp_5xx_marks_the_address_undeliverable_and_the_person_sees_a_banner(client, smtp):
    user = factories.stakeholder(email="gone@example.org")
    smtp.refused["gone@example.org"] = "550 5.1.1 No such user here"
    send_email(user.email, "password_changed", user=user)
    db.session.commit()

    email = latest(recipient="gone@example.org")
    assert email.status == EmailStatus.UNDELIVERABLE and email.attempts == 1
    assert email.last_error == "SMTPRecipientsRefused 550"  # no server words, no address
    assert email.finished_at is not None
    assert smtp.received == []

    db.session.refresh(user)
    assert user.undeliverable_email == "gone@example.org" and user.email_refused
    client.sign_in(user)
    page = client.get("/account").get_data(as_text=True)
    assert BANNER in page and "gone@example.org" in page

    # A later message accepted to the same address clears the banner.
    del smtp.refused["gone@example.org"]
    send_email(user.email, "password_changed", user=user)
    db.session.commit()
    assert BANNER not in client.get("/account").get_data(as_text=True)


def test_a_new_address_ends_the_warning_about_the_refused_one(smtp):
    user = factories.stakeholder(email="gone@example.org")
    smtp.refused["gone@example.org"] = "550 5.1.1 No such user here"
    send_email(user.email, "password_changed", user=user)
    db.session.commit()
    db.session.refresh(user)
    assert user.email_refused
    user.email = "found@example.org"
    assert not user.email_refused


def test_an_smtp_4xx_is_tried_again_later(smtp):
    smtp.refused["busy@example.org"] = "451 4.3.0 Try again later"
    before = utcnow()
    send_email("busy@example.org", "password_changed", user=None, name="B")
    db.session.commit()
    email = latest(recipient="busy@example.org")
    assert email.status == EmailStatus.PENDING and email.attempts == 1
    assert email.last_error == "SMTPRecipientsRefused 451"
    assert before + retry_delay(1) <= email.next_attempt_at <= utcnow() + retry_delay(1)


def test_retries_back_off_doubling_up_to_24_hours():
    minutes = [retry_delay(n) / timedelta(minutes=1) for n in range(1, MAX_ATTEMPTS)]
    assert minutes == [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 1440, 1440]
    assert retry_delay(10_000) == timedelta(hours=24)


def test_with_smtp_refusing_connections_the_email_waits_and_then_fails(app, monkeypatch):
    send_through(app, monkeypatch, free_port())
    send_email("ines@example.org", "password_changed", user=None, name="Ines")
    db.session.commit()
    email = latest(recipient="ines@example.org")
    assert (email.status, email.attempts) == (EmailStatus.PENDING, 1)
    assert email.last_error == "ConnectionRefusedError"

    for attempt in range(2, MAX_ATTEMPTS + 1):
        now = email.next_attempt_at + SWEEP_AFTER
        send_pending(now=now)
        email = latest(recipient="ines@example.org")
        assert email.attempts == attempt
        if attempt < MAX_ATTEMPTS:
            assert email.status == EmailStatus.PENDING
            assert email.next_attempt_at == now + retry_delay(attempt)
    assert email.status == EmailStatus.FAILED and email.finished_at is not None


def test_with_smtp_refusing_connections_the_comment_is_kept_and_mailed_once_smtp_is_back(
    app, client, world, monkeypatch
):
    port = free_port()
    send_through(app, monkeypatch, port)
    receipt = post_comment(client, world)
    assert ON_ITS_WAY in receipt  # durably queued, though not sent yet
    email = latest(template="comment_receipt")
    assert (email.status, email.attempts) == (EmailStatus.PENDING, 1)

    with running_sink(port) as sink:
        send_pending(now=email.next_attempt_at + SWEEP_AFTER)
    received = [m for _s, _to, m, _u in sink.received if m["Message-ID"] == email.message_id]
    assert len(received) == 1 and received[0]["To"] == world.author.email
    assert latest(template="comment_receipt").status == EmailStatus.SENT


def test_the_receipt_says_on_screen_only_when_the_address_is_refused(client, world, smtp):
    smtp.refused[world.author.email] = "550 5.1.1 No such user here"
    receipt = post_comment(client, world)
    assert ON_SCREEN_ONLY in receipt and ON_ITS_WAY not in receipt
    assert BANNER in receipt


def test_the_receipt_says_it_is_emailed_when_it_is(client, world, outbox):
    receipt = post_comment(client, world)
    assert ON_ITS_WAY in receipt and ON_SCREEN_ONLY not in receipt
    assert outbox.text(world.author.email)


# Claims, crashes and the sweep -------------------------------------------------------


def test_the_claim_is_conditional_so_only_one_deliverer_sends(outbox):
    email = queued_unannounced()
    with delivery_session() as first, delivery_session() as second:
        assert claim(first, email.id, utcnow()) is not None
        assert claim(second, email.id, utcnow()) is None
    assert deliver(email.id) is None  # a third deliverer finds it taken
    assert outbox.messages() == []


def test_the_sweep_leaves_fresh_rows_to_the_after_commit_delivery(outbox):
    email = queued_unannounced()
    assert send_pending(now=email.created_at + SWEEP_AFTER / 2) == {}
    assert sum(send_pending(now=email.created_at + SWEEP_AFTER).values()) == 1
    assert len(outbox.messages()) == 1


def test_a_crash_between_claim_and_send_is_recovered_by_the_sweep(outbox):
    email = queued_unannounced()
    claimed_at = utcnow()
    with delivery_session() as session:  # a worker claims the row, then dies
        assert claim(session, email.id, claimed_at) is not None

    send_pending(now=claimed_at + SWEEP_AFTER + timedelta(minutes=1))
    assert outbox.messages() == []  # a claim this recent may still be sending
    assert latest(id=email.id).status == EmailStatus.SENDING

    send_pending(now=claimed_at + STALE_CLAIM + timedelta(seconds=1))
    assert len(outbox.messages()) == 1
    email = latest(id=email.id)
    assert email.status == EmailStatus.SENT and email.attempts == 2


class Killed(BaseException):
    """The process dies (no ``except Exception`` catches it)."""


def test_a_worker_killed_after_sending_causes_one_duplicate_and_no_loss(outbox, monkeypatch):
    email = queued_unannounced()
    real_transmit = delivery.transmit

    def send_then_die(config, message):
        real_transmit(config, message)
        raise Killed

    monkeypatch.setattr(delivery, "transmit", send_then_die)
    with pytest.raises(Killed):
        deliver(email.id)
    assert latest(id=email.id).status == EmailStatus.SENDING
    monkeypatch.setattr(delivery, "transmit", real_transmit)

    send_pending(now=utcnow() + STALE_CLAIM + timedelta(seconds=1))
    messages = outbox.messages()
    assert len(messages) == 2  # at least once: one duplicate...
    assert {m["Message-ID"] for m in messages} == {email.message_id}  # ...recognisable
    assert latest(id=email.id).status == EmailStatus.SENT
    send_pending(now=utcnow() + STALE_CLAIM * 3)
    assert len(outbox.messages()) == 2  # and no more


# RQ and Redis ------------------------------------------------------------------------


def _rq_redis_url() -> str:
    """Redis for the job queue: TEST_REDIS_URL's server, else 127.0.0.1:6379, in a
    database of its own per xdist worker (11, 10, …; rate limit tests use 15, 14, …)."""
    url = os.environ.get("TEST_REDIS_URL") or "redis://127.0.0.1:6379"
    number = 11 - int(WORKER.removeprefix("gw") or 0)
    return urlunsplit(urlsplit(url)._replace(path=f"/{number}"))


@pytest.fixture
def rq_queue(app, monkeypatch):
    """REDIS_URL set, and a queue of this test's own (removed afterwards)."""
    url = _rq_redis_url()
    connection = redis.Redis.from_url(url, socket_connect_timeout=1)
    try:
        connection.ping()
    except redis.ConnectionError:
        if os.environ.get("TEST_REDIS_URL"):
            raise
        pytest.skip("no Redis on 127.0.0.1:6379 (set TEST_REDIS_URL to require one)")
    name = f"consult-email-test-{uuid.uuid4().hex}"
    monkeypatch.setitem(app.config, "REDIS_URL", url)
    monkeypatch.setitem(app.config, "MAIL_QUEUE", name)
    # The worker installs its own signal handlers; give pytest its own back.
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    yield Queue(name, connection=connection)
    for sig, handler in handlers.items():
        signal.signal(sig, handler)
    Queue(name, connection=connection).delete(delete_jobs=True)
    connection.close()


def test_with_redis_an_rq_job_carries_the_row_id_and_a_burst_worker_delivers(
    app, client, world, outbox, rq_queue
):
    receipt = post_comment(client, world)
    assert ON_ITS_WAY in receipt
    email = latest(template="comment_receipt")
    assert email.status == EmailStatus.PENDING and email.attempts == 0
    assert receipts(outbox, email) == []  # the worker sends it, not the request
    jobs = rq_queue.get_jobs()
    assert email.id in [job.args[0] for job in jobs]
    assert all(job.args == (job.args[0],) and not job.kwargs for job in jobs)  # ids only

    result = app.test_cli_runner().invoke(args=["worker", "--burst"])
    assert result.exit_code == 0, result.output
    assert rq_queue.count == 0
    assert [m["To"] for m in receipts(outbox, email)] == [world.author.email]
    assert latest(id=email.id).status == EmailStatus.SENT


def test_with_redis_unreachable_the_comment_is_kept_and_the_sweep_mails_it(
    app, client, world, outbox, monkeypatch
):
    monkeypatch.setitem(app.config, "REDIS_URL", f"redis://127.0.0.1:{free_port()}/0")
    receipt = post_comment(client, world)
    assert ON_ITS_WAY in receipt  # saved, and the email durably queued
    email = latest(template="comment_receipt")
    assert email.status == EmailStatus.PENDING and email.attempts == 0
    assert receipts(outbox, email) == []

    send_pending(now=utcnow() + SWEEP_AFTER)
    assert [m["To"] for m in receipts(outbox, email)] == [world.author.email]
    assert latest(id=email.id).status == EmailStatus.SENT


def test_the_worker_needs_redis(app):
    result = app.test_cli_runner().invoke(args=["worker", "--burst"])
    assert result.exit_code != 0 and "REDIS_URL is not set" in result.output


def test_send_pending_reports_what_it_did(app, outbox):
    email = queued_unannounced()
    email.next_attempt_at = utcnow() - SWEEP_AFTER * 2
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["send-pending"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "1 sent"
