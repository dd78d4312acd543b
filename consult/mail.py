"""Email, queued during a transaction and sent only after it commits.

Embedded default: each message is written as an .eml file to the outbox folder
(``instance/outbox``). With MAIL_SERVER set, messages go out over SMTP.
A rolled-back request never mails anyone.
"""

import smtplib
import threading
import uuid
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from flask import current_app, has_request_context, render_template, url_for
from flask_babel import force_locale
from flask_sqlalchemy.session import Session as SASession
from sqlalchemy import event

from consult.extensions import db

_QUEUE_KEY = "consult.outgoing_mail"


def send_email(to: str, template: str, *, locale: str = "en", **context):
    """Queue a message rendered from ``templates/email/<template>/``; sent after commit."""
    with force_locale(locale):
        subject = render_template(f"email/{template}/subject.txt", **context).strip()
        body = render_template(f"email/{template}/body.txt", **context)
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="consult.invalid")
    message.set_content(body)
    db.session.info.setdefault(_QUEUE_KEY, []).append(message)
    return message


def _deliver(app, messages):
    if app.config.get("MAIL_SERVER"):
        config = app.config
        with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=30) as smtp:
            if config["MAIL_USE_TLS"]:
                smtp.starttls()
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
            for message in messages:
                smtp.send_message(message)
        return
    outbox = Path(app.config["MAIL_OUTBOX_DIR"])
    outbox.mkdir(parents=True, exist_ok=True)
    for message in messages:
        # Random file names: the outbox must not reveal order or volume by itself.
        (outbox / f"{uuid.uuid4().hex}.eml").write_bytes(bytes(message))


@event.listens_for(SASession, "after_commit")
def _send_after_commit(session):
    messages = session.info.pop(_QUEUE_KEY, None)
    if not messages:
        return
    # current_app is a LocalProxy; Flask types it as the Flask app, which has no such method.
    app = current_app._get_current_object()  # type: ignore[attr-defined]

    if app.config.get("MAIL_SERVER") and not app.testing:
        # SMTP in the background: a response must not take longer when a message is sent
        # (e.g. "forgot password" for an address that has an account) than when none is.
        threading.Thread(target=_deliver_logged, args=(app, messages), daemon=True).start()
    else:
        _deliver(app, messages)


def _deliver_logged(app, messages):
    try:
        _deliver(app, messages)
    except Exception:  # noqa: BLE001 - a failed send must not be silent
        app.logger.exception("Sending %d email(s) failed", len(messages))


@event.listens_for(SASession, "after_soft_rollback")
def _drop_on_rollback(session, previous_transaction):
    if previous_transaction.parent is None:
        session.info.pop(_QUEUE_KEY, None)


def discard_queued():
    """Drop the messages queued in this transaction (demonstration data sends none)."""
    db.session.info.pop(_QUEUE_KEY, None)


def external_url(endpoint: str, **values) -> str:
    """An absolute link for an email, built inside or outside a request (commands use
    BASE_URL when SERVER_NAME is not set)."""
    if has_request_context() or current_app.config.get("SERVER_NAME"):
        return url_for(endpoint, _external=True, **values)
    with current_app.test_request_context(base_url=current_app.config["BASE_URL"]):
        return url_for(endpoint, _external=True, **values)
