"""Write load: gunicorn with 4 workers, 8 people posting comments while 16 read, for 60 s.

Prints requests by status class, "database is locked" errors in the server's log, busy
pages (503), comments acknowledged by a receipt against comments stored, and partial
writes (a stored comment without its response requests or its receipt email). Asserts
nothing; the target is 0 errors, 0 locked, 0 lost, 0 partial.

    .venv/bin/python benchmarks/write_load.py                      # SQLite
    .venv/bin/python benchmarks/write_load.py --database postgresql  # + Redis
    .venv/bin/python benchmarks/write_load.py --seconds 20 --workers 2

PostgreSQL: a database named consult_write_load is created on 127.0.0.1:5432 (user
postgres) and dropped afterwards; rate limits then live in Redis database 3.
"""

import argparse
import collections
import http.cookiejar
import os
import random
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent

PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
PG_DATABASE = "consult_write_load"
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
KEY = re.compile(r'name="submission_key" type="hidden" value="([^"]+)"')
COMPANY = re.compile(r'name="companies"[^>]*value="(\d+)"|value="(\d+)"[^>]*name="companies"')
MARKER = "write-load-"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _pg(statement: str):
    import sqlalchemy as sa

    engine = sa.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(sa.text(statement))
    engine.dispose()


def prepare(database: str, folder: Path) -> dict:
    """A migrated database with the demonstration data, and the environment to serve it."""
    env = dict(os.environ)
    env.update(
        FLASK_APP="wsgi.py",
        SECRET_KEY="write-load-benchmark",
        CONSULT_INSTANCE_DIR=str(folder),
        MAIL_OUTBOX_DIR=str(folder / "outbox"),
        COMMENT_LIMIT_BURST="1000 per second",  # eight people posting without pause
        COMMENT_LIMIT_HOURLY="100000 per hour",
    )
    env.pop("MAIL_SERVER", None)
    if database == "postgresql":
        _pg(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")
        _pg(f"CREATE DATABASE {PG_DATABASE}")
        env["DATABASE_URL"] = f"postgresql+psycopg://postgres@127.0.0.1:5432/{PG_DATABASE}"
        env["REDIS_URL"] = "redis://127.0.0.1:6379/3"
    else:
        env["DATABASE_URL"] = f"sqlite:///{folder / 'consult.sqlite3'}"
        env.pop("REDIS_URL", None)
    for command in (["db", "upgrade"], ["demo-data"]):
        # Our own virtual environment's flask, with fixed arguments.
        subprocess.run(  # noqa: S603
            [BIN / "flask", *command], cwd=ROOT, env=env, check=True, capture_output=True
        )
    return env


def targets(env: dict) -> tuple[list[str], str, list[str]]:
    """Writers' emails, the comment form's path, and pages for readers."""
    os.environ.update({k: env[k] for k in ("DATABASE_URL", "SECRET_KEY", "CONSULT_INSTANCE_DIR")})
    import sqlalchemy as sa

    from config import Config
    from consult import create_app
    from consult.accounts.models import User
    from consult.comments.models import Comment
    from consult.consultations.models import Consultation, Paragraph
    from consult.consultations.versions import latest_published_version
    from consult.extensions import db
    from consult.permissions import is_approved_stakeholder

    app = create_app(Config, SQLALCHEMY_DATABASE_URI=env["DATABASE_URL"])
    with app.app_context():
        people = db.session.scalars(sa.select(User).order_by(User.id)).all()
        writers = [p.email for p in people if is_approved_stakeholder(p)]
        now = datetime.now(UTC)
        consultation = next(
            c for c in db.session.scalars(sa.select(Consultation)) if c.is_open_at(now)
        )
        version = latest_published_version(consultation)
        paragraphs = db.session.scalars(
            sa.select(Paragraph.stable_key).where(Paragraph.version_id == version.id)
        ).all()
        slug = consultation.slug
        reference = db.session.scalar(sa.select(Comment.reference).limit(1))
        db.engine.dispose()
    form = f"/consultations/{slug}/p/{paragraphs[0]}/comment"
    pages = [
        "/",
        f"/consultations/{slug}",
        f"/consultations/{slug}/p/{paragraphs[0]}/comments",
        f"/consultations/{slug}/p/{paragraphs[-1]}/comments",
        "/tracker",
        f"/comments/{reference}",
    ]
    return writers, form, pages


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.statuses = collections.Counter()
        self.acknowledged: set[str] = set()
        self.busy = 0
        self.transport_errors = 0
        self.refusal: list[str] = []  # the first refusal's messages, to report

    def count(self, status: int):
        with self.lock:
            self.statuses[f"{status // 100}xx"] += 1


def _session():
    jar = http.cookiejar.CookieJar()
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect)


def _open(opener, base, path, data=None, tally=None):
    body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
    try:
        with opener.open(base + path, body, timeout=60) as response:
            status, text = response.status, response.read().decode()
            headers = response.headers
    except urllib.error.HTTPError as error:
        status, text, headers = error.code, error.read().decode(errors="replace"), error.headers
    if tally:
        tally.count(status)
    return status, text, headers


