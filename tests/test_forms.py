"""What every form takes from a request (consult/forms.py): text without control
characters, files only in file fields, no JSON, dates inside ``DateWindow``."""

import inspect
import json
from datetime import date, timedelta
from io import BytesIO

import pytest
from flask import Flask
from werkzeug.datastructures import MultiDict
from wtforms import DateField, HiddenField, StringField, TextAreaField
from wtforms.fields import DateTimeField
from wtforms.validators import InputRequired, Optional

from consult.accounts import forms as account_forms
from consult.audit import views as audit_views
from consult.comments import forms as comment_forms
from consult.commitments import forms as commitment_forms
from consult.consultations import forms as consultation_forms
from consult.db import utcnow
from consult.extensions import db
from consult.forms import (
    DAMAGED_MESSAGE,
    NOT_TEXT_MESSAGE,
    BaseForm,
    DateWindow,
    clean_text,
)
from consult.moderation import forms as moderation_forms
from consult.responses import forms as response_forms
from tests import factories


class NoteForm(BaseForm):
    class Meta:
        csrf = False

    title = StringField(validators=[InputRequired()])
    body = TextAreaField(validators=[Optional()])
    key = HiddenField()
    due_on = DateField(validators=[Optional()], description="Local date.")


def _submitted(app: Flask, **kwargs) -> NoteForm:
    with app.test_request_context("/", method="POST", **kwargs):
        form = NoteForm()
        form.validate()
        return form


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("plain text", "plain text"),
        ("tab\tnew line\ncarriage return\r\n", "tab\tnew line\ncarriage return\r\n"),
        ("a\x00b", "ab"),
        ("a\x01\x08\x0b\x0c\x1b[31mb\x7f", "a[31mb"),
        ("é ☃ \u200f 😀 \ufffd", "é ☃ \u200f 😀 \ufffd"),
        ("a\ud800b\udfff", "a\ufffdb\ufffd"),
    ],
)
def test_text_loses_control_characters_and_lone_surrogates(sent, kept):
    assert clean_text(sent) == kept


def test_every_value_of_a_form_body_is_cleaned(app):
    form = _submitted(app, data={"title": "Ti\x00tle\x07", "body": "li\x00ne\r\nnext"})
    assert form.title.data == "Title"
    assert form.body.data == "line\r\nnext"
    assert form.title.raw_data == ["Title"]  # what the form shows again


def test_a_file_sent_for_a_text_field_is_a_field_error_and_the_rest_is_kept(app):
    form = _submitted(
        app,
        data={"title": (BytesIO(b"%PDF"), "a.pdf"), "body": "Kept text"},
        content_type="multipart/form-data",
    )
    assert form.title.errors[0] == str(NOT_TEXT_MESSAGE)
    assert form.body.data == "Kept text"
    assert form.errors.keys() == {"title"}


def test_a_file_sent_beside_the_text_of_a_field_leaves_the_text(app):
    data = MultiDict([("title", "The title"), ("title", (BytesIO(b"x"), "a.txt"))])
    form = _submitted(app, data=data, content_type="multipart/form-data")
    assert form.title.data == "The title"
    assert not form.validate()  # the file part is still refused


def test_a_file_sent_for_a_hidden_field_is_said_above_the_form(app):
    form = _submitted(
        app,
        data={"title": "Title", "key": (BytesIO(b"x"), "key.txt")},
        content_type="multipart/form-data",
    )
    assert not form.errors
    assert form.form_level_errors() == [str(NOT_TEXT_MESSAGE)]


def test_a_file_part_no_field_reads_changes_nothing(app):
    form = _submitted(
        app,
        data={"title": "Title", "other": (BytesIO(b"x"), "x.txt")},
        content_type="multipart/form-data",
    )
    assert form.validate()


