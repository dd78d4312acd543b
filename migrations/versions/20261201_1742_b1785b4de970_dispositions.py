"""dispositions: what was done with each comment and campaign, and why

Revision ID: b1785b4de970
Revises: 3416f22582bf
Create Date: 2026-12-01 17:42:11.039800+00:00

"""

from alembic import op
import sqlalchemy as sa

import consult.db


# revision identifiers, used by Alembic.
revision = "b1785b4de970"
down_revision = "3416f22582bf"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "dispositions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=True),
        sa.Column("campaign_id", sa.Integer(), nullable=True),
        sa.Column(
            "outcome",
            sa.Enum(
                "incorporated",
                "partly_incorporated",
                "not_incorporated",
                "out_of_scope",
                "no_change_needed",
                name="outcome",
                native_enum=False,
                create_constraint=True,
                length=19,
            ),
            nullable=False,
        ),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("reason_html", sa.Text(), nullable=True),
        sa.Column("later_version_id", sa.Integer(), nullable=True),
        sa.Column("later_stable_key", sa.String(length=16), nullable=True),
        sa.Column("paragraph_removed", sa.Boolean(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", consult.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("submission_key", sa.String(length=64), nullable=False),
        sa.CheckConstraint(
            "(comment_id IS NULL) <> (campaign_id IS NULL)",
            name=op.f("ck_dispositions_one_subject"),
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaigns.id"], name=op.f("fk_dispositions_campaign_id_campaigns")
        ),
        sa.ForeignKeyConstraint(
            ["comment_id"], ["comments.id"], name=op.f("fk_dispositions_comment_id_comments")
        ),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["consultations.id"],
            name=op.f("fk_dispositions_consultation_id_consultations"),
        ),
        sa.ForeignKeyConstraint(
            ["later_version_id"],
            ["document_versions.id"],
            name=op.f("fk_dispositions_later_version_id_document_versions"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["users.id"], name=op.f("fk_dispositions_recorded_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dispositions")),
    )
    with op.batch_alter_table("dispositions") as batch_op:
        batch_op.create_index(
            batch_op.f("ix_dispositions_consultation_id"), ["consultation_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_dispositions_comment_id"), ["comment_id"])
        batch_op.create_index(batch_op.f("ix_dispositions_campaign_id"), ["campaign_id"])
        batch_op.create_index(
            "uq_dispositions_comment_submission",
            ["recorded_by_id", "submission_key", "comment_id"],
            unique=True,
        )
        batch_op.create_index(
            "uq_dispositions_campaign_submission",
            ["recorded_by_id", "submission_key", "campaign_id"],
            unique=True,
        )


def downgrade():
    op.drop_table("dispositions")
