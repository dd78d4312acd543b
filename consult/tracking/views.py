"""The public timeline of a consultation (the tracker joins it later)."""

from flask import Blueprint, render_template
from flask_login import current_user

from consult.consultations.schedule import request_time
from consult.consultations.services import visible_consultation_or_404
from consult.permissions import public
from consult.tracking.services import milestones, timeline_events

bp = Blueprint("tracking", __name__)


@bp.route("/consultations/<slug>/timeline")
@public
def timeline(slug):
    consultation = visible_consultation_or_404(slug, current_user)
    events = timeline_events(consultation)
    return render_template(
        "tracking/timeline.html",
        consultation=consultation,
        events=list(reversed(events)),
        milestones=milestones(consultation, events, request_time()),
    )
