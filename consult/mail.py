"""Email, queued as a row of the outbox in the caller's own transaction.

``send_email`` renders the message (in the recipient's language, with links from the
configured base URL) and adds an ``OutboundEmail`` row to the session: a comment that is
committed always has its receipt durably queued, and a request that rolls back mails
nobody. Nothing here delivers. Once the transaction commits, ``emails_committed`` is sent
with the new rows' ids, and ``consult.notifications.jobs`` (connected by the app factory)
delivers them; whatever it misses stays pending for ``flask send-pending``.
"""

import enum
import re
from datetime import datetime
from email.utils import make_msgid
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app, render_template
from flask_babel import force_locale
from flask_sqlalchemy.session import Session as SASession
from jinja2 import TemplateNotFound
from markupsafe import Markup, escape
from sqlalchemy import event
from sqlalchemy.orm import Mapped, mapped_column

from consult.db import enum_column, utcnow
from consult.events import Event
from consult.extensions import Model, db

# Sent after a commit that queued email, with the app as sender and ``ids`` (the rows).
emails_committed = Event("emails-committed")

_QUEUE_KEY = "consult.outgoing_mail"


class EmailStatus(enum.StrEnum):
    PENDING = "pending"  # waiting for its first or next attempt
    SENDING = "sending"  # claimed by one deliverer (a stale claim is swept back)
    SENT = "sent"  # the SMTP server (or the outbox folder) accepted it
    FAILED = "failed"  # refused for good, or retries exhausted; not the address's fault
    UNDELIVERABLE = "undeliverable"  # the server refused the address (SMTP 5xx)


class OutboundEmail(Model):
    """One message to one person. The bodies are emptied by ``flask purge`` 30 days
    after the message is done with; the rest stays for the receipts and the banner."""

    __tablename__ = "outbound_emails"
    __table_args__ = (sa.Index("ix_outbound_emails_status_next", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[EmailStatus] = mapped_column(
        enum_column(EmailStatus), default=EmailStatus.PENDING
    )
    recipient: Mapped[str] = mapped_column(sa.String(320), index=True)
    locale: Mapped[str] = mapped_column(sa.String(10))
    template: Mapped[str] = mapped_column(sa.String(64))
    # What the message is about, for finding it again (e.g. "receipt C-7K3Q9XPD").
    topic: Mapped[str | None] = mapped_column(sa.String(100), index=True)
    message_id: Mapped[str] = mapped_column(sa.String(255), unique=True)
    subject: Mapped[str | None] = mapped_column(sa.Text)
    body_text: Mapped[str | None] = mapped_column(sa.Text)
    body_html: Mapped[str | None] = mapped_column(sa.Text)
    headers: Mapped[dict] = mapped_column(sa.JSON, default=dict)  # extra ones, by name
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]  # when it became sent, failed or undeliverable
    # The kind of the last error and its SMTP code ("SMTPRecipientsRefused 550"): never
    # the server's words, which may quote the address.
    last_error: Mapped[str | None] = mapped_column(sa.String(100))


def send_email(
    to: str,
    template: str,
    *,
    locale: str = "en",
    headers: dict[str, str] | None = None,
    topic: str | None = None,
    **context,
) -> OutboundEmail:
    """Queue a message rendered from ``templates/email/<template>/`` in the caller's
    transaction; it is delivered after the commit, and never if the transaction rolls
    back.

    ``body.html`` is the HTML part when the template has one; otherwise the plain text
    is shown as escaped HTML.
    """
    with force_locale(locale):
        subject = render_template(f"email/{template}/subject.txt", **context).strip()
        text = render_template(f"email/{template}/body.txt", **context)
        html = _render_optional(f"email/{template}/body.html", **context)
        if html is None:
            html = render_template(
                "email/text_as_html.html", locale=locale, subject=subject, body=text_as_html(text)
            )
    email = OutboundEmail(
        recipient=to,
        locale=locale,
        template=template,
        topic=topic,
        message_id=make_msgid(domain=urlsplit(base_url()).hostname or "consult.invalid"),
        subject=subject,
        body_text=text,
        body_html=html,
        headers=dict(headers or {}),
        created_at=utcnow(),
    )
    email.next_attempt_at = email.created_at
    db.session.add(email)
    db.session.flush()
    db.session.info.setdefault(_QUEUE_KEY, []).append(email.id)
    return email


def _render_optional(name: str, /, **context) -> str | None:
    try:
        template = current_app.jinja_env.get_template(name)
    except TemplateNotFound as exc:
        if exc.name != name:  # the template exists but something it includes does not
            raise
        return None
    return render_template(template, **context)


_URL = re.compile(r"https?://[^\s<>\"']+")


def text_as_html(text: str) -> Markup:
    """The plain-text body as HTML: escaped, paragraphs kept, and only links to this
    site made clickable (a name someone typed may look like an address; it stays text)."""
    site = base_url().rstrip("/") + "/"
    paragraphs = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = []
        for line in block.splitlines():
            pieces, start = [], 0
            for match in _URL.finditer(line):
                url = match.group(0)
                if not url.startswith(site):
                    continue
                pieces += [escape(line[start : match.start()]), _link(url)]
                start = match.end()
            pieces.append(escape(line[start:]))
            lines.append(Markup("").join(pieces))
        paragraphs.append(Markup("<p>%s</p>") % Markup("<br>\n").join(lines))
    return Markup("\n").join(paragraphs)


def _link(url: str) -> Markup:
    return Markup('<a href="%s">%s</a>') % (url, url)


@event.listens_for(SASession, "after_commit")
def _announce_after_commit(session):
    if session.in_nested_transaction():
        return  # a SAVEPOINT released: the transaction may still roll back
    ids = session.info.pop(_QUEUE_KEY, None)
    if ids:
        # current_app is a LocalProxy; Flask types it as the app, which has no such method.
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        emails_committed.send(app, ids=ids)


@event.listens_for(SASession, "after_soft_rollback")
def _forget_on_rollback(session, previous_transaction):
    if previous_transaction.parent is None:
        session.info.pop(_QUEUE_KEY, None)


def discard_queued():
    """Delete the messages queued in this transaction (demonstration data mails nobody)."""
    ids = db.session.info.pop(_QUEUE_KEY, None)
    if ids:
        db.session.execute(sa.delete(OutboundEmail).where(OutboundEmail.id.in_(ids)))


def base_url() -> str:
    """Where every link in an email starts: SERVER_NAME when it is set, else BASE_URL.
    Never the request's Host header, which the sender of a request chooses."""
    config = current_app.config
    if config.get("SERVER_NAME"):
        root = (config.get("APPLICATION_ROOT") or "/").rstrip("/")
        return f"{config['PREFERRED_URL_SCHEME']}://{config['SERVER_NAME']}{root}"
    return config["BASE_URL"].rstrip("/")


def external_url(endpoint: str, **values) -> str:
    """An absolute link for an email, built from ``base_url()`` inside a request or not."""
    base = urlsplit(base_url())
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme
    )
    return adapter.build(endpoint, values, force_external=True)


def email_on_its_way(topic: str) -> bool:
    """True when the message about ``topic`` is durably queued or sent, and its address
    has not been refused: only then may a page say "we have emailed you"."""
    status = db.session.scalar(
        sa.select(OutboundEmail.status)
        .where(OutboundEmail.topic == topic)
        .order_by(OutboundEmail.id.desc())
        .limit(1)
    )
    return status in (EmailStatus.PENDING, EmailStatus.SENDING, EmailStatus.SENT)
