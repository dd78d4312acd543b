"""The home page and site-wide pages."""

from flask import Blueprint, render_template

from consult.permissions import public

bp = Blueprint("main", __name__)


@bp.route("/")
@public
def home():
    return render_template("main/home.html")


@bp.route("/policies")
@public
def policies():
    from consult.accounts.services import privacy_officers

    return render_template("main/policies.html", privacy_officers=privacy_officers())
