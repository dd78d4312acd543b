"""milestones on the timeline

Revision ID: 3416f22582bf
Revises: c2a7aef6238e
Create Date: 2026-12-01 17:33:58.680795+00:00

Milestones are timeline rows, not a table of their own: a row may now record the date a
milestone was reached (``milestone_done``, ``actual_on``), and a named milestone carries
its reference and name on each of its rows. The milestone and event kinds gain values,
so their CHECK constraints are replaced (batch mode rebuilds the table on SQLite).

Downgrade deletes the rows the older code cannot read: every row of the new kinds and
milestones.
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "3416f22582bf"
down_revision = "c2a7aef6238e"
branch_labels = None
depends_on = None

OLD_KINDS = ("phase_changed", "date_planned", "version_published")
NEW_KINDS = (*OLD_KINDS, "milestone_done")
OLD_MILESTONES = ("opens", "closes", "summary_due")
NEW_MILESTONES = (
    *OLD_MILESTONES,
    "draft_published",
    "response_window_ends",
    "factual_summary",
    "next_draft",
    "final_principles",
    "first_progress_report",
    "other",
)


def _checks(batch_op, kinds, milestones):
    batch_op.create_check_constraint(
        op.f("ck_timeline_events_eventkind"), sa.column("kind").in_(kinds)
    )
    batch_op.create_check_constraint(
        op.f("ck_timeline_events_milestone"), sa.column("milestone").in_(milestones)
    )


def upgrade():
    with op.batch_alter_table("timeline_events", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_timeline_events_eventkind"), type_="check")
        batch_op.drop_constraint(op.f("ck_timeline_events_milestone"), type_="check")
        batch_op.add_column(sa.Column("actual_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("milestone_ref", sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column("milestone_name", sa.String(length=200), nullable=True))
        batch_op.alter_column(
            "milestone",
            existing_type=sa.String(length=11),
            type_=sa.String(length=21),
            existing_nullable=True,
        )
        _checks(batch_op, NEW_KINDS, NEW_MILESTONES)


def downgrade():
    timeline = sa.table(
        "timeline_events", sa.column("kind", sa.String), sa.column("milestone", sa.String)
    )
    op.execute(
        timeline.delete().where(
            sa.or_(
                timeline.c.kind.not_in(OLD_KINDS),
                sa.and_(
                    timeline.c.milestone.is_not(None),
                    timeline.c.milestone.not_in(OLD_MILESTONES),
                ),
            )
        )
    )
    with op.batch_alter_table("timeline_events", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_timeline_events_eventkind"), type_="check")
        batch_op.drop_constraint(op.f("ck_timeline_events_milestone"), type_="check")
        batch_op.alter_column(
            "milestone",
            existing_type=sa.String(length=21),
            type_=sa.String(length=11),
            existing_nullable=True,
        )
        batch_op.drop_column("milestone_name")
        batch_op.drop_column("milestone_ref")
        batch_op.drop_column("actual_on")
        _checks(batch_op, OLD_KINDS, OLD_MILESTONES)
