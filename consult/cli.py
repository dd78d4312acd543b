"""Command-line tools: ``flask create-coordinator``, ``flask demo-data``."""

from pathlib import Path

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from consult.accounts.models import User
from consult.accounts.passwords import password_problem
from consult.accounts.services import create_coordinator
from consult.comments.cli import campaigns_cli
from consult.consultations.cli import import_draft_command
from consult.demo import load_demo_data
from consult.errors import DomainError
from consult.extensions import db
from consult.notifications.cli import purge_command, send_pending_command, worker_command
from consult.notifications.commands import COMMANDS as NOTIFICATION_COMMANDS
from consult.responses.cli import tracker_command
from consult.summaries.cli import close_due_command


@click.command("create-coordinator")
@click.argument("email")
@click.option("--privacy-officer", is_flag=True, help="May reveal who wrote non-public comments.")
@click.option("--name", help="Display name (defaults to the part of the email before @).")
@click.option(
    "--password-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Read the password from this file instead of prompting.",
)
@with_appcontext
def create_coordinator_command(email, privacy_officer, name, password_file):
    """Create a coordinator account."""
    if password_file:
        password = password_file.read_text(encoding="utf-8").rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    problem = password_problem(password, email=email, name=name or "")
    if problem:
        raise click.ClickException(str(problem))
    try:
        create_coordinator(email, password, privacy_officer=privacy_officer, name=name)
    except DomainError as exc:
        raise click.ClickException(str(exc.message)) from exc
    db.session.commit()
    click.echo(
        f"Coordinator {email.strip().lower()} created"
        + (" (privacy officer)." if privacy_officer else ".")
    )


@click.command("demo-data")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has users.")
@with_appcontext
def demo_data_command(if_empty):
    """Load the demonstration data (clearly labelled as such)."""
    if db.session.scalar(sa.select(sa.func.count()).select_from(User)):
        if if_empty:
            click.echo("The database already has data; demonstration data not loaded.")
            return
        raise click.ClickException("The database is not empty; demonstration data not loaded.")
    load_demo_data()
    db.session.commit()
    click.echo("Demonstration data loaded. The accounts are listed in README.md.")


def register(app):
    """Every ``flask`` command, at the top level; no blueprint adds one."""
    for command in (
        create_coordinator_command,
        demo_data_command,
        import_draft_command,
        campaigns_cli,
        tracker_command,
        close_due_command,
        send_pending_command,
        worker_command,
        purge_command,
        *NOTIFICATION_COMMANDS,
    ):
        app.cli.add_command(command)
