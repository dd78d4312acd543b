"""``flask tracker SLUG [--csv]``: the published per-company table, from a terminal."""

import csv
import sys

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from consult.consultations.models import Consultation
from consult.db import utcnow
from consult.extensions import db
from consult.responses.tracker import tracker_figures

HEADERS = [
    "company",
    "requests",
    "answered",
    "declined",
    "awaiting",
    "clarification_requested",
    "overdue",
    "very_overdue",
    "answer_rate",
    "responded_rate",
    "on_time_share",
    "median_days_to_first_response",
    "noted_share",
]


def tracker_rows(consultation, now):
    """The published figures (small cells withheld, exactly as on the page)."""
    rows = []
    for figures in tracker_figures(now, consultation).companies:
        cells, row = figures.row.cells, figures.row
        rows.append(
            [
                figures.company.name,
                cells["requests"].text,
                cells["answered"].text,
                cells["declined"].text,
                cells["awaiting"].text,
                cells["clarification_requested"].text,
                cells["overdue"].text,
                cells["very_overdue"].text,
                row.answer_rate.text,
                row.responded_rate.text,
                row.on_time_share.text,
                "—" if figures.median_days is None else f"{figures.median_days:g}",
                figures.noted_share.text,
            ]
        )
    return rows


@click.command("tracker")
@click.argument("slug")
@click.option("--csv", "as_csv", is_flag=True, help="Comma-separated values with a header row.")
@with_appcontext
def tracker_command(slug, as_csv):
    """Print the response tracker of a consultation, one company per row."""
    consultation = db.session.scalar(sa.select(Consultation).where(Consultation.slug == slug))
    if consultation is None:
        raise click.ClickException(f"No consultation has the address {slug!r}.")
    rows = tracker_rows(consultation, utcnow())
    if as_csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(HEADERS)
        writer.writerows(rows)
        return
    widths = [max(len(str(r[i])) for r in [HEADERS, *rows]) for i in range(len(HEADERS))]
    for line in [HEADERS, *rows]:
        click.echo(
            "  ".join(
                str(v).ljust(w) if i == 0 else str(v).rjust(w)
                for i, (v, w) in enumerate(zip(line, widths, strict=True))
            )
        )
    click.echo(
        f"\n{consultation.title}: figures as of {utcnow():%Y-%m-%d %H:%M} UTC. "
        "Counts of 1-4 show as 'fewer than 5'."
    )
