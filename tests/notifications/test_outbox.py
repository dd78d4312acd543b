"""The outbox: every email is a row written in its caller's transaction, rendered in the
recipient's language with plain-text and HTML parts, the headers every message carries
and links from the configured base URL; its bodies are purged after 30 days; and only
the notifications package delivers."""

import ast
import re
from datetime import timedelta
from email.utils import make_msgid
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_babel import get_locale
from jinja2 import ChoiceLoader, DictLoader

import consult.mail
from config import BASE_DIR
from consult.db import utcnow
from consult.extensions import db
from consult.mail import EmailStatus, OutboundEmail, discard_queued, send_email, text_as_html
from consult.notifications.outbox import outbox_backlog, purge_email_bodies
from tests import factories
from tests.accounts.test_views import REGISTRATION
from tests.conftest import CSRF_RE


@pytest.fixture(autouse=True)
def _server_name(app, monkeypatch):
    """The tests' SERVER_NAME, whatever an earlier test (the browser's live server) set."""
    monkeypatch.setitem(app.config, "SERVER_NAME", "consult.test")


def _rows():
    return list(db.session.scalars(sa.select(OutboundEmail).order_by(OutboundEmail.id)))


def test_the_row_is_written_in_the_callers_transaction_and_delivered_after_commit(outbox):
    user = factories.stakeholder(email="ines@example.org")
    email = send_email(user.email, "password_changed", locale=user.locale, user=user)
    assert email.status == EmailStatus.PENDING and email.attempts == 0
    assert outbox.messages() == []  # nothing leaves before the commit

    db.session.commit()
    db.session.refresh(email)
    assert email.status == EmailStatus.SENT and email.attempts == 1
    assert email.finished_at is not None
    [message] = outbox.messages()
    assert message["Message-ID"] == email.message_id


def test_a_rolled_back_transaction_leaves_no_row_and_mails_nobody(outbox):
    user = factories.stakeholder(email="ines@example.org")
    send_email(user.email, "password_changed", locale=user.locale, user=user)
    db.session.rollback()
    assert _rows() == []

    db.session.commit()  # a later commit does not deliver the dropped message
    assert outbox.messages() == []


def test_a_released_savepoint_is_not_the_commit(outbox):
    # Services insert once through savepoints (consult/idempotency.py); the transaction
    # around them may still roll back, so nothing may leave when one is released.
    user = factories.stakeholder(email="ines@example.org")
    with db.session.begin_nested():
        send_email(user.email, "password_changed", locale=user.locale, user=user)
    assert outbox.messages() == []
    db.session.rollback()
    db.session.commit()
    assert outbox.messages() == [] and _rows() == []


def test_every_message_has_both_parts_and_the_standard_headers(client, outbox):
    user = factories.stakeholder(email="ines@example.org", name="Ines <b>Bold</b>")
    send_email(user.email, "password_changed", locale=user.locale, user=user)
    db.session.commit()

    message = outbox.last("ines@example.org")
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "Ines <b>Bold</b>" in text
    assert "Ines &lt;b&gt;Bold&lt;/b&gt;" in html and "<b>Bold" not in html  # escaped
    assert re.fullmatch(r"<[^@<>\s]+@consult\.test>", message["Message-ID"])
    assert message["Date"].datetime is not None and message[
        "Date"
    ].datetime.utcoffset() == timedelta(0)
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Content-Language"] == "en"
    assert message["Subject"] and message["From"]


def test_extra_headers_are_added(outbox):
    user = factories.stakeholder(email="ines@example.org")
    unsubscribe = "<https://consult.test/unsubscribe/abc>"
    send_email(user.email, "password_changed", user=user, headers={"List-Unsubscribe": unsubscribe})
    db.session.commit()
    assert outbox.last("ines@example.org")["List-Unsubscribe"] == unsubscribe


def test_the_message_is_rendered_in_the_recipients_language(app, monkeypatch):
    rendered_in = []
    real = consult.mail.render_template

    def spy(name, **context):
        rendered_in.append(str(get_locale()))
        return real(name, **context)

    monkeypatch.setattr(consult.mail, "render_template", spy)
    user = factories.stakeholder(email="ines@example.org")
    # Whatever language the request that sends it asked for.
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        email = send_email(user.email, "password_changed", locale="fr", user=user)
    assert set(rendered_in) == {"fr"}
    assert email.locale == "fr"


def test_a_template_with_body_html_gives_its_own_html_part(app, monkeypatch, outbox):
    templates = DictLoader(
        {
            "email/greeting/subject.txt": "Hello",
            "email/greeting/body.txt": "Hello {{ name }}",
            "email/greeting/body.html": "<p>Hello <em>{{ name }}</em></p>",
        }
    )
    monkeypatch.setattr(app.jinja_env, "loader", ChoiceLoader([templates, app.jinja_env.loader]))
    send_email("ines@example.org", "greeting", name="Ines")
    db.session.commit()
    message = outbox.last("ines@example.org")
    assert message.get_body(("html",)).get_content().strip() == "<p>Hello <em>Ines</em></p>"
    assert message.get_body(("plain",)).get_content().strip() == "Hello Ines"


