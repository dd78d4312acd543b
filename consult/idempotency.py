"""Actions that happen once, however many times or however many people ask at once.

Two rules, for every state-changing form:

- **The same submission twice** (a double click that reaches two workers, a resend) is
  one action. Each form carries a submission key; the row it creates stores the key
  under a unique constraint on (actor, key). ``insert_once`` inserts inside a SAVEPOINT:
  when the constraint refuses the row, the savepoint is rolled back and the row the
  first submission created is returned instead, so both answers show the same result.

- **Two people doing the same thing at once** (two coordinators hiding one comment) is
  one action too. ``claim`` changes the row only where it is still in the state the
  person saw (``UPDATE … WHERE id = … AND state = …``): exactly one of them changes it,
  and the other is told what the first did (``AlreadyDone``).

Infrastructure: no domain package is imported here.
"""

import secrets
from collections.abc import Callable
from typing import Any, TypeVar, cast

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import CursorResult

from consult.errors import DomainError
from consult.extensions import db

T = TypeVar("T")

SUBMISSION_KEY_LENGTH = 64  # as the submission_key columns


def submission_key_index(table: str, actor_column: str) -> sa.Index:
    """The unique index on (actor, submission_key) of a table whose rows forms create.

    An index rather than a table constraint: it enforces the same, and SQLite can add
    one to a table without rebuilding it (a rebuild of a table other rows refer to fails
    while foreign keys are enforced).
    """
    return sa.Index(
        f"uq_{table}_{actor_column}_submission_key", actor_column, "submission_key", unique=True
    )


def new_submission_key() -> str:
    """A fresh key for one submission of a form."""
    return secrets.token_urlsafe(24)


def key_or_new(submission_key: str | None) -> str:
    """The form's key, or for an action no form sent (a command, the demonstration data)
    a fresh one: it is never taken for a repeat."""
    return submission_key or new_submission_key()


class AlreadyDone(DomainError):
    """Someone else did this first (or did something else to the same item): nothing
    more was recorded, and the message says who did what, and when.

    Views show the page as it now is, with the message; never a 500.
    """

    status_code = 409


def insert_once(build: Callable[[], T], find: Callable[[], T | None]) -> tuple[T, bool]:
    """Store the row ``build`` makes, once per submission: ``(row, True)`` when it is
    stored, ``(the first row, False)`` when the same submission got there first.

    ``build`` makes the row (linking it to stored rows if it likes) and is called inside
    a SAVEPOINT, where the row is added and flushed. When a unique constraint refuses it
    and ``find`` (which looks the row up by its actor and submission key) then finds the
    row an earlier or concurrent submission stored, the savepoint is rolled back, taking
    the new row and whatever cascaded with it out of the session, and that first row is
    returned. Any other refusal is raised as it was.

    Changes made before the call are flushed first and kept either way. Do what follows
    a new row (audit, events, email) only when the second value is True.
    """
    try:
        with db.session.begin_nested():  # flushes what came before, outside the savepoint
            row = build()
            db.session.add(row)
    except sa_exc.IntegrityError:
        first = find()
        if first is None:
            raise
        return first, False
    return row, True


def claim(row: Any, *conditions: Any, **values: Any) -> bool:
    """Set ``values`` on ``row`` in the database only where ``conditions`` still hold
    there; True when this transaction made the change, False when another one had
    already changed the row.

    One statement, ``UPDATE <table> SET … WHERE <primary key> AND <conditions>``, so two
    people acting at once cannot both succeed: on PostgreSQL the second UPDATE waits
    for the first transaction, then finds its conditions false; on SQLite writers take
    turns. The row stays locked until the commit.

    Call it before changing ``row`` in Python (pending changes are flushed first). The
    attributes set are expired, so they read back as stored; after a False, ``row`` is
    refreshed to show what the other transaction did.
    """
    state = sa.inspect(row)
    mapper = state.mapper
    identity = zip(mapper.primary_key, state.identity, strict=True)
    key = [column == value for column, value in identity]
    statement = (
        sa.update(mapper.class_)
        .where(*key, *conditions)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    result = cast(CursorResult[Any], db.session.execute(statement))  # an UPDATE's result
    if result.rowcount == 1:
        db.session.expire(row, list(values))
        return True
    db.session.refresh(row)
    return False
