"""Flags, the moderation queue, hiding and restoring, late comments, identity reveals,
and the public moderation figures."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from consult.accounts.models import User
from consult.accounts.services import suspend_user
from consult.comments import forms as comment_forms
from consult.comments import services as comment_services
from consult.comments.models import Comment, CommentRevision
from consult.comments.queries import comment_or_404
from consult.comments.views import render_comment_page
from consult.consultations.schedule import request_time
from consult.consultations.services import visible_consultation_or_404
from consult.errors import DomainError
from consult.extensions import db
from consult.forms import ActionForm
from consult.idempotency import AlreadyDone
from consult.moderation import forms, services
from consult.moderation.models import FlagReason
from consult.permissions import coordinator_required, login_required, public, require
from consult.policy.comments import can_reveal_identity
from consult.policy.moderation import can_suspend_author

bp = Blueprint("moderation", __name__)


def _comment(reference) -> Comment:
    return comment_or_404(reference, current_user)


def _moderate(reference, form, act, done, *, name=None, then=None):
    """Check the form, act, commit once. On a refusal the comment page comes back with
    the form as it was typed (its forms read the posted data) and the reason."""
    comment = _comment(reference)
    if not form.validate_on_submit():
        return render_comment_page(comment, 422, **({name: form} if name else {}))
    try:
        act(comment, form)
    except AlreadyDone as exc:
        # Another coordinator did it first: nothing more is recorded; the page shows the
        # comment as it now is, and says who did what, and when.
        db.session.rollback()
        flash(exc.message, "info")
        return redirect(url_for("comments.show", reference=reference), 303)
    except DomainError as exc:
        db.session.rollback()  # a refused action keeps nothing it wrote
        flash(exc.message, "error")
        return render_comment_page(comment, exc.status_code, **({name: form} if name else {}))
    db.session.commit()
    flash(done, "success")
    return redirect(then or url_for("comments.show", reference=reference))


@bp.route("/comments/<reference>/flag", methods=["POST"])
@login_required
def flag(reference):
    def act(comment, form):
        services.flag_comment(
            comment,
            user=current_user,
            reason=form.reason.data,
            note=form.note.data,
            now=request_time(),
        )

    return _moderate(
        reference,
        forms.FlagForm(),
        act,
        _("Thank you. The moderators will look at it."),
        name="flag_form",
    )


@bp.route("/comments/<reference>/hide", methods=["POST"])
@coordinator_required
def hide(reference):
    def act(comment, form):
        services.hide_comment(
            comment,
            moderator=current_user,
            reason_code=FlagReason(form.reason_code.data),
            reason=form.reason.data,
            submission_key=form.submission_key.data,
            now=request_time(),
        )

    return _moderate(
        reference,
        forms.HideForm(),
        act,
        _("The comment is hidden; its public reason is shown in its place."),
        name="hide_form",
    )


@bp.route("/comments/<reference>/restore", methods=["POST"])
@coordinator_required
def restore(reference):
    def act(comment, form):
        services.restore_comment(
            comment,
            moderator=current_user,
            reason=form.reason.data,
            submission_key=form.submission_key.data,
            now=request_time(),
        )

    return _moderate(
        reference, forms.RestoreForm(), act, name="restore_form", done=_("The comment is restored.")
    )


@bp.route("/comments/<reference>/flags/dismiss", methods=["POST"])
@coordinator_required
def dismiss(reference):
    def act(comment, form):
        services.dismiss_flags(comment, moderator=current_user, now=request_time())

    return _moderate(
        reference, ActionForm(), act, _("Flags dismissed."), then=url_for("moderation.queue")
    )


@bp.route("/comments/<reference>/late", methods=["POST"])
@coordinator_required
def decide_late(reference):
    def act(comment, form):
        comment_services.decide_late_comment(
            comment,
            coordinator=current_user,
            accept=form.decision.data == "accept",
            reason=form.reason.data,
            now=request_time(),
        )

    return _moderate(
        reference,
        comment_forms.LateDecisionForm(),
        act,
        _("Decision recorded; the author is told."),
        name="late_form",
        then=url_for("moderation.queue"),
    )


@bp.route("/comments/<reference>/reveal", methods=["POST"])
@coordinator_required
def reveal(reference):
    comment = _comment(reference)
    form = comment_forms.ReasonForm(prefix="reveal")
    require(can_reveal_identity(current_user), hide=False)
    if not form.validate_on_submit():
        return render_comment_page(comment, 422, reveal_form=form)
    reveal = comment_services.reveal_identity(
        comment, officer=current_user, reason=form.reason.data, now=request_time()
    )
    db.session.commit()
    author = db.session.get(User, comment.author_id)
    return render_template("moderation/reveal.html", comment=comment, reveal=reveal, author=author)


@bp.route("/comments/<reference>/revisions/<number:number>/redact", methods=["POST"])
@coordinator_required
def redact(reference, number):
    """Blank an earlier revision at the author's request; audited."""

    def act(comment, form):
        revision = db.first_or_404(
            db.select(CommentRevision).filter_by(comment_id=comment.id, number=number)
        )
        comment_services.redact_revision(revision, coordinator=current_user, now=request_time())

    return _moderate(reference, ActionForm(), act, _("Revision %(n)s is redacted.", n=number))


@bp.route("/admin/moderation")
@coordinator_required
def queue():
    return render_template(
        "moderation/queue.html",
        flagged=services.open_flags(),
        late=services.late_comments_waiting(),
        near_duplicates=services.near_duplicates(),
        action_form=ActionForm(),
        hide_form=forms.HideForm(),
        late_form=comment_forms.LateDecisionForm(),
    )


@bp.route("/comments/<reference>/suspend-author", methods=["POST"])
@coordinator_required
def suspend_author(reference):
    """Suspend the account that wrote a comment. For a non-public comment only a privacy
    officer may: acting on its author is acting on who wrote it."""
    comment = _comment(reference)
    require(can_suspend_author(current_user, comment), hide=False)
    user = comment.author
    if ActionForm().validate_on_submit():
        try:
            suspend_user(user, coordinator=current_user, now=request_time())
        except DomainError as exc:
            db.session.rollback()  # a refused action keeps nothing it wrote
            flash(exc.message, "error")
        else:
            db.session.commit()
            flash(_("The account is suspended: it can no longer write anywhere."), "success")
    return redirect(url_for("moderation.queue"))


@bp.route("/consultations/<slug>/moderation")
@public
def figures(slug):
    consultation = visible_consultation_or_404(slug, current_user)
    return render_template(
        "moderation/figures.html",
        consultation=consultation,
        figures=services.moderation_figures(consultation.id),
        labels=forms.REASON_LABELS,
    )
