"""When delivery runs: right after the commit that queued the email, and in workers.

- With REDIS_URL: one RQ job per row, carrying only the row's id; ``flask worker`` (or
  ``rq worker``) runs them. If Redis cannot take the job, the request still succeeds and
  the row waits, pending, for the sweep.
- Embedded default: a background thread of the process that committed, so a response
  takes no longer when it sends a message (e.g. "forgot password" for an address that
  has an account) than when it sends none.
- Under test: at once, in the committing thread, so a test can read what was sent.

Whatever any of them misses, ``flask send-pending`` sends (consult.notifications.outbox).
"""

import threading

import redis
from flask import Flask, current_app, has_app_context
from rq import Queue, SimpleWorker

from consult.mail import emails_committed
from consult.notifications.delivery import deliver
from consult.notifications.outbox import send_pending

DEFAULT_QUEUE = "consult-email"  # MAIL_QUEUE overrides it (tests use one queue each)
JOB_TIMEOUT = 300  # seconds; a send gives up long before (SMTP_TIMEOUT per step)
_worker_app: Flask | None = None


def subscribe():
    """Connect delivery to the commits that queue email (called by the app factory)."""
    emails_committed.connect(deliver_after_commit)


def deliver_after_commit(app: Flask, *, ids: list[int]):
    """Start delivering the rows just committed: as jobs, in a thread, or at once."""
    if app.config.get("REDIS_URL"):
        enqueue(app, ids)
    elif app.testing:
        _deliver_all(app, ids)
    else:
        # Not a daemon: a command that commits and exits waits for its email to go.
        threading.Thread(target=_deliver_in_thread, args=(app, ids), daemon=False).start()


def _deliver_in_thread(app: Flask, ids: list[int]):
    with app.app_context():
        _deliver_all(app, ids)


def _deliver_all(app: Flask, ids: list[int]):
    for email_id in ids:
        try:
            deliver(email_id)
        except Exception as exc:  # noqa: BLE001 - the sweep will try again
            # The kind only: a database error's text carries the row's values.
            app.logger.error(
                "Delivering email %d failed (%s); the sweep will retry it",
                email_id,
                type(exc).__name__,
            )


def queue(app: Flask) -> Queue:
    """The RQ queue of email jobs, on a connection that gives up quickly when Redis
    is away, so a request never waits for it."""
    url = app.config["REDIS_URL"]
    connections = app.extensions.setdefault("consult.redis", {})
    if url not in connections:
        connections[url] = redis.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=2)
    return Queue(app.config.get("MAIL_QUEUE", DEFAULT_QUEUE), connection=connections[url])


def enqueue(app: Flask, ids: list[int]):
    """One job per row; if Redis refuses, log it and leave the rows to the sweep."""
    try:
        email_queue = queue(app)
        for email_id in ids:
            email_queue.enqueue(
                deliver_job, email_id, job_timeout=JOB_TIMEOUT, result_ttl=0, failure_ttl=86400
            )
    except redis.RedisError as exc:
        app.logger.warning(
            "Could not queue %d email(s) on Redis (%s); flask send-pending will send them",
            len(ids),
            type(exc).__name__,
        )


def deliver_job(email_id: int):
    """The RQ job: the row says everything else, and the claim makes a repeat harmless."""
    if has_app_context():  # flask worker
        deliver(email_id)
        return
    with _app_for_rq().app_context():  # rq worker
        deliver(email_id)


def _app_for_rq() -> Flask:
    global _worker_app
    if _worker_app is None:
        # `rq worker` runs this module without the app. Imported here, not at the top:
        # the app factory imports this module (a start-up cycle otherwise).
        from consult import create_app

        _worker_app = create_app()
    return _worker_app


def run_worker(*, burst: bool = False):
    """Sweep first (what Redis being down, or a crash, left behind), then run the email
    jobs in this process until stopped (or, with ``burst``, until the queue is empty)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    send_pending()
    email_queue = queue(app)
    # SimpleWorker runs each job in this process, in the app context the command opened;
    # a forking worker would share this process's database connections with its child.
    worker = SimpleWorker([email_queue], connection=email_queue.connection)
    worker.work(burst=burst, logging_level="WARNING")
