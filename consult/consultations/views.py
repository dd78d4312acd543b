"""Consultation pages: the list, each consultation, its drafts, versions and comparisons."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from consult.comments import queries as comment_queries
from consult.consultations import forms, services, versions
from consult.consultations.diffing import Change, compare_versions
from consult.consultations.importer import MAX_BYTES, ImportProblem, decode_upload
from consult.consultations.models import Consultation, DocumentVersion
from consult.consultations.schedule import (
    request_time,
)
from consult.consultations.status import reading_outline
from consult.db import required
from consult.errors import DomainError
from consult.extensions import db
from consult.forms import ActionForm
from consult.notifications.buttons import follow_button
from consult.notifications.follows import Target
from consult.notifications.models import FollowTarget
from consult.permissions import (
    coordinator_required,
    public,
    require,
    require_found,
)
from consult.policy.consultations import can_manage_consultations, can_view_version
from consult.policy.tracking import can_keep_timeline
from consult.summaries import narrative
from consult.tracking import milestones, progress
from consult.tracking.services import updates_of

bp = Blueprint("consultations", __name__)


def _consultation(slug) -> Consultation:
    return services.visible_consultation_or_404(slug, current_user)


def _status(form):
    return 422 if form.is_submitted() else 200


@bp.route("/")
@public
def index():
    return render_template(
        "consultations/index.html", groups=services.consultations_by_phase(current_user)
    )


@bp.route("/new", methods=["GET", "POST"])
@coordinator_required
def new():
    form = forms.ConsultationForm(companies=services.company_choices())
    if form.validate_on_submit():
        try:
            consultation = services.create_consultation(form.settings(), actor=current_user)
        except services.InvalidSettings as exc:
            getattr(form, exc.field).errors.append(exc.message)
        else:
            db.session.commit()
            flash(
                _(
                    "Consultation created. It stays a draft, seen only by coordinators, "
                    "until you publish it."
                ),
                "success",
            )
            return redirect(url_for("consultations.show", slug=consultation.slug))
    return render_template("consultations/form.html", form=form, consultation=None), _status(form)


@bp.route("/<slug>")
@public
def show(slug):
    return _render_show(_consultation(slug))


def _render_show(consultation, extension_form=None):
    coordinator = can_manage_consultations(current_user)
    now = request_time()
    return render_template(
        "consultations/show.html",
        consultation=consultation,
        outlook=milestones.outlook(consultation, now),
        progress=progress.status_of(consultation, now),
        may_keep_timeline=can_keep_timeline(current_user),
        versions=versions.published_versions(consultation),
        summary_status=narrative.due_status(consultation, request_time()),
        pending=versions.pending_version(consultation) if coordinator else None,
        problems=services.publication_problems(consultation) if coordinator else [],
        action_form=ActionForm(),
        updates=updates_of(consultation, limit=5),
        extension_form=extension_form or forms.ExtensionForm(prefix="extend"),
        follow=follow_button(
            current_user,
            Target(FollowTarget.CONSULTATION, consultation_id=consultation.id),
            slug=consultation.slug,
        )
        if consultation.is_public
        else None,
    )


@bp.route("/<slug>/edit", methods=["GET", "POST"])
@coordinator_required
def edit(slug):
    consultation = _consultation(slug)
    form = forms.EditConsultationForm(
        obj=consultation if request.method == "GET" else None,
        companies=services.company_choices(),
    )
    if request.method == "GET":
        form.companies.data = [c.id for c in consultation.companies]
    if form.validate_on_submit():
        try:
            services.update_consultation(
                consultation, form.settings(), actor=current_user, reason=form.reason.data
            )
        except services.InvalidSettings as exc:
            db.session.rollback()
            getattr(form, exc.field).errors.append(exc.message)
        else:
            db.session.commit()
            flash(_("Changes saved."), "success")
            return redirect(url_for("consultations.show", slug=consultation.slug))
    return render_template(
        "consultations/form.html", form=form, consultation=consultation
    ), _status(form)


def _phase_action(slug, service, message):
    consultation = _consultation(slug)
    if not ActionForm().validate_on_submit():
        flash(_("Your session expired: nothing was changed. Please try again."), "error")
        return redirect(url_for("consultations.show", slug=slug))
    try:
        service(consultation, actor=current_user, now=request_time())
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("consultations.show", slug=slug))
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("consultations.show", slug=slug))


@bp.route("/<slug>/publish", methods=["POST"])
@coordinator_required
def publish(slug):
    return _phase_action(slug, services.publish_consultation, _("The consultation is public."))


@bp.route("/<slug>/extend", methods=["POST"])
@coordinator_required
def extend(slug):
    consultation = _consultation(slug)
    form = forms.ExtensionForm(prefix="extend")
    if form.validate_on_submit():
        try:
            services.extend_closing(
                consultation,
                form.closes_on.data,
                actor=current_user,
                reason=form.reason.data,
                now=request_time(),
            )
        except services.InvalidSettings as exc:
            db.session.rollback()
            getattr(form, exc.field).errors.append(exc.message)
        except DomainError as exc:
            db.session.rollback()
            form.closes_on.errors.append(exc.message)
        else:
            db.session.commit()
            flash(
                _("The closing date is extended for everyone, and an update is posted."), "success"
            )
            return redirect(url_for("consultations.show", slug=slug))
    return _render_show(consultation, extension_form=form), 422


@bp.route("/<slug>/conclude", methods=["POST"])
@coordinator_required
def conclude(slug):
    return _phase_action(slug, services.conclude_consultation, _("The consultation is concluded."))


# --- reading -------------------------------------------------------------------------------


def _render_version(consultation, version, *, is_current):
    paragraphs = versions.paragraphs_of(version)
    return render_template(
        "consultations/version.html",
        consultation=consultation,
        version=version,
        paragraphs=paragraphs,
        outline=reading_outline(paragraphs),
        counts=comment_queries.readable_counts_for_version(current_user, version),
        versions=versions.published_versions(consultation),
        is_current=is_current,
    )


@bp.route("/<slug>/draft")
@public
def draft(slug):
    consultation = _consultation(slug)
    version = versions.latest_published_version(consultation)
    if version is None:
        require(can_manage_consultations(current_user))
        flash(_("No version is published yet: import a draft and publish it."), "info")
        return redirect(url_for("consultations.show", slug=slug))
    return _render_version(consultation, version, is_current=True)


@bp.route("/<slug>/versions/<number:number>")
@public
def version(slug, number):
    consultation = _consultation(slug)
    found = require_found(versions.version_by_number(consultation, number))
    require(can_view_version(current_user, found))
    if not found.is_published:
        return redirect(url_for("consultations.preview", slug=slug))
    latest = required(versions.latest_published_version(consultation))  # found, at least
    return _render_version(consultation, found, is_current=latest.id == found.id)


@bp.route("/<slug>/p/<key>")
@public
def permalink(slug, key):
    consultation = _consultation(slug)
    paragraph = require_found(versions.resolve_permalink(consultation, key, current_user))
    latest = required(versions.latest_published_version(consultation))  # the paragraph's
    if paragraph.version_id == latest.id:
        return redirect(url_for("consultations.draft", slug=slug, _anchor=key))
    return redirect(
        url_for("consultations.version", slug=slug, number=paragraph.version.number, _anchor=key)
    )


@bp.route("/<slug>/compare")
@public
def compare(slug):
    consultation = _consultation(slug)
    published = versions.published_versions(consultation)
    form = forms.CompareForm(request.args, versions=published)
    if len(published) >= 2 and not request.args:
        form.old.data, form.new.data = published[-2].number, published[-1].number
        form.changes_only.data = False
    rows, valid = [], True
    if len(published) >= 2:
        valid = form.validate() or not request.args
        if valid:
            by_number = {v.number: v for v in published}
            old, new = by_number[form.old.data], by_number[form.new.data]
            rows = compare_versions(versions.paragraphs_of(old), versions.paragraphs_of(new))
    tally = {change: sum(1 for r in rows if r.change == change) for change in Change}
    if form.changes_only.data:
        rows = [r for r in rows if r.change != Change.UNCHANGED]
    return render_template(
        "consultations/compare.html",
        consultation=consultation,
        form=form,
        rows=rows,
        tally=tally,
        enough=len(published) >= 2,
    ), 200 if valid else 422


# --- importing and publishing drafts ---------------------------------------------------------


@bp.route("/<slug>/import", methods=["GET", "POST"])
@coordinator_required
def import_draft(slug):
    consultation = _consultation(slug)
    form = forms.ImportForm()
    if form.validate_on_submit():
        upload = form.chosen_upload()
        try:
            if upload is not None and (form.text.data or "").strip():
                raise ImportProblem(_("Either choose a file or paste the text, not both."))
            if upload is not None:
                text = decode_upload(upload.read(MAX_BYTES + 1))
                source_name = upload.filename
            else:
                text, source_name = form.text.data or "", _("pasted text")
            versions.import_draft(consultation, text, actor=current_user, source_name=source_name)
        except (ImportProblem, versions.ImportRefused) as exc:
            db.session.rollback()
            field = form.file if upload is not None else form.text
            field.errors.append(exc.message)
        else:
            db.session.commit()
            flash(_("Check how the draft was split and numbered, then publish it."), "success")
            return redirect(url_for("consultations.preview", slug=slug))
    return render_template(
        "consultations/import.html", consultation=consultation, form=form
    ), _status(form)


def _pending_or_404(consultation) -> DocumentVersion:
    pending = versions.pending_version(consultation)
    if pending is None:
        abort(404)
    return pending


@bp.route("/<slug>/import/preview", methods=["GET", "POST"])
@coordinator_required
def preview(slug):
    consultation = _consultation(slug)
    pending = _pending_or_404(consultation)
    paragraphs = versions.paragraphs_of(pending)
    base = pending.base_version
    base_paragraphs = versions.paragraphs_of(base) if base else []
    by_id = {p.id: p for p in base_paragraphs}
    form = forms.MatchForm(
        numbers=[by_id[p.previous_id].number if p.previous_id in by_id else "" for p in paragraphs]
    )
    status = 200
    if form.is_submitted():
        if form.validate():
            try:
                versions.correct_matches(
                    pending, [e.data or None for e in form.matches], actor=current_user
                )
            except versions.MatchProblems as exc:
                db.session.rollback()
                for index, message in exc.problems.items():
                    form.matches[index].errors = [message]
            except DomainError as exc:
                db.session.rollback()
                flash(exc.message, "error")
            else:
                db.session.commit()
                flash(_("Matching saved. Check it again below."), "success")
                return redirect(url_for("consultations.preview", slug=slug))
        status = 422
    kept = {p.previous_id for p in paragraphs if p.previous_id}
    rows = compare_versions(base_paragraphs, paragraphs) if base else []
    return render_template(
        "consultations/preview.html",
        consultation=consultation,
        version=pending,
        paragraphs=paragraphs,
        base=base,
        by_id=by_id,
        form=form,
        entries=list(zip(paragraphs, form.matches, strict=True)),
        removed=[p for p in base_paragraphs if p.id not in kept],
        diffs={r.new.id: r.segments for r in rows if r.new is not None and r.segments},
        outline=reading_outline(paragraphs),
        action_form=ActionForm(),
    ), status


@bp.route("/<slug>/import/publish", methods=["POST"])
@coordinator_required
def publish_version(slug):
    consultation = _consultation(slug)
    pending = _pending_or_404(consultation)
    if not ActionForm().validate_on_submit():
        flash(_("Your session expired: nothing was published. Please try again."), "error")
        return redirect(url_for("consultations.preview", slug=slug))
    try:
        versions.publish_version(pending, actor=current_user, now=request_time())
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("consultations.preview", slug=slug))
    db.session.commit()
    flash(_("%(label)s is published. It will never change.", label=pending.label), "success")
    return redirect(url_for("consultations.version", slug=slug, number=pending.number))


@bp.route("/<slug>/import/discard", methods=["POST"])
@coordinator_required
def discard_version(slug):
    consultation = _consultation(slug)
    pending = _pending_or_404(consultation)
    if ActionForm().validate_on_submit():
        versions.discard_version(pending, actor=current_user)
        db.session.commit()
        flash(_("The unpublished import was discarded."), "success")
    return redirect(url_for("consultations.show", slug=slug))
