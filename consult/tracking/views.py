"""The public timeline of a consultation (the tracker joins it later)."""

from flask import Blueprint, render_template
from flask_login import current_user

from consult.consultations.models import Consultation
from consult.consultations.schedule import request_time
from consult.consultations.services import can_view_consultation
from consult.extensions import db
from consult.permissions import public, require
from consult.tracking.services import milestones, timeline_events

bp = Blueprint("tracking", __name__)


@bp.route("/consultations/<slug>/timeline")
@public
def timeline(slug):
    consultation = db.first_or_404(db.select(Consultation).filter_by(slug=slug))
    require(can_view_consultation(current_user, consultation))
    events = timeline_events(consultation)
    return render_template(
        "tracking/timeline.html",
        consultation=consultation,
        events=list(reversed(events)),
        milestones=milestones(consultation, events, request_time()),
    )
