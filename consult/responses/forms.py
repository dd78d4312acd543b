"""Forms for company responses, rejoinders, coordinators' request actions and the queue."""

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, RadioField, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from consult.accounts.models import STAKEHOLDER_KINDS
from consult.comments.services import MAX_BODY
from consult.forms import BaseForm, choices, strip_filter, submission_key_field
from consult.responses.actions import MAX_EXTENSION_DAYS
from consult.responses.deadlines import STATUS_LABELS, Status
from consult.responses.models import POSITION_LABELS, Position

MARKDOWN_HINT = _l(
    "Markdown: *emphasis*, **bold**, lists, > quotes and [links](https://…). "
    "Published at once under the company's name and your role title; later "
    "edits are shown as public revisions."
)


def _body(label, message, rows=8):
    return TextAreaField(
        label,
        validators=[InputRequired(message), Length(max=MAX_BODY)],
        description=MARKDOWN_HINT,
        render_kw={"rows": rows},
    )


def position_choices():
    return choices((p.value, POSITION_LABELS[p]) for p in Position)


class AnswerForm(BaseForm):
    position = RadioField(
        _l("The company's position"),
        choices=position_choices(),
        validators=[InputRequired(_l("Choose the company's position."))],
    )
    body = _body(_l("Answer"), _l("Write the answer."))
    submission_key = submission_key_field()


class DeclineForm(BaseForm):
    body = _body(_l("Why the company declines to answer"), _l("Give the reason."), rows=4)
    submission_key = submission_key_field()


class ClarifyForm(BaseForm):
    body = _body(_l("What the company needs clarified"), _l("Write the question."), rows=4)
    submission_key = submission_key_field()


class FollowUpForm(BaseForm):
    body = _body(_l("Follow-up"), _l("Write the follow-up."), rows=4)
    submission_key = submission_key_field()


class EditResponseForm(BaseForm):
    position = RadioField(
        _l("The company's position"), choices=position_choices(), validators=[Optional()]
    )
    body = _body(_l("New text"), _l("Write the text."))


class RejoinderForm(BaseForm):
    body = TextAreaField(
        _l("Your reply to the company"),
        validators=[InputRequired(_l("Write your reply.")), Length(max=MAX_BODY)],
        render_kw={"rows": 4},
    )
    submission_key = submission_key_field()


class ReasonForm(BaseForm):
    reason = TextAreaField(
        _l("Public reason"),
        validators=[DataRequired(), Length(max=2000)],
        filters=[strip_filter],
        render_kw={"rows": 2},
    )


class ReassignForm(ReasonForm):
    company = SelectField(_l("Company to ask instead"), coerce=int, validators=[InputRequired()])

    def __init__(self, *args, companies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.company.choices = choices((c.id, c.name) for c in companies)


class ExtendForm(BaseForm):
    days = IntegerField(
        _l("Days to add to the due date"),
        validators=[InputRequired(), NumberRange(1, MAX_EXTENSION_DAYS)],
    )
    reason = TextAreaField(
        _l("Reason (recorded and shown with the request)"),
        validators=[DataRequired(), Length(max=2000)],
        filters=[strip_filter],
        render_kw={"rows": 2},
    )


QUEUE_STATUSES = [
    ("open", _l("Still to answer (awaiting, clarification, overdue)")),
    ("all", _l("Every state")),
] + [(s.value, STATUS_LABELS[s]) for s in Status if s != Status.MERGED]


class QueueFilterForm(BaseForm):
    """Read from the query string: no CSRF for a search."""

    class Meta:
        csrf = False

    consultation = SelectField(_l("Consultation"), validators=[Optional()])
    section = SelectField(_l("Section"), validators=[Optional()])
    status = SelectField(
        _l("State"), choices=choices(QUEUE_STATUSES), default="open", validators=[Optional()]
    )
    category = SelectField(_l("Commenter's category"), validators=[Optional()])
    order = SelectField(
        _l("Sort by"),
        choices=choices(
            [("due", _l("Due date, soonest first")), ("-due", _l("Due date, latest first"))]
        ),
        default="due",
        validators=[Optional()],
    )

    def __init__(self, *args, consultations=(), sections=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.consultation.choices = choices(
            [("", _l("All consultations"))] + [(slug, title) for slug, title in consultations]
        )
        self.section.choices = choices(
            [("", _l("All sections")), ("whole", _l("Whole draft"))]
            + [(s, f"§{s}") for s in sections]
        )
        self.category.choices = choices(
            [("", _l("All categories"))] + [(k.value, k.label) for k in STAKEHOLDER_KINDS]
        )
