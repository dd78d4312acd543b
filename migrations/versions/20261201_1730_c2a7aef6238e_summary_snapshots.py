"""summary snapshots: the figures frozen at each close, and the response addendum

Revision ID: c2a7aef6238e
Revises: 43ea5990af88
Create Date: 2026-12-01 17:30:17.016751+00:00

One row per (consultation, kind, close instant): the unique constraint is what makes two
concurrent freezes store one snapshot (consult/summaries/services.py). New table only.
"""

from alembic import op
import sqlalchemy as sa

import consult.db


# revision identifiers, used by Alembic.
revision = "c2a7aef6238e"
down_revision = "43ea5990af88"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "summary_snapshots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "factual",
                "responses",
                name="snapshotkind",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("closes_at", consult.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("as_of", consult.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("schema_version", sa.Integer(), nullable=False),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.Column("superseded_at", consult.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["consultations.id"],
            name=op.f("fk_summary_snapshots_consultation_id_consultations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_summary_snapshots")),
        sa.UniqueConstraint(
            "consultation_id", "kind", "closes_at", name="uq_summary_snapshots_close"
        ),
    )


def downgrade():
    op.drop_table("summary_snapshots")
