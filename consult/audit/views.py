"""The audit log, readable and filterable by coordinators."""

from datetime import UTC, datetime, time, timedelta

from flask import Blueprint, render_template, request
from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField
from wtforms.validators import Optional

from consult.audit.services import audit_query, known_actions
from consult.extensions import db
from consult.forms import BaseForm, choices
from consult.permissions import coordinator_required
from consult.routing import page_number, page_url

bp = Blueprint("audit", __name__)

TARGET_TYPES = ["users", "organisations", "invitations", "policy_versions"]


class AuditFilterForm(BaseForm):
    class Meta:
        csrf = False  # a GET filter changes nothing

    action = SelectField(_l("Action"), validators=[Optional()])
    target_type = SelectField(_l("Kind of record"), validators=[Optional()])
    since = DateField(_l("From (UTC date)"), validators=[Optional()])
    until = DateField(_l("To (UTC date, inclusive)"), validators=[Optional()])


@bp.route("/")
@coordinator_required
def index():
    form = AuditFilterForm(request.args)
    form.action.choices = choices([("", _l("Any"))] + [(a, a) for a in known_actions()])
    form.target_type.choices = choices([("", _l("Any"))] + [(t, t) for t in TARGET_TYPES])
    valid = form.validate()
    query = audit_query(
        action=form.action.data if valid else None,
        target_type=form.target_type.data if valid else None,
        since=datetime.combine(form.since.data, time(), UTC) if valid and form.since.data else None,
        until=(datetime.combine(form.until.data, time(), UTC) + timedelta(days=1))
        if valid and form.until.data
        else None,
    )
    page = db.paginate(query, page=page_number(request.args), per_page=50, error_out=False)
    return render_template(
        "audit/index.html",
        form=form,
        page=page,
        newer_url=page_url(page.page - 1) if page.has_prev else None,
        older_url=page_url(page.page + 1) if page.has_next else None,
    ), 200 if valid else 422
