"""The coordinators' form for the next version of the policies page."""

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SubmitField, TextAreaField, ValidationError
from wtforms.validators import Length

from consult.forms import BaseForm
from consult.site_policies.sections import MAX_NOTE, MAX_SECTION, SECTIONS

_NUMBER_DIGITS = 9


def _optional_number(form, field):
    """A hidden number the page put there: empty, or a few digits."""
    value = field.data or ""
    if value and not (value.isdigit() and len(value) <= _NUMBER_DIGITS):
        raise ValidationError(_l("This value was changed on the way."))


def number_or_none(value: str | None) -> int | None:
    return int(value) if value else None


class PolicyForm(BaseForm):
    default_prefix = "policies"

    change_note = TextAreaField(
        _l("What changed in this version"),
        validators=[Length(max=MAX_NOTE)],
        description=_l(
            "Shown with the version, for everyone. Needed to publish; a few words are enough."
        ),
        render_kw={"rows": 3},
    )
    # Which version was in force and which draft revision the editor loaded: a save
    # made on top of someone else's is refused (consult/site_policies/services.py).
    based_on = HiddenField(validators=[_optional_number])
    revision = HiddenField(validators=[_optional_number])
    preview = SubmitField(_l("Preview"))
    save = SubmitField(_l("Save the draft"))
    publish = SubmitField(_l("Publish this version"))

    def section_fields(self):
        return [getattr(self, f"section_{section.key}") for section in SECTIONS]

    def sections(self) -> dict[str, str]:
        return {s.key: getattr(self, f"section_{s.key}").data or "" for s in SECTIONS}

    def fill(self, sections: dict[str, str], change_note: str):
        for section in SECTIONS:
            getattr(self, f"section_{section.key}").data = sections.get(section.key, "")
        self.change_note.data = change_note


for _section in SECTIONS:
    setattr(
        PolicyForm,
        f"section_{_section.key}",
        TextAreaField(
            _section.title,
            validators=[Length(max=MAX_SECTION)],
            description=_l("Markdown: *emphasis*, **bold**, lists and [links](https://…)."),
            render_kw={"rows": 6},
        ),
    )
