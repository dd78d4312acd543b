"""outbound emails: the durable outbox

Revision ID: abef146f23eb
Revises: e80850224264
Create Date: 2026-12-01 17:14:28.799665+00:00

Every email is a row, written in the transaction of what it reports and delivered after
the commit (consult/mail.py, consult/notifications/delivery.py). Accounts gain
``undeliverable_email``: an address a mail server refused, for the banner asking the
person to check it. A new table and a new nullable column: nothing to convert.
"""

from alembic import op
import sqlalchemy as sa

import consult.db


# revision identifiers, used by Alembic.
revision = "abef146f23eb"
down_revision = "e80850224264"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "outbound_emails",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "sending",
                "sent",
                "failed",
                "undeliverable",
                name="emailstatus",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("recipient", sa.String(length=320), nullable=False),
        sa.Column("locale", sa.String(length=10), nullable=False),
        sa.Column("template", sa.String(length=64), nullable=False),
        sa.Column("topic", sa.String(length=100), nullable=True),
        sa.Column("message_id", sa.String(length=255), nullable=False),
        sa.Column("subject", sa.Text(), nullable=True),
        sa.Column("body_text", sa.Text(), nullable=True),
        sa.Column("body_html", sa.Text(), nullable=True),
        sa.Column("headers", sa.JSON(), nullable=False),
        sa.Column("created_at", consult.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", consult.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("claimed_at", consult.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("finished_at", consult.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=100), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbound_emails")),
        sa.UniqueConstraint("message_id", name=op.f("uq_outbound_emails_message_id")),
    )
    with op.batch_alter_table("outbound_emails", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_outbound_emails_recipient"), ["recipient"], unique=False
        )
        batch_op.create_index(
            "ix_outbound_emails_status_next", ["status", "next_attempt_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_outbound_emails_topic"), ["topic"], unique=False)

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("undeliverable_email", sa.String(length=254), nullable=True))


def downgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("undeliverable_email")

    with op.batch_alter_table("outbound_emails", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbound_emails_topic"))
        batch_op.drop_index("ix_outbound_emails_status_next")
        batch_op.drop_index(batch_op.f("ix_outbound_emails_recipient"))

    op.drop_table("outbound_emails")
