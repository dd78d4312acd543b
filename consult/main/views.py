"""The home page and site-wide pages."""

from flask import Blueprint, render_template
from flask_login import current_user

from consult.accounts.services import privacy_officers
from consult.consultations.services import consultations_by_phase
from consult.permissions import public

bp = Blueprint("main", __name__)


@bp.route("/")
@public
def home():
    groups = consultations_by_phase(current_user)
    return render_template("main/home.html", groups=groups)


@bp.route("/policies")
@public
def policies():
    return render_template("main/policies.html", privacy_officers=privacy_officers())
