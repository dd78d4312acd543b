"""Configuration, read from environment variables with embedded defaults.

Nothing secret is committed: in development a SECRET_KEY is generated once into
``instance/secret_key``; production refuses to start without one.
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_PATH = Path(os.environ.get("CONSULT_INSTANCE_DIR") or BASE_DIR / "instance")


def _env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _development_secret_key():
    """Read the development secret key, creating it on first use."""
    path = INSTANCE_PATH / "secret_key"
    if not path.exists():
        INSTANCE_PATH.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


class Config:
    ENV_NAME = os.environ.get("CONSULT_ENV", "development")
    PRODUCTION = ENV_NAME == "production"

    SECRET_KEY = os.environ.get("SECRET_KEY")
    # Earlier keys, still accepted after a rotation (comma-separated): Flask's sessions and
    # the emailed unsubscribe links verify with them; only SECRET_KEY signs.
    SECRET_KEY_FALLBACKS = [k for k in os.environ.get("SECRET_KEY_FALLBACKS", "").split(",") if k]
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{INSTANCE_PATH / 'consult.sqlite3'}"
    )
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    # How long a SQLite transaction waits for the write lock before it is run again
    # (consult/transactions.py), and how long an outage page asks people to wait.
    SQLITE_BUSY_TIMEOUT_MS = int(os.environ.get("SQLITE_BUSY_TIMEOUT_MS", "5000"))
    RETRY_AFTER_SECONDS = 30
    REDIS_URL = os.environ.get("REDIS_URL")
    INSTANCE_DIR = str(INSTANCE_PATH)

    # Mail: SMTP when MAIL_SERVER is set, otherwise .eml files in the outbox folder.
    MAIL_SERVER = os.environ.get("MAIL_SERVER")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "587"))
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_USE_TLS = _env_bool("MAIL_USE_TLS", True)
    MAIL_DEFAULT_SENDER = os.environ.get(
        "MAIL_DEFAULT_SENDER", "Consult <no-reply@consult.invalid>"
    )
    MAIL_OUTBOX_DIR = os.environ.get("MAIL_OUTBOX_DIR", str(INSTANCE_PATH / "outbox"))

    SERVER_NAME = os.environ.get("SERVER_NAME")
    # Links in emails sent from commands (outside a request) start with this address.
    BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:5000")
    TRUSTED_HOSTS = [h for h in os.environ.get("TRUSTED_HOSTS", "").split(",") if h] or None
    # Number of reverse proxies in front of the app whose X-Forwarded-* headers to trust.
    PROXY_COUNT = int(os.environ.get("PROXY_COUNT", "0"))
    PREFERRED_URL_SCHEME = "https" if PRODUCTION else "http"

    # Sessions: absolute lifetime 12 h; remember-me at most 30 days.
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = PRODUCTION
    REMEMBER_COOKIE_DURATION = timedelta(days=30)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = PRODUCTION

    # The CSRF token lives as long as the session, so a long amendment does not expire.
    WTF_CSRF_TIME_LIMIT = None
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024

    # Signed links sent by email.
    CONFIRM_LINK_MAX_AGE = int(timedelta(days=2).total_seconds())
    RESET_LINK_MAX_AGE = int(timedelta(hours=1).total_seconds())
    INVITATION_LINK_MAX_AGE = int(timedelta(days=7).total_seconds())
    # One-click unsubscribe links work for more than a year (old emails stay in inboxes).
    UNSUBSCRIBE_LINK_MAX_AGE = int(timedelta(days=400).total_seconds())

    # Password hashing: argon2id, at or above OWASP's recommended minimum
    # (m=19 MiB, t=2, p=1). These are argon2-cffi's RFC 9106 low-memory profile.
    ARGON2_TIME_COST = 3
    ARGON2_MEMORY_COST = 65536
    ARGON2_PARALLELISM = 4

    RATELIMIT_STORAGE_URI = os.environ.get("REDIS_URL") or "memory://"
    # Storage errors are raised as limits' StorageError, and an unreachable Redis fails
    # within half a second: consult/throttle.py then counts in memory until it is back.
    RATELIMIT_STORAGE_OPTIONS = {
        "wrap_exceptions": True,
        "socket_connect_timeout": 0.5,
        "socket_timeout": 0.5,
    }
    RATELIMIT_HEADERS_ENABLED = False
    SIGNIN_LIMIT_PER_ACCOUNT = "10 per 15 minutes"
    SIGNIN_LIMIT_PER_ADDRESS = "30 per 15 minutes"
    EMAIL_ACTION_LIMIT_PER_ADDRESS = "20 per hour"
    COMMENT_LIMIT_BURST = os.environ.get("COMMENT_LIMIT_BURST", "1 per 5 seconds")
    COMMENT_LIMIT_HOURLY = os.environ.get("COMMENT_LIMIT_HOURLY", "60 per hour")

    # The fonts embedded in the summaries' PDFs: Noto Sans and Noto Sans Arabic, from
    # the @fontsource packages that `npm ci` installs (package.json); without them the
    # PDF falls back to the system's DejaVu Sans, also embedded.
    SUMMARY_FONT_DIR = os.environ.get(
        "SUMMARY_FONT_DIR", str(BASE_DIR / "node_modules" / "@fontsource")
    )

    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "UTC"
    LANGUAGES = {"en": "English"}

    @classmethod
    def check(cls, app_config):
        """Refuse unsafe settings; fill development defaults."""
        if not app_config.get("SECRET_KEY"):
            if app_config.get("PRODUCTION"):
                raise RuntimeError("SECRET_KEY must be set in production.")
            app_config["SECRET_KEY"] = _development_secret_key()
        if app_config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
            # A database host that drops packets must not hold a request for minutes:
            # after 5 s the person gets the "unavailable" page with their text.
            options = dict(app_config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
            connect_args = dict(options.get("connect_args") or {})
            connect_args.setdefault("connect_timeout", 5)
            app_config["SQLALCHEMY_ENGINE_OPTIONS"] = {**options, "connect_args": connect_args}
