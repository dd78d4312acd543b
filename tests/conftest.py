"""Shared fixtures: one app and schema per run (from the migrations), each test inside a
transaction that is rolled back, CSRF left on, mail read back from the outbox folder.

The database is SQLite in a temporary folder by default, or TEST_DATABASE_URL
(e.g. postgresql+psycopg://postgres@127.0.0.1:5432/consult_test). The demonstration
data is loaded once per run, apart from the rest (``demo_app``).
"""

import os
import re
import threading
from contextlib import contextmanager
from email import policy
from email.parser import BytesParser
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import sqlalchemy as sa
from flask import current_app, g
from flask.globals import app_ctx
from flask_migrate import upgrade
from flask_sqlalchemy.session import Session as FlaskSession

from config import Config
from consult import create_app, throttle
from consult.demo import load_demo_data
from consult.extensions import db
from tests import factories

# Under pytest-xdist (make test runs one worker per core) each worker has its own
# database: a SQLite file in its own temporary folder, or on PostgreSQL a schema of the
# test database, and a Redis database of its own for rate limits.
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")  # "gw0", "gw1", … or "" without xdist
TEST_SCHEMA = f"consult_test_{WORKER}" if WORKER else "public"
DEMO_SCHEMA = f"consult_demo_{WORKER}" if WORKER else "consult_demo"
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
            connection.execute(sa.text(f"DROP SCHEMA IF EXISTS {TEST_SCHEMA} CASCADE"))
            connection.execute(sa.text(f"CREATE SCHEMA {TEST_SCHEMA}"))
    engine.dispose()


def _engine_options(url, schema):
    """On PostgreSQL, the worker's schema alone on the search path."""
    options = dict(Config.SQLALCHEMY_ENGINE_OPTIONS)
    if sa.make_url(url).get_backend_name() == "postgresql" and schema != "public":
        options["connect_args"] = {"options": f"-csearch_path={schema}"}
    return options


def _redis_url():
    """TEST_REDIS_URL, moved to database 15 − n for worker n (rate limits are reset after
    every test, so workers must not share them)."""
    url = os.environ.get("TEST_REDIS_URL")
    if not url or not WORKER:
        return url
    parsed = urlsplit(url)
    number = (int(parsed.path.strip("/") or 0) - int(WORKER.removeprefix("gw"))) % 16
    return urlunsplit(parsed._replace(path=f"/{number}"))


def _demo_schema(url, *, drop=False):
    """Create (or drop) the PostgreSQL schema of the demonstration data."""
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text(f"DROP SCHEMA IF EXISTS {DEMO_SCHEMA} CASCADE"))
        if not drop:
            connection.execute(sa.text(f"CREATE SCHEMA {DEMO_SCHEMA}"))
    engine.dispose()


def _create_test_app(url, instance, **overrides):
    return create_app(
        Config,
        TESTING=True,
        SECRET_KEY="test-secret-key-not-for-production",
        SQLALCHEMY_DATABASE_URI=url,
        INSTANCE_DIR=str(instance),
        MAIL_SERVER=None,
        MAIL_OUTBOX_DIR=str(instance / "outbox"),
        RATELIMIT_STORAGE_URI=_redis_url() or "memory://",
        # Cheap hashing in tests only; production uses the configured OWASP-level cost.
        ARGON2_TIME_COST=1,
        ARGON2_MEMORY_COST=1024,
        ARGON2_PARALLELISM=1,
        SERVER_NAME="consult.test",
        **overrides,
    )


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    url = _test_database_url(tmp_path_factory)
    _reset_schema(url)
    app = _create_test_app(
        url,
        tmp_path_factory.mktemp("instance"),
        SQLALCHEMY_ENGINE_OPTIONS=_engine_options(url, TEST_SCHEMA),
    )
    with app.app_context():
        upgrade()
    return app


@pytest.fixture(scope="session")
def demo_app(app, tmp_path_factory):
    """A second app over a database of its own (on PostgreSQL, a schema of the test
    database) holding the demonstration data, loaded once per run. Tests read it through
    ``demo`` and ``demo_client``, which roll back whatever they write, or through the
    live server (browser tests, which only read).

    It comes after ``app``: the rate limiter is one object, and its storage is the
    one of the last app created; both apps share it, and it is emptied after each test.
    """
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    postgresql = sa.make_url(url).get_backend_name() == "postgresql"
    options = dict(app.config["SQLALCHEMY_ENGINE_OPTIONS"])
    if postgresql:
        # A schema of the test database, alone on the search path: CREATE and DROP
        # DATABASE take seconds each, and the test role may not create databases.
        _demo_schema(url)
        options["connect_args"] = {"options": f"-csearch_path={DEMO_SCHEMA}"}
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('demo-db') / 'demo.sqlite3'}"
    demo = _create_test_app(
        url, tmp_path_factory.mktemp("demo-instance"), SQLALCHEMY_ENGINE_OPTIONS=options
    )
    with demo.app_context():
        upgrade()
        load_demo_data()
        db.session.commit()
    yield demo
    with demo.app_context():
        db.engine.dispose()
    if postgresql:
        _demo_schema(url, drop=True)


