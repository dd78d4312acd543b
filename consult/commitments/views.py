"""Public commitments pages (per consultation, per company, each commitment with its
history), and recording, confirming and updating them."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from consult.commitments import forms, services
from consult.commitments.models import Commitment, CommitmentStatus, SourceKind
from consult.consultations.models import Consultation
from consult.consultations.schedule import request_time
from consult.consultations.services import visible_consultation_or_404
from consult.db import required
from consult.errors import DomainError
from consult.extensions import db
from consult.forms import ActionForm
from consult.idempotency import AlreadyDone
from consult.notifications.buttons import follow_button
from consult.notifications.follows import Target
from consult.notifications.models import FollowTarget
from consult.permissions import Role, coordinator_required, public, require, role_required
from consult.policy.commitments import can_read_commitment_text, can_see_proposal
from consult.policy.consultations import can_view_consultation
from consult.responses.models import Response

bp = Blueprint("commitments", __name__)


def _consultation(slug) -> Consultation:
    return visible_consultation_or_404(slug, current_user)


def _full_text(commitments) -> set[str]:
    """References of the commitments whose own text this viewer reads (the others show
    the coordinators' public wording)."""
    return {c.reference for c in commitments if can_read_commitment_text(current_user, c)}


def _list(template, commitments, proposals=(), **context):
    return render_template(
        template,
        commitments=commitments,
        proposals=proposals,
        full_text=_full_text([*commitments, *proposals]),
        now=request_time(),
        paragraphs=services.related_paragraphs(commitments),
        statuses=list(CommitmentStatus),
        **context,
    )


@bp.route("/consultations/<slug>/commitments")
@public
def index(slug):
    consultation = _consultation(slug)
    return _list(
        "commitments/index.html",
        services.public_commitments(consultation=consultation),
        consultation=consultation,
        proposals=services.pending_proposals(consultation, current_user),
    )


@bp.route("/companies/<name>/commitments")
@public
def company(name):
    found = services.responding_company(name)
    require(found is not None)
    return _list(
        "commitments/company.html",
        services.public_commitments(company=found),
        company=found,
        follow=follow_button(
            current_user, Target(FollowTarget.COMPANY, company_id=required(found).id), name=name
        ),
    )


def _commitment(reference) -> Commitment:
    commitment = db.first_or_404(db.select(Commitment).filter_by(reference=reference))
    consultation = required(db.session.get(Consultation, commitment.consultation_id))
    require(can_view_consultation(current_user, consultation))

    if not commitment.is_confirmed:  # proposals: the coordinators and the company only
        require(can_see_proposal(current_user, commitment))
    return commitment


def _show(commitment, status=200, **given):
    consultation = db.session.get(Consultation, commitment.consultation_id)
    context = dict(
        commitment=commitment,
        consultation=consultation,
        full_text=_full_text([commitment]),
        now=request_time(),
        paragraphs=services.related_paragraphs([commitment]).get(commitment.id, []),
        status_form=forms.StatusForm(prefix="status", data={"seen": commitment.status.value}),
        confirm_form=forms.ConfirmForm(prefix="confirm"),
        decline_form=ActionForm(prefix="decline"),
        follow=follow_button(
            current_user,
            Target(FollowTarget.COMMITMENT, commitment_id=commitment.id),
            reference=commitment.reference,
        )
        if commitment.is_confirmed
        else None,
    )
    context.update(given)
    return render_template("commitments/show.html", **context), status


@bp.route("/commitments/<reference>")
@public
def show(reference):
    return _show(_commitment(reference))


@bp.route("/consultations/<slug>/commitments/new", methods=["GET", "POST"])
@role_required(Role.COORDINATOR, Role.COMPANY_REP)
def new(slug):
    consultation = _consultation(slug)
    coordinator = current_user.role == Role.COORDINATOR
    companies = (
        consultation.companies
        if coordinator
        else [c for c in consultation.companies if c.id == current_user.organisation_id]
    )
    require(bool(companies) or coordinator, hide=False)  # a company not responding here
    form = forms.CommitmentForm(companies=companies, group=coordinator)
    if form.validate_on_submit():
        company = next((c for c in companies if str(c.id) == form.company.data), None)
        response = (
            db.session.scalar(db.select(Response).filter_by(reference=form.source_response.data))
            if form.source_response.data
            else None
        )
        draft = services.CommitmentDraft(
            text=form.text.data,
            due_on=form.due_on.data,
            source_kind=SourceKind(form.source_kind.data),
            company=company,
            source_response=response,
            source_url=form.source_url.data,
            paragraph_numbers=form.paragraph_numbers(),
            public_wording=form.public_wording.data,
        )
        try:
            commitment = services.record_commitment(
                consultation, draft, actor=current_user, now=request_time()
            )
        except DomainError as exc:
            db.session.rollback()  # a refused action keeps nothing it wrote
            form.text.errors = [*form.text.errors, exc.message]
        else:
            db.session.commit()
            flash(
                _("The commitment is recorded.")
                if coordinator
                else _("The proposal is sent to the coordinators, who confirm it."),
                "success",
            )
            return redirect(url_for("commitments.show", reference=commitment.reference))
    return render_template(
        "commitments/new.html", form=form, consultation=consultation, coordinator=coordinator
    ), 422 if form.is_submitted() else 200


@bp.route("/commitments/<reference>/confirm", methods=["POST"])
@coordinator_required
def confirm(reference):
    commitment = _commitment(reference)
    form = forms.ConfirmForm(prefix="confirm")
    if not form.validate_on_submit():
        return _show(commitment, 422, confirm_form=form)
    try:
        services.confirm_proposal(
            commitment,
            coordinator=current_user,
            public_wording=form.public_wording.data,
            now=request_time(),
        )
    except DomainError as exc:
        db.session.rollback()  # a refused action keeps nothing it wrote
        form.public_wording.errors = [exc.message]
        return _show(commitment, exc.status_code, confirm_form=form)
    db.session.commit()
    flash(_("The commitment is confirmed and public."), "success")
    return redirect(url_for("commitments.show", reference=reference))


@bp.route("/commitments/<reference>/reject", methods=["POST"])
@coordinator_required
def reject(reference):
    commitment = _commitment(reference)
    form = ActionForm(prefix="decline")
    if not form.validate_on_submit():
        return _show(commitment, 422, decline_form=form)
    try:
        services.reject_proposal(commitment, coordinator=current_user, now=request_time())
    except DomainError as exc:
        db.session.rollback()  # a refused action keeps nothing it wrote
        form.refuse(exc.message)
        return _show(commitment, exc.status_code, decline_form=form)
    db.session.commit()
    flash(_("The proposal is declined; it stays unpublished."), "success")
    return redirect(url_for("commitments.index", slug=commitment.consultation.slug))


@bp.route("/commitments/<reference>/status", methods=["POST"])
@coordinator_required
def change_status(reference):
    commitment = _commitment(reference)
    form = forms.StatusForm(prefix="status")
    if not form.validate_on_submit():
        return _show(commitment, 422, status_form=form)
    successor = (
        db.session.scalar(db.select(Commitment).filter_by(reference=form.successor.data))
        if form.successor.data
        else None
    )
    wanted = CommitmentStatus(form.status.data)
    try:
        services.change_status(
            commitment,
            coordinator=current_user,
            status=wanted,
            note=form.note.data,
            evidence_url=form.evidence_url.data,
            submission_key=form.submission_key.data,
            seen=CommitmentStatus(form.seen.data) if form.seen.data else None,
            successor=successor,
            now=request_time(),
        )
    except AlreadyDone as exc:
        if commitment.status == wanted:
            # Another coordinator made this very change first: the page as it now is,
            # saying who did it and when; nothing of this form is recorded.
            db.session.rollback()
            flash(exc.message, "info")
            return redirect(url_for("commitments.show", reference=reference), 303)
        # Changed to something else meanwhile: the form comes back, with its evidence,
        # over the history as it now is, to be sent again or not.
        db.session.rollback()
        form.refuse(exc.message)
        form.seen.data = commitment.status.value  # sent again, it is a change from this one
        return _show(commitment, exc.status_code, status_form=form)
    except DomainError as exc:
        db.session.rollback()  # a refused action keeps nothing it wrote
        form.note.errors = [*form.note.errors, exc.message]
        return _show(commitment, exc.status_code, status_form=form)
    db.session.commit()
    flash(_("The status is changed; the evidence is in the public history."), "success")
    return redirect(url_for("commitments.show", reference=reference))
