"""The notifications page, its settings, follow buttons and one-click unsubscribe."""

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from consult.accounts.models import Organisation, User, company_slug
from consult.comments.models import Comment
from consult.comments.queries import comment_or_404
from consult.commitments.models import Commitment
from consult.commitments.services import responding_company
from consult.consultations import versions
from consult.consultations.models import Consultation
from consult.consultations.services import visible_consultation_or_404
from consult.db import required
from consult.extensions import db
from consult.forms import ActionForm
from consult.notifications import follows, preferences, services
from consult.notifications.forms import FollowForm, SettingsForm, UnsubscribeForm
from consult.notifications.models import Delivery, Follow, FollowTarget, Kind
from consult.notifications.present import present
from consult.notifications.unsubscribe import DIGEST, LinkExpired, LinkInvalid, read_token
from consult.permissions import is_active_user, login_required, public, require, require_found
from consult.policy.consultations import can_view_consultation
from consult.routing import MAX_NUMBER

bp = Blueprint("notifications", __name__)


@bp.app_context_processor
def _unread():
    """The unread count for the header, once per request (emails rendered during the
    request do not ask again); nothing for visitors and outside requests."""
    if "unread_notifications" not in g:
        signed_in = getattr(current_user, "is_authenticated", False)
        g.unread_notifications = services.unread_count(current_user) if signed_in else 0
    return {"unread_notifications": g.unread_notifications}


def _before(args) -> int | None:
    """The ``before`` cursor of the list: an id, or a 400 with a message."""
    value = args.get("before")
    if value is None:
        return None
    if not value.isdigit() or not 1 <= int(value) <= MAX_NUMBER:
        abort(400, _("This page address is not valid."))
    return int(value)


@bp.route("/notifications")
@login_required
def index():
    rows = services.notifications_of(current_user, before_id=_before(request.args))
    items = [present(n, current_user) for n in rows]
    return render_template(
        "notifications/index.html",
        items=items,
        next_before=rows[-1].id if len(rows) == services.PAGE_SIZE else None,
        action_form=ActionForm(),
        unread=services.unread_count(current_user),
    )


def _own(notification_id):
    return require_found(services.own_notification(current_user, notification_id))


@bp.route("/notifications/<number:notification_id>")
@login_required
def open_item(notification_id):
    """Follow a notification's link, marking it read (what the list links to)."""
    notification = _own(notification_id)
    item = present(notification, current_user)
    services.mark_read(notification)
    db.session.commit()
    if not item.available or item.endpoint is None:
        flash(_("This item is no longer available."), "info")
        return redirect(url_for("notifications.index"))
    return redirect(url_for(item.endpoint, **item.values))


@bp.route("/notifications/<number:notification_id>/read", methods=["POST"])
@login_required
def mark_read(notification_id):
    notification = _own(notification_id)
    if ActionForm().validate_on_submit():
        services.mark_read(notification)
        db.session.commit()
    else:
        flash(_("Your session expired; please use the button again."), "error")
    return redirect(url_for("notifications.index"))


@bp.route("/notifications/read", methods=["POST"])
@login_required
def mark_all_read():
    if ActionForm().validate_on_submit():
        services.mark_all_read(current_user)
        db.session.commit()
        flash(_("Every notification is marked as read."), "success")
    else:
        flash(_("Your session expired; please use the button again."), "error")
    return redirect(url_for("notifications.index"))


# --- settings ------------------------------------------------------------------------


def _settings_form(**kwargs):
    return SettingsForm.for_kinds(preferences.kinds_for(current_user), **kwargs)


@bp.route("/notifications/settings", methods=["GET", "POST"])
@login_required
def settings():
    user = current_user
    current = preferences.preferences_of(user)
    data: dict[str, object] = {f"kind_{k.value}": v.value for k, v in current.items()}
    data["discreet"] = preferences.is_discreet(user)
    form = _settings_form(data=data)
    if form.validate_on_submit():
        for kind in current:
            preferences.set_delivery(user, kind, Delivery(form[f"kind_{kind.value}"].data))
        if form.discreet.data != preferences.is_discreet(user):
            preferences.set_discreet(user, bool(form.discreet.data))
        db.session.commit()
        flash(_("Your notification settings are saved."), "success")
        return redirect(url_for("notifications.settings"))
    status = 422 if form.is_submitted() else 200
    return render_template(
        "notifications/settings.html",
        form=form,
        following=_followed(user),
        unfollow_form=ActionForm(),
    ), status


def _followed(user) -> list[tuple[str, str, str]]:
    """What the person follows, each as (what, link, the unfollow button's target)."""
    rows = []
    for row in follows.followed_by(user):
        described = _describe(user, row)
        if described is not None:
            rows.append(described)
    return rows


