"""narrative summaries: the coordinators' draft, published revisions and their PDFs

Revision ID: 8230b5e66663
Revises: b194e3d75471
Create Date: 2026-12-01 17:45:55.576437+00:00

One draft per consultation (mutable, coordinators only); revisions numbered per
consultation (the unique constraint makes two concurrent publications store one number);
one PDF per revision, its bytes in the database. Revisions and PDFs are never changed
(consult/summaries/narrative_models.py). New tables only.
"""

from alembic import op
import sqlalchemy as sa

import consult.db


# revision identifiers, used by Alembic.
revision = "8230b5e66663"
down_revision = "b194e3d75471"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "narrative_drafts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("change_note", sa.Text(), nullable=False),
        sa.Column("edits", sa.Integer(), nullable=False),
        sa.Column("published_edits", sa.Integer(), nullable=True),
        sa.Column("updated_at", consult.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["consultations.id"],
            name=op.f("fk_narrative_drafts_consultation_id_consultations"),
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["users.id"], name=op.f("fk_narrative_drafts_updated_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["document_versions.id"],
            name=op.f("fk_narrative_drafts_version_id_document_versions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_narrative_drafts")),
        sa.UniqueConstraint("consultation_id", name=op.f("uq_narrative_drafts_consultation_id")),
    )
    op.create_table(
        "narrative_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("change_note", sa.Text(), nullable=True),
        sa.Column("published_at", consult.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("published_by_id", sa.Integer(), nullable=True),
        sa.Column("factual_snapshot_id", sa.Integer(), nullable=True),
        sa.Column("addendum_snapshot_id", sa.Integer(), nullable=True),
        sa.Column("leak_findings", sa.Integer(), nullable=False),
        sa.Column("leak_override_reason", sa.Text(), nullable=True),
        sa.Column("leak_overridden_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["addendum_snapshot_id"],
            ["summary_snapshots.id"],
            name=op.f("fk_narrative_revisions_addendum_snapshot_id_summary_snapshots"),
        ),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["consultations.id"],
            name=op.f("fk_narrative_revisions_consultation_id_consultations"),
        ),
        sa.ForeignKeyConstraint(
            ["factual_snapshot_id"],
            ["summary_snapshots.id"],
            name=op.f("fk_narrative_revisions_factual_snapshot_id_summary_snapshots"),
        ),
        sa.ForeignKeyConstraint(
            ["leak_overridden_by_id"],
            ["users.id"],
            name=op.f("fk_narrative_revisions_leak_overridden_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["published_by_id"],
            ["users.id"],
            name=op.f("fk_narrative_revisions_published_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["document_versions.id"],
            name=op.f("fk_narrative_revisions_version_id_document_versions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_narrative_revisions")),
        sa.UniqueConstraint("consultation_id", "number", name="uq_narrative_revisions_number"),
    )
    op.create_table(
        "narrative_pdfs",
        sa.Column("revision_id", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("created_at", consult.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["revision_id"],
            ["narrative_revisions.id"],
            name=op.f("fk_narrative_pdfs_revision_id_narrative_revisions"),
        ),
        sa.PrimaryKeyConstraint("revision_id", name=op.f("pk_narrative_pdfs")),
    )


def downgrade():
    op.drop_table("narrative_pdfs")
    op.drop_table("narrative_revisions")
    op.drop_table("narrative_drafts")
