"""The public summary page of a consultation: the figures frozen at each close, the same
for every reader."""

from flask import Blueprint, render_template
from flask_login import current_user

from consult.consultations.services import visible_consultation_or_404
from consult.permissions import public, require, require_found
from consult.summaries import present, services

bp = Blueprint("summaries", __name__)


def _consultation(slug):
    consultation = visible_consultation_or_404(slug, current_user)
    require(consultation.is_public)  # nothing is frozen for a draft, even for coordinators
    return consultation


def _render(consultation, closes, close):
    return render_template(
        "summaries/show.html",
        consultation=consultation,
        page=present.summary_page(consultation, closes, close),
    )


@bp.route("/consultations/<slug>/summary")
@public
def show(slug):
    """The summary of the current close (or when it will be frozen)."""
    consultation = _consultation(slug)
    closes = services.closes_of(consultation)
    current = next((c for c in closes if c.closes_at == consultation.closes_at), None)
    return _render(consultation, closes, current)


@bp.route("/consultations/<slug>/summary/closes/<number:number>")
@public
def close(slug, number):
    """The summary of one close, earlier ones (superseded by a reopening) included."""
    consultation = _consultation(slug)
    closes = services.closes_of(consultation)
    chosen = require_found(next((c for c in closes if c.number == number), None))
    return _render(consultation, closes, chosen)
