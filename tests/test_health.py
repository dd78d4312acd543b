"""/healthz: dependency states for load balancers and monitoring, and nothing else."""

import logging
import os
import socket

from config import Config
from consult import workers


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_healthz_reports_states_only(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", None)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers
    report = response.get_json()
    assert report["status"] == "ok"
    assert report["checks"]["database"] == "ok"
    assert report["checks"]["redis"] == "not configured"
    assert report["email_backlog"] == {"pending": 0, "failed": 0}
    # States and counts only: no versions, hosts, addresses or messages.
    flat = str(report)
    for secret in ("127.0.0.1", "sqlite", "postgres", app.config["SECRET_KEY"]):
        assert secret not in flat


def test_healthz_says_degraded_but_serving_when_redis_is_unreachable(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", f"redis://127.0.0.1:{_closed_port()}/0")
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json()["status"] == "degraded"
    assert response.get_json()["checks"]["redis"] == "unreachable"


def test_several_processes_on_sqlite_with_limits_in_memory_are_warned_about(
    app, monkeypatch, tmp_path, caplog
):
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    monkeypatch.setitem(app.config, "SQLALCHEMY_DATABASE_URI", "sqlite:///x.sqlite3")
    monkeypatch.setitem(app.config, "RATELIMIT_STORAGE_URI", "memory://")
    assert workers.register_process(app) == 1
    assert "processes share" not in caplog.text

    # Another live worker (our parent stands in) and a dead one (pid 2**22 + 1 is above
    # Linux's pid_max, so it cannot be running).
    prefix = next((tmp_path / "processes").iterdir()).name.rsplit("-", 1)[0]
    (tmp_path / "processes" / f"{prefix}-{os.getppid()}").touch()
    (tmp_path / "processes" / f"{prefix}-{2**22 + 1}").touch()
    with caplog.at_level(logging.WARNING):
        assert workers.register_process(app) == 2
    assert "2 processes share the SQLite database with rate limits in memory" in caplog.text
    assert not (tmp_path / "processes" / f"{prefix}-{2**22 + 1}").exists()


def test_postgresql_with_redis_needs_no_warning(app, monkeypatch, tmp_path):
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    monkeypatch.setitem(app.config, "SQLALCHEMY_DATABASE_URI", "postgresql://h/db")
    monkeypatch.setitem(app.config, "RATELIMIT_STORAGE_URI", "redis://h:6379/0")
    assert workers.register_process(app) == 1
    assert not (tmp_path / "processes").exists()


def test_postgresql_connections_give_up_after_a_few_seconds():
    settings = {
        "SECRET_KEY": "x",
        "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://postgres@10.255.255.1/consult",
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    }
    Config.check(settings)
    options = settings["SQLALCHEMY_ENGINE_OPTIONS"]
    assert options["connect_args"]["connect_timeout"] == 5
    assert options["pool_pre_ping"] is True


def test_healthz_counts_email_waiting_too_long(client, app, monkeypatch):
    from datetime import timedelta

    from consult.db import utcnow
    from consult.extensions import db
    from consult.mail import OutboundEmail

    monkeypatch.setitem(app.config, "REDIS_URL", None)
    old = utcnow() - timedelta(minutes=30)
    db.session.add(
        OutboundEmail(
            recipient="someone@example.org",
            template="comment_receipt",
            locale="en",
            subject="Receipt",
            body_text="x",
            message_id="<m@consult.test>",
            created_at=old,
            next_attempt_at=old,
        )
    )
    db.session.commit()
    report = client.get("/healthz").get_json()
    assert report["email_backlog"] == {"pending": 1, "failed": 0}
    assert report["status"] == "degraded"
    assert "someone@example.org" not in str(report)