# One transaction per test --------------------------------------------------------------


class _JoinedSession(FlaskSession):
    """A session that runs on the connection it was given.

    Flask-SQLAlchemy 3's ``get_bind`` answers with the app's engine whatever the session
    is bound to (pallets-eco/flask-sqlalchemy#1167), so the test's connection is
    returned here instead.
    """

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        if bind is None and self.bind is not None:
            return self.bind
        return super().get_bind(mapper, clause, bind, **kwargs)


_connections = {}  # app -> (the connection of the running test, the test's thread)


def _joined_session():
    # An app without a test transaction (one a test builds for itself) gets a session on
    # its own engine, as without these fixtures.
    connection, thread = _connections.get(current_app._get_current_object(), (None, None))
    if thread not in (None, threading.get_ident()):
        raise RuntimeError(
            "A test's connection was used from another thread; a test served from other "
            "threads needs committed rows (see tests/browser/conftest.py)."
        )
    return _JoinedSession(
        db=db,
        bind=connection,
        join_transaction_mode="create_savepoint",
        query_cls=db.Query,
    )


# One session per app context, as Flask-SQLAlchemy's own scoped session does.
_joined_sessions = sa.orm.scoped_session(
    _joined_session, scopefunc=lambda: id(app_ctx._get_current_object())
)


@contextmanager
def _rolled_back(app, monkeypatch):
    """Run the block inside one transaction on one connection, rolled back at the end.

    ``db.session`` joins that transaction in "create_savepoint" mode: the application's
    ``commit()`` releases a SAVEPOINT and ``rollback()`` (as the error handlers do) rolls
    back to it, so "nothing was written" still holds after an error, and the outer
    transaction ends only here. Needs the app's context.
    """
    connection = db.engine.connect()
    transaction = connection.begin()
    _connections[app] = (connection, threading.get_ident())
    monkeypatch.setattr(db, "session", _joined_sessions)
    try:
        yield connection
    finally:
        _joined_sessions.remove()
        del _connections[app]
        transaction.rollback()
        connection.close()


def _reset_outside_state(app):
    """What the database transaction does not undo: rate limits and mail files."""
    throttle.reset_all()
    for path in Path(app.config["MAIL_OUTBOX_DIR"]).glob("*.eml"):
        path.unlink()


@pytest.fixture(autouse=True)
def _database(app, monkeypatch):
    """Every test runs in a rolled-back transaction, with an empty outbox and fresh rate
    limits. (tests/browser replaces this with ``committed_database``.)"""
    with app.app_context():
        with _rolled_back(app, monkeypatch):
            yield
        _reset_outside_state(app)


@pytest.fixture
def committed_database(app):
    """For tests whose rows must be committed, because they are read from other threads
    and connections: every table is emptied after the test instead of rolled back."""
    with app.app_context():
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
                # Campaigns and comments refer to each other: check the keys at commit,
                # when every table is empty (foreign_keys=OFF is ignored in a transaction).
                connection.exec_driver_sql("PRAGMA defer_foreign_keys=ON")
                for name in tables:
                    connection.execute(sa.text(f"DELETE FROM {name}"))  # noqa: S608
        _reset_outside_state(app)


@pytest.fixture
def demo(demo_app, monkeypatch):
    """The demonstration data, in the current app context, inside a transaction rolled
    back after the test (push order: the test's own app, then this one)."""
    with demo_app.app_context():
        with _rolled_back(demo_app, monkeypatch):
            yield demo_app
        _reset_outside_state(demo_app)


@pytest.fixture
def demo_client(demo):
    return Client(demo.test_client())


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

    def text(self, to):
        """The plain-text part of the last message to ``to``."""
        return self.last(to).get_body(("plain",)).get_content()

    def link(self, to, path_prefix):
        """The path of the first link in the last message to ``to`` starting with the prefix."""
        body = self.text(to)
        match = re.search(rf"https?://[^/\s]+({re.escape(path_prefix)}[^\s]*)", body)
        assert match, f"no {path_prefix} link in: {body}"
        return match.group(1)


@pytest.fixture
def outbox(app):
    return Outbox(app.config["MAIL_OUTBOX_DIR"])


# What the test transaction turns commit() and rollback() into; outside tests the
# driver's own BEGIN and COMMIT are not counted either.
_TRANSACTION_CONTROL = re.compile(r"(BEGIN|SAVEPOINT|RELEASE SAVEPOINT|ROLLBACK TO SAVEPOINT)\b")


@pytest.fixture
def count_queries(app):
    """Count SQL statements run inside the ``with`` block: ``with count_queries() as n:``."""

    @contextmanager
    def counter():
        statements = []

        def before(conn, cursor, statement, parameters, context, executemany):
            if not _TRANSACTION_CONTROL.match(statement):
                statements.append(statement)

        # The test's own connection: engine listeners added after it was opened miss it.
        target = _connections.get(current_app._get_current_object(), (db.engine,))[0]
        sa.event.listen(target, "before_cursor_execute", before)
        try:
            yield statements
        finally:
            sa.event.remove(target, "before_cursor_execute", before)

    return counter
