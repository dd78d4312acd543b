"""Real-browser fixtures: the app served from a thread, Debian's Chromium driven by
Playwright, and an axe-core accessibility check.

Browser tests skip when Chromium is missing, unless REQUIRE_BROWSER is set (CI sets
it, so there they fail instead).
"""

import json
import os
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def pytest_collection_modifyitems(items):
    browser_dir = Path(__file__).parent
    missing = not (Path(CHROMIUM).exists() and AXE.exists())
    for item in items:
        if browser_dir in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)
            # One worker drives the browser (they mostly wait on it) while the others run
            # the rest: make test uses --dist loadgroup.
            item.add_marker(pytest.mark.xdist_group("browser"))
            if missing and not os.environ.get("REQUIRE_BROWSER"):
                item.add_marker(pytest.mark.skip(reason="Chromium or axe-core is not installed"))


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(autouse=True)
def _database(committed_database):
    """Committed rows, emptied after each test, instead of the rolled-back transaction of
    the other tests: the live server answers from its own threads, each on its own
    connection (a connection must not be shared between threads), and those see only
    what is committed."""
    return committed_database


class LiveServer:
    def __init__(self, app):
        self.app = app
        self._server = make_server("127.0.0.1", 0, self._dispatch, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def _dispatch(self, environ, start_response):
        return self.app(environ, start_response)

    @contextmanager
    def serving(self, app):
        """Answer with another app (e.g. ``demo_app``) inside the block."""
        previous, server_name = self.app, app.config.get("SERVER_NAME")
        self.app, app.config["SERVER_NAME"] = app, None
        try:
            yield
        finally:
            self.app, app.config["SERVER_NAME"] = previous, server_name

    def start(self):
        self._thread.start()

    def stop(self):
        self._server.shutdown()
        self._thread.join(timeout=5)


@pytest.fixture(scope="session")
def live_server(app):
    # Links in emails must point at the live server, not the test client's host.
    app.config["SERVER_NAME"] = None
    server = LiveServer(app)
    app.config["BASE_URL"] = server.url
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def base_url(live_server):
    return live_server.url


@pytest.fixture
def sign_in(live_server):
    def _sign_in(page, email, password):
        page.goto(f"{live_server.url}/signin")
        page.get_by_label("Email", exact=True).fill(email)
        page.get_by_label("Password", exact=True).fill(password)
        page.get_by_role("button", name="Sign in").click()

    return _sign_in


@pytest.fixture
def check_accessibility():
    """Run axe-core on the current page and fail on any WCAG 2.1 A/AA violation."""
    if not AXE.exists():
        pytest.fail("axe-core is not installed: run `npm ci`")
    source = AXE.read_text()

    def _check(page):
        # evaluate() rather than a script tag: the CSP forbids injected scripts.
        page.evaluate(source)
        result = page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
        )
        violations = [
            {"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in result["violations"]
        ]
        assert violations == [], f"{page.url}: {json.dumps(violations, indent=1)}"

    return _check


@pytest.fixture(autouse=True)
def _browser_app_config(app):
    """Browser tests use the live server's address for links in emails."""
    previous = app.config.get("SERVER_NAME")
    app.config["SERVER_NAME"] = None
    yield
    app.config["SERVER_NAME"] = previous
