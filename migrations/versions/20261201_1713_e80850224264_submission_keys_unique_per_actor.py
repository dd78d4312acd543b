"""submission keys unique per actor

Revision ID: e80850224264
Revises: d45f7e846e1e
Create Date: 2026-12-01 17:13:25.073645+00:00

A form sent twice at the same instant (a double click reaching two workers) must make
one row. Each table whose rows a form creates gets a unique index on (actor,
submission_key), as comments already had (consult/idempotency.py):

- replies, responses and rejoinders already stored the key, without a constraint. Where
  an author used one key more than once (the duplicates this prevents from now on), the
  first row keeps it and the later ones get ``legacy-<id>``; no row is removed.
- co-signatures, moderation actions and commitment status changes get the column;
  existing rows get ``legacy-<id>``.

Unique indexes rather than table constraints: SQLite adds an index without rebuilding
the table, and a rebuild of replies or responses (which other rows refer to) fails
while foreign keys are enforced. Only the three tables given a new NOT NULL column are
rebuilt on SQLite; nothing refers to them.
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "e80850224264"
down_revision = "d45f7e846e1e"
branch_labels = None
depends_on = None

# (table, the column naming who submitted)
KEYED = [("replies", "author_id"), ("responses", "author_id"), ("rejoinders", "author_id")]
NEW_KEYS = [
    ("cosignatures", "user_id"),
    ("moderation_actions", "moderator_id"),
    ("commitment_events", "actor_id"),
]

# A key no form makes (forms make 32 URL-safe characters) and unique per row.
LEGACY_KEY = "'legacy-' || CAST(id AS VARCHAR(20))"


def _index_name(table, actor):
    return f"uq_{table}_{actor}_submission_key"


def upgrade():
    for table, actor in KEYED:
        # Table and column names are the constants above.
        op.execute(
            f"UPDATE {table} SET submission_key = {LEGACY_KEY} "  # noqa: S608
            f"WHERE id NOT IN (SELECT MIN(id) FROM {table} GROUP BY {actor}, submission_key)"
        )
        op.create_index(_index_name(table, actor), table, [actor, "submission_key"], unique=True)

    for table, actor in NEW_KEYS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("submission_key", sa.String(length=64), nullable=True))
        op.execute(f"UPDATE {table} SET submission_key = {LEGACY_KEY}")  # noqa: S608
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(
                "submission_key", existing_type=sa.String(length=64), nullable=False
            )
        op.create_index(_index_name(table, actor), table, [actor, "submission_key"], unique=True)


def downgrade():
    for table, actor in reversed(NEW_KEYS):
        op.drop_index(_index_name(table, actor), table_name=table)
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("submission_key")

    # The keys renamed to legacy-<id> stay renamed: which rows shared one is not kept.
    for table, actor in reversed(KEYED):
        op.drop_index(_index_name(table, actor), table_name=table)
