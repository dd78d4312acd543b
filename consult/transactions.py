"""Transactions that survive contention and outages.

SQLite: SQLAlchemy, not the driver, begins each transaction (the recipe in SQLAlchemy's
SQLite dialect documentation), so SAVEPOINT works and a request that writes (POST)
starts with ``BEGIN IMMEDIATE``: it waits for the write lock at its start, where waiting
is harmless, instead of failing half-way through with "database is locked" (a deferred
transaction that read first cannot wait for the lock: SQLite refuses it at once). A
request that only reads (GET, HEAD, OPTIONS) begins a deferred transaction, so readers
never queue behind writers (WAL lets them read while one writes).

Any database: a request whose transaction still meets a lock conflict (SQLite busy past
its timeout, a PostgreSQL serialisation failure or deadlock) is rolled back and run
again, a bounded number of times. What it wrote is gone with the rollback, including the
email it queued; the submission keys make a repeated action harmless.

What is left is sorted for the error pages: ``DatabaseBusy`` (still contended after the
retries) and an unreachable database both become a 503 that needs no database and shows
the person what they typed.
"""

import random
import time
from collections.abc import Callable
from typing import TypeVar

from flask import has_request_context, request
from sqlalchemy import event
from sqlalchemy import exc as sa_exc

from consult.extensions import db

T = TypeVar("T")

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Attempts in all, and the longest pause between them (with jitter, so two requests that
# collided do not collide again). SQLite's busy timeout already waited before each.
ATTEMPTS = 3
MAX_PAUSE = 0.2

# SQLite's words for a lock it could not get; PostgreSQL's SQLSTATEs for a transaction
# it cancelled so another could go on (serialization_failure, deadlock_detected,
# lock_not_available).
_SQLITE_LOCKED = ("database is locked", "database table is locked", "database is busy")
_RETRYABLE_SQLSTATES = {"40001", "40P01", "55P03"}
# SQLite cannot open or read its file; PostgreSQL refused or dropped the connection
# (class 08) or is shutting down or starting (57P01–57P03).
_SQLITE_UNREACHABLE = ("unable to open database file", "disk i/o error")
_UNREACHABLE_SQLSTATE_PREFIXES = ("08", "57P")


class DatabaseBusy(Exception):
    """The database stayed locked through every attempt."""


def configure_sqlite(engine, config):
    """WAL, foreign keys, a busy timeout (``config["SQLITE_BUSY_TIMEOUT_MS"]``, read as
    each connection opens), and transactions begun by SQLAlchemy."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # the driver begins nothing by itself
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(config['SQLITE_BUSY_TIMEOUT_MS'])}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _writing_request() else "BEGIN")

    engine.dispose()  # connections opened before the hooks would keep the driver's ways


def _writing_request() -> bool:
    """A request with an unsafe method (POST) writes. Outside requests (commands, the
    mail worker) transactions stay deferred: their writes are single statements or
    short, and a long read there must not hold the write lock."""
    return has_request_context() and request.method not in SAFE_METHODS


def _driver_error(error: BaseException) -> BaseException | None:
    if isinstance(error, sa_exc.DBAPIError):
        return error.orig
    return None


def is_lock_conflict(error: BaseException) -> bool:
    """True when running the transaction again may well succeed."""
    orig = _driver_error(error)
    if orig is None:
        return isinstance(error, DatabaseBusy)
    if getattr(orig, "sqlstate", None) in _RETRYABLE_SQLSTATES:
        return True
    return isinstance(error, sa_exc.OperationalError) and str(orig).lower().startswith(
        _SQLITE_LOCKED
    )


def is_unreachable(error: BaseException) -> bool:
    """True when the database cannot be reached at all (down, refusing, restarting)."""
    if isinstance(error, sa_exc.TimeoutError):  # no connection free in the pool
        return True
    orig = _driver_error(error)
    if orig is None:
        return False
    if isinstance(error, sa_exc.DBAPIError) and error.connection_invalidated:
        return True
    sqlstate = getattr(orig, "sqlstate", None)
    if sqlstate:
        return sqlstate.startswith(_UNREACHABLE_SQLSTATE_PREFIXES)
    message = str(orig).lower()
    if isinstance(error, sa_exc.OperationalError) and message.startswith(_SQLITE_UNREACHABLE):
        return True
    # psycopg reports a refused or failed connection without a SQLSTATE.
    return isinstance(error, sa_exc.OperationalError | sa_exc.InterfaceError) and (
        "connection" in message
        and ("failed" in message or "refused" in message)
        or "server closed the connection" in message
        or "the connection is closed" in message
    )


def with_retries(work: Callable[[], T], attempts: int = ATTEMPTS) -> T:
    """Run ``work`` (a whole request's view), again after a lock conflict.

    Raises DatabaseBusy once every attempt met one.
    """
    for attempt in range(1, attempts + 1):
        try:
            return work()
        except sa_exc.DBAPIError as error:
            if not is_lock_conflict(error):
                raise
            db.session.rollback()
            if attempt == attempts:
                raise DatabaseBusy from error
            time.sleep(random.uniform(0, MAX_PAUSE * attempt))
    raise AssertionError("unreachable")  # the loop returns or raises
