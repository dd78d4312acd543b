"""``flask campaigns rebuild``: recompute campaign groups from the stored comments."""

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from consult.comments.campaigns import rebuild
from consult.consultations.models import Consultation
from consult.extensions import db

campaigns_cli = AppGroup("campaigns", help="Campaign detection.")


@campaigns_cli.command("rebuild")
@click.argument("slug", required=False)
def rebuild_command(slug):
    """Recompute campaigns for one consultation (by slug), or for all."""
    query = sa.select(Consultation).order_by(Consultation.id)
    if slug:
        query = query.where(Consultation.slug == slug)
    consultations = db.session.scalars(query).all()
    if slug and not consultations:
        raise click.ClickException(f"No consultation {slug!r}.")
    for consultation in consultations:
        formed = rebuild(consultation.id)
        click.echo(f"{consultation.slug}: {formed} campaign(s)")
    db.session.commit()
