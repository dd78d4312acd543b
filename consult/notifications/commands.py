"""Scheduled commands of notifications (cron, hourly; see README): ``flask send-reminders``
and ``flask send-digests``, and the notifications' step of ``flask purge``.

Each is idempotent: run twice, or on two machines at once, it sends nothing twice.
"""

from datetime import UTC, datetime

import click
from flask.cli import with_appcontext

from consult.db import utcnow
from consult.notifications import cli as delivery_cli
from consult.notifications.digests import send_coordinator_digests, send_personal_digests
from consult.notifications.reminders import (
    commitments_overdue,
    send_reminders,
    send_weekly_overdue,
)
from consult.notifications.services import RETENTION_DAYS, purge_old


def _instant(value: str | None) -> datetime:
    if not value:
        return utcnow()
    try:
        instant = datetime.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter("an ISO 8601 instant, e.g. 2026-03-03T08:00:00+05:30") from exc
    return instant.astimezone(UTC) if instant.tzinfo else instant.replace(tzinfo=UTC)


NOW_OPTION = click.option(
    "--now",
    "now_text",
    metavar="INSTANT",
    help="Act as at this instant (ISO 8601; UTC unless a zone is given). Default: now.",
)


@click.command("send-reminders")
@NOW_OPTION
@with_appcontext
def send_reminders_command(now_text):
    """Remind companies of requests reaching a threshold today (from 08:00 local), tell
    commenters and followers of what became overdue, and send the coordinators' weekly
    overdue digest (Mondays)."""
    now = _instant(now_text)
    emails = send_reminders(now)
    overdue = commitments_overdue(now)
    weekly = send_weekly_overdue(now)
    click.echo(
        f"reminder emails: {emails}, commitment overdue notices: {overdue}, "
        f"weekly digests: {weekly}"
    )


@click.command("send-digests")
@NOW_OPTION
@with_appcontext
def send_digests_command(now_text):
    """Send the daily digests due (from 07:00 in each recipient's zone), once a day."""
    now = _instant(now_text)
    personal = send_personal_digests(now)
    coordination = send_coordinator_digests(now)
    click.echo(f"digests: {personal}, coordinators' digests: {coordination}")


def purge_notifications(now: datetime) -> int:
    return purge_old(now=now)


PURGE_STEP = (f"notifications (after {RETENTION_DAYS} days)", purge_notifications)


def register_purge_step():
    """Add the notifications' step to ``flask purge`` (its PURGE_STEPS list), once."""
    if PURGE_STEP not in delivery_cli.PURGE_STEPS:
        delivery_cli.PURGE_STEPS.append(PURGE_STEP)


register_purge_step()
COMMANDS = (send_reminders_command, send_digests_command)
