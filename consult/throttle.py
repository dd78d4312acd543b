"""Rate limits applied inside views, so a limited form comes back filled, not as a bare 429.

Built on Flask-Limiter's storage (memory by default, Redis when REDIS_URL is set).
"""

import hashlib

from flask import current_app
from limits import parse

from consult.extensions import limiter


def _key(scope: str, identity: str) -> str:
    # Hash the identity: the limiter's storage must not hold emails or addresses in clear.
    digest = hashlib.sha256(f"{current_app.config['SECRET_KEY']}:{identity}".encode()).hexdigest()
    return f"{scope}:{digest[:32]}"


def is_limited(setting: str, scope: str, identity: str) -> bool:
    """True when the limit named by config ``setting`` is used up for this identity."""
    item = parse(current_app.config[setting])
    return not limiter.limiter.test(item, _key(scope, identity))


def hit(setting: str, scope: str, identity: str) -> bool:
    """Count one attempt; False when the limit is now exceeded."""
    item = parse(current_app.config[setting])
    return limiter.limiter.hit(item, _key(scope, identity))


def reset_all():
    """Clear every counter (used by tests)."""
    limiter.reset()
