"""Shared fixtures: one app and schema per run (from the migrations), rows wiped after
each test, CSRF left on, mail read back from the outbox folder.

The database is SQLite in a temporary folder by default, or TEST_DATABASE_URL
(e.g. postgresql+psycopg://postgres@127.0.0.1:5432/consult_test).
"""

import os
import re
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import g
from flask_migrate import upgrade

from config import Config
from consult import create_app, throttle
from consult.extensions import db
from tests import factories

CSRF_RE = re.compile(r'name="(?:[\w-]+-)?csrf_token" type="hidden" value="([^"]+)"')


def _test_database_url(tmp_path_factory):
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


def _reset_schema(url):
    """Start from an empty database, so the schema comes only from the migrations."""
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(sa.text("DROP SCHEMA public CASCADE"))
            connection.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    url = _test_database_url(tmp_path_factory)
    _reset_schema(url)
    instance = tmp_path_factory.mktemp("instance")
    app = create_app(
        Config,
        TESTING=True,
        SECRET_KEY="test-secret-key-not-for-production",
        SQLALCHEMY_DATABASE_URI=url,
        INSTANCE_DIR=str(instance),
        MAIL_SERVER=None,
        MAIL_OUTBOX_DIR=str(instance / "outbox"),
        RATELIMIT_STORAGE_URI=os.environ.get("TEST_REDIS_URL") or "memory://",
        # Cheap hashing in tests only; production uses the configured OWASP-level cost.
        ARGON2_TIME_COST=1,
        ARGON2_MEMORY_COST=1024,
        ARGON2_PARALLELISM=1,
        SERVER_NAME="consult.test",
    )
    with app.app_context():
        upgrade()
    return app


@pytest.fixture(autouse=True)
def _clean_state(app):
    """Every test starts with empty tables, empty outbox and fresh rate limits."""
    ctx = app.app_context()
    ctx.push()
    yield
    db.session.rollback()
    db.session.remove()
    with db.engine.begin() as connection:
        tables = [t.name for t in reversed(db.metadata.sorted_tables)]
        if db.engine.dialect.name == "postgresql":
            # Table names come from the models, not from input.
            truncate = f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"
            connection.execute(sa.text(truncate))
        else:
            # Campaigns and comments refer to each other: switch the checks off to empty them.
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            for name in tables:
                connection.execute(sa.text(f"DELETE FROM {name}"))  # noqa: S608
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
    throttle.reset_all()
    for path in Path(app.config["MAIL_OUTBOX_DIR"]).glob("*.eml"):
        path.unlink()
    ctx.pop()


class _FreshGlobals:
    """Wrap a test client so each request starts with an empty ``g``.

    Tests hold an app context open (for the database), and a request reuses an open
    app context, so without this Flask-Login's and Flask-Babel's per-request caches in
    ``g`` would leak from one client's request into another's.
    """

    def __init__(self, client):
        self._client = client

    def open(self, *args, **kwargs):
        g.__dict__.clear()
        try:
            return self._client.open(*args, **kwargs)
        finally:
            g.__dict__.clear()
            db.session.expire_all()

    def get(self, *args, **kwargs):
        return self.open(*args, method="GET", **kwargs)

    def post(self, *args, **kwargs):
        return self.open(*args, method="POST", **kwargs)

    def __getattr__(self, name):
        return getattr(self._client, name)


class Client:
    """The Flask test client plus helpers that read the CSRF token from the page."""

    def __init__(self, client):
        self.raw = _FreshGlobals(client)

    def get(self, url, **kwargs):
        return self.raw.get(url, **kwargs)

    def csrf_token(self, url="/signin"):
        page = self.raw.get(url).get_data(as_text=True)
        match = CSRF_RE.search(page)
        assert match, f"no CSRF token on {url}: {page[:3000]}"
        return match.group(1)

    def post(self, url, data=None, *, csrf=True, token_from=None, prefix=None, **kwargs):
        data = dict(data or {})
        if csrf:
            name = f"{prefix}-csrf_token" if prefix else "csrf_token"
            if name not in data:
                data[name] = self.csrf_token(token_from or url)
        return self.raw.post(url, data=data, **kwargs)

    def sign_in(self, user, password=factories.PASSWORD, remember=False):
        data = {"email": user.email, "password": password}
        if remember:
            data["remember"] = "y"
        response = self.post("/signin", data)
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
        return response

    def sign_out(self):
        return self.post("/signout", prefix="signout", token_from="/account")


@pytest.fixture
def client(app):
    return Client(app.test_client())


@pytest.fixture
def make_client(app):
    return lambda: Client(app.test_client())


class Outbox:
    def __init__(self, folder):
        self.folder = Path(folder)

    def messages(self, to=None):
        found = []
        for path in sorted(self.folder.glob("*.eml"), key=lambda p: p.stat().st_mtime_ns):
            message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
            if to is None or message["To"] == to:
                found.append(message)
        return found

    def last(self, to):
        messages = self.messages(to)
        assert messages, f"no email to {to}"
        return messages[-1]

    def link(self, to, path_prefix):
        """The path of the first link in the last message to ``to`` starting with the prefix."""
        body = self.last(to).get_content()
        match = re.search(rf"https?://[^/\s]+({re.escape(path_prefix)}[^\s]*)", body)
        assert match, f"no {path_prefix} link in: {body}"
        return match.group(1)


@pytest.fixture
def outbox(app):
    return Outbox(app.config["MAIL_OUTBOX_DIR"])


@pytest.fixture
def count_queries(app):
    """Count SQL statements run inside the ``with`` block: ``with count_queries() as n:``."""
    from contextlib import contextmanager

    @contextmanager
    def counter():
        statements = []

        def before(conn, cursor, statement, parameters, context, executemany):
            statements.append(statement)

        sa.event.listen(db.engine, "before_cursor_execute", before)
        try:
            yield statements
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", before)

    return counter
