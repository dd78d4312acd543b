"""notifications, follows, preferences and reminders

Revision ID: 43ea5990af88
Revises: abef146f23eb
Create Date: 2026-12-01 17:16:21.341269+00:00

Notifications (ids only, never text), follows, delivery preferences, discreet-email
settings, and the logs that keep scheduled mail idempotent: one reminder per request and
threshold, one digest per person, kind and day. New tables only.
"""

from alembic import op
import sqlalchemy as sa

import consult.db


# revision identifiers, used by Alembic.
revision = "43ea5990af88"
down_revision = "abef146f23eb"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "digest_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "personal",
                "coordination",
                "weekly_overdue",
                name="digestkind",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("on_date", sa.Date(), nullable=False),
        sa.Column("sent_at", consult.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_digest_runs_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_digest_runs")),
        sa.UniqueConstraint("user_id", "kind", "on_date", name="uq_digest_runs_user_kind_date"),
    )
    op.create_table(
        "mail_settings",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("discreet", sa.Boolean(), nullable=True),
        sa.Column("changed_at", consult.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_mail_settings_user_id_users")
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_mail_settings")),
    )
    op.create_table(
        "notification_preferences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "thread_reply",
                "company_response",
                "request_overdue",
                "my_comment",
                "cosign_invitation",
                "followed_activity",
                "consultation_news",
                "commitments",
                "new_request",
                "company_thread",
                "reminders",
                "coordination",
                "security",
                name="kind",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column(
            "delivery",
            sa.Enum(
                "immediate",
                "digest",
                "app",
                name="delivery",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("changed_at", consult.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_notification_preferences_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_preferences")),
        sa.UniqueConstraint("user_id", "kind", name="uq_notification_preferences_user_kind"),
    )
    op.create_table(
        "request_reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column(
            "threshold",
            sa.Enum(
                "due_in_7_days",
                "due_in_2_days",
                "overdue",
                "very_overdue",
                name="threshold",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("on_date", sa.Date(), nullable=False),
        sa.Column("sent_at", consult.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["response_requests.id"],
            name=op.f("fk_request_reminders_request_id_response_requests"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_request_reminders")),
        sa.UniqueConstraint("request_id", "threshold", name="uq_request_reminders_threshold"),
    )
    op.create_table(
        "follows",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column(
            "target",
            sa.Enum(
                "consultation",
                "section",
                "paragraph",
                "comment",
                "commitment",
                "company",
                name="followtarget",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("target_key", sa.String(length=80), nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=True),
        sa.Column("stable_key", sa.String(length=16), nullable=True),
        sa.Column("comment_id", sa.Integer(), nullable=True),
        sa.Column("commitment_id", sa.Integer(), nullable=True),
        sa.Column("company_id", sa.Integer(), nullable=True),
        sa.Column("created_at", consult.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["comment_id"], ["comments.id"], name=op.f("fk_follows_comment_id_comments")
        ),
        sa.ForeignKeyConstraint(
            ["commitment_id"], ["commitments.id"], name=op.f("fk_follows_commitment_id_commitments")
        ),
        sa.ForeignKeyConstraint(
            ["company_id"], ["organisations.id"], name=op.f("fk_follows_company_id_organisations")
        ),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["consultations.id"],
            name=op.f("fk_follows_consultation_id_consultations"),
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_follows_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follows")),
        sa.UniqueConstraint("user_id", "target_key", name="uq_follows_user_target"),
    )
    with op.batch_alter_table("follows", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_follows_target_key"), ["target_key"], unique=False)

    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "thread_reply",
                "company_response",
                "request_overdue",
                "my_comment",
                "cosign_invitation",
                "followed_activity",
                "consultation_news",
                "commitments",
                "new_request",
                "company_thread",
                "reminders",
                "coordination",
                "security",
                name="kind",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column(
            "event",
            sa.Enum(
                "reply_posted",
                "rejoinder_posted",
                "response_posted",
                "request_overdue",
                "comment_hidden",
                "comment_restored",
                "late_accepted",
                "late_refused",
                "cosign_invited",
                "cosigned_edited",
                "comment_published",
                "version_published",
                "phase_changed",
                "update_posted",
                "commitment_status",
                "commitment_overdue",
                "request_opened",
                "signed_in",
                "password_changed",
                "email_changed",
                "identity_revealed",
                name="event",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("event_key", sa.String(length=80), nullable=False),
        sa.Column(
            "delivery",
            sa.Enum(
                "immediate",
                "digest",
                "app",
                name="delivery",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("detail", sa.String(length=30), nullable=True),
        sa.Column("consultation_id", sa.Integer(), nullable=True),
        sa.Column("comment_id", sa.Integer(), nullable=True),
        sa.Column("reply_id", sa.Integer(), nullable=True),
        sa.Column("request_id", sa.Integer(), nullable=True),
        sa.Column("response_id", sa.Integer(), nullable=True),
        sa.Column("rejoinder_id", sa.Integer(), nullable=True),
        sa.Column("version_id", sa.Integer(), nullable=True),
        sa.Column("update_id", sa.Integer(), nullable=True),
        sa.Column("commitment_id", sa.Integer(), nullable=True),
        sa.Column("commitment_event_id", sa.Integer(), nullable=True),
        sa.Column("moderation_action_id", sa.Integer(), nullable=True),
        sa.Column("reveal_id", sa.Integer(), nullable=True),
        sa.Column("created_at", consult.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("read_at", consult.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("emailed_at", consult.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("digested_at", consult.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["comment_id"], ["comments.id"], name=op.f("fk_notifications_comment_id_comments")
        ),
        sa.ForeignKeyConstraint(
            ["commitment_event_id"],
            ["commitment_events.id"],
            name=op.f("fk_notifications_commitment_event_id_commitment_events"),
        ),
        sa.ForeignKeyConstraint(
            ["commitment_id"],
            ["commitments.id"],
            name=op.f("fk_notifications_commitment_id_commitments"),
        ),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["consultations.id"],
            name=op.f("fk_notifications_consultation_id_consultations"),
        ),
        sa.ForeignKeyConstraint(
            ["moderation_action_id"],
            ["moderation_actions.id"],
            name=op.f("fk_notifications_moderation_action_id_moderation_actions"),
        ),
        sa.ForeignKeyConstraint(
            ["rejoinder_id"],
            ["rejoinders.id"],
            name=op.f("fk_notifications_rejoinder_id_rejoinders"),
        ),
        sa.ForeignKeyConstraint(
            ["reply_id"], ["replies.id"], name=op.f("fk_notifications_reply_id_replies")
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["response_requests.id"],
            name=op.f("fk_notifications_request_id_response_requests"),
        ),
        sa.ForeignKeyConstraint(
            ["response_id"], ["responses.id"], name=op.f("fk_notifications_response_id_responses")
        ),
        sa.ForeignKeyConstraint(
            ["reveal_id"],
            ["identity_reveals.id"],
            name=op.f("fk_notifications_reveal_id_identity_reveals"),
        ),
        sa.ForeignKeyConstraint(
            ["update_id"], ["updates.id"], name=op.f("fk_notifications_update_id_updates")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_notifications_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["document_versions.id"],
            name=op.f("fk_notifications_version_id_document_versions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
        sa.UniqueConstraint("user_id", "event_key", name="uq_notifications_user_event"),
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_notifications_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index("ix_notifications_user_unread", ["user_id", "read_at"], unique=False)


def downgrade():
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index("ix_notifications_user_unread")
        batch_op.drop_index(batch_op.f("ix_notifications_created_at"))

    op.drop_table("notifications")
    with op.batch_alter_table("follows", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_follows_target_key"))

    op.drop_table("follows")
    op.drop_table("request_reminders")
    op.drop_table("notification_preferences")
    op.drop_table("mail_settings")
    op.drop_table("digest_runs")
