"""The published disposition table of a consultation, and the coordinators' page that
records dispositions, one by one or in bulk."""

from flask import Blueprint, flash, redirect, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from consult.consultations import services as consultation_services
from consult.consultations.models import Consultation
from consult.consultations.versions import version_by_number
from consult.dispositions import display, forms, services
from consult.dispositions.models import Outcome
from consult.errors import DomainError
from consult.extensions import db
from consult.permissions import coordinator_required, public, require
from consult.policy.dispositions import can_record_dispositions

bp = Blueprint("dispositions", __name__)


def _consultation(slug) -> Consultation:
    return consultation_services.visible_consultation_or_404(slug, current_user)


@bp.route("/consultations/<slug>/dispositions")
@public
def table(slug):
    consultation = _consultation(slug)
    form = forms.TableFilterForm(formdata=request.args)
    form.validate()
    found = services.subjects(consultation)
    latest = services.current_dispositions(consultation.id)
    rows = display.filtered(
        display.rows(current_user, found, latest, consultation.timezone),
        kind=form.kind.data or None,
        category=form.category.data or None,
        outcome=form.outcome.data or None,
    )
    disposed = services.count_disposed(found, latest)
    return render_template(
        "dispositions/table.html",
        consultation=consultation,
        form=form,
        sections=display.by_section(rows),
        disposed=disposed,
        total=len(found),
        may_record=can_record_dispositions(current_user),
    )


@bp.route("/consultations/<slug>/dispositions/record", methods=["GET", "POST"])
@coordinator_required
def record(slug):
    require(can_record_dispositions(current_user), hide=False)
    consultation = _consultation(slug)
    found = services.subjects(consultation)
    versions = services.later_versions(consultation, after=_earliest_version(found))
    form = forms.DispositionForm(versions=versions)
    if form.is_submitted():
        status = _record(consultation, found, form)
        if status is None:
            return redirect(request.full_path.rstrip("?"), code=303)
    else:
        status = 200
    filters = forms.RecordFilterForm(
        formdata=request.args, sections=sorted({s.section for s in found if s.section})
    )
    filters.validate()
    latest = services.current_dispositions(consultation.id)
    rows = display.filtered(
        display.rows(current_user, found, latest, consultation.timezone),
        section=filters.section.data or None,
        kind=filters.kind.data or None,
        category=filters.category.data or None,
        state=filters.state.data or None,
    )
    disposed = services.count_disposed(found, latest)
    return render_template(
        "dispositions/record.html",
        consultation=consultation,
        form=form,
        filters=filters,
        rows=rows,
        chosen=set(form.subjects.data or []),
        disposed=disposed,
        total=len(found),
    ), status


def _earliest_version(found) -> int:
    numbers = [s.comment.version.number for s in found if s.comment.version is not None]
    return min(numbers) if numbers else 0


def _record(consultation, found, form) -> int | None:
    """Record the decision; None when done, else the status to show the form again with."""
    if not form.validate():
        return 422
    by_reference = {s.reference: s for s in found}
    chosen = [by_reference[r] for r in form.subjects.data or [] if r in by_reference]
    unknown = [r for r in form.subjects.data or [] if r not in by_reference]
    if unknown:
        form.subjects.errors.append(
            _("Some of the chosen items no longer need a disposition (hidden or withdrawn "
              "meanwhile): check the list and choose again.")
        )  # fmt: skip
        return 409
    later = None
    if form.later_version.data:
        later = version_by_number(consultation, int(form.later_version.data))
    decision = services.Decision(Outcome(form.outcome.data), form.reason.data, later)
    problems = services.check(decision, chosen)
    if problems:
        for name, message in problems.items():
            getattr(form, name).errors.append(message)
        return 422
    try:
        rows, new = services.record(
            current_user,
            consultation,
            chosen,
            decision,
            submission_key=form.submission_key.data,
        )
    except DomainError as error:
        form.refuse(error.message)
        return 422
    db.session.commit()
    if new:
        flash(_("Disposition recorded for %(n)d item(s).", n=len(rows)), "success")
    else:
        flash(_("This disposition was already recorded."), "info")
    return None
