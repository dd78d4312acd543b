"""Forms for consultations and drafts. Every POST goes through one."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from consult.consultations import schedule
from consult.consultations.services import Settings
from consult.forms import BaseForm, choices, strip_filter
from consult.i18n import timezone_names


class ConsultationForm(BaseForm):
    title = StringField(
        _l("Title"), validators=[DataRequired(), Length(max=200)], filters=[strip_filter]
    )
    slug = StringField(
        _l("Address (slug)"),
        validators=[DataRequired(), Length(max=80)],
        filters=[strip_filter],
        description=_l(
            "Part of every link to the consultation, e.g. privacy-principles-2026: "
            "lower-case letters, digits and hyphens. Fixed once published."
        ),
    )
    summary = TextAreaField(
        _l("Summary"),
        validators=[Optional(), Length(max=5000)],
        filters=[strip_filter],
        description=_l("What is consulted on and why. Markdown."),
    )
    companies = SelectMultipleField(
        _l("Responding companies"),
        coerce=int,
        validators=[Optional()],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    timezone = SelectField(
        _l("Time zone of the consultation"), description=_l("Dates are calendar days in this zone.")
    )
    opens_on = DateField(
        _l("Commenting opens on"),
        validators=[Optional()],
        description=_l("From 00:00 on this day."),
    )
    closes_on = DateField(
        _l("Commenting closes on"),
        validators=[Optional()],
        description=_l(
            "Until 23:59 on this day. Twelve weeks is usual; less than six weeks needs a reason."
        ),
    )
    short_period_reason = TextAreaField(
        _l("Reason for a period shorter than six weeks"),
        validators=[Optional(), Length(max=2000)],
        filters=[strip_filter],
        description=_l("Needed only when the period is shorter than six weeks; shown publicly."),
    )
    response_window_days = IntegerField(
        _l("Company response window (days)"),
        default=schedule.DEFAULT_RESPONSE_WINDOW_DAYS,
        validators=[InputRequired(), NumberRange(min=1, max=365)],
    )
    summary_due_on = DateField(
        _l("Summary due on"),
        validators=[Optional()],
        description=_l("Leave empty for twelve weeks after the closing date."),
    )
    update_interval_days = IntegerField(
        _l("Progress update interval (days)"),
        default=schedule.DEFAULT_UPDATE_INTERVAL_DAYS,
        validators=[InputRequired(), NumberRange(min=7, max=365)],
    )

    def __init__(self, *args, companies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self._companies = {c.id: c for c in companies}
        self.companies.choices = choices((c.id, c.name) for c in companies)
        self.timezone.choices = choices((name, name) for name in timezone_names())

    def settings(self) -> Settings:
        return Settings(
            title=self.title.data,
            slug=self.slug.data,
            summary=self.summary.data or "",
            timezone=self.timezone.data,
            opens_on=self.opens_on.data,
            closes_on=self.closes_on.data,
            response_window_days=self.response_window_days.data,
            summary_due_on=self.summary_due_on.data,
            update_interval_days=self.update_interval_days.data,
            short_period_reason=self.short_period_reason.data,
            companies=[self._companies[i] for i in self.companies.data or []],
        )


class EditConsultationForm(ConsultationForm):
    reason = TextAreaField(
        _l("Public reason for changing a planned date"),
        validators=[Optional(), Length(max=2000)],
        filters=[strip_filter],
        description=_l(
            "Needed once the consultation is public and a date changes; shown on "
            "the timeline beside the earlier date."
        ),
    )


class ImportForm(BaseForm):
    file = FileField(
        _l("Markdown file (.md)"),
        description=_l("A UTF-8 text file of at most 512 KB."),
        render_kw={"accept": ".md,.markdown,.txt,text/markdown,text/plain"},
    )
    text = TextAreaField(
        _l("Or paste the Markdown"), validators=[Optional()], render_kw={"rows": 16, "dir": "auto"}
    )

    def chosen_upload(self):
        """The uploaded file, if one was chosen."""
        data = self.file.data
        return data if data is not None and getattr(data, "filename", None) else None


class MatchForm(BaseForm):
    """One entry per paragraph of the unpublished version, in order."""

    matches = FieldList(
        StringField(validators=[Optional(), Length(max=20)], filters=[strip_filter])
    )

    class Meta(BaseForm.Meta):
        def wrap_formdata(self, form, formdata):
            formdata = super().wrap_formdata(form, formdata)
            # The entries sent, by number: FieldList renumbers what it receives (a lone
            # matches-7 becomes matches-0), so which ones came is read here.
            form.sent = None
            if formdata is not None:
                prefix = f"{form.matches.name}-"
                form.sent = {
                    int(name[len(prefix) :]): formdata.get(name)
                    for name in formdata
                    if name.startswith(prefix) and name[len(prefix) :].isdigit()
                }
            return formdata

    def __init__(self, *args, numbers: list[str], **kwargs):
        super().__init__(*args, data={"matches": numbers}, **kwargs)
        # The draft decides the entries, not the request: one per paragraph, in order. A
        # request with entries missing or added is refused, each entry keeping what was
        # sent for it, rather than read shifted onto the wrong paragraphs.
        self.misaligned = self.sent is not None and set(self.sent) != set(range(len(numbers)))
        if self.misaligned:
            self.matches.entries = []
            self.matches.last_index = -1
            for index, number in enumerate(numbers):
                self.matches.append_entry(self.sent.get(index, number))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.misaligned:
            self.refuse(
                _l(
                    "What was sent does not match the draft's paragraphs. "
                    "Check the numbers below and save again."
                )
            )
        return valid and not self.misaligned


class CompareForm(BaseForm):
    class Meta:
        csrf = False  # a GET filter changes nothing

    old = SelectField(_l("Compare"), coerce=int)
    new = SelectField(_l("with"), coerce=int)
    changes_only = BooleanField(_l("Show only what changed"))

    def __init__(self, *args, versions=(), **kwargs):
        super().__init__(*args, **kwargs)
        options = choices((v.number, v.label) for v in versions)
        self.old.choices = options
        self.new.choices = list(options)


class ExtensionForm(BaseForm):
    closes_on = DateField(
        _l("New closing date (local date; commenting closes at its end)"),
        validators=[InputRequired()],
    )
    reason = TextAreaField(
        _l("Public reason (shown on the timeline and in the update)"),
        validators=[DataRequired(), Length(max=2000)],
        filters=[strip_filter],
        render_kw={"rows": 3},
    )
