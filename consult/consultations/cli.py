"""``flask import-draft SLUG FILE.md [--publish]``: the web import, from a terminal."""

from pathlib import Path

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from consult.consultations import versions
from consult.consultations.importer import ImportProblem, decode_upload
from consult.consultations.models import Consultation
from consult.errors import DomainError
from consult.extensions import db


def import_draft_from_file(slug: str, path: str, *, publish: bool = False):
    """Import (and optionally publish) a draft; the audit log records the system as actor."""
    consultation = db.session.scalar(sa.select(Consultation).where(Consultation.slug == slug))
    if consultation is None:
        raise click.ClickException(f"No consultation has the address {slug!r}.")
    try:
        text = decode_upload(Path(path).read_bytes())
        version = versions.import_draft(consultation, text, actor=None, source_name=Path(path).name)
        counts = _tally(version)
        if publish:
            versions.publish_version(version, actor=None)
    except (ImportProblem, DomainError) as exc:
        db.session.rollback()
        raise click.ClickException(str(exc.message)) from exc
    db.session.commit()
    state = "published" if publish else "imported, not published (preview it in the browser)"
    click.echo(f"{version.label} of {slug}: {len(version.paragraphs)} paragraphs, {state}.")
    if version.base_version is not None:
        click.echo(
            "Compared with {}: {}.".format(
                version.base_version.label, ", ".join(f"{n} {c}" for c, n in counts.items())
            )
        )


def _tally(version) -> dict[str, int]:
    counts: dict[str, int] = {}
    for paragraph in version.paragraphs:
        counts[paragraph.change.value] = counts.get(paragraph.change.value, 0) + 1
    kept = {p.previous_id for p in version.paragraphs if p.previous_id}
    if version.base_version is not None:
        counts["removed"] = sum(1 for p in version.base_version.paragraphs if p.id not in kept)
    return counts


@click.command("import-draft")
@click.argument("slug")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--publish", is_flag=True, help="Publish the version at once.")
@with_appcontext
def import_draft_command(slug, path, publish):
    """Import a Markdown draft into a consultation (as the system, audited)."""
    import_draft_from_file(slug, path, publish=publish)