def writer(base, email, form_path, deadline, tally):
    from consult.demo import DEMO_PASSWORD

    opener = _session()
    _, page, _ = _open(opener, base, "/signin")
    status, _, _ = _open(
        opener,
        base,
        "/signin",
        {"csrf_token": CSRF.search(page).group(1), "email": email, "password": DEMO_PASSWORD},
    )
    if status != 302:
        print(f"  a writer could not sign in ({status})", file=sys.stderr)
        return
    while time.monotonic() < deadline:
        try:
            _, page, _ = _open(opener, base, form_path, tally=tally)
            companies = [a or b for a, b in COMPANY.findall(page)]
            marker = f"{MARKER}{uuid.uuid4().hex}"
            data = {
                "csrf_token": CSRF.search(page).group(1),
                "submission_key": KEY.search(page).group(1),
                "kind": "comment",
                "body": f"Benchmark text {marker}: the scope should name subsidiaries.",
                "proposed_text": "",
                "audience": "everyone",
                "display": "name",
                "addressed_to": "companies" if companies else "coordinators",
                "companies": companies[:2],
                "understood": "y",
                "submit": "Publish my comment",
            }
            status, answer, headers = _open(opener, base, form_path, data, tally)
            if 400 <= status < 500 and not tally.refusal:
                tally.refusal = re.findall(r'class="(?:error|flash[^"]*)"[^>]*>([^<]+)', answer)
            if status in (302, 303) and "/receipt" in headers.get("Location", ""):
                with tally.lock:
                    tally.acknowledged.add(marker)
            elif status == 503:
                with tally.lock:
                    tally.busy += 1
        except (OSError, AttributeError):
            with tally.lock:
                tally.transport_errors += 1


def reader(base, pages, deadline, tally):
    opener = _session()
    while time.monotonic() < deadline:
        try:
            _open(opener, base, random.choice(pages), tally=tally)
        except OSError:
            with tally.lock:
                tally.transport_errors += 1


def stored(env) -> tuple[set[str], int, int]:
    """Markers of stored comments; comments without their response requests; without a
    receipt email (when the outbox table exists)."""
    import sqlalchemy as sa

    engine = sa.create_engine(env["DATABASE_URL"])
    with engine.connect() as connection:
        rows = connection.execute(
            sa.text(
                "SELECT c.id, c.body, (SELECT count(*) FROM response_requests r "
                "WHERE r.comment_id = c.id) FROM comments c WHERE c.body LIKE :m"
            ),
            {"m": f"%{MARKER}%"},
        ).all()
        markers = {re.search(rf"{MARKER}[0-9a-f]+", body).group(0) for _, body, _ in rows}
        without_requests = sum(1 for _, _, requests in rows if requests == 0)
        without_receipt = 0
        if sa.inspect(connection).has_table("outbound_emails"):
            receipts = connection.execute(
                sa.text("SELECT count(*) FROM outbound_emails WHERE template = 'comment_receipt'")
            ).scalar()
            without_receipt = max(0, len(rows) - receipts)
    engine.dispose()
    return markers, without_requests, without_receipt


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--readers", type=int, default=16)
    options = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="consult-write-load-"))
    env = prepare(options.database, folder)
    emails, form_path, pages = targets(env)
    port = _free_port()
    log = folder / "gunicorn.log"
    server = subprocess.Popen(  # noqa: S603 - our gunicorn, fixed arguments
        [BIN / "gunicorn", "-w", str(options.workers), "-b", f"127.0.0.1:{port}",
         "--timeout", "120", "wsgi:app"],
        cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            urllib.request.urlopen(base + "/healthz", timeout=1)  # noqa: S310 - http://127.0.0.1
            break
        except OSError:
            time.sleep(0.1)

    tally = Tally()
    deadline = time.monotonic() + options.seconds
    threads = [
        threading.Thread(
            target=writer, args=(base, emails[i % len(emails)], form_path, deadline, tally)
        )
        for i in range(options.writers)
    ] + [
        threading.Thread(target=reader, args=(base, pages, deadline, tally))
        for _ in range(options.readers)
    ]  # fmt: skip
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    server.terminate()
    server.wait()

    markers, without_requests, without_receipt = stored(env)
    server_log = log.read_text()
    lost = tally.acknowledged - markers
    total = sum(tally.statuses.values())
    print(f"Write load on {options.database}: {options.workers} gunicorn workers, "
          f"{options.writers} writers, {options.readers} readers, {options.seconds} s")  # fmt: skip
    print(f"  requests: {total} ({total / options.seconds:.0f}/s) — "
          + ", ".join(f"{k}: {v}" for k, v in sorted(tally.statuses.items())))  # fmt: skip
    print(f"  5xx errors: {sum(v for k, v in tally.statuses.items() if k == '5xx')} "
          f"(of which busy pages, text kept: {tally.busy}); transport errors: "
          f"{tally.transport_errors}")  # fmt: skip
    print(f'  "database is locked" in the server log: {server_log.count("database is locked")}')
    print(f"  comments acknowledged: {len(tally.acknowledged)}; stored: {len(markers)}; "
          f"lost (acknowledged, not stored): {len(lost)}")  # fmt: skip
    print(f"  partial writes: {without_requests} without response requests, "
          f"{without_receipt} without a receipt email")  # fmt: skip
    if tally.refusal:
        print(f"  first refusal said: {tally.refusal}")
    if options.database == "postgresql":
        _pg(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")


if __name__ == "__main__":
    main()
