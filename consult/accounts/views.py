"""Registration, sign-in and the person's own account pages."""

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from consult import throttle
from consult.accounts import forms, services, tokens
from consult.accounts.models import UserStatus
from consult.accounts.passwords import verify_password
from consult.accounts.sessions import mark_signed_in
from consult.errors import DomainError
from consult.extensions import db
from consult.forms import ActionForm
from consult.notifications.preferences import set_discreet
from consult.permissions import login_required, public

bp = Blueprint("accounts", __name__)


def _status(form):
    """422 for a submitted form that failed validation, 200 on first display."""
    return 422 if form.is_submitted() else 200


def _safe_next(target: str | None) -> str:
    """Only same-site paths; anything else goes home (no open redirect)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("main.home")


def _link_error(exc):
    expired = isinstance(exc, tokens.LinkExpired)
    return render_template("accounts/link_error.html", expired=expired), 400


def _rate_limited(form, template, **context):
    form.email.errors = list(form.email.errors) + [
        _("Too many attempts. Please wait a few minutes and try again.")
    ]
    return render_template(template, form=form, **context), 429


def _address() -> str:
    # remote_addr is None outside a real connection; those requests share one bucket.
    return request.remote_addr or "unknown"


@bp.route("/register", methods=["GET", "POST"])
@public
def register():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = forms.RegistrationForm()
    if form.validate_on_submit():
        if not throttle.hit("EMAIL_ACTION_LIMIT_PER_ADDRESS", "email-action", _address()):
            return _rate_limited(form, "accounts/register.html")
        user = services.register_stakeholder(
            email=form.email.data,
            display_name=form.display_name.data,
            password=form.password.data,
            org_name=form.org_name.data,
            org_kind=form.org_kind.data,
            org_country=form.org_country.data,
            org_website=form.org_website.data,
            timezone=form.timezone.data,
        )
        if user is not None and form.discreet_email.data:
            set_discreet(user, True)
        db.session.commit()
        # The same answer whether or not the email was already registered.
        return redirect(url_for("accounts.check_email"))
    return render_template("accounts/register.html", form=form), _status(form)


@bp.route("/register/check-email")
@public
def check_email():
    return render_template("accounts/check_email.html")


@bp.route("/confirm/<token>", methods=["GET", "POST"])
@public
def confirm_email(token):
    # Mail scanners follow links: confirm only on an explicit POST from this page.
    form = ActionForm()
    try:
        if form.validate_on_submit():
            services.confirm_email(token)
            db.session.commit()
            return render_template("accounts/confirmed.html")
        services.user_for_confirmation(token)
    except (tokens.LinkExpired, tokens.LinkInvalid) as exc:
        return _link_error(exc)
    return render_template("accounts/confirm.html", form=form), _status(form)


@bp.route("/confirm/resend", methods=["GET", "POST"])
@public
def resend_confirmation():
    form = forms.EmailOnlyForm()
    if form.validate_on_submit():
        if not throttle.hit("EMAIL_ACTION_LIMIT_PER_ADDRESS", "email-action", _address()):
            return _rate_limited(form, "accounts/resend.html")
        services.resend_confirmation(form.email.data)
        db.session.commit()
        return redirect(url_for("accounts.check_email"))
    return render_template("accounts/resend.html", form=form), _status(form)


@bp.route("/signin", methods=["GET", "POST"])
@public
def signin():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = forms.SignInForm()
    if form.validate_on_submit():
        email = services.normalise_email(form.email.data)
        address = request.remote_addr or "unknown"
        if throttle.is_limited("SIGNIN_LIMIT_PER_ACCOUNT", "signin-account", email) or (
            throttle.is_limited("SIGNIN_LIMIT_PER_ADDRESS", "signin-address", address)
        ):
            return _rate_limited(form, "accounts/signin.html")
        user = services.authenticate(email, form.password.data)
        if user is None:
            throttle.hit("SIGNIN_LIMIT_PER_ACCOUNT", "signin-account", email)
            throttle.hit("SIGNIN_LIMIT_PER_ADDRESS", "signin-address", address)
            form.password.errors = [_("The email or password is not right.")]
            return render_template("accounts/signin.html", form=form), 401
        refusal = services.sign_in_refusal(user)
        if refusal:
            db.session.commit()
            return render_template(
                "accounts/signin.html",
                form=form,
                refusal=refusal,
                offer_resend=user.status == UserStatus.UNCONFIRMED,
            ), 403
        session.clear()
        login_user(user, remember=form.remember.data)
        mark_signed_in()
        db.session.commit()
        return redirect(_safe_next(request.args.get("next")))
    return render_template("accounts/signin.html", form=form), _status(form)


@bp.route("/signout", methods=["POST"])
@login_required
def signout():
    form = ActionForm(prefix="signout")
    if form.validate_on_submit():
        # Signing out here ends every session of the account, on every device.
        services.end_all_sessions(current_user)
        db.session.commit()
        logout_user()
        session.clear()
        flash(_("You are signed out on every device."), "success")
        return redirect(url_for("main.home"))
    flash(_("Your session expired; please use the sign-out button again."), "error")
    return redirect(url_for("accounts.profile"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@public
def forgot_password():
    form = forms.EmailOnlyForm()
    if form.validate_on_submit():
        if not throttle.hit("EMAIL_ACTION_LIMIT_PER_ADDRESS", "email-action", _address()):
            return _rate_limited(form, "accounts/forgot_password.html")
        services.request_password_reset(form.email.data)
        db.session.commit()
        return render_template("accounts/reset_sent.html")
    return render_template("accounts/forgot_password.html", form=form), _status(form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@public
def reset_password(token):
    try:
        user = services.user_for_reset(token)
    except (tokens.LinkExpired, tokens.LinkInvalid) as exc:
        return _link_error(exc)
    form = forms.ResetPasswordForm(identity=(user.email, user.display_name))
    if form.validate_on_submit():
        services.reset_password(token, form.password.data)
        db.session.commit()
        logout_user()
        flash(_("Your password is changed. Sign in with the new one."), "success")
        return redirect(url_for("accounts.signin"))
    return render_template("accounts/reset_password.html", form=form, user=user), _status(form)


@bp.route("/account", methods=["GET", "POST"])
@login_required
def profile():
    form = forms.PreferencesForm(obj=current_user, languages=current_app.config["LANGUAGES"])
    if form.validate_on_submit():
        services.update_preferences(
            current_user,
            timezone=form.timezone.data,
            locale=form.locale.data,
            display_name=form.display_name.data,
        )
        db.session.commit()
        flash(_("Your preferences are saved."), "success")
        return redirect(url_for("accounts.profile"))
    return render_template("accounts/profile.html", form=form), _status(form)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = forms.ChangePasswordForm(identity=(current_user.email, current_user.display_name))
    if form.validate_on_submit():
        if not verify_password(current_user.password_hash, form.current_password.data):
            form.current_password.errors = [_("This is not your current password.")]
            return render_template("accounts/change_password.html", form=form), 422
        user = current_user._get_current_object()
        services.change_password(user, new_password=form.password.data)
        db.session.commit()
        # Other sessions end; this one continues under the new session version.
        login_user(user)
        mark_signed_in()
        flash(_("Your password is changed. You are signed out everywhere else."), "success")
        return redirect(url_for("accounts.profile"))
    return render_template("accounts/change_password.html", form=form), _status(form)


@bp.route("/account/email", methods=["GET", "POST"])
@login_required
def change_email():
    form = forms.ChangeEmailForm()
    if form.validate_on_submit():
        if not verify_password(current_user.password_hash, form.current_password.data):
            form.current_password.errors = [_("This is not your current password.")]
            return render_template("accounts/change_email.html", form=form), 422
        services.request_email_change(current_user, form.new_email.data)
        db.session.commit()
        flash(_("Follow the link we sent to the new address to finish the change."), "success")
        return redirect(url_for("accounts.profile"))
    return render_template("accounts/change_email.html", form=form), _status(form)


@bp.route("/account/email/confirm/<token>", methods=["GET", "POST"])
@public
def confirm_email_change(token):
    form = ActionForm()
    try:
        if form.validate_on_submit():
            services.confirm_email_change(token)
            db.session.commit()
            logout_user()
            flash(_("Your email is changed. Sign in with the new address."), "success")
            return redirect(url_for("accounts.signin"))
        services.user_for_email_change(token)
    except (tokens.LinkExpired, tokens.LinkInvalid) as exc:
        return _link_error(exc)
    except DomainError as exc:
        db.session.rollback()  # a refused action keeps nothing it wrote
        return render_template("accounts/link_error.html", message=exc.message), 409
    return render_template("accounts/confirm_email_change.html", form=form), _status(form)


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@public
def accept_invitation(token):
    try:
        invitation = services.invitation_for(token)
    except (tokens.LinkExpired, tokens.LinkInvalid) as exc:
        return _link_error(exc)
    form = forms.AcceptInvitationForm()
    if form.validate_on_submit():
        user = services.accept_invitation(
            token,
            display_name=form.display_name.data,
            password=form.password.data,
            timezone=form.timezone.data,
        )
        db.session.commit()
        session.clear()
        login_user(user)
        mark_signed_in()
        flash(
            _(
                "Welcome. You are signed in as a representative of %(company)s.",
                company=invitation.organisation.name,
            ),
            "success",
        )
        return redirect(url_for("main.home"))
    return render_template(
        "accounts/accept_invitation.html", form=form, invitation=invitation
    ), _status(form)
