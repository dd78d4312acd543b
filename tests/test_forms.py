"""What every form takes from a request (consult/forms.py): text without control
characters, files only in file fields, no JSON."""

import json
from io import BytesIO

import pytest
from flask import Flask
from werkzeug.datastructures import MultiDict
from wtforms import DateField, HiddenField, StringField, TextAreaField
from wtforms.validators import InputRequired, Optional

from consult.consultations import forms as consultation_forms
from consult.extensions import db
from consult.forms import (
    NOT_TEXT_MESSAGE,
    BaseForm,
    clean_text,
)
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
