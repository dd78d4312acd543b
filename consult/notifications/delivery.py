"""Delivering the outbox, one row at a time: the only code that opens SMTP or writes the
outbox folder (a test scans the sources to keep it so).

A deliverer first *claims* the row with a conditional update (pending → sending) and
commits, so two workers, a worker and the sweep, or a thread and a job never both send
it. Then it sends, then records the outcome. Delivery is at least once: a process killed
after the server accepted the message and before the outcome was recorded leaves the row
"sending"; the sweep (``consult.notifications.outbox.send_pending``) takes it back after
``STALE_CLAIM`` and sends it again, so that one crash costs at most one duplicate (with
the same Message-ID, which lets mail programs drop it) and never a lost message.
"""

import os
import smtplib
import tempfile
from contextlib import contextmanager
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session

from consult.accounts.models import User
from consult.db import utcnow
from consult.extensions import db
from consult.mail import EmailStatus, OutboundEmail

# Retries wait 1, 2, 4 … minutes, doubling up to 24 hours between attempts; after
# MAX_ATTEMPTS (about three and a half days) the row is failed.
FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=24)
MAX_ATTEMPTS = 14
SMTP_TIMEOUT = 30  # seconds, for each step of the SMTP conversation
# A claim older than this belongs to a deliverer that died: far longer than any send.
STALE_CLAIM = timedelta(minutes=10)


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failed attempt."""
    return min(FIRST_RETRY * 2 ** min(max(attempts - 1, 0), 20), LONGEST_RETRY)


@contextmanager
def delivery_session():
    """A session of delivery's own: it runs right after another session's commit (which
    can run no SQL at that point), in threads and in workers. Under test it joins the
    test's connection through savepoints, like ``db.session``."""
    session = Session(
        bind=db.session.get_bind(),
        join_transaction_mode="create_savepoint",
        expire_on_commit=False,
    )
    try:
        yield session
    finally:
        session.close()


def claim(session: Session, email_id: int, now: datetime) -> OutboundEmail | None:
    """Take the row for this deliverer alone, or None when it is not pending and due
    (sent, or claimed by someone else first)."""
    result = session.execute(
        sa.update(OutboundEmail)
        .where(
            OutboundEmail.id == email_id,
            OutboundEmail.status == EmailStatus.PENDING,
            OutboundEmail.next_attempt_at <= now,
        )
        .values(status=EmailStatus.SENDING, attempts=OutboundEmail.attempts + 1, claimed_at=now)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    if getattr(result, "rowcount", 0) != 1:
        return None
    return session.get(OutboundEmail, email_id)


def deliver(email_id: int, *, now: datetime | None = None) -> EmailStatus | None:
    """Claim, send and record one row; its new status, or None when it was not ours."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    now = now or utcnow()
    with delivery_session() as session:
        email = claim(session, email_id, now)
        if email is None:
            return None
        try:
            transmit(app.config, build_message(email, app.config["MAIL_DEFAULT_SENDER"]))
        except Exception as exc:  # noqa: BLE001 - every failure is recorded and retried
            _record_failure(app, email, exc, now)
        else:
            email.status = EmailStatus.SENT
            email.finished_at = now
            email.last_error = None
        email.claimed_at = None
        _mark_address(session, email)
        session.commit()
        return email.status


def _mark_address(session: Session, email: OutboundEmail):
    """Tell the account whose address was refused (the banner asks them to check it);
    a message accepted later for the same address takes the warning back."""
    if email.status == EmailStatus.UNDELIVERABLE:
        session.execute(
            sa.update(User)
            .where(User.email == email.recipient)
            .values(undeliverable_email=email.recipient)
            .execution_options(synchronize_session=False)
        )
    elif email.status == EmailStatus.SENT:
        session.execute(
            sa.update(User)
            .where(User.email == email.recipient, User.undeliverable_email == email.recipient)
            .values(undeliverable_email=None)
            .execution_options(synchronize_session=False)
        )


def build_message(email: OutboundEmail, sender: str) -> EmailMessage:
    """The message as sent: plain text and HTML parts, and the headers every message
    carries (Message-ID, Date, Auto-Submitted, the recipient's language)."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = email.recipient
    message["Subject"] = email.subject or ""
    message["Date"] = format_datetime(email.created_at)
    message["Message-ID"] = email.message_id
    # RFC 3834: sent by a program, so auto-responders (vacation replies) stay quiet.
    message["Auto-Submitted"] = "auto-generated"
    for name, value in (email.headers or {}).items():
        message[name] = value
    message.set_content(email.body_text or "")
    message.add_alternative(email.body_html or "", subtype="html")
    # After the parts: setting content drops the Content-* headers set before it.
    message["Content-Language"] = email.locale
    return message


def transmit(config, message: EmailMessage):
    """Hand the message to the SMTP server (MAIL_SERVER), or else write it as an .eml
    file to the outbox folder."""
    if config.get("MAIL_SERVER"):
        with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=SMTP_TIMEOUT) as smtp:
            if config["MAIL_USE_TLS"]:
                smtp.starttls()
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
            smtp.send_message(message)
        return
    outbox = Path(config["MAIL_OUTBOX_DIR"])
    outbox.mkdir(parents=True, exist_ok=True)
    # Written aside, then renamed: a reader never sees half a message. Random names: the
    # folder must not reveal order or volume by itself.
    handle, temporary = tempfile.mkstemp(dir=outbox, suffix=".part")
    with os.fdopen(handle, "wb") as file:
        file.write(bytes(message))
    os.replace(temporary, Path(temporary).with_suffix(".eml"))


def _record_failure(app, email: OutboundEmail, exc: Exception, now: datetime):
    """Undeliverable when the server refused the address (5xx), failed when it refused
    the message for good or the attempts are used up, else pending for a later retry."""
    final, error = classify(exc)
    email.last_error = error
    if final is None and email.attempts >= MAX_ATTEMPTS:
        final = EmailStatus.FAILED
    if final is not None:
        email.status = final
        email.finished_at = now
        app.logger.warning("Email %d not delivered (%s): %s", email.id, error, final.value)
        return
    email.status = EmailStatus.PENDING
    email.next_attempt_at = now + retry_delay(email.attempts)
    app.logger.warning(
        "Email %d not delivered (%s); attempt %d, retried in %s",
        email.id,
        error,
        email.attempts,
        retry_delay(email.attempts),
    )


def classify(exc: Exception) -> tuple[EmailStatus | None, str]:
    """The final status an error calls for (None: try again later), and a description
    of it that names no address: the exception's kind and the SMTP code."""
    name = type(exc).__name__
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _text in exc.recipients.values()]
        code = max(codes, default=0)
        return (EmailStatus.UNDELIVERABLE if code >= 500 else None), f"{name} {code}"
    if isinstance(exc, smtplib.SMTPResponseException):
        code = exc.smtp_code
        # A message refused after the address was accepted will be refused again. A 5xx
        # on the sender or the login is our configuration, which someone will fix.
        permanent = isinstance(exc, smtplib.SMTPDataError) and code >= 500
        return (EmailStatus.FAILED if permanent else None), f"{name} {code}"
    return None, name
