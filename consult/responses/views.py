"""Company answers: the queue, a request's page, official actions, rejoinders, and the
coordinators' reassign / void / extend. The tracker pages are in ``tracker_views``."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from consult.comments import display
from consult.comments.views import render_comment_page
from consult.consultations.models import Consultation
from consult.consultations.schedule import request_time
from consult.db import required
from consult.errors import DomainError, NotAllowed
from consult.extensions import db
from consult.idempotency import AlreadyDone
from consult.permissions import (
    Role,
    coordinator_required,
    login_required,
    require,
    role_required,
)
from consult.policy.comments import can_view_comment
from consult.policy.responses import can_answer, can_see_request
from consult.responses import actions, forms, queries, tracker_views
from consult.responses.models import Position, RequestState, Response, ResponseKind
from consult.routing import page_number, page_url

bp = Blueprint("responses", __name__)
tracker_views.register(bp)


def _request(reference):
    found = queries.request_by_reference(reference)
    require(found is not None)
    return found


@bp.route("/company/queue")
@role_required(Role.COMPANY_REP)
def queue():
    company_id = current_user.organisation_id
    consultations, sections = queries.queue_choices(company_id)
    form = forms.QueueFilterForm(
        formdata=request.args, consultations=consultations, sections=sections
    )
    form.validate()
    filters = queries.QueueFilters(
        consultation=form.consultation.data or None,
        section=form.section.data or None,
        status=form.status.data or "open",
        category=form.category.data or None,
        order=form.order.data or "due",
        page=page_number(request.args),
    )
    page = queries.company_queue(company_id, filters, request_time())
    return render_template(
        "responses/queue.html",
        form=form,
        page=page,
        previous_url=page_url(page.page - 1) if page.page > 1 else None,
        next_url=page_url(page.page + 1) if page.page < page.pages else None,
        shown=_shown_in_queue(page),
        now=request_time(),
    )


def _shown_in_queue(page):
    """Each row's comment as this representative is shown it, in its consultation's zone."""
    shown: dict[object, display.Shown] = {}
    for req, _status in page.rows:
        shown |= display.present(current_user, req.consultation.timezone, comments=[req.comment])
    return shown


def _page(req, status=200, **given):
    comment = req.comment
    consultation = required(db.session.get(Consultation, req.consultation_id))
    now = request_time()
    view = next(
        (v for v in queries.thread_requests(comment, current_user, now) if v.request.id == req.id),
        None,
    )
    can_act = can_answer(current_user, req)
    rejoinders = {r.id: queries.visible_rejoinders(current_user, r) for r in req.responses}
    edit_forms = {
        r.reference: forms.EditResponseForm(
            prefix=f"edit-{r.reference}",
            data={"body": r.body, "position": r.position.value if r.position else None},
        )
        for r in (req.responses if can_act else [])
    }
    if "edit_form" in given:
        edit_forms[given["edit_reference"]] = given.pop("edit_form")
    context = dict(
        req=req,
        comment=comment,
        consultation=consultation,
        view=view,
        now=now,
        can_act=can_act,
        edit_forms=edit_forms,
        rejoinders=rejoinders,
        shown=display.present(
            current_user,
            consultation.timezone,
            comments=[comment],
            replies=[r for listed in rejoinders.values() for r in listed],
        ),
        answer_form=forms.AnswerForm(prefix="answer"),
        decline_form=forms.DeclineForm(prefix="decline"),
        clarify_form=forms.ClarifyForm(prefix="clarify"),
        follow_up_form=forms.FollowUpForm(prefix="followup"),
        reassign_form=forms.ReassignForm(
            prefix="reassign",
            companies=[c for c in consultation.companies if c.id != req.company_id],
        ),
        void_form=forms.ReasonForm(prefix="void"),
        extend_form=forms.ExtendForm(prefix="extend"),
    )
    context.update(given)
    return render_template("responses/request.html", **context), status


@bp.route("/requests/<reference>")
@role_required(Role.COMPANY_REP, Role.COORDINATOR)
def request_page(reference):
    req = _request(reference)
    require(can_see_request(current_user, req))  # another company's: as if absent
    return _page(req)


_ACTIONS = {
    "answer": (forms.AnswerForm, ResponseKind.ANSWER, "answer_form"),
    "decline": (forms.DeclineForm, ResponseKind.DECLINE, "decline_form"),
    "clarify": (forms.ClarifyForm, ResponseKind.CLARIFICATION, "clarify_form"),
    "followup": (forms.FollowUpForm, ResponseKind.FOLLOW_UP, "follow_up_form"),
}
_DONE = {
    ResponseKind.ANSWER: _l("The answer is published."),
    ResponseKind.DECLINE: _l("The decline is published with its reason."),
    ResponseKind.CLARIFICATION: _l(
        "The question is published; the clock is paused until the "
        "commenter replies, for at most 14 days."
    ),
    ResponseKind.FOLLOW_UP: _l("The follow-up is published."),
}


@bp.route(
    "/requests/<reference>/<any(answer, decline, clarify, followup):action>", methods=["POST"]
)
@role_required(Role.COMPANY_REP)
def respond(reference, action):
    req = _request(reference)
    require(can_answer(current_user, req))  # another company's request: 404
    form_class, kind, name = _ACTIONS[action]
    form = form_class(prefix=action)
    if not form.validate_on_submit():
        return _page(req, 422, **{name: form})
    position = Position(form.position.data) if kind == ResponseKind.ANSWER else None
    try:
        # Only the body, the position and the key are read: the company and the request
        # come from the account and the address, whatever else the form carries.
        actions.post_response(
            req,
            representative=current_user,
            kind=kind,
            body=form.body.data,
            position=position,
            submission_key=form.submission_key.data,
            now=request_time(),
        )
    except AlreadyDone as exc:
        # Another representative answered (declined, asked) first: nothing of this one
        # is published. The page shows theirs, and this text comes back, as a follow-up
        # once the request is answered.
        db.session.rollback()
        flash(exc.message, "info")
        if req.state not in (RequestState.ANSWERED, RequestState.DECLINED):
            form.refuse(_("Your text was not published; it is kept below."))
            return _page(req, exc.status_code, **{name: form})
        follow_up = forms.FollowUpForm(
            prefix="followup", formdata=None, data={"body": form.body.data}
        )
        follow_up.refuse(
            _(
                "Your text was not published. It is below, to publish as a follow-up "
                "if it adds to theirs."
            )
        )
        return _page(req, exc.status_code, follow_up_form=follow_up)
    except DomainError as exc:
        db.session.rollback()  # a refused action keeps nothing it wrote
        form.body.errors = [*form.body.errors, exc.message]
        return _page(req, exc.status_code, **{name: form})
    db.session.commit()
    flash(str(_DONE[kind]), "success")
    return redirect(url_for("responses.request_page", reference=reference))


def _response(reference) -> Response:
    found = db.session.scalar(db.select(Response).filter_by(reference=reference))
    require(found is not None)
    return found


@bp.route("/responses/<reference>/edit", methods=["POST"])
@role_required(Role.COMPANY_REP)
def edit(reference):
    response = _response(reference)
    require(can_answer(current_user, response.request))
    form = forms.EditResponseForm(prefix=f"edit-{reference}")
    if form.validate_on_submit():
        position = Position(form.position.data) if form.position.data else None
        try:
            actions.edit_response(
                response,
                representative=current_user,
                body=form.body.data,
                position=position,
                now=request_time(),
            )
        except DomainError as exc:
            db.session.rollback()  # a refused action keeps nothing it wrote
            form.body.errors = [*form.body.errors, exc.message]
            return _page(
                response.request, exc.status_code, edit_form=form, edit_reference=reference
            )
        db.session.commit()
        flash(_("The new revision is published; the earlier text stays readable."), "success")
        return redirect(url_for("responses.request_page", reference=response.request.reference))
    return _page(response.request, 422, edit_form=form, edit_reference=reference)


@bp.route("/responses/<reference>/rejoinder", methods=["POST"])
@login_required
def rejoinder(reference):
    response = _response(reference)
    comment = response.request.comment
    require(can_view_comment(current_user, comment))
    form = forms.RejoinderForm(prefix=f"rejoin-{reference}")
    if form.validate_on_submit():
        try:
            made = actions.post_rejoinder(
                response,
                user=current_user,
                body=form.body.data,
                submission_key=form.submission_key.data,
                now=request_time(),
            )
        except NotAllowed:
            raise
        except DomainError as exc:
            db.session.rollback()  # a refused action keeps nothing it wrote
            form.body.errors = [*form.body.errors, exc.message]
            return _thread(comment, exc.status_code, form, reference)
        db.session.commit()
        flash(_("Your reply to the company is published."), "success")
        return redirect(
            url_for("comments.show", reference=made.comment.reference, _anchor="responses")
        )
    return _thread(comment, 422, form, reference)


def _thread(comment, status, form, reference):
    """The comment page again, with the reply and its text kept."""
    return render_comment_page(comment, status, rejoinder_form=form, rejoinder_for=reference)


# --- coordinators -------------------------------------------------------------------------


def _coordinator_action(reference, form, name, run, done):
    req = _request(reference)
    if not form.validate_on_submit():
        return _page(req, 422, **{name: form})
    try:
        run(req, form)
    except AlreadyDone as exc:
        # Answered, or ruled on by another coordinator, meanwhile: the request as it now
        # is, saying by whom and when; nothing of this form is recorded.
        db.session.rollback()
        flash(exc.message, "info")
        return redirect(url_for("responses.request_page", reference=reference), 303)
    except DomainError as exc:
        db.session.rollback()  # a refused action keeps nothing it wrote
        form.reason.errors = [*form.reason.errors, exc.message]
        return _page(req, exc.status_code, **{name: form})
    db.session.commit()
    flash(done, "success")
    return redirect(url_for("responses.request_page", reference=reference))


@bp.route("/requests/<reference>/reassign", methods=["POST"])
@coordinator_required
def reassign(reference):
    req = _request(reference)
    consultation = required(db.session.get(Consultation, req.consultation_id))
    form = forms.ReassignForm(prefix="reassign", companies=consultation.companies)

    def run(target, form):
        company = next(c for c in consultation.companies if c.id == form.company.data)
        actions.reassign_request(
            target,
            coordinator=current_user,
            company=company,
            reason=form.reason.data,
            now=request_time(),
        )

    return _coordinator_action(
        reference, form, "reassign_form", run, _("The request is reassigned; the reason is public.")
    )


@bp.route("/requests/<reference>/void", methods=["POST"])
@coordinator_required
def void(reference):
    def run(target, form):
        actions.void_request(
            target, coordinator=current_user, reason=form.reason.data, now=request_time()
        )

    return _coordinator_action(
        reference,
        forms.ReasonForm(prefix="void"),
        "void_form",
        run,
        _("The request is void; the reason is public."),
    )


@bp.route("/requests/<reference>/extend", methods=["POST"])
@coordinator_required
def extend(reference):
    def run(target, form):
        actions.extend_request(
            target,
            coordinator=current_user,
            days=form.days.data,
            reason=form.reason.data,
            now=request_time(),
        )

    return _coordinator_action(
        reference,
        forms.ExtendForm(prefix="extend"),
        "extend_form",
        run,
        _("The due date is extended."),
    )
