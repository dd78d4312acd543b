"""The policies page, its published versions, the coordinators' editor, and each
consultation's departures from the site's defaults."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from consult.consultations.schedule import request_time
from consult.consultations.services import visible_consultation_or_404
from consult.errors import DomainError
from consult.extensions import db
from consult.permissions import coordinator_required, public, require, require_found
from consult.policy.site_policies import can_edit_site_policies, can_read_policy_version
from consult.site_policies import present, services, settings
from consult.site_policies.forms import PolicyForm, number_or_none

bp = Blueprint("site_policies", __name__)


@bp.route("/policies")
@public
def current():
    """The policies in force: the current version's prose with today's figures."""
    version = services.current_version()
    live = settings.live_figures()
    changed = settings.changed_since(version.figures if version else None, live)
    return render_template(
        "site_policies/current.html",
        version=version,
        published=present.when(version.published_at) if version else None,
        sections=present.shown_sections(version.sections if version else None, live),
        changed=present.changed_labels(changed),
        may_edit=can_edit_site_policies(current_user),
    )


@bp.route("/policies/versions")
@public
def versions():
    return render_template(
        "site_policies/versions.html",
        versions=present.version_rows(services.published_versions()),
        may_edit=can_edit_site_policies(current_user),
    )


@bp.route("/policies/versions/<number:number>")
@public
def version(number):
    """A version exactly as published, with the figures it recorded then."""
    found = require_found(services.version_numbered(number))
    # A draft is not a version anyone can cite: 404, even for coordinators (they read
    # it in the editor).
    require(found.is_published and can_read_policy_version(current_user, found))
    current = services.current_version()
    newer = services.version_numbered(number + 1)
    return render_template(
        "site_policies/version.html",
        version=found,
        published=present.when(found.published_at),
        is_current=current is not None and current.id == found.id,
        sections=present.shown_sections(found.sections, found.figures or {}),
        newer=newer if newer is not None and newer.is_published else None,
        older=services.version_numbered(number - 1) if number > 1 else None,
    )


@bp.route("/policies/edit", methods=["GET", "POST"])
@coordinator_required
def edit():
    """Write the next version: save it as a draft, preview it, publish it."""
    draft = services.current_draft()
    current = services.current_version()
    form = PolicyForm()
    if not form.is_submitted():
        if draft is not None:
            form.fill(draft.sections, draft.change_note)
        else:
            form.fill(services.starting_text(), "")
        _mark_start(form, current, draft)
        return _editor(form, draft, current)
    if not form.validate():
        return _editor(form, draft, current), 422
    if form.preview.data or not (form.save.data or form.publish.data):
        return _editor(form, draft, current, preview=True)
    act = services.publish_draft if form.publish.data else services.save_draft
    try:
        saved = act(
            sections=form.sections(),
            change_note=form.change_note.data or "",
            editing_revision=number_or_none(form.revision.data),
            based_on=number_or_none(form.based_on.data),
            coordinator=current_user,
            now=request_time(),
        )
    except services.ChangeNoteMissing as exc:
        db.session.rollback()
        form.change_note.errors = [*form.change_note.errors, str(exc.message)]
        return _editor(form, draft, current), exc.status_code
    except DomainError as exc:
        db.session.rollback()  # nothing of a refused save is kept
        draft, current = services.current_draft(), services.current_version()
        # Another coordinator's save or publication: the form now builds on it, so
        # saving again (after comparing) goes through.
        _mark_start(form, current, draft)
        form.refuse(exc.message)
        return _editor(form, draft, current), exc.status_code
    db.session.commit()
    if saved.is_published:
        flash(_("Version %(n)d of the policies is published.", n=saved.number), "success")
        return redirect(url_for("site_policies.version", number=saved.number))
    flash(_("The draft of version %(n)d is saved.", n=saved.number), "success")
    return redirect(url_for("site_policies.edit"))


def _mark_start(form, current, draft):
    form.based_on.data = services.version_token(current)
    form.revision.data = str(draft.revision) if draft is not None else ""


def _editor(form, draft, current, *, preview=False):
    live = settings.live_figures()
    return render_template(
        "site_policies/edit.html",
        form=form,
        draft=draft,
        draft_saved=present.when(draft.updated_at) if draft else None,
        current=current,
        preview=preview,
        # What the page will show: the text in the form beside the figures as they are
        # now, which publishing records.
        sections=present.shown_sections(form.sections(), live),
        changed=present.changed_labels(
            settings.changed_since(current.figures if current else None, live)
        ),
    )


@bp.route("/consultations/<slug>/policies")
@public
def consultation(slug):
    """Where one consultation departs from the site's defaults."""
    found = visible_consultation_or_404(slug, current_user)
    differences = settings.consultation_differences(found)
    return render_template(
        "site_policies/consultation.html",
        consultation=found,
        facts=present.difference_facts(differences),
        follows_defaults=all(d.default is None for d in differences),
        version=services.current_version(),
    )
