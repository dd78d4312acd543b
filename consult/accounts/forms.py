"""Account forms. Every POST goes through one; CSRF failure re-renders with data kept."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
    URLField,
    ValidationError,
)
from wtforms.validators import URL, DataRequired, Email, Length, Optional

from consult.accounts.models import STAKEHOLDER_KINDS
from consult.accounts.passwords import MAX_BYTES, password_problem
from consult.forms import BaseForm, choices, strip_filter
from consult.i18n import countries, timezone_names


def _kind_choices(kinds):
    return choices((k.value, k.label) for k in kinds)


def _country_choices():
    return choices([("", _l("Choose a country")), *countries()])


def _timezone_choices():
    return choices((name, name) for name in timezone_names())


class NewPasswordMixin:
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired()],
        description=_l("At least 12 characters. A phrase of several words is easy to remember."),
        render_kw={"autocomplete": "new-password", "maxlength": MAX_BYTES},
    )

    def __init__(self, *args, identity=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._identity = identity

    def validate_password(self, field):
        if self._identity:
            email, name = self._identity
        else:
            email = getattr(self, "email", None)
            name = getattr(self, "display_name", None)
            email, name = (email.data if email else ""), (name.data if name else "")
        problem = password_problem(field.data or "", email=email or "", name=name or "")
        if problem:
            raise ValidationError(problem)


class RegistrationForm(NewPasswordMixin, BaseForm):
    email = EmailField(
        _l("Email"),
        validators=[DataRequired(), Email(), Length(max=254)],
        filters=[strip_filter],
        render_kw={"autocomplete": "email"},
    )
    display_name = StringField(
        _l("Your name as others will see it"),
        validators=[DataRequired(), Length(max=120)],
        filters=[strip_filter],
        description=_l("Shown only on comments you choose to sign with your name."),
    )
    org_name = StringField(
        _l("Organisation name"),
        validators=[DataRequired(), Length(max=200)],
        filters=[strip_filter],
    )
    org_kind = SelectField(
        _l("Kind of organisation"),
        choices=_kind_choices(STAKEHOLDER_KINDS),
        validators=[DataRequired()],
    )
    org_country = SelectField(_l("Country of the organisation"), validators=[DataRequired()])
    org_website = URLField(
        _l("Organisation website (optional)"),
        validators=[Optional(), URL(require_tld=True), Length(max=300)],
        filters=[strip_filter],
    )
    timezone = SelectField(_l("Your time zone"), default="UTC")
    discreet_email = BooleanField(
        _l("Discreet email"),
        description=_l(
            'Our emails will then say only "Consult: you have a new notification", with a '
            "sign-in link: no consultation title, company name or text. It is turned on for "
            "you anyway once you post an anonymous, restricted or confidential comment; you "
            "can change it later."
        ),
    )
    understood = BooleanField(
        _l(
            "I understand that coordinators will see my name, email and organisation to "
            "approve my registration, and that nothing else is shown without my choice."
        ),
        validators=[DataRequired(_l("Please confirm that you have read this."))],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.org_country.choices = _country_choices()
        self.timezone.choices = _timezone_choices()


class SignInForm(BaseForm):
    email = EmailField(
        _l("Email"),
        validators=[DataRequired(), Length(max=254)],
        filters=[strip_filter],
        render_kw={"autocomplete": "username"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(), Length(max=MAX_BYTES)],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField(_l("Keep me signed in on this device for 30 days"))


class EmailOnlyForm(BaseForm):
    email = EmailField(
        _l("Email"),
        validators=[DataRequired(), Email(), Length(max=254)],
        filters=[strip_filter],
        render_kw={"autocomplete": "email"},
    )


class ResetPasswordForm(NewPasswordMixin, BaseForm):
    pass


class ChangePasswordForm(NewPasswordMixin, BaseForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired()],
        render_kw={"autocomplete": "current-password"},
    )


class ChangeEmailForm(BaseForm):
    new_email = EmailField(
        _l("New email"),
        validators=[DataRequired(), Email(), Length(max=254)],
        filters=[strip_filter],
    )
    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired()],
        render_kw={"autocomplete": "current-password"},
    )


class PreferencesForm(BaseForm):
    display_name = StringField(
        _l("Your name as others will see it"),
        validators=[DataRequired(), Length(max=120)],
        filters=[strip_filter],
    )
    timezone = SelectField(_l("Time zone"))
    locale = SelectField(_l("Language"))

    def __init__(self, *args, languages=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.timezone.choices = _timezone_choices()
        self.locale.choices = choices((languages or {"en": "English"}).items())


class AcceptInvitationForm(NewPasswordMixin, BaseForm):
    display_name = StringField(
        _l("Your name"), validators=[DataRequired(), Length(max=120)], filters=[strip_filter]
    )
    timezone = SelectField(_l("Your time zone"), default="UTC")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.timezone.choices = _timezone_choices()


# --- coordinator forms ----------------------------------------------------------------


class ApprovalForm(BaseForm):
    kind = SelectField(
        _l("Stakeholder category (the organisation's kind)"),
        choices=_kind_choices(STAKEHOLDER_KINDS),
    )
    match = SelectField(_l("Organisation"), coerce=int)

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.match.choices = choices(
            [(0, _l("Confirm the organisation as registered"))]
            + [(o.id, f"{o.name} ({o.kind.label}, {o.country or '—'})") for o in organisations]
        )


class RejectionForm(BaseForm):
    reason = TextAreaField(
        _l("Reason (sent to the person)"),
        validators=[DataRequired(), Length(max=2000)],
        filters=[strip_filter],
    )


class CompanyForm(BaseForm):
    name = StringField(
        _l("Company name"), validators=[DataRequired(), Length(max=200)], filters=[strip_filter]
    )
    country = SelectField(_l("Country (optional)"), validators=[Optional()])
    website = URLField(
        _l("Website (optional)"),
        validators=[Optional(), URL(require_tld=True), Length(max=300)],
        filters=[strip_filter],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.country.choices = _country_choices()


class InvitationForm(BaseForm):
    email = EmailField(
        _l("Representative's email"),
        validators=[DataRequired(), Email(), Length(max=254)],
        filters=[strip_filter],
    )
    company = SelectField(_l("Company"), coerce=int)
    role_title = StringField(
        _l("Role title (shown with their answers)"),
        validators=[DataRequired(), Length(max=120)],
        filters=[strip_filter],
    )

    def __init__(self, *args, companies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.company.choices = choices((c.id, c.name) for c in companies)
