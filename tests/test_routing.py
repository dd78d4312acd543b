"""Numbers in the path stay within what the database holds; out-of-range or malformed
values are not found, and never reach a query."""

import pytest
from werkzeug.exceptions import NotFound

from consult.routing import MAX_NUMBER
from tests import factories
from tests.consultations import factories as consultation_factories


@pytest.mark.parametrize(
    ("segment", "expected"),
    [("1", 1), ("42", 42), (str(MAX_NUMBER), MAX_NUMBER)],
)
def test_a_number_in_the_path_is_a_whole_number_from_1(app, segment, expected):
    adapter = app.url_map.bind("consult.test")
    endpoint, values = adapter.match(f"/consultations/x/versions/{segment}")
    assert endpoint == "consultations.version" and values["number"] == expected


@pytest.mark.parametrize(
    "segment",
    [str(MAX_NUMBER + 1), "9" * 40, "0", "-1", "+1", "01", "1.0", "1e3", "abc", "١"],
)
def test_anything_else_is_not_that_route(app, segment):
    adapter = app.url_map.bind("consult.test")
    with pytest.raises(NotFound):
        adapter.match(f"/consultations/x/versions/{segment}")


def test_every_numeric_path_part_uses_the_bounded_converter(app):
    unbounded = [
        rule.rule
        for rule in app.url_map.iter_rules()
        for converter in rule._converters.values()
        if type(converter).__name__ in ("IntegerConverter", "FloatConverter")
    ]
    assert unbounded == []


# --- through the pages ------------------------------------------------------------------------


def test_version_numbers_past_the_database_are_not_found(client):
    consultation = consultation_factories.consultation()
    base = f"/consultations/{consultation.slug}/versions"
    assert client.get(f"{base}/1").status_code == 200
    for number in ("2147483648", "9223372036854775808", "9" * 40, "0", "01"):
        assert client.get(f"{base}/{number}").status_code == 404, number


def test_account_and_revision_ids_past_the_database_are_not_found(client):
    client.sign_in(factories.coordinator())
    for path in (
        "/admin/registrations/99999999999999999999/approve",
        "/admin/registrations/2147483648/reject",
        "/comments/C-NOSUCH/revisions/9223372036854775808/redact",
    ):
        assert client.post(path, {}, token_from="/admin/registrations").status_code == 404, path
