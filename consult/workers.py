"""A warning at start when several processes share the embedded defaults.

SQLite lets one process write at a time, and rate limits in memory are counted by each
process on its own, so N workers allow N times the configured limits. Each process that
starts the app leaves a marker file named by its process id in the instance folder;
one that finds live markers of others for the same database says so in the log.
"""

import atexit
import hashlib
import os
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

# What the write-load benchmark (benchmarks/write_load.py) has shown to work: 4 gunicorn
# workers, 8 people posting and 16 reading, with no error and nothing lost.
SUPPORTED_SQLITE_WORKERS = 4


_registered_pid: int | None = None


def register_once():
    """Register this process at its first request (a before_request hook)."""
    global _registered_pid
    if _registered_pid != os.getpid():
        _registered_pid = os.getpid()
        register_process(current_app._get_current_object())  # type: ignore[attr-defined]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, under another user
        return True
    return True


def register_process(app) -> int:
    """Mark this process as serving the app's database; return how many live processes
    (this one included) serve it, and log a warning when that calls for one."""
    url = sa.make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    limits_in_memory = app.config["RATELIMIT_STORAGE_URI"].startswith("memory://")
    if url.get_backend_name() != "sqlite" and not limits_in_memory:
        return 1
    folder = Path(app.instance_path) / "processes"
    folder.mkdir(parents=True, exist_ok=True)
    prefix = hashlib.sha256(str(url).encode()).hexdigest()[:12]
    marker = folder / f"{prefix}-{os.getpid()}"
    marker.touch()
    atexit.register(marker.unlink, missing_ok=True)

    live = 0
    for other in folder.glob(f"{prefix}-*"):
        pid = int(other.name.rsplit("-", 1)[1])
        if _alive(pid):
            live += 1
        else:
            other.unlink(missing_ok=True)
    if live > 1:
        _warn(app, live, url.get_backend_name() == "sqlite", limits_in_memory)
    return live


def _warn(app, live: int, sqlite: bool, limits_in_memory: bool):
    if sqlite and limits_in_memory:
        app.logger.warning(
            "%d processes share the SQLite database with rate limits in memory: each "
            "counts its own limits, so they are %d times looser. Set REDIS_URL to share "
            "them. SQLite supports up to %d workers; beyond that use PostgreSQL.",
            live,
            live,
            SUPPORTED_SQLITE_WORKERS,
        )
    elif sqlite and live > SUPPORTED_SQLITE_WORKERS:
        app.logger.warning(
            "%d processes share the SQLite database; it supports up to %d workers. "
            "Use PostgreSQL (DATABASE_URL) for more.",
            live,
            SUPPORTED_SQLITE_WORKERS,
        )
    elif limits_in_memory:
        app.logger.warning(
            "%d processes count rate limits in memory, each on its own: the limits are "
            "%d times looser. Set REDIS_URL to share them.",
            live,
            live,
        )
