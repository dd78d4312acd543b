"""The home page and site-wide pages."""

from flask import Blueprint, jsonify, render_template
from flask_login import current_user

from consult.consultations.schedule import request_time
from consult.consultations.services import consultations_by_phase
from consult.main.health import health
from consult.permissions import public
from consult.tracking.progress import overdue_consultations

bp = Blueprint("main", __name__)


@bp.route("/")
@public
def home():
    groups = consultations_by_phase(current_user)
    everything = [c for items in groups.values() for c in items]
    return render_template(
        "main/home.html",
        groups=groups,
        overdue_updates=overdue_consultations(everything, request_time()),
    )


@bp.route("/healthz")
@public
def healthz():
    """For load balancers and monitoring: 200 while the database answers, else 503."""
    report, serving = health()
    response = jsonify(report)
    response.status_code = 200 if serving else 503
    response.headers["Cache-Control"] = "no-store"
    return response
