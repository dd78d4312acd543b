"""Writing and reading the audit log."""

from datetime import datetime

import sqlalchemy as sa

from consult.audit.models import AuditEntry
from consult.db import utcnow
from consult.extensions import db

# Details may hold ids, enum codes, dates and booleans, never free text or names.
_ALLOWED_DETAIL_TYPES = (int, bool, type(None))


def _check_details(details: dict) -> dict:
    for key, value in details.items():
        if isinstance(value, _ALLOWED_DETAIL_TYPES):
            continue
        if (
            isinstance(value, str)
            and len(value) <= 40
            and value.replace("_", "").replace("-", "").replace(".", "").isalnum()
        ):
            continue  # a code such as "match" or "2026-03-03"
        raise ValueError(f"audit detail {key!r} must be an id or a code, not text")
    return details


def record(actor, action: str, target=None, *, now: datetime | None = None, **details):
    """Append an audit entry for ``action`` by ``actor`` on ``target``."""
    entry = AuditEntry(
        created_at=now or utcnow(),
        actor_id=actor.id if actor is not None else None,
        action=action,
        target_type=target.__tablename__ if target is not None else None,
        target_id=target.id if target is not None else None,
        details=_check_details(details),
    )
    db.session.add(entry)
    return entry


def audit_query(*, action=None, actor_id=None, target_type=None, since=None, until=None):
    """Entries newest first, filtered by the given criteria."""
    query = sa.select(AuditEntry).order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
    if action:
        query = query.where(AuditEntry.action == action)
    if actor_id:
        query = query.where(AuditEntry.actor_id == actor_id)
    if target_type:
        query = query.where(AuditEntry.target_type == target_type)
    if since:
        query = query.where(AuditEntry.created_at >= since)
    if until:
        query = query.where(AuditEntry.created_at < until)
    return query


def known_actions() -> list[str]:
    return list(
        db.session.scalars(sa.select(AuditEntry.action).distinct().order_by(AuditEntry.action))
    )
