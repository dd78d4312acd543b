"""Security headers on every response, and no client addresses in the request log."""

import logging
import re

from flask_login import current_user

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class _WithoutClientAddress(logging.Filter):
    """Drop the client's address from the development server's request log: an address
    beside a page and a time can identify who wrote a comment."""

    def filter(self, record):
        if isinstance(record.msg, str):
            record.msg = _LEADING_ADDRESS.sub("- - - ", record.msg)
        return True


_LEADING_ADDRESS = re.compile(r"^\S+ - - ")
_address_filter = _WithoutClientAddress()


def init_security(app):
    logging.getLogger("werkzeug").addFilter(_address_filter)  # adding twice is a no-op

    @app.after_request
    def set_security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if app.config.get("PRODUCTION"):
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if response.mimetype == "text/html":
            # Pages can carry personal data: never keep them in shared caches.
            headers.setdefault("Cache-Control", "no-store" if _signed_in() else "no-cache")
        return response


def _signed_in():
    return bool(getattr(current_user, "is_authenticated", False))
