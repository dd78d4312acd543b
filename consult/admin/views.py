"""Coordinator pages for people: registrations, companies and their representatives."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from consult.accounts import forms, services
from consult.accounts.models import Organisation, OrganisationKind, User, UserStatus
from consult.errors import DomainError
from consult.extensions import db
from consult.permissions import Role, coordinator_required, require

bp = Blueprint("admin", __name__)

STAKEHOLDER_ORG_KINDS = [k for k in OrganisationKind if k != OrganisationKind.COMPANY]


def _pending_user(user_id) -> User:
    user = db.get_or_404(User, user_id)
    require(user.role == Role.STAKEHOLDER and user.status == UserStatus.PENDING)
    return user


def _forms_for(user, organisations):
    """The approve and reject forms of one registration (filled from the request on POST)."""
    approve = forms.ApprovalForm(
        data={"kind": user.organisation.kind.value},
        organisations=organisations,
        prefix=f"approve-{user.id}",
    )
    reject = forms.RejectionForm(prefix=f"reject-{user.id}")
    return approve, reject


def _registrations_page(status=200):
    organisations = services.confirmed_organisations(kinds=STAKEHOLDER_ORG_KINDS)
    entries = [(u, *_forms_for(u, organisations)) for u in services.pending_registrations()]
    return render_template("admin/registrations.html", entries=entries), status


@bp.route("/registrations")
@coordinator_required
def registrations():
    return _registrations_page()


@bp.route("/registrations/<number:user_id>/approve", methods=["POST"])
@coordinator_required
def approve(user_id):
    user = _pending_user(user_id)
    organisations = services.confirmed_organisations(kinds=STAKEHOLDER_ORG_KINDS)
    form, _reject = _forms_for(user, organisations)
    if not form.validate_on_submit():
        flash(_("The approval was not saved: check the form and try again."), "error")
        return _registrations_page(status=422)
    match = db.session.get(Organisation, form.match.data) if form.match.data else None
    try:
        services.approve_registration(
            user, coordinator=current_user, kind=form.kind.data, match=match
        )
    except DomainError as exc:
        db.session.rollback()  # a refused action keeps nothing it wrote
        flash(exc.message, "error")
        return _registrations_page(status=422)
    db.session.commit()
    flash(_("Registration approved; the person has been told by email."), "success")
    return redirect(url_for("admin.registrations"))


@bp.route("/registrations/<number:user_id>/reject", methods=["POST"])
@coordinator_required
def reject(user_id):
    user = _pending_user(user_id)
    form = forms.RejectionForm(prefix=f"reject-{user.id}")
    if not form.validate_on_submit():
        flash(_("Give a reason for the rejection; it is sent to the person."), "error")
        return _registrations_page(status=422)
    services.reject_registration(user, coordinator=current_user, reason=form.reason.data)
    db.session.commit()
    flash(_("Registration rejected; the person has been told by email."), "success")
    return redirect(url_for("admin.registrations"))


def _invitation_form():
    return forms.InvitationForm(
        prefix="invite",
        companies=services.confirmed_organisations(kinds=[OrganisationKind.COMPANY]),
    )


def _companies_page(company_form=None, invitation_form=None):
    invitations = services.recent_invitations()
    representatives = services.company_representatives()
    failed = any(f is not None and f.errors for f in (company_form, invitation_form))
    page = render_template(
        "admin/companies.html",
        companies=services.confirmed_organisations(kinds=[OrganisationKind.COMPANY]),
        company_form=company_form or forms.CompanyForm(prefix="company"),
        invitation_form=invitation_form or _invitation_form(),
        invitations=invitations,
        representatives=representatives,
    )
    return page, 422 if failed else 200


@bp.route("/companies", methods=["GET", "POST"])
@coordinator_required
def companies():
    form = forms.CompanyForm(prefix="company")
    if form.validate_on_submit():
        try:
            services.create_company(
                name=form.name.data,
                country=form.country.data or None,
                website=form.website.data,
                coordinator=current_user,
            )
        except DomainError as exc:
            db.session.rollback()  # a refused action keeps nothing it wrote
            form.name.errors = [exc.message]
        else:
            db.session.commit()
            flash(_("Company added."), "success")
            return redirect(url_for("admin.companies"))
    return _companies_page(company_form=form)


@bp.route("/companies/invitations", methods=["POST"])
@coordinator_required
def invite():
    form = _invitation_form()
    if form.validate_on_submit():
        company = db.get_or_404(Organisation, form.company.data)
        try:
            services.invite_representative(
                email=form.email.data,
                company=company,
                role_title=form.role_title.data,
                coordinator=current_user,
            )
        except DomainError as exc:
            db.session.rollback()  # a refused action keeps nothing it wrote
            form.email.errors = [exc.message]
        else:
            db.session.commit()
            flash(_("Invitation sent."), "success")
            return redirect(url_for("admin.companies"))
    return _companies_page(invitation_form=form)
