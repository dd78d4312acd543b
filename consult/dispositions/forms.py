"""The coordinators' disposition form (one decision for the chosen comments and
campaigns) and the filters of the lists."""

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectField, SelectMultipleField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from consult.accounts.models import STAKEHOLDER_KINDS
from consult.comments.models import CommentKind
from consult.dispositions.models import Outcome
from consult.dispositions.services import REASON_MAX_LENGTH
from consult.forms import BaseForm, choices, strip_filter, submission_key_field

STATES = [
    ("undisposed", _l("Without a disposition")),
    ("disposed", _l("With a disposition")),
    ("", _l("All")),
]


class _Filters(BaseForm):
    """Read from the query string: no CSRF for a search."""

    class Meta:
        csrf = False

    kind = SelectField(_l("Kind"), validators=[Optional()])
    category = SelectField(_l("Commenter's category"), validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = choices(
            [("", _l("All kinds"))] + [(k.value, k.label) for k in CommentKind]
        )
        self.category.choices = choices(
            [("", _l("All categories"))] + [(k.value, k.label) for k in STAKEHOLDER_KINDS]
        )


class RecordFilterForm(_Filters):
    section = SelectField(_l("Section"), validators=[Optional()])
    state = SelectField(
        _l("Disposition"), choices=choices(STATES), default="undisposed", validators=[Optional()]
    )

    def __init__(self, *args, sections=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.section.choices = choices(
            [("", _l("All sections")), ("whole", _l("Whole draft"))]
            + [(s, f"§{s}") for s in sections]
        )


class TableFilterForm(_Filters):
    outcome = SelectField(_l("Disposition"), validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.outcome.choices = choices(
            [("", _l("All dispositions"))] + [(o.value, o.label) for o in Outcome]
        )


class DispositionForm(BaseForm):
    subjects = SelectMultipleField(
        _l("Comments and campaigns"),
        option_widget=CheckboxInput(),
        widget=ListWidget(prefix_label=False),
        validate_choice=False,  # checked against what needs a disposition, in the view
    )
    outcome = RadioField(
        _l("Disposition"),
        choices=choices([(o.value, o.label) for o in Outcome]),
        validators=[DataRequired(message=_l("Choose a disposition."))],
    )
    reason = TextAreaField(
        _l("Public reason"),
        description=_l(
            "Shown with the disposition to everyone. Required for “not incorporated”, "
            "“out of scope” and “no change needed”. Markdown."
        ),
        filters=[strip_filter],
        validators=[Length(max=REASON_MAX_LENGTH)],
    )
    later_version = SelectField(
        _l("Where the text went"),
        description=_l(
            "The same paragraph in a later draft is linked, with what changed; if it is no "
            "longer there, the disposition says it was removed in that draft."
        ),
        validators=[Optional()],
    )
    submission_key = submission_key_field()

    def __init__(self, *args, versions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.later_version.choices = choices(
            [("", _l("No later draft"))]
            + [(str(v.number), _l("Draft %(n)s", n=v.number)) for v in versions]
        )
