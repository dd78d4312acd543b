"""``flask close-due``: freeze the summaries that fell due (cron, e.g. every 15 minutes)."""

from datetime import UTC, datetime

import click
from flask.cli import with_appcontext

from consult.db import utcnow
from consult.extensions import db
from consult.summaries.services import freeze_due
from consult.transactions import with_retries


def _instant(value: str | None) -> datetime:
    if not value:
        return utcnow()
    try:
        instant = datetime.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter("an ISO 8601 instant, e.g. 2026-03-04T00:00:00+01:00") from exc
    return instant.astimezone(UTC) if instant.tzinfo else instant.replace(tzinfo=UTC)


@click.command("close-due")
@click.option(
    "--now",
    "now_text",
    metavar="INSTANT",
    help="Act as at this instant (ISO 8601; UTC unless a zone is given). Default: now.",
)
@with_appcontext
def close_due_command(now_text):
    """Freeze the factual summary of every consultation whose commenting closed, and the
    response addendum of those past close + response window + 1 day. Idempotent: run
    twice, or on two machines at once, it freezes each snapshot once."""
    now = _instant(now_text)

    def work():
        result = freeze_due(now)
        db.session.commit()
        return result

    result = with_retries(work)  # a concurrent run holding the lock: look again
    click.echo(f"Frozen: {result.factual} factual summaries, {result.addenda} addenda.")
