"""Numbers in the path and page numbers in the query string stay within what the
database holds; out-of-range or malformed values answer 404 or 400, never a query."""

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import NotFound

from consult.accounts.models import User
from consult.demo import DEMO_PASSWORD
from consult.extensions import db
from consult.routing import MAX_NUMBER, InvalidAddress, page_cursor, page_number, page_url
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


@pytest.mark.parametrize(
    ("query", "expected"),
    [("", 1), ("page=", 1), ("page=1", 1), ("page=7", 7), (f"page={MAX_NUMBER}", MAX_NUMBER)],
)
def test_a_page_number(query, expected):
    assert page_number(MultiDict([p.split("=") for p in query.split("&") if p])) == expected


@pytest.mark.parametrize("value", ["0", "-1", "+1", "01", "1.5", "abc", " 1", "١", "1\x00"])
def test_a_value_that_is_no_page_number_is_refused_with_a_message(app, value):
    with pytest.raises(InvalidAddress) as refused:
        page_number(MultiDict({"page": value}))
    assert refused.value.status_code == 400 and "whole number" in str(refused.value.message)


@pytest.mark.parametrize("value", [str(MAX_NUMBER + 1), "9" * 40, "9" * 10_000])
def test_a_page_past_any_list_is_not_found(value):
    with pytest.raises(NotFound):
        page_number(MultiDict({"page": value}))


@pytest.mark.parametrize("value", ["x" * 101, "C-1\x01", "C-\u202e1", "C-1\n"])
def test_a_cursor_is_short_and_printable(app, value):
    assert page_cursor(MultiDict({"after": "C-ABC123"})) == "C-ABC123"
    assert page_cursor(MultiDict()) is None
    with pytest.raises(InvalidAddress):
        page_cursor(MultiDict({"after": value}))


def test_a_page_link_keeps_the_other_parameters_as_text(app):
    query = "status=all&page=3&endpoint=x&_external=1&tag=a&tag=b"
    with app.test_request_context(f"/company/queue?{query}"):
        assert page_url(4) == "/company/queue?status=all&endpoint=x&_external=1&tag=a&tag=b&page=4"
        assert page_url(1) == "/company/queue?status=all&endpoint=x&_external=1&tag=a&tag=b"
    with app.test_request_context("/consultations/some-slug/tracker/list?page=2"):
        assert page_url(1) == "/consultations/some-slug/tracker/list"


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


def test_page_numbers_on_the_pages(demo_client):
    drill = "/tracker/list?company=northwind-telecom-demo&measure=requests"
    assert demo_client.get(drill).status_code == 200
    far = demo_client.get(f"{drill}&page=2000000000")
    assert far.status_code == 200  # past the last page: an empty page
    assert "Next page" not in far.get_data(as_text=True)
    assert demo_client.get(f"{drill}&page=2147483648").status_code == 404
    refused = demo_client.get(f"{drill}&page=abc")
    assert refused.status_code == 400
    assert "must be a whole number from 1" in refused.get_data(as_text=True)


def test_page_numbers_in_the_audit_log(demo_client):
    coordinator = db.session.scalar(sa.select(User).where(User.email == "coordinator@consult.demo"))
    demo_client.sign_in(coordinator, password=DEMO_PASSWORD)
    assert demo_client.get("/admin/audit/?page=2000000000").status_code == 200
    assert demo_client.get("/admin/audit/?page=9223372036854775808").status_code == 404
    assert demo_client.get("/admin/audit/?page=0").status_code == 400


def test_nul_in_the_address_is_refused(client):
    consultation = consultation_factories.consultation()
    for url in (
        f"/consultations/{consultation.slug}%00",
        f"/consultations/{consultation.slug}/comments?after=C-%00",
        f"/consultations/{consultation.slug}?q=%00",
        f"/consultations/{consultation.slug}?%00=1",
    ):
        answer = client.get(url)
        assert answer.status_code == 400, url
        assert "a character no page accepts" in answer.get_data(as_text=True)
