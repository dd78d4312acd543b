"""The public timeline and updates of a consultation, their Atom feeds, and the
coordinators' tools for posting updates and keeping milestones."""

from flask import Blueprint, Response, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from consult.consultations.schedule import request_time
from consult.consultations.services import visible_consultation_or_404
from consult.extensions import db
from consult.permissions import login_required, public, require, require_found
from consult.policy.tracking import can_keep_timeline
from consult.tracking import feeds, forms, milestones, progress
from consult.tracking.models import Milestone, UpdateKind
from consult.tracking.services import post_update, timeline_events, updates_of

bp = Blueprint("tracking", __name__)


def _consultation(slug):
    return visible_consultation_or_404(slug, current_user)


def _keeper_of(slug):
    """The consultation, for someone who keeps its timeline: 404 when they may not see
    it, 403 when they may see it but not keep it."""
    consultation = _consultation(slug)
    require(can_keep_timeline(current_user), hide=False)
    return consultation


def _milestones(consultation):
    return milestones.milestones(consultation, timeline_events(consultation), request_time())


@bp.route("/consultations/<slug>/timeline")
@public
def timeline(slug):
    consultation = _consultation(slug)
    events = timeline_events(consultation)
    return render_template(
        "tracking/timeline.html",
        consultation=consultation,
        events=list(reversed(events)),
        milestones=milestones.milestones(consultation, events, request_time()),
        may_keep_timeline=can_keep_timeline(current_user),
    )


# --- updates ------------------------------------------------------------------------------


@bp.route("/consultations/<slug>/updates")
@public
def updates(slug):
    consultation = _consultation(slug)
    return render_template(
        "tracking/updates.html",
        consultation=consultation,
        updates=updates_of(consultation),
        progress=progress.status_of(consultation, request_time()),
        may_keep_timeline=can_keep_timeline(current_user),
    )


@bp.route("/consultations/<slug>/updates/new", methods=["GET", "POST"])
@login_required
def new_update(slug):
    consultation = _keeper_of(slug)
    form = forms.UpdateForm()
    if form.validate_on_submit():
        post_update(
            consultation,
            kind=UpdateKind(form.kind.data),
            title=form.title.data,
            body=form.body.data,
            author=current_user,
            now=request_time(),
        )
        db.session.commit()
        flash(_("The update is published."), "success")
        return redirect(url_for("tracking.updates", slug=slug))
    status = 422 if form.is_submitted() else 200
    return render_template("tracking/new_update.html", consultation=consultation, form=form), status


def _entries(updates) -> list[feeds.FeedEntry]:
    return [
        feeds.FeedEntry(
            url=url_for(
                "tracking.updates",
                slug=update.consultation.slug,
                _anchor=update.reference,
                _external=True,
            ),
            title=f"{update.kind.label}: {update.title}",
            html=update.body_html,
            posted_at=update.posted_at,
            category=str(update.kind.label),
            author=_("Coordinators of %(title)s", title=update.consultation.title),
        )
        for update in updates
    ]


def _atom(document: bytes) -> Response:
    return Response(document, mimetype=feeds.ATOM_TYPE)


@bp.route("/consultations/<slug>/updates.atom")
@public
def consultation_feed(slug):
    # A feed is public whoever asks: a draft consultation has none, even for coordinators.
    consultation = visible_consultation_or_404(slug, None)
    return _atom(
        feeds.atom_feed(
            title=_("Updates: %(title)s", title=consultation.title),
            subtitle=_("Dated updates posted by the coordinators of this consultation."),
            feed_url=url_for("tracking.consultation_feed", slug=slug, _external=True),
            page_url=url_for("tracking.updates", slug=slug, _external=True),
            entries=_entries(feeds.public_updates(consultation)),
        )
    )


@bp.route("/updates.atom")
@public
def site_feed():
    return _atom(
        feeds.atom_feed(
            title=_("Updates from every consultation on Consult"),
            subtitle=_("Dated updates posted by the coordinators of each public consultation."),
            feed_url=url_for("tracking.site_feed", _external=True),
            page_url=url_for("main.home", _external=True),
            entries=_entries(feeds.public_updates()),
        )
    )


# --- milestones ------------------------------------------------------------------------------


@bp.route("/consultations/<slug>/milestones/new", methods=["GET", "POST"])
@login_required
def new_milestone(slug):
    consultation = _keeper_of(slug)
    form = forms.NewMilestoneForm(kinds=milestones.plannable(_milestones(consultation)))
    if form.validate_on_submit():
        try:
            milestones.plan_milestone(
                consultation,
                Milestone(form.milestone.data),
                form.planned_on.data,
                name=form.name.data,
                actor=current_user,
                now=request_time(),
            )
        except milestones.MilestoneRefused as exc:
            db.session.rollback()
            getattr(form, exc.field).errors.append(exc.message)
        else:
            db.session.commit()
            flash(_("The milestone is on the timeline."), "success")
            return redirect(url_for("tracking.timeline", slug=slug))
    status = 422 if form.is_submitted() else 200
    return render_template(
        "tracking/new_milestone.html", consultation=consultation, form=form
    ), status


def _milestone_or_404(consultation, key):
    return require_found(milestones.find_milestone(_milestones(consultation), key))


def _render_milestone(consultation, milestone, *, replan=None, done=None, status=200):
    return render_template(
        "tracking/milestone.html",
        consultation=consultation,
        milestone=milestone,
        replan_form=replan or forms.ReplanForm(formdata=None),
        done_form=done or forms.DoneForm(formdata=None),
    ), status


@bp.route("/consultations/<slug>/milestones/<key>")
@login_required
def milestone(slug, key):
    consultation = _keeper_of(slug)
    return _render_milestone(consultation, _milestone_or_404(consultation, key))


@bp.route("/consultations/<slug>/milestones/<key>/plan", methods=["POST"])
@login_required
def replan_milestone(slug, key):
    consultation = _keeper_of(slug)
    found = _milestone_or_404(consultation, key)
    form = forms.ReplanForm()
    if form.validate_on_submit():
        try:
            milestones.replan_milestone(
                consultation,
                found,
                form.planned_on.data,
                reason=form.reason.data,
                actor=current_user,
                now=request_time(),
            )
        except milestones.MilestoneRefused as exc:
            db.session.rollback()
            getattr(form, exc.field).errors.append(exc.message)
        else:
            db.session.commit()
            flash(_("The new date is on the timeline, with the earlier one."), "success")
            return redirect(url_for("tracking.timeline", slug=slug))
    return _render_milestone(consultation, found, replan=form, status=422)


@bp.route("/consultations/<slug>/milestones/<key>/done", methods=["POST"])
@login_required
def complete_milestone(slug, key):
    consultation = _keeper_of(slug)
    found = _milestone_or_404(consultation, key)
    form = forms.DoneForm()
    if form.validate_on_submit():
        try:
            milestones.record_milestone_done(
                consultation, found, form.actual_on.data, actor=current_user, now=request_time()
            )
        except milestones.MilestoneRefused as exc:
            db.session.rollback()
            getattr(form, exc.field).errors.append(exc.message)
        else:
            db.session.commit()
            flash(_("The milestone is recorded as reached."), "success")
            return redirect(url_for("tracking.timeline", slug=slug))
    return _render_milestone(consultation, found, done=form, status=422)
