"""Forms for the coordinators' side of the timeline: updates and milestones."""

from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from consult.forms import BaseForm, choices, strip_filter
from consult.tracking.models import Milestone, UpdateKind


class UpdateForm(BaseForm):
    kind = SelectField(
        _l("Kind of update"),
        choices=choices((kind.value, kind.label) for kind in UpdateKind),
        default=UpdateKind.PROGRESS.value,
        description=_l(
            "Only progress updates count towards the promised rhythm of progress updates."
        ),
    )
    title = StringField(
        _l("Title"), validators=[DataRequired(), Length(max=200)], filters=[strip_filter]
    )
    body = TextAreaField(
        _l("Text"),
        validators=[DataRequired(), Length(max=20000)],
        filters=[strip_filter],
        description=_l(
            "Markdown. Published at once for everyone, dated today, in the Atom feeds "
            "too, and never changed afterwards."
        ),
        render_kw={"rows": 10},
    )


class NewMilestoneForm(BaseForm):
    milestone = SelectField(_l("Milestone"))
    name = StringField(
        _l("Name"),
        validators=[Optional(), Length(max=200)],
        filters=[strip_filter],
        description=_l('Only for "another milestone": its public name.'),
    )
    planned_on = DateField(_l("Planned date"), validators=[InputRequired()])

    def __init__(self, *args, kinds: list[Milestone], **kwargs):
        super().__init__(*args, **kwargs)
        self.milestone.choices = choices((kind.value, kind.label) for kind in kinds)


class ReplanForm(BaseForm):
    default_prefix = "plan"

    planned_on = DateField(_l("New planned date"), validators=[InputRequired()])
    reason = TextAreaField(
        _l("Public reason (shown on the timeline beside the earlier date)"),
        validators=[DataRequired(), Length(max=2000)],
        filters=[strip_filter],
        render_kw={"rows": 3},
    )


class DoneForm(BaseForm):
    default_prefix = "done"

    actual_on = DateField(
        _l("Reached on"),
        validators=[InputRequired()],
        description=_l("Recorded for good."),
    )