def test_text_as_html_escapes_and_links_only_this_sites_addresses():
    html = str(
        text_as_html(
            "Dear <script>x</script>,\n\n"
            "Your comment: http://consult.test/comments/C-1\n"
            "A name that looks like a link: https://evil.example/login"
        )
    )
    assert "&lt;script&gt;" in html and "<script>" not in html
    assert '<a href="http://consult.test/comments/C-1">' in html
    assert 'href="https://evil.example' not in html and "https://evil.example/login" in html
    assert html.count("<p>") == 2


def _register_from_host(client, host, email):
    """Register through a request whose Host header is ``host``."""
    base = f"http://{host}"
    page = client.raw.get("/register", base_url=base).get_data(as_text=True)
    token = CSRF_RE.search(page).group(1)
    response = client.raw.post(
        "/register", data={**REGISTRATION, "email": email, "csrf_token": token}, base_url=base
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]


def test_links_come_from_server_name_never_from_the_host_header(client, outbox):
    _register_from_host(client, "evil.example", "nadia@example.org")
    message = outbox.last("nadia@example.org")
    for part in ("plain", "html"):
        body = message.get_body((part,)).get_content()
        assert "evil.example" not in body
        assert re.search(r"http://consult\.test/confirm/\S+", body)


def test_links_come_from_base_url_when_no_server_name_is_set(app, client, outbox, monkeypatch):
    monkeypatch.setitem(app.config, "SERVER_NAME", None)
    monkeypatch.setitem(app.config, "BASE_URL", "https://consult.example/")
    _register_from_host(client, "evil.example", "nadia@example.org")
    body = outbox.text("nadia@example.org")
    assert "evil.example" not in body
    assert re.search(r"https://consult\.example/confirm/\S+", body)


def _finished(status, days_ago, **columns):
    """A message written directly (not queued, so nothing delivers it), done with
    ``days_ago`` days ago."""
    then = utcnow() - timedelta(days=days_ago)
    email = OutboundEmail(
        recipient="ines@example.org",
        locale="en",
        template="password_changed",
        message_id=make_msgid(domain="consult.test"),
        subject="Subject",
        body_text="Text",
        body_html="<p>Text</p>",
        status=status,
        created_at=then,
        next_attempt_at=then,
        finished_at=None if status in (EmailStatus.PENDING, EmailStatus.SENDING) else then,
        **{"headers": {}, **columns},
    )
    db.session.add(email)
    return email


def test_purge_empties_bodies_30_days_after_the_last_attempt(app):
    old_sent = _finished(EmailStatus.SENT, 31, headers={"List-Unsubscribe": "<x>"})
    old_refused = _finished(EmailStatus.UNDELIVERABLE, 31)
    recent = _finished(EmailStatus.SENT, 29)
    waiting = _finished(EmailStatus.PENDING, 40)
    db.session.commit()

    assert purge_email_bodies(utcnow()) == 2
    db.session.commit()
    for email in (old_sent, old_refused):
        db.session.refresh(email)
        assert (email.subject, email.body_text, email.body_html, email.headers) == (
            None,
            None,
            None,
            {},
        )
        assert email.message_id and email.status  # the row stays
    for email in (recent, waiting):
        db.session.refresh(email)
        assert email.body_text and email.body_html

    result = app.test_cli_runner().invoke(args=["purge"])
    assert result.exit_code == 0, result.output
    assert "email bodies (30 days after sending): 0" in result.output


def test_backlog_counts_waiting_and_failed_messages_older_than_asked():
    for status, days in [
        (EmailStatus.PENDING, 1),
        (EmailStatus.SENDING, 1),
        (EmailStatus.FAILED, 1),
        (EmailStatus.SENT, 1),
        (EmailStatus.PENDING, 0),  # just now
    ]:
        _finished(status, days)
    db.session.commit()
    assert outbox_backlog(10) == {"pending": 2, "failed": 1}
    assert outbox_backlog(60 * 48) == {"pending": 0, "failed": 0}


def test_discarding_the_queued_messages_removes_their_rows(outbox):
    # What the demonstration data does once loaded: its activity mails nobody.
    send_email("ines@example.org", "password_changed", user=None)
    send_email("ines@example.org", "password_changed", user=None)
    discard_queued()
    db.session.commit()
    assert _rows() == [] and outbox.messages() == []


# Only the notifications package delivers ---------------------------------------------

DELIVERY_MARKS = ("MAIL_OUTBOX_DIR", "MAIL_SERVER", ".eml")


def _delivery_code(path: Path) -> list[str]:
    """What in one module opens SMTP or reaches the outbox folder."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.split(".")[0] == "smtplib"]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("smtplib"):
            found.append(f"from {node.module}")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            found += [mark for mark in DELIVERY_MARKS if mark in node.value]
        elif isinstance(node, ast.Attribute | ast.Name) and "SMTP" in getattr(
            node, "attr", getattr(node, "id", "")
        ):
            found.append("SMTP")
    return found


def test_no_module_outside_the_notifications_package_sends_mail():
    package = BASE_DIR / "consult"
    offenders = {
        str(path.relative_to(BASE_DIR)): marks
        for path in sorted(package.rglob("*.py"))
        if "notifications" not in path.relative_to(package).parts
        and (marks := _delivery_code(path))
    }
    assert offenders == {}


def test_the_scan_sees_what_delivery_looks_like():
    # The scan must find what the delivery module does, or the test above proves nothing.
    marks = _delivery_code(BASE_DIR / "consult" / "notifications" / "delivery.py")
    assert {"smtplib", "SMTP", "MAIL_OUTBOX_DIR", "MAIL_SERVER"} <= set(marks)
