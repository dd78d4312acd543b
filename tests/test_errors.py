"""The last line of defence: a value the database refuses (a number past its range, NUL
or a lone surrogate in text) that got past every check is bad input, not a fault: the
request is rolled back and answered 400, and the log names the route, never the value,
the statement or a traceback. Any other error stays a 500."""

import logging
import math

import pytest
import sqlalchemy as sa

from config import Config
from consult import create_app
from consult.accounts.models import User
from consult.extensions import db

WRITTEN = "written-before-the-refusal@example.org"
HUGE = 9_223_372_036_854_775_808  # 2**63: past SQLite's and PostgreSQL's bigint


@pytest.fixture
def app_with_views(app):
    """A second app on the same database, with test-only views added before use."""

    def build(**views):
        other = create_app(Config, **{k: v for k, v in app.config.items() if k.isupper()})
        for name, view in views.items():
            other.add_url_rule(f"/test/{name}", f"test_{name}", view)
        return other.test_client()

    return build


def _postgresql(app) -> bool:
    return sa.make_url(app.config["SQLALCHEMY_DATABASE_URI"]).get_backend_name() == "postgresql"


def _refusals(app):
    refusals = {
        "number": lambda: db.session.get(User, HUGE),
        "offset": lambda: db.session.scalars(sa.select(User).offset(HUGE)).all(),
        "surrogate": lambda: db.session.scalar(sa.select(User).where(User.email == "secret\ud800")),
    }
    if _postgresql(app):  # SQLite stores these
        refusals["nul"] = lambda: db.session.scalar(
            sa.select(User).where(User.email == "secret\x00value")
        )
        refusals["integer"] = lambda: db.session.get(User, 2**31)
    return refusals


def test_a_value_the_database_refuses_is_a_400_logged_without_it(app, app_with_views, caplog):
    written = []

    def refused(query):
        def view():
            person = User(email=WRITTEN, display_name="Written")
            db.session.add(person)
            db.session.flush()  # written before the refusal: must not survive it
            written.append(person.id)
            query()
            return "not reached"

        return view

    refusals = _refusals(app)
    client = app_with_views(**{name: refused(query) for name, query in refusals.items()})
    for name in refusals:
        caplog.clear()
        with caplog.at_level(logging.WARNING):
            response = client.get(f"/test/{name}")
        assert response.status_code == 400, name
        page = response.get_data(as_text=True)
        assert "could not be understood" in page and "Traceback" not in page
        assert "secret" not in page and str(HUGE) not in page
        (record,) = [r for r in caplog.records if "refused a value" in r.getMessage()]
        assert "GET test_" + name in record.getMessage()
        assert record.levelno == logging.WARNING and record.exc_info is None
        assert "secret" not in caplog.text and str(HUGE) not in caplog.text
        assert "SELECT" not in caplog.text and "Traceback" not in caplog.text
    assert len(written) == len(refusals)
    with client.application.app_context():
        assert db.session.scalar(sa.select(User).where(User.email == WRITTEN)) is None


def _lookalike():
    raise ValueError("A string literal cannot contain NUL (0x00) characters.")


@pytest.mark.parametrize(
    "fail",
    [
        lambda: math.exp(1000),  # an OverflowError of our own
        lambda: int("not a number"),  # a ValueError of our own
        _lookalike,  # the driver's words, raised by our code
        lambda: db.session.execute(sa.text("SELECT * FROM no_such_table")),  # our SQL
    ],
    ids=["overflow", "value", "lookalike-message", "sql-error"],
)
def test_other_errors_stay_500(app_with_views, fail, caplog):
    response = app_with_views(boom=fail).get("/test/boom")
    assert response.status_code == 500
    assert "refused a value" not in caplog.text
