"""The coordinators' forms for the narrative summary: the draft, and its publication."""

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, Regexp

from consult.forms import BaseForm, choices, strip_filter
from consult.summaries.narrative import BODY_MAX, NOTE_MAX, REASON_MAX


class DraftForm(BaseForm):
    version = SelectField(
        _l("Paragraph numbers refer to"),
        description=_l(
            "Citations such as §3.2 mean the paragraph of that number in this version. "
            "The link follows the paragraph itself, so a later draft that renumbers it "
            "breaks nothing."
        ),
    )
    body = TextAreaField(
        _l("Summary"),
        validators=[DataRequired(), Length(max=BODY_MAX)],
        filters=[strip_filter],
        description=_l(
            "Markdown. What was said, what changed and why, why dissenting views were not "
            "adopted, next steps. Cite paragraphs as §3.2 and comments by their reference, "
            "such as C-7K3Q9XPD: both become links for readers who may open them."
        ),
        render_kw={"rows": 18, "dir": "auto"},
    )
    change_note = TextAreaField(
        _l("What changed since the last revision"),
        validators=[Optional(), Length(max=NOTE_MAX)],
        filters=[strip_filter],
        description=_l("Public, shown with the new revision. Needed from the second revision on."),
        render_kw={"rows": 4, "dir": "auto"},
    )

    def __init__(self, *args, versions, **kwargs):
        super().__init__(*args, **kwargs)
        self.version.choices = choices((str(v.id), v.label) for v in reversed(versions))


class PublishForm(BaseForm):
    default_prefix = "publish"

    # The save the preview showed: publishing publishes exactly that text.
    edits = HiddenField(validators=[InputRequired(), Regexp(r"^\d{1,9}$")])
    override_reason = TextAreaField(
        _l("Reason for publishing over the leak check (privacy officers only)"),
        validators=[Optional(), Length(max=REASON_MAX)],
        filters=[strip_filter],
        description=_l(
            "Kept with the revision and seen by coordinators only; the override is "
            "recorded in the audit log."
        ),
        render_kw={"rows": 3},
    )
