"""Email over SMTP: with MAIL_SERVER set, a message goes to the server once the request's
transaction commits, and never when it rolls back.

The server is a small SMTP sink started by the test (the stdlib's ``smtpd`` is deprecated
and ``aiosmtpd`` is not a dependency): it speaks just enough SMTP for ``smtplib`` and keeps
what it receives.
"""

import re
import socketserver
import threading
from contextlib import contextmanager
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest
import sqlalchemy as sa

from consult.accounts import services as account_services
from consult.accounts.models import User
from consult.extensions import db
from tests.accounts.test_views import REGISTRATION


class _SMTPHandler(socketserver.StreamRequestHandler):
    """One SMTP session: EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT."""

    def reply(self, line: str):
        self.wfile.write(f"{line}\r\n".encode())

    def handle(self):
        self.reply("220 sink.test ESMTP")
        sender, recipients = None, []
        while line := self.rfile.readline():
            command = line.decode("ascii", "replace").strip()
            verb = command[:4].upper()
            if verb in ("EHLO", "HELO"):
                self.reply("250 sink.test")
            elif verb == "MAIL":
                sender, recipients = _address(command), []
                self.reply("250 OK")
            elif verb == "RCPT":
                recipient = _address(command)
                if recipient in self.server.refused:
                    self.reply(self.server.refused[recipient])
                else:
                    recipients.append(recipient)
                    self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                self.server.receive(sender, recipients, self._read_data())
                self.reply("250 OK: queued")
            elif verb in ("RSET", "NOOP"):
                self.reply("250 OK")
            elif verb == "QUIT":
                self.reply("221 Bye")
                return
            else:
                self.reply("502 Command not implemented")

    def _read_data(self) -> bytes:
        lines = []
        while (line := self.rfile.readline()) and line.rstrip(b"\r\n") != b".":
            lines.append(line[1:] if line.startswith(b"..") else line)  # undo dot-stuffing
        return b"".join(lines)


def _address(command: str) -> str:
    match = re.search(r"<([^>]*)>", command)
    return match.group(1) if match else command.split(":", 1)[1].strip()


class SMTPSink(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, engine, port=0):
        super().__init__(("127.0.0.1", port), _SMTPHandler)
        self.engine = engine
        self.received = []  # (envelope sender, recipients, message, committed users then)
        self.refused = {}  # address -> the reply to RCPT TO, e.g. "550 5.1.1 No such user"

    def receive(self, sender, recipients, data: bytes):
        message = BytesParser(policy=policy.default).parsebytes(data)
        # What another connection sees as the message arrives: only committed rows.
        with self.engine.connect() as connection:
            users = set(connection.scalars(sa.select(User.email)))
        self.received.append((sender, recipients, message, users))


@pytest.fixture(autouse=True)
def _database(committed_database):
    """Committed rows (emptied after each test) instead of the rolled-back transaction of
    the other tests: the sink checks, from its own thread and connection, that the rows
    were committed before the message arrived."""
    return committed_database


@contextmanager
def running_sink(port=0):
    """An SMTP sink serving from a thread of its own, on ``port`` (0: a free one)."""
    server = SMTPSink(db.engine, port)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def send_through(app, monkeypatch, port):
    """Configure the app to send over SMTP to 127.0.0.1:``port``."""
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", port)
    monkeypatch.setitem(app.config, "MAIL_USE_TLS", False)
    monkeypatch.setitem(app.config, "MAIL_USERNAME", None)


@pytest.fixture
def smtp(app, monkeypatch):
    """An SMTP sink on a free local port, and the app configured to send through it."""
    with running_sink() as server:
        send_through(app, monkeypatch, server.server_address[1])
        yield server


def _outbox_files(app):
    return list(Path(app.config["MAIL_OUTBOX_DIR"]).glob("*.eml"))


def test_registration_mails_the_confirmation_over_smtp_after_the_commit(client, app, smtp):
    response = client.post("/register", {**REGISTRATION, "email": "Nadia@Example.org"})
    assert response.status_code == 302

    [(sender, recipients, message, committed)] = smtp.received
    assert recipients == ["nadia@example.org"]
    assert message["To"] == "nadia@example.org"
    assert message["Subject"] == "Confirm your email for Consult"
    assert sender in message["From"]
    # Sent after the commit: the new account was already visible to another connection.
    assert "nadia@example.org" in committed
    assert _outbox_files(app) == []  # SMTP instead of the outbox folder, not as well

    text = message.get_body(("plain",)).get_content()
    link = re.search(r"https?://[^/\s]+(/confirm/\S+)", text).group(1)
    assert b"Confirm my email" in client.get(link).data  # the link in the message works


def test_a_request_that_rolls_back_sends_nothing(client, app, smtp, monkeypatch):
    real = account_services.register_stakeholder

    def register_then_fail(**kwargs):
        real(**kwargs)  # queues the confirmation message
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(account_services, "register_stakeholder", register_then_fail)
    response = client.post("/register", {**REGISTRATION, "email": "lost@example.org"})
    assert response.status_code == 500
    assert smtp.received == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0

    # The next transaction to commit sends its own message, and not the dropped one.
    monkeypatch.setattr(account_services, "register_stakeholder", real)
    assert (
        client.post("/register", {**REGISTRATION, "email": "kept@example.org"}).status_code == 302
    )
    assert [recipients for _sender, recipients, _message, _users in smtp.received] == [
        ["kept@example.org"]
    ]
    assert _outbox_files(app) == []
