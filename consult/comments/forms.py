"""Comment, reply and co-signing forms."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from consult.comments.models import AuthorDisplay, CommentKind, ReplyIdentity, Visibility
from consult.comments.services import MAX_BODY
from consult.forms import BaseForm, choices, new_submission_key, strip_filter, submission_key_field

AUDIENCE_CHOICES = [
    ("everyone", _l("Everyone")),
    ("companies", _l("Only the companies I choose and the coordinators")),
    ("coordinators", _l("Only the coordinators")),
]
DISPLAY_CHOICES = [
    (AuthorDisplay.NAME.value, _l("My name and organisation")),
    (AuthorDisplay.COUNTRY.value, _l("My category and my organisation's country")),
    (AuthorDisplay.REGION.value, _l("My category and my organisation's region")),
    (AuthorDisplay.NOTHING.value, _l("My category only")),
]


def visibility_for(audience: str, display: str) -> Visibility:
    """The four levels combine who may read with how the author is shown."""
    if audience == "coordinators":
        return Visibility.CONFIDENTIAL
    if audience == "companies":
        return Visibility.RESTRICTED
    return Visibility.PUBLIC if display == AuthorDisplay.NAME else Visibility.ANONYMOUS


def audience_for(visibility: Visibility) -> str:
    return {Visibility.CONFIDENTIAL: "coordinators", Visibility.RESTRICTED: "companies"}.get(
        visibility, "everyone"
    )


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class CommentForm(BaseForm):
    kind = RadioField(
        _l("Kind"),
        choices=choices((k.value, k.label) for k in CommentKind),
        default=CommentKind.COMMENT.value,
    )
    body = TextAreaField(
        _l("Your comment"),
        validators=[InputRequired(_l("Write your comment.")), Length(max=MAX_BODY)],
        description=_l("Markdown: *emphasis*, **bold**, lists, > quotes and [links](https://…)."),
        render_kw={"rows": 10},
    )
    proposed_text = TextAreaField(
        _l("Proposed text (for an amendment)"),
        validators=[Optional(), Length(max=MAX_BODY)],
        description=_l(
            "The wording you propose instead of the paragraph's; shown as a "
            "comparison with the current text."
        ),
        render_kw={"rows": 6},
    )
    audience = RadioField(
        _l("Who may read it"), choices=choices(AUDIENCE_CHOICES), default="everyone"
    )
    display = RadioField(
        _l("How you are shown"), choices=choices(DISPLAY_CHOICES), default=AuthorDisplay.NAME.value
    )
    addressed_to = RadioField(
        _l("Addressed to"),
        choices=choices(
            [
                ("companies", _l("Responding companies (choose below)")),
                ("coordinators", _l("The coordinators (a question about the process)")),
            ]
        ),
        default="companies",
    )
    companies = MultiCheckboxField(_l("Companies asked to answer"), coerce=int)
    understood = BooleanField(
        _l(
            "I understand who will read this and how I will be shown, and that details in "
            "the text itself can identify me."
        )
    )
    # The number of the site's policies version the page showed ("" when none was
    # published): confirming acknowledges that version, recorded on the comment.
    policy_version = HiddenField(validators=[Length(max=12)])
    submission_key = submission_key_field()
    preview = SubmitField(_l("Preview"))
    submit = SubmitField(_l("Publish my comment"))

    def __init__(self, *args, companies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.companies.choices = choices((c.id, c.name) for c in companies)
        if not self.is_submitted():
            self.companies.data = [c.id for c in companies]
            self.submission_key.data = new_submission_key()
        if not self.submission_key.data:
            self.submission_key.data = new_submission_key()

    @property
    def visibility(self) -> Visibility:
        return visibility_for(self.audience.data, self.display.data)


class EditCommentForm(BaseForm):
    default_prefix = "edit"
    body = TextAreaField(
        _l("Your comment"),
        validators=[InputRequired(_l("Write your comment.")), Length(max=MAX_BODY)],
        render_kw={"rows": 10},
    )
    proposed_text = TextAreaField(
        _l("Proposed text (for an amendment)"),
        validators=[Optional(), Length(max=MAX_BODY)],
        render_kw={"rows": 6},
    )


class VisibilityForm(BaseForm):
    default_prefix = "visibility"
    audience = RadioField(_l("Who may read it"), choices=choices(AUDIENCE_CHOICES))
    display = RadioField(_l("How you are shown"), choices=choices(DISPLAY_CHOICES))
    companies = MultiCheckboxField(_l("Companies that may read it (restricted only)"), coerce=int)

    def __init__(self, *args, companies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.companies.choices = choices((c.id, c.name) for c in companies)

    @property
    def visibility(self) -> Visibility:
        return visibility_for(self.audience.data, self.display.data)


class AddCompaniesForm(BaseForm):
    default_prefix = "companies"
    companies = MultiCheckboxField(_l("Also ask these companies to answer"), coerce=int)

    def __init__(self, *args, companies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.companies.choices = choices((c.id, c.name) for c in companies)


class WithdrawForm(BaseForm):
    default_prefix = "withdraw"
    remove_name = BooleanField(_l("Also remove my name and organisation"))
    confirm = BooleanField(
        _l(
            "I understand the text disappears from every page, feed and "
            "export, and cannot be restored"
        ),
        validators=[DataRequired(_l("Please confirm."))],
    )


class ReplyForm(BaseForm):
    default_prefix = "reply"
    body = TextAreaField(
        _l("Your reply"),
        validators=[InputRequired(_l("Write your reply.")), Length(max=MAX_BODY)],
        render_kw={"rows": 5},
    )
    identity = RadioField(
        _l("How you are shown"),
        choices=choices(
            [
                (ReplyIdentity.CATEGORY.value, _l("My category only")),
                (ReplyIdentity.NAMED.value, _l("My name and organisation")),
            ]
        ),
        default=ReplyIdentity.CATEGORY.value,
    )
    parent = HiddenField()
    submission_key = submission_key_field()


class CosignForm(BaseForm):
    default_prefix = "cosign"
    named = RadioField(
        _l("How your organisation is shown"),
        choices=choices([("named", _l("Named")), ("category", _l("Category only"))]),
        default="named",
    )
    submission_key = submission_key_field()


class CosigningSettingsForm(BaseForm):
    default_prefix = "cosigning"
    closed = BooleanField(_l("Close co-signing"))
    show_named = BooleanField(_l("Show the names of co-signers who chose to be named"))


class InviteCosignerForm(BaseForm):
    default_prefix = "invite"
    email = StringField(
        _l("Email of the person to invite"),
        validators=[DataRequired(), Email(), Length(max=254)],
        filters=[strip_filter],
    )


class ReasonForm(BaseForm):
    reason = TextAreaField(
        _l("Reason"),
        validators=[DataRequired(), Length(max=2000)],
        filters=[strip_filter],
        render_kw={"rows": 3},
    )


class LateDecisionForm(ReasonForm):
    default_prefix = "late"
    decision = RadioField(
        _l("Decision"),
        choices=choices([("accept", _l("Accept")), ("refuse", _l("Refuse"))]),
        validators=[InputRequired()],
    )
