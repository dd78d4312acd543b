"""The audit log: append-only, ids only (never names or text)."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from consult.db import utcnow
from consult.extensions import Model


class AuditEntry(Model):
    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(sa.String(64), index=True)
    target_type: Mapped[str | None] = mapped_column(sa.String(64))
    target_id: Mapped[int | None]
    # Further ids and codes (e.g. {"organisation_id": 4, "decision": "match"}); no text.
    details: Mapped[dict] = mapped_column(sa.JSON, default=dict)
