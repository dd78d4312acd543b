"""Rate limits applied inside views, so a limited form comes back filled, not as a bare 429.

Built on Flask-Limiter's storage (memory by default, Redis when REDIS_URL is set). When
Redis cannot be reached, counting goes on in this process's memory, so signing in and
posting still work: the limits are then per process, looser by the number of workers,
which is better than refusing everyone. Redis is tried again every RECHECK_SECONDS.
"""

import contextlib
import hashlib
import threading
import time

from flask import current_app, g, has_request_context
from limits import parse
from limits.errors import StorageError
from limits.storage import MemoryStorage
from limits.strategies import FixedWindowRateLimiter

from consult.extensions import limiter

RECHECK_SECONDS = 30


class _Fallback:
    """The in-memory limiter used while the configured storage is unreachable."""

    def __init__(self):
        self.limiter = FixedWindowRateLimiter(MemoryStorage())
        self.down_since: float | None = None
        self.lock = threading.Lock()

    def in_use(self) -> bool:
        with self.lock:
            if self.down_since is None:
                return False
            if time.monotonic() - self.down_since < RECHECK_SECONDS:
                return True
            self.down_since = None  # time to try the storage again
            return False

    def take_over(self):
        with self.lock:
            first = self.down_since is None
            self.down_since = time.monotonic()
        if first:
            # The storage's address may carry a password: name the setting, not its value.
            current_app.logger.warning(
                "Rate-limit storage unreachable; counting in this process's memory "
                "and retrying it every %d s",
                RECHECK_SECONDS,
            )

    def reset(self):
        with self.lock:
            self.down_since = None
        self.limiter.storage.reset()


_fallback = _Fallback()


def _key(scope: str, identity: str) -> str:
    # Hash the identity: the limiter's storage must not hold emails or addresses in clear.
    digest = hashlib.sha256(f"{current_app.config['SECRET_KEY']}:{identity}".encode()).hexdigest()
    return f"{scope}:{digest[:32]}"


def _ask(question):
    """Ask the configured storage, or memory while it is unreachable."""
    if not _fallback.in_use():
        try:
            return question(limiter.limiter)
        except StorageError:
            _fallback.take_over()
    return question(_fallback.limiter)


def is_limited(setting: str, scope: str, identity: str) -> bool:
    """True when the limit named by config ``setting`` is used up for this identity."""
    item, key = parse(current_app.config[setting]), _key(scope, identity)
    return not _ask(lambda strategy: strategy.test(item, key))


def hit(setting: str, scope: str, identity: str) -> bool:
    """Count one attempt; False when the limit is now exceeded.

    Counted once per request: a view run again after a lock conflict
    (consult/transactions.py) gets the first answer instead of spending a second try.
    """
    item, key = parse(current_app.config[setting]), _key(scope, identity)
    counted = g.setdefault("throttle_hits", {}) if has_request_context() else {}
    if (setting, key) not in counted:
        counted[setting, key] = _ask(lambda strategy: strategy.hit(item, key))
    return counted[setting, key]


def storage_status() -> str:
    """ "ok", "unreachable" (counting in memory) or "memory" (configured so)."""
    if current_app.config.get("RATELIMIT_STORAGE_URI", "memory://").startswith("memory://"):
        return "memory"
    try:
        return "ok" if limiter.limiter.storage.check() else "unreachable"
    except StorageError:
        return "unreachable"


def reset_all():
    """Clear every counter (used by tests)."""
    _fallback.reset()
    with contextlib.suppress(StorageError):
        limiter.reset()