def _describe(user, row):
    """A follow row as a label and a link, if the thing is still visible to them."""
    consultation = (
        db.session.get(Consultation, row.consultation_id) if row.consultation_id else None
    )
    if consultation is not None and not can_view_consultation(user, consultation):
        return None
    if row.target == FollowTarget.CONSULTATION and consultation is not None:
        return (consultation.title, url_for("consultations.show", slug=consultation.slug), row)
    if row.target in (FollowTarget.PARAGRAPH, FollowTarget.SECTION) and consultation is not None:
        paragraph = versions.resolve_permalink(consultation, row.stable_key, user)
        if paragraph is None:
            return None
        label = (
            _("Section %(n)s of %(title)s", n=paragraph.number, title=consultation.title)
            if row.target == FollowTarget.SECTION
            else _("§%(n)s of %(title)s", n=paragraph.number, title=consultation.title)
        )
        link = url_for("comments.thread", slug=consultation.slug, key=row.stable_key)
        return (label, link, row)
    if row.target == FollowTarget.COMMENT and row.comment_id:
        from_db = db.session.get(Comment, row.comment_id)
        if from_db is None:
            return None
        return (
            _("The thread of comment %(ref)s", ref=from_db.reference),
            url_for("comments.show", reference=from_db.reference),
            row,
        )
    if row.target == FollowTarget.COMMITMENT and row.commitment_id:
        commitment = db.session.get(Commitment, row.commitment_id)
        if commitment is None:
            return None
        return (
            _("Commitment %(ref)s", ref=commitment.reference),
            url_for("commitments.show", reference=commitment.reference),
            row,
        )
    if row.target == FollowTarget.COMPANY and row.company_id:
        company = db.session.get(Organisation, row.company_id)
        if company is None:
            return None
        return (
            _("Commitments of %(company)s", company=company.name),
            url_for("commitments.company", name=company_slug(company.name)),
            row,
        )
    return None


# --- follow and unfollow ----------------------------------------------------------------


def _target(kind: FollowTarget, form: FollowForm) -> follows.Target:
    """What the button names, checked against what the person may see (404 otherwise)."""
    user = current_user
    if kind == FollowTarget.CONSULTATION:
        consultation = visible_consultation_or_404(form.slug.data or "", user)
        return follows.Target(kind, consultation_id=consultation.id)
    if kind in (FollowTarget.PARAGRAPH, FollowTarget.SECTION):
        consultation = visible_consultation_or_404(form.slug.data or "", user)
        paragraph = require_found(
            versions.resolve_permalink(consultation, form.key.data or "", user)
        )
        if kind == FollowTarget.SECTION:
            require(paragraph.is_heading and paragraph.is_section)
        return follows.Target(
            kind, consultation_id=consultation.id, stable_key=paragraph.stable_key
        )
    if kind == FollowTarget.COMMENT:
        comment = comment_or_404(form.reference.data or "", user)
        return follows.Target(kind, comment_id=comment.id, consultation_id=comment.consultation_id)
    if kind == FollowTarget.COMMITMENT:
        commitment = require_found(
            db.session.scalar(
                db.select(Commitment).where(Commitment.reference == (form.reference.data or ""))
            )
        )
        consultation = required(db.session.get(Consultation, commitment.consultation_id))
        require(commitment.is_confirmed and can_view_consultation(user, consultation))
        return follows.Target(
            kind, commitment_id=commitment.id, consultation_id=commitment.consultation_id
        )
    company = require_found(responding_company(form.name.data or ""))
    return follows.Target(kind, company_id=company.id)


def _safe_next(value: str | None) -> str:
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return url_for("notifications.settings")


def _follow_action(target: str, following: bool):
    try:
        kind = FollowTarget(target)
    except ValueError:
        abort(404)
    if not is_active_user(current_user):
        abort(403)
    form = FollowForm(prefix=f"follow-{kind}")
    if not form.validate_on_submit() or form.target.data != kind.value:
        flash(
            _("Your session expired or the form was damaged; please use the button again."), "error"
        )
        return redirect(_safe_next(form.next.data))
    thing = _target(kind, form)
    if following:
        follows.follow(current_user, thing)
        message = _("You follow it now: what happens there appears in your notifications.")
    else:
        follows.unfollow(current_user, thing)
        message = _("You no longer follow it.")
    db.session.commit()
    flash(message, "success")
    return redirect(_safe_next(form.next.data))


@bp.route("/follow/<target>", methods=["POST"])
@login_required
def follow(target):
    return _follow_action(target, True)


@bp.route("/unfollow/<target>", methods=["POST"])
@login_required
def unfollow(target):
    return _follow_action(target, False)


@bp.route("/notifications/follows/<number:follow_id>/remove", methods=["POST"])
@login_required
def remove_follow(follow_id):
    """Unfollow from the settings page's list."""
    row = require_found(
        db.session.scalar(
            db.select(Follow).where(Follow.id == follow_id, Follow.user_id == current_user.id)
        )
    )
    if ActionForm().validate_on_submit():
        db.session.delete(row)
        db.session.commit()
        flash(_("You no longer follow it."), "success")
    else:
        flash(_("Your session expired; please use the button again."), "error")
    return redirect(url_for("notifications.settings", _anchor="following"))


# --- one-click unsubscribe (RFC 8058) ------------------------------------------------------


def _scope_label(scope: str) -> str:
    if scope == DIGEST:
        return _("the daily digest")
    return str(Kind(scope).label)


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@public
def unsubscribe(token):
    """GET shows a button; POST (the button, or a mail program's one-click request,
    without a session) stops the email. The signed token is the authentication."""
    try:
        user_id, scope = read_token(token)
    except LinkExpired:
        return render_template("notifications/unsubscribe_error.html", expired=True), 410
    except LinkInvalid:
        return render_template("notifications/unsubscribe_error.html", expired=False), 400
    user = db.session.get(User, user_id)
    if user is None:
        return render_template("notifications/unsubscribe_error.html", expired=False), 400
    form = UnsubscribeForm()
    if request.method == "POST":
        if scope == DIGEST:
            for kind, delivery in preferences.preferences_of(user).items():
                if delivery == Delivery.DIGEST and kind not in preferences.EMAIL_ONLY:
                    preferences.stop_email(user, kind)
        else:
            preferences.stop_email(user, Kind(scope))
        db.session.commit()
        return render_template(
            "notifications/unsubscribed.html", what=_scope_label(scope), done=True
        )
    return render_template(
        "notifications/unsubscribed.html", what=_scope_label(scope), done=False, form=form
    )
