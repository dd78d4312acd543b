"""Redis gone while REDIS_URL is set: signing in and posting still work, rate limits
count in this process's memory meanwhile, and go back to Redis once it answers."""

import shutil
import socket
import subprocess
import time

import pytest
import redis
import sqlalchemy as sa
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter

from consult import throttle
from consult.comments.models import Comment
from consult.extensions import db, limiter
from tests.comments.test_views import _form, _submission_key, _url

BODY = "Typed while Redis was down: keep it."


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _LimiterOn:
    """Flask-Limiter's limiter, pointed at another storage for one test."""

    def __init__(self, url):
        # As config.py configures it: storage errors wrapped, short socket timeouts.
        options = {"wrap_exceptions": True, "socket_connect_timeout": 0.5, "socket_timeout": 0.5}
        self.limiter = FixedWindowRateLimiter(storage_from_string(url, **options))

    def reset(self):
        self.limiter.storage.reset()


@pytest.fixture
def redis_at(monkeypatch):
    def point_at(url):
        monkeypatch.setattr(throttle, "limiter", _LimiterOn(url))
        throttle._fallback.reset()

    yield point_at
    throttle._fallback.reset()


@pytest.fixture
def private_redis():
    """A redis-server of this test's own, which the test may stop."""
    binary = shutil.which("redis-server")
    if not binary:
        pytest.skip("redis-server is not installed")
    port = _free_port()
    server = subprocess.Popen(  # noqa: S603 - the machine's redis-server, fixed arguments
        [binary, "--port", str(port), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    client = redis.Redis(port=port)
    for _ in range(100):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    yield server, f"redis://127.0.0.1:{port}/0", client
    server.kill()
    server.wait()


def _post(client, world, body=BODY):
    url = _url(world)
    return client.post(url, _form(world, body=body, submission_key=_submission_key(client, url)))


def test_signing_in_and_posting_work_with_redis_unreachable(client, world, redis_at, caplog):
    redis_at(f"redis://127.0.0.1:{_free_port()}/0")  # nothing listens there
    client.sign_in(world.author)
    response = _post(client, world)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert db.session.scalar(sa.select(Comment.body)) == BODY
    assert "Rate-limit storage unreachable" in caplog.text
    # Still limited, in memory: a second comment at once is refused with the text kept.
    again = _post(client, world, body="A second one, too fast.")
    assert again.status_code == 429
    assert "A second one, too fast." in again.get_data(as_text=True)


def test_redis_stopped_mid_session_falls_back_then_is_used_again(
    client, world, redis_at, private_redis, monkeypatch
):
    server, url, redis_client = private_redis
    redis_at(url)
    client.sign_in(world.author)
    assert _post(client, world, body="Posted while Redis ran.").status_code == 302
    assert redis_client.dbsize() > 0  # counted in Redis
    server.kill()
    server.wait()
    response = _post(client, world)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert BODY in db.session.scalars(sa.select(Comment.body)).all()
    assert throttle._fallback.in_use()
    monkeypatch.setattr(throttle, "RECHECK_SECONDS", 0)
    assert not throttle._fallback.in_use()  # tried again after the pause


def test_the_configured_storage_raises_storage_errors_with_short_timeouts(app):
    storage = limiter.limiter.storage
    assert storage.wrap_exceptions is True
    assert app.config["RATELIMIT_STORAGE_OPTIONS"]["socket_timeout"] <= 1
