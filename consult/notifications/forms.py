"""The notification settings form, the follow buttons, and the unsubscribe button."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, RadioField, SelectChoice
from wtforms.validators import InputRequired, Length

from consult.forms import BaseForm
from consult.notifications.models import Delivery, Kind
from consult.notifications.preferences import choices_for

_CHOICE_LABELS = {
    Kind.REMINDERS: {Delivery.IMMEDIATE: _l("Email"), Delivery.APP: _l("No email")},
    Kind.COORDINATION: {Delivery.DIGEST: _l("Daily digest"), Delivery.APP: _l("No email")},
}


def delivery_choices(kind: Kind) -> list[SelectChoice]:
    labels = _CHOICE_LABELS.get(kind, {})
    return [SelectChoice(d.value, labels.get(d, d.label)) for d in choices_for(kind)]


class SettingsForm(BaseForm):
    """One choice per kind the person can set, and discreet email."""

    discreet = BooleanField(
        _l("Discreet email"),
        description=_l(
            'Every email then says only "Consult: you have a new notification" and holds a '
            "sign-in link: no consultation title, company name, paragraph or text."
        ),
    )

    @classmethod
    def for_kinds(cls, kinds, **kwargs):
        """A form class with one radio group per kind, built for this person's role."""

        class _Form(cls):  # type: ignore[valid-type, misc]
            pass

        for kind in kinds:
            setattr(
                _Form,
                f"kind_{kind.value}",
                RadioField(
                    kind.label, choices=delivery_choices(kind), validators=[InputRequired()]
                ),
            )
        return _Form(**kwargs)

    def kind_fields(self):
        return [field for field in self if field.name.startswith("kind_")]


class FollowForm(BaseForm):
    """A follow or unfollow button: what is followed, by public references only."""

    target = HiddenField(validators=[InputRequired(), Length(max=20)])
    slug = HiddenField(validators=[Length(max=80)])
    key = HiddenField(validators=[Length(max=16)])
    reference = HiddenField(validators=[Length(max=20)])
    name = HiddenField(validators=[Length(max=200)])
    next = HiddenField(validators=[Length(max=500)])


class UnsubscribeForm(BaseForm):
    """The unsubscribe button. The signed token in the address authenticates it, and a
    mail program posts it without a session (RFC 8058), so this one form has no CSRF
    token: a forged post could only do what the link's owner asked for."""

    class Meta(BaseForm.Meta):
        csrf = False
