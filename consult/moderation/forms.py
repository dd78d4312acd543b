"""Flag and moderation forms."""

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from consult.forms import BaseForm, choices, strip_filter, submission_key_field
from consult.moderation.models import FlagReason

REASON_LABELS = {
    FlagReason.PERSONAL_DATA: _l("It exposes someone's personal details"),
    FlagReason.ABUSE: _l("It is abusive or threatening"),
    FlagReason.SPAM: _l("It is spam or advertising"),
    FlagReason.OFF_TOPIC: _l("It has nothing to do with the draft"),
    FlagReason.OTHER: _l("Something else"),
}


def _reasons():
    return choices((r.value, REASON_LABELS[r]) for r in FlagReason)


class FlagForm(BaseForm):
    default_prefix = "flag"
    reason = SelectField(
        _l("Why should the moderators look at it?"), choices=_reasons(), validators=[DataRequired()]
    )
    note = TextAreaField(
        _l("Anything the moderators should know (optional, not published)"),
        validators=[Optional(), Length(max=2000)],
        filters=[strip_filter],
        render_kw={"rows": 2},
    )


class HideForm(BaseForm):
    default_prefix = "hide"
    reason_code = SelectField(_l("Rule broken"), choices=_reasons(), validators=[DataRequired()])
    reason = TextAreaField(
        _l("Public reason (shown in place of the text)"),
        validators=[DataRequired(), Length(max=500)],
        filters=[strip_filter],
        render_kw={"rows": 2},
    )
    submission_key = submission_key_field()


class RestoreForm(BaseForm):
    default_prefix = "restore"
    reason = TextAreaField(
        _l("Public reason for restoring"),
        validators=[DataRequired(), Length(max=500)],
        filters=[strip_filter],
        render_kw={"rows": 2},
    )
    submission_key = submission_key_field()
