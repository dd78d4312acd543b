"""Commands for email delivery and retention: ``flask send-pending`` (cron, every
minute), ``flask worker`` (with REDIS_URL) and ``flask purge`` (cron, daily)."""

from collections.abc import Callable
from datetime import datetime

import click
from flask import current_app
from flask.cli import with_appcontext

from consult.db import utcnow
from consult.extensions import db
from consult.notifications.jobs import run_worker
from consult.notifications.outbox import purge_email_bodies, send_pending

# What ``flask purge`` removes, in order: a label and a function of ``now`` that returns
# how many rows it changed. Each step is committed on its own.
PURGE_STEPS: list[tuple[str, Callable[[datetime], int]]] = [
    ("email bodies (30 days after sending)", purge_email_bodies),
]


@click.command("send-pending")
@with_appcontext
def send_pending_command():
    """Send the emails left pending for over 2 minutes, and retries that are due."""
    outcomes = send_pending()
    if outcomes:
        click.echo(", ".join(f"{count} {status}" for status, count in sorted(outcomes.items())))


@click.command("worker")
@click.option("--burst", is_flag=True, help="Stop once the queue is empty.")
@with_appcontext
def worker_command(burst):
    """Send the queued emails (needs REDIS_URL); sweeps the outbox first."""
    if not current_app.config.get("REDIS_URL"):
        raise click.ClickException("REDIS_URL is not set: email is sent by the web process itself.")
    run_worker(burst=burst)


@click.command("purge")
@with_appcontext
def purge_command():
    """Remove what is kept no longer than its stated retention."""
    now = utcnow()
    for label, step in PURGE_STEPS:
        count = step(now)
        db.session.commit()
        click.echo(f"{label}: {count}")
