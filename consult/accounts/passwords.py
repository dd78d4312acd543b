"""Password policy and hashing (argon2id).

Policy after NIST SP 800-63B and OWASP: at least 12 characters, at most 1,024 bytes,
no composition rules, the most common passwords refused. Never truncated.
"""

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import lazy_gettext as _l
from zxcvbn.frequency_lists import FREQUENCY_LISTS

MIN_LENGTH = 12
MAX_BYTES = 1024


@cache
def _common_passwords() -> frozenset[str]:
    # zxcvbn ships the 30,000 most common passwords from public breach corpora.
    return frozenset(FREQUENCY_LISTS["passwords"])


def password_problem(password: str, *, email: str = "", name: str = "") -> str | None:
    """Return why ``password`` is refused, or None when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return _l("Use at least %(n)s characters.", n=MIN_LENGTH)
    if len(password.encode("utf-8")) > MAX_BYTES:
        return _l("Use at most %(n)s bytes.", n=MAX_BYTES)
    lowered = password.lower()
    if lowered in _common_passwords() or len(set(lowered)) < 4:
        return _l("This password is one of the most common ones. Choose another.")
    if lowered in {email.lower(), name.lower(), email.lower().split("@")[0]}:
        return _l("Do not use your email or name as your password.")
    return None


def _hasher() -> PasswordHasher:
    config = current_app.config
    return PasswordHasher(
        time_cost=config["ARGON2_TIME_COST"],
        memory_cost=config["ARGON2_MEMORY_COST"],
        parallelism=config["ARGON2_PARALLELISM"],
    )


def hash_password(password: str) -> str:
    return _hasher().hash(password)


# A hash to verify against when the account does not exist, so the answer takes as
# long whether or not the email is registered.
_DUMMY: dict[tuple[int, int, int], str] = {}


def verify_password(password_hash: str | None, password: str) -> bool:
    """Check ``password``; spend the same effort when there is no hash."""
    hasher = _hasher()
    if not password_hash:
        key = (hasher.time_cost, hasher.memory_cost, hasher.parallelism)
        if key not in _DUMMY:
            _DUMMY[key] = hasher.hash("not a real password, only for timing")
        password_hash, password = _DUMMY[key], "wrong"
    try:
        return hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher().check_needs_rehash(password_hash)
