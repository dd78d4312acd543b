"""Two coordinators acting on the policies at the same instant, each request in a thread
of its own with its own connection (rows committed). One wins; the other is told and
keeps their text; nothing is written twice.

A short wait before each write on ``policy_versions`` makes both requests read before
either writes on PostgreSQL; on SQLite write transactions take turns (BEGIN IMMEDIATE),
so there the second finds what the first wrote.
"""

import threading
import time

import pytest
import sqlalchemy as sa

from consult.audit.models import AuditEntry
from consult.extensions import db
from consult.site_policies.models import PolicyVersion
from tests import factories
from tests.conftest import Client
from tests.site_policies.conftest import EDIT, editor_form

WINDOW = 0.15  # seconds each write waits, so that the two requests overlap


@pytest.fixture(autouse=True)
def _database(committed_database):
    db.engine.dispose()  # fresh connections, with the configured busy timeout
    return committed_database


@pytest.fixture
def slow_policy_writes(app):
    def before(conn, cursor, statement, parameters, context, executemany):
        words = statement.split(None, 3)
        table = {"INSERT": words[2:3], "UPDATE": words[1:2]}.get(words[0], [""])
        if table and table[0].strip('"') == "policy_versions":
            time.sleep(WINDOW)

    sa.event.listen(db.engine, "before_cursor_execute", before)
    yield
    sa.event.remove(db.engine, "before_cursor_execute", before)


def _together(*posts):
    barrier = threading.Barrier(len(posts))
    answers: list = [None] * len(posts)
    failures: list[BaseException] = []

    def run(index, post):
        try:
            barrier.wait(timeout=30)
            answers[index] = post()
        except BaseException as error:  # reported in the test's thread
            failures.append(error)

    db.session.remove()
    threads = [threading.Thread(target=run, args=item) for item in enumerate(posts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not failures, failures
    return answers


def _coordinators(app, n=2):
    clients = []
    for _ in range(n):
        client = Client(app.test_client())
        client.sign_in(factories.coordinator())
        clients.append(client)
    return clients


def _post(client, data):
    data = {**data, "policies-csrf_token": client.csrf_token(EDIT)}
    return lambda: client.raw._client.post(EDIT, data=data)


def _count(model, *where) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


@pytest.mark.parametrize("button", ["save", "publish"])
def test_two_coordinators_starting_the_next_version_at_once_make_one(
    app, slow_policy_writes, button
):
    first, second = _coordinators(app)
    forms = [
        editor_form(c, section_times=f"Words of {i}", change_note="Note.", **{button: "x"})
        for i, c in enumerate((first, second))
    ]
    answers = _together(_post(first, forms[0]), _post(second, forms[1]))
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [302, 409], [
        (a.status_code, a.get_data(as_text=True)[:1500]) for a in answers
    ]
    loser = next(i for i, a in enumerate(answers) if a.status_code == 409)
    assert f"Words of {loser}" in answers[loser].get_data(as_text=True)
    assert _count(PolicyVersion) == 1
    assert db.session.scalar(sa.select(PolicyVersion)).sections["times"] == f"Words of {1 - loser}"


def test_two_coordinators_publishing_one_draft_at_once_publish_it_once(app, slow_policy_writes):
    first, second = _coordinators(app)
    started = editor_form(first, section_times="The draft", save="Save the draft")
    assert first.post(EDIT, started, prefix="policies").status_code == 302
    forms = [
        editor_form(c, section_times=f"Published by {i}", change_note="Note.", publish="x")
        for i, c in enumerate((first, second))
    ]
    answers = _together(_post(first, forms[0]), _post(second, forms[1]))
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [302, 409], [
        (a.status_code, a.get_data(as_text=True)[:1500]) for a in answers
    ]
    assert _count(PolicyVersion) == 1
    assert _count(AuditEntry, AuditEntry.action == "site_policies.published") == 1
    version = db.session.scalar(sa.select(PolicyVersion))
    loser = next(i for i, a in enumerate(answers) if a.status_code == 409)
    assert version.is_published and version.sections["times"] == f"Published by {1 - loser}"
