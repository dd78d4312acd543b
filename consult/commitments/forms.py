"""Forms for recording, confirming and updating commitments."""

from flask_babel import lazy_gettext as _l
from wtforms import DateField, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, Optional

from consult.commitments.models import STATUS_LABELS, CommitmentStatus, SourceKind
from consult.commitments.services import MAX_TEXT
from consult.forms import BaseForm, choices, strip_filter, submission_key_field

GROUP = "group"


class CommitmentForm(BaseForm):
    text = TextAreaField(
        _l("What was committed to"),
        validators=[DataRequired(), Length(max=MAX_TEXT)],
        filters=[strip_filter],
        render_kw={"rows": 4},
    )
    company = SelectField(_l("Who committed"), validators=[InputRequired()])
    due_on = DateField(
        _l("Due on (local date in the consultation's time zone)"),
        validators=[InputRequired(_l("Give the due date."))],
    )
    source_kind = RadioField(
        _l("Source"),
        choices=choices((k.value, k.label) for k in SourceKind),
        default=SourceKind.ANSWER.value,
        validators=[InputRequired()],
    )
    source_response = StringField(
        _l("Reference of the company response (for an answer)"),
        validators=[Optional(), Length(max=12)],
        filters=[strip_filter],
        description=_l("Shown on the response, for example A-7K3Q9XPD."),
    )
    source_url = StringField(
        _l("Address of the update or link"),
        validators=[Optional(), Length(max=500)],
        filters=[strip_filter],
    )
    paragraphs = StringField(
        _l("Related paragraphs (numbers in the current draft, comma separated)"),
        validators=[Optional(), Length(max=300)],
        filters=[strip_filter],
    )
    public_wording = TextAreaField(
        _l("Public wording (required when the source is not public)"),
        validators=[Optional(), Length(max=MAX_TEXT)],
        filters=[strip_filter],
        render_kw={"rows": 3},
    )

    def __init__(self, *args, companies=(), group=True, **kwargs):
        super().__init__(*args, **kwargs)
        options = [(GROUP, _l("The group as a whole"))] if group else []
        self.company.choices = choices(options + [(str(c.id), c.name) for c in companies])

    def paragraph_numbers(self) -> list[str]:
        return [n.strip().lstrip("§") for n in (self.paragraphs.data or "").split(",") if n.strip()]


class ConfirmForm(BaseForm):
    public_wording = TextAreaField(
        _l("Public wording (required when the source is not public)"),
        validators=[Optional(), Length(max=MAX_TEXT)],
        filters=[strip_filter],
        render_kw={"rows": 3},
    )


class StatusForm(BaseForm):
    status = SelectField(
        _l("New status"),
        choices=choices((s.value, STATUS_LABELS[s]) for s in CommitmentStatus),
        validators=[InputRequired()],
    )
    note = TextAreaField(
        _l("Evidence: what happened (public)"),
        validators=[DataRequired(_l("Explain the change."))],
        filters=[strip_filter],
        render_kw={"rows": 3},
    )
    evidence_url = StringField(
        _l("Link to the evidence"),
        validators=[DataRequired(_l("Link to the evidence.")), Length(max=500)],
        filters=[strip_filter],
    )
    successor = StringField(
        _l("Reference of the new commitment (when superseded)"),
        validators=[Optional(), Length(max=12)],
        filters=[strip_filter],
    )
    # The status shown when the form was: a change is made from it, so a change another
    # coordinator made in the meantime is not silently followed by this one.
    seen = HiddenField(
        validators=[Optional(), AnyOf([s.value for s in CommitmentStatus])],
        filters=[strip_filter],
    )
    submission_key = submission_key_field()
