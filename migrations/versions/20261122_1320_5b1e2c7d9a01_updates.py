"""updates

Revision ID: 5b1e2c7d9a01
Revises: c63c5f5ac5fe
Create Date: 2026-11-22 13:20:00+00:00

"""

from alembic import op
import sqlalchemy as sa

import consult.db


# revision identifiers, used by Alembic.
revision = "5b1e2c7d9a01"
down_revision = "c63c5f5ac5fe"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "updates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=12), nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "progress",
                "extension",
                "delay",
                "new_version",
                "reopening",
                name="updatekind",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("posted_at", consult.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_updates_author_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["consultations.id"],
            name=op.f("fk_updates_consultation_id_consultations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_updates")),
        sa.UniqueConstraint("reference", name=op.f("uq_updates_reference")),
    )
    with op.batch_alter_table("updates", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_updates_consultation_id"), ["consultation_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_updates_posted_at"), ["posted_at"], unique=False)


def downgrade():
    with op.batch_alter_table("updates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_updates_posted_at"))
        batch_op.drop_index(batch_op.f("ix_updates_consultation_id"))

    op.drop_table("updates")
