"""Delivery from other threads, on connections of their own: two deliverers at once (as
two RQ workers, or a worker and the sweep, would be), of which the conditional claim
lets one send; and the background thread of the embedded default."""

import threading

import pytest

from consult.extensions import db
from consult.mail import EmailStatus, OutboundEmail, send_email
from consult.notifications import delivery, jobs


@pytest.fixture(autouse=True)
def _database(committed_database):
    """Committed rows, emptied afterwards: the deliverers read them from other threads."""
    return committed_database


def test_two_workers_delivering_the_same_row_send_it_once(app, outbox, monkeypatch):
    email = send_email("ines@example.org", "password_changed", user=None, name="Ines")
    db.session.info.pop("consult.outgoing_mail")  # the two workers below deliver it
    db.session.commit()
    email_id = email.id  # read here: the main thread's session is not for the workers

    # Both read the row as pending before either claims it, then race to claim.
    both_ready = threading.Barrier(2, timeout=10)
    real_claim = delivery.claim

    def claim_together(session, email_id, now):
        both_ready.wait()
        return real_claim(session, email_id, now)

    monkeypatch.setattr(delivery, "claim", claim_together)
    outcomes = []

    def worker():
        with app.app_context():
            outcomes.append(delivery.deliver(email_id))

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert len(outcomes) == 2 and set(outcomes) == {EmailStatus.SENT, None}
    assert len(outbox.messages()) == 1
    db.session.rollback()  # end this thread's read snapshot
    assert db.session.get(OutboundEmail, email_id).attempts == 1


def test_outside_tests_and_without_redis_a_background_thread_delivers(app, outbox, monkeypatch):
    # The embedded default: the request that committed does not wait for the send.
    monkeypatch.setattr(app, "testing", False)
    done, threads = threading.Event(), []
    real = jobs._deliver_in_thread

    def deliver_and_tell(app, ids):
        threads.append(threading.get_ident())
        real(app, ids)
        done.set()

    monkeypatch.setattr(jobs, "_deliver_in_thread", deliver_and_tell)
    email = send_email("ines@example.org", "password_changed", user=None, name="Ines")
    db.session.commit()
    message_id = email.message_id
    assert done.wait(timeout=30)
    assert len(threads) == 1 and threads[0] != threading.get_ident()
    assert [m["Message-ID"] for m in outbox.messages()] == [message_id]
