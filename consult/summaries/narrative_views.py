"""The narrative summary's pages: the published revisions and their PDFs for everyone;
the draft, its preview as a visitor sees it, and publication for coordinators.

Anyone but a coordinator is answered 404 on the draft's pages, signed in or not, as
for a page that does not exist.
"""

from flask import Blueprint, Response, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from consult.consultations.schedule import request_time
from consult.consultations.services import visible_consultation_or_404
from consult.errors import DomainError
from consult.extensions import db
from consult.permissions import public, require, require_found
from consult.policy.summaries import (
    can_override_leak_check,
    can_view_summary_revisions,
    can_write_summary,
)
from consult.summaries import narrative, narrative_pages
from consult.summaries.narrative_forms import DraftForm, PublishForm

bp = Blueprint("narrative", __name__)


def _public_consultation(slug):
    consultation = visible_consultation_or_404(slug, current_user)
    require(can_view_summary_revisions(current_user, consultation))
    return consultation


def _writable_consultation(slug):
    consultation = visible_consultation_or_404(slug, current_user)
    require(can_write_summary(current_user, consultation))  # 404: drafts are not public
    return consultation


def _render_revision(consultation, revisions, revision):
    stored = narrative.pdf_of(revision)
    view = narrative_pages.revision_view(
        consultation,
        revision,
        current_user,
        narrative_pages.links_for(consultation),
        revisions=revisions,
        pdf_size=stored.size if stored else None,
    )
    return render_template(
        "summaries/narrative.html",
        consultation=consultation,
        revision=view,
        status=narrative.due_status(consultation, request_time(), published=True),
        may_write=can_write_summary(current_user, consultation),
        draft_waiting=_draft_waiting(consultation),
        override=_override_note(revision),
    )


def _draft_waiting(consultation) -> bool:
    """A saved draft not published yet, for coordinators only."""
    if not can_write_summary(current_user, consultation):
        return False
    draft = narrative.draft_of(consultation)
    return draft is not None and draft.published_edits != draft.edits


def _override_note(revision):
    """The privacy officer's reason, for coordinators only."""
    if not can_write_summary(current_user, revision.consultation):
        return None
    return revision.leak_override_reason


@bp.route("/consultations/<slug>/summary/narrative")
@public
def show(slug):
    """The latest revision, or when the summary is due (and how late)."""
    consultation = _public_consultation(slug)
    revisions = narrative.revisions_of(consultation)
    if revisions:
        return _render_revision(consultation, revisions, revisions[-1])
    return render_template(
        "summaries/narrative.html",
        consultation=consultation,
        revision=None,
        status=narrative.due_status(consultation, request_time(), published=False),
        may_write=can_write_summary(current_user, consultation),
        draft_waiting=_draft_waiting(consultation),
        override=None,
    )


@bp.route("/consultations/<slug>/summary/narrative/revisions/<number:number>")
@public
def revision(slug, number):
    """Any revision: each stays readable after a newer one supersedes it."""
    consultation = _public_consultation(slug)
    revisions = narrative.revisions_of(consultation)
    chosen = require_found(next((r for r in revisions if r.number == number), None))
    return _render_revision(consultation, revisions, chosen)


@bp.route("/consultations/<slug>/summary/narrative/revisions/<number:number>.pdf")
@public
def revision_pdf(slug, number):
    """The PDF rendered when the revision was published, byte for byte."""
    consultation = _public_consultation(slug)
    chosen = require_found(
        next((r for r in narrative.revisions_of(consultation) if r.number == number), None)
    )
    stored = require_found(narrative.pdf_of(chosen))
    response = Response(stored.content, mimetype="application/pdf")
    name = f"{consultation.slug}-summary-revision-{number}.pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["ETag"] = f'"{stored.sha256}"'
    response.headers["Cache-Control"] = "public, max-age=86400, immutable"
    return response


# --- the draft (coordinators) ----------------------------------------------------------------


@bp.route("/consultations/<slug>/summary/narrative/draft", methods=["GET", "POST"])
@public  # open to all, answered 404 for anyone but a coordinator (see the module docstring)
def edit(slug):
    consultation = _writable_consultation(slug)
    draft = narrative.draft_of(consultation)
    versions = narrative.version_choices(consultation)
    form = DraftForm(versions=versions)
    if not form.is_submitted():
        latest = narrative.new_draft_version(consultation)
        form.version.data = str(draft.version_id if draft else latest.id if latest else "")
        if draft is not None:
            form.body.data, form.change_note.data = draft.body, draft.change_note
    if form.validate_on_submit():
        version = next(v for v in versions if str(v.id) == form.version.data)
        try:
            narrative.save_draft(
                consultation,
                version=version,
                body=form.body.data,
                change_note=form.change_note.data or "",
                actor=current_user,
                now=request_time(),
            )
        except DomainError as exc:
            db.session.rollback()
            form.version.errors.append(exc.message)
        else:
            db.session.commit()
            flash(_("The draft is saved. Check it as a visitor will see it."), "success")
            return redirect(url_for("narrative.preview", slug=slug))
    status = 422 if form.is_submitted() else 200
    return render_template(
        "summaries/narrative_edit.html",
        consultation=consultation,
        form=form,
        draft=draft,
        revisions=narrative.revisions_of(consultation),
        can_publish=bool(versions),
    ), status


def _render_preview(consultation, draft, form, status=200, problem=None):
    version = draft.version
    findings = narrative.leak_findings(consultation, draft)
    revisions = narrative.revisions_of(consultation)
    if not form.is_submitted():
        form.edits.data = str(draft.edits)
    return render_template(
        "summaries/narrative_preview.html",
        consultation=consultation,
        draft=draft,
        version_label=version.label,
        body=narrative_pages.preview_html(consultation, version, draft.body),
        change_note=narrative_pages.preview_html(consultation, version, draft.change_note)
        if draft.change_note
        else None,
        number=len(revisions) + 1,
        findings=findings,
        form=form,
        may_override=can_override_leak_check(current_user),
        already_published=draft.published_edits == draft.edits and bool(revisions),
        problem=problem,
    ), status


@bp.route("/consultations/<slug>/summary/narrative/draft/preview")
@public  # answered 404 for anyone but a coordinator
def preview(slug):
    """The draft as a visitor will read it, the leak check's findings, and publication."""
    consultation = _writable_consultation(slug)
    draft = narrative.draft_of(consultation)
    if draft is None:
        return redirect(url_for("narrative.edit", slug=slug))
    return _render_preview(consultation, draft, PublishForm())


@bp.route("/consultations/<slug>/summary/narrative/draft/publish", methods=["POST"])
@public  # answered 404 for anyone but a coordinator
def publish(slug):
    consultation = _writable_consultation(slug)
    draft = require_found(narrative.draft_of(consultation))
    form = PublishForm()
    if not form.validate_on_submit():
        return _render_preview(consultation, draft, form, 422)
    try:
        published = narrative.publish_revision(
            consultation,
            edits=int(form.edits.data),
            actor=current_user,
            now=request_time(),
            override_reason=form.override_reason.data,
        )
    except DomainError as exc:
        db.session.rollback()
        draft = require_found(narrative.draft_of(consultation))
        return _render_preview(consultation, draft, form, exc.status_code, problem=exc.message)
    db.session.commit()
    number = published.revision.number
    if published.created:
        flash(_("Revision %(number)d of the summary is published.", number=number), "success")
    else:
        flash(_("This text was already published as revision %(number)d.", number=number), "info")
    return redirect(url_for("narrative.revision", slug=slug, number=number))
