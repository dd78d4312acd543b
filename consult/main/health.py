"""What /healthz reports to load balancers and monitoring: whether each dependency
answers, and how much email is waiting. States and counts only: no versions, addresses,
host names or error messages."""

import redis
import sqlalchemy as sa
from flask import current_app

from consult import throttle
from consult.extensions import db
from consult.notifications.outbox import outbox_backlog

OK, UNREACHABLE, NOT_CONFIGURED = "ok", "unreachable", "not configured"


def database_state() -> str:
    try:
        db.session.execute(sa.text("SELECT 1"))
        db.session.rollback()
    except sa.exc.SQLAlchemyError:
        db.session.rollback()
        return UNREACHABLE
    return OK


def redis_state() -> str:
    url = current_app.config.get("REDIS_URL")
    if not url:
        return NOT_CONFIGURED
    client = redis.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=0.5)
    try:
        client.ping()
    except redis.RedisError:
        return UNREACHABLE
    finally:
        client.close()
    return OK


def email_backlog() -> dict[str, int] | str:
    """Emails waiting more than 10 minutes, and failed ones: counts only."""
    try:
        return outbox_backlog(10)
    except sa.exc.SQLAlchemyError:
        db.session.rollback()
        return UNREACHABLE


def health() -> tuple[dict, bool]:
    """The report, and whether this instance can serve (its database answers).

    Redis down is "degraded", not down: rate limits count in memory and email waits for
    the sweep, so pages and posting still work.
    """
    checks = {
        "database": database_state(),
        "redis": redis_state(),
        "rate_limits": throttle.storage_status(),
    }
    serving = checks["database"] == OK
    backlog = email_backlog() if serving else UNREACHABLE
    degraded = UNREACHABLE in checks.values() or (
        isinstance(backlog, dict) and backlog["pending"] > 0
    )
    status = "unavailable" if not serving else "degraded" if degraded else "ok"
    return {"status": status, "checks": checks, "email_backlog": backlog}, serving
