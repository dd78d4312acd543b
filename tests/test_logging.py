"""The development server's request log carries no client address."""

import logging


def test_request_log_lines_lose_the_client_address(app, caplog):
    logger = logging.getLogger("werkzeug")
    with caplog.at_level(logging.INFO, logger="werkzeug"):
        logger.info('203.0.113.7 - - [22/Nov/2026 12:00:00] "GET /comments/C-ABC HTTP/1.1" 200 -')
    assert "203.0.113.7" not in caplog.text
    assert "GET /comments/C-ABC" in caplog.text