def test_a_file_field_still_receives_its_file(app):
    with app.test_request_context(
        "/",
        method="POST",
        data={"file": (BytesIO(b"# Draft\n"), "draft.md"), "text": "Pas\x00ted"},
        content_type="multipart/form-data",
    ):
        form = consultation_forms.ImportForm(meta={"csrf": False})
        assert form.validate()
        assert form.chosen_upload().read() == b"# Draft\n"
        assert form.text.data == "Pasted"


@pytest.mark.parametrize(
    "body", [{"title": "Title"}, {"title": ["a", 1]}, [1, 2, 3], "text", 12, None]
)
def test_a_json_body_is_not_read_into_a_form(app, body):
    form = _submitted(app, data=json.dumps(body), content_type="application/json")
    assert form.title.data is None
    assert form.errors.keys() == {"title"}


def test_a_damaged_submission_key_is_a_form_error_said_above_the_form(app):
    """Its columns hold 64 characters: PostgreSQL refuses more, SQLite stored them."""
    with app.test_request_context(
        "/", method="POST", data={"reply-body": "Kept reply", "reply-submission_key": "k" * 65}
    ):
        form = comment_forms.ReplyForm(meta={"csrf": False})
        assert not form.validate()
        assert form.form_level_errors() == [str(DAMAGED_MESSAGE)]
        assert form.body.data == "Kept reply"


def test_dates_are_accepted_only_inside_the_window(app):
    first, last = DateWindow().bounds()
    assert first == date(2000, 1, 1)
    assert last.year == utcnow().year + 10
    for day, accepted in [
        (first, True),
        (last, True),
        (first - timedelta(days=1), False),
        (last + timedelta(days=1), False),
        (date(1, 1, 1), False),
        (date(9999, 12, 31), False),
    ]:
        form = _submitted(app, data={"title": "Title", "due_on": day.isoformat()})
        assert form.due_on.errors == ([] if accepted else [form.due_on.errors[0]]), day
        if not accepted:
            assert form.due_on.errors[0].startswith("Choose a date from 1 January 2000 to ")


def test_a_date_too_far_for_python_is_an_error_too(app):
    form = _submitted(app, data={"title": "Title", "due_on": "10000-01-01"})
    assert form.due_on.errors


def _date_forms():
    """Every form class with a date field."""
    modules = [
        account_forms,
        audit_views,
        comment_forms,
        commitment_forms,
        consultation_forms,
        moderation_forms,
        response_forms,
    ]
    for module in modules:
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            unbound = [
                value
                for value in vars(cls).values()
                if getattr(value, "field_class", None) is not None
                and issubclass(value.field_class, DateTimeField)
            ]
            if issubclass(cls, BaseForm) and unbound:
                yield cls


def test_every_date_field_states_its_window_in_its_hint_and_input(app):
    classes = list(_date_forms())
    assert {c.__name__ for c in classes} >= {
        "ConsultationForm",
        "ExtensionForm",
        "CommitmentForm",
        "AuditFilterForm",
    }
    first, last = DateWindow().bounds()
    with app.test_request_context("/"):
        for cls in classes:
            for field in cls():
                if isinstance(field, DateTimeField):
                    assert any(isinstance(v, DateWindow) for v in field.validators)
                    assert str(field.description).endswith(DateWindow().hint())
                    html = str(field())
                    assert f'min="{first.isoformat()}"' in html
                    assert f'max="{last.isoformat()}"' in html
        form = NoteForm()
        assert form.due_on.description == f"Local date. {DateWindow().hint()}"


def test_text_with_nul_is_stored_the_same_on_every_database(client):
    """PostgreSQL refuses NUL in text, SQLite keeps it: the form removes it first."""
    user = factories.stakeholder()
    client.sign_in(user)
    response = client.post(
        "/account",
        {"display_name": "Ami\x00na\x07 Okafor", "timezone": "UTC", "locale": "en"},
    )
    assert response.status_code == 302
    db.session.refresh(user)
    assert user.display_name == "Amina Okafor"
