"""The outbox as a whole: the sweep that sends what was missed, the backlog /healthz
reports, and the purge of old bodies.

The sweep (``flask send-pending``, from cron every minute and at worker start) is what
makes delivery certain whatever else failed: Redis down when a job should have been
queued, a process that died before or during a send, a retry coming due.
"""

from collections import Counter
from datetime import datetime, timedelta

import sqlalchemy as sa

from consult.db import utcnow
from consult.extensions import db
from consult.mail import EmailStatus, OutboundEmail
from consult.notifications.delivery import MAX_ATTEMPTS, STALE_CLAIM, deliver, delivery_session

# Rows due for less than this are left to the after-commit delivery or its job.
SWEEP_AFTER = timedelta(minutes=2)
# Bodies (subject, text, HTML, extra headers) are kept this long after the last attempt.
KEEP_BODIES = timedelta(days=30)


def send_pending(*, now: datetime | None = None) -> Counter:
    """Deliver every row pending and due for more than ``SWEEP_AFTER``, after taking
    back the claims of deliverers that died; counts of the outcomes."""
    now = now or utcnow()
    with delivery_session() as session:
        _take_back_stale_claims(session, now)
        ids = session.scalars(
            sa.select(OutboundEmail.id)
            .where(
                OutboundEmail.status == EmailStatus.PENDING,
                OutboundEmail.next_attempt_at <= now - SWEEP_AFTER,
            )
            .order_by(OutboundEmail.next_attempt_at, OutboundEmail.id)
        ).all()
        session.commit()
    outcomes: Counter = Counter()
    for email_id in ids:
        status = deliver(email_id, now=now)
        outcomes[status.value if status else "taken by another deliverer"] += 1
    return outcomes


def _take_back_stale_claims(session, now: datetime):
    """A row claimed longer ago than ``STALE_CLAIM`` was being sent by a process that
    died: it is due again (or failed, once it has used up its attempts)."""
    stale = (
        OutboundEmail.status == EmailStatus.SENDING,
        OutboundEmail.claimed_at <= now - STALE_CLAIM,
    )
    session.execute(
        sa.update(OutboundEmail)
        .where(*stale, OutboundEmail.attempts >= MAX_ATTEMPTS)
        .values(status=EmailStatus.FAILED, finished_at=now, claimed_at=None)
        .execution_options(synchronize_session=False)
    )
    session.execute(
        sa.update(OutboundEmail)
        .where(*stale)
        .values(
            status=EmailStatus.PENDING,
            next_attempt_at=OutboundEmail.claimed_at,
            claimed_at=None,
        )
        .execution_options(synchronize_session=False)
    )
    session.commit()


def outbox_backlog(minutes: int = 10, *, now: datetime | None = None) -> dict[str, int]:
    """How many messages older than ``minutes`` are still waiting (pending or being
    sent) and how many failed: numbers only, for /healthz."""
    cutoff = (now or utcnow()) - timedelta(minutes=minutes)
    rows = db.session.execute(
        sa.select(OutboundEmail.status, sa.func.count())
        .where(
            OutboundEmail.status.in_(
                [EmailStatus.PENDING, EmailStatus.SENDING, EmailStatus.FAILED]
            ),
            OutboundEmail.created_at <= cutoff,
        )
        .group_by(OutboundEmail.status)
    )
    counts: dict[EmailStatus, int] = dict(rows.tuples().all())
    return {
        "pending": counts.get(EmailStatus.PENDING, 0) + counts.get(EmailStatus.SENDING, 0),
        "failed": counts.get(EmailStatus.FAILED, 0),
    }


def purge_email_bodies(now: datetime) -> int:
    """Empty the subject, bodies and extra headers of messages done with (sent, failed
    or undeliverable) more than ``KEEP_BODIES`` ago; the row stays, so a receipt can
    still say it was emailed. The number of messages emptied."""
    result = db.session.execute(
        sa.update(OutboundEmail)
        .where(
            OutboundEmail.finished_at <= now - KEEP_BODIES,
            OutboundEmail.status.in_(
                [EmailStatus.SENT, EmailStatus.FAILED, EmailStatus.UNDELIVERABLE]
            ),
            OutboundEmail.body_text.is_not(None),
        )
        .values(subject=None, body_text=None, body_html=None, headers={})
        .execution_options(synchronize_session=False)
    )
    return getattr(result, "rowcount", 0)
