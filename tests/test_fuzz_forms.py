"""Bad input never breaks a form: every field of every form, as each role that is shown
it, answers hostile values with a 4xx that keeps the other typed text and writes nothing.

The forms are read from the pages, not from the code. A few real actions first bring
out what the demonstration data does not show (a restricted comment of one's own, a
co-signature, a flag, a publishable draft, the links sent by email); then the site is
walked as a visitor and as each role (links followed, a few pages per route, plus the
pages those actions made), and every ``<form method="post">`` is recorded with its page,
fields, choices and CSRF token. Every POST route in ``app.url_map`` must be reached.

Each form is then sent once per (field, hostile value) as the first role shown it, and
with a sample of the values as every other role shown it, the other fields holding
valid values and one other text field a distinctive marker; plus its valid values, a
JSON body, a JSON array and an empty body. Every answer must be a 4xx, or a redirect or
page after a legitimate success (whatever it wrote is then the success), never a 5xx,
and never a page of errors with a 200. On a 4xx nothing may have been written (the row
count of every table, and every INSERT, UPDATE or DELETE the request left committed),
and where the form comes back, the marker must be in it. Each submission runs in a
savepoint rolled back afterwards, with the role's cookies and the rate limits restored,
so each starts from the same state. Failures are collected: one run lists them all.
"""

import json
import re
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from datetime import timedelta
from email import policy
from email.parser import BytesParser
from html.parser import HTMLParser
from io import BytesIO
from pathlib import Path
from urllib.parse import quote_from_bytes, urljoin, urlsplit

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException

from consult import throttle
from consult.accounts.models import User
from consult.comments.models import Comment, Visibility
from consult.db import utcnow
from consult.demo import DEMO_PASSWORD
from consult.extensions import db
from consult.notifications.unsubscribe import make_token
from consult.responses.models import Response, ResponseRequest
from tests.conftest import Client

ROLES = {
    "visitor": None,
    "stakeholder": "amina@openlines.demo",
    "company representative": "rep@northwind.demo",
    "coordinator": "coordinator@consult.demo",
    "privacy officer": "privacy@consult.demo",
}
OPEN_CONSULTATION = "privacy-and-freedom-of-expression-demo"
DRAFT_CONSULTATION = "elections-guidance-demo"
PAGES_PER_ROUTE = 4  # pages visited per GET route and role while looking for forms


# --- hostile values ----------------------------------------------------------------------


class Missing:
    """The field is left out of the request."""


@dataclass(frozen=True)
class Raw:
    """Bytes sent as they are in a urlencoded body (invalid UTF-8 included)."""

    data: bytes


@dataclass(frozen=True)
class Upload:
    """A file part in a multipart body."""

    data: bytes = b"%PDF-1.4 not text\x00\xff"
    filename: str = "fuzz.pdf"


@dataclass(frozen=True)
class Twice:
    """The field sent twice, with two values."""

    values: tuple[str, str] = ("first", "second")


MISSING = Missing()
TEXT = {
    "missing": MISSING,
    "empty": "",
    "blank": " \t\r\n ",
    "oversized": "x" * 100_000,
    "NUL": "before\x00after",
    "control characters": "a\x01\x08\x0b\x0c\x1b[31m\x7fb",
    "lone surrogate": Raw(b"a\xed\xa0\x80b"),  # "\ud800" as UTF-8 would write it
    "invalid UTF-8": Raw(b"ok \xff\xfe\xc0\xaf \xe2\x82"),
    "file part": Upload(),
    "sent twice": Twice(),
}
CHOICE = {
    "missing": MISSING,
    "empty": "",
    "unknown choice": "zz-not-a-choice",
    "huge integer": "9" * 40,
    "2**63": "9223372036854775808",
    "5,000 digits": "9" * 5000,
    "negative": "-1",
    "NUL": "\x00",
    "invalid UTF-8": Raw(b"\xff\xfe"),
    "file part": Upload(),
}
DATE = {
    "missing": MISSING,
    "empty": "",
    "year 1": "0001-01-01",
    "year 9999": "9999-12-31",
    "year 10000": "10000-01-01",
    "30 February": "2031-02-30",
    "not a date": "soon",
    "NUL": "2030-01-01\x00",
    "invalid UTF-8": Raw(b"2030-01-01\xff"),
    "file part": Upload(),
}
NUMBER = {
    "missing": MISSING,
    "empty": "",
    "huge integer": "9" * 40,
    "2**63": "9223372036854775808",
    "5,000 digits": "9" * 5000,
    "negative": "-1",
    "zero": "0",
    "fraction": "1.5",
    "exponent": "1e3",
    "NaN": "NaN",
    "NUL": "3\x00",
    "file part": Upload(),
}
FILE = {
    "text instead of a file": "not a file",
    "binary file": Upload(b"\x00\x01\xff\xfe" * 1000, "draft.md"),
    "empty file": Upload(b"", "draft.md"),
    "NUL in the file name": Upload(b"# Title\n\nText.\n", "dr\x00aft.md"),
}
HOSTILE = {
    "text": TEXT,
    "password": TEXT,
    "hidden": TEXT,
    "choice": CHOICE,
    "checkbox": CHOICE,
    "date": DATE,
    "number": NUMBER,
    "file": FILE,
}
# What the other roles shown a form send, per kind of field.
SAMPLE = {
    "text": ("file part", "NUL", "oversized"),
    "password": ("file part", "NUL"),
    "hidden": ("file part", "oversized"),
    "choice": ("unknown choice", "huge integer"),
    "checkbox": ("unknown choice",),
    "date": ("year 9999",),
    "number": ("huge integer",),
    "file": ("binary file",),
}
# A 4xx that shows no form, so no typed text comes back: refused, not found, too large.
NO_FORM_STATUSES = {403, 404, 405, 413}


# --- reading forms from pages --------------------------------------------------------------


@dataclass
class Control:
    kind: str  # a key of HOSTILE, or "submit"
    name: str
    value: str = ""
    options: list[str] = field(default_factory=list)
    input_type: str = ""  # textarea, select, or the input's type


@dataclass
class Form:
    key: str  # the endpoint, and the value of an <any(...)> argument that picks the form
    role: str
    page: str
    action: str
    controls: list[Control]

    def fields(self) -> list[Control]:
        return [c for c in self.controls if c.kind != "submit"]


class _Page(HTMLParser):
    """The links of a page and its POST forms, as (action, controls)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.forms: list[tuple[str, list[Control]]] = []
        self._controls: list[Control] | None = None
        self._textarea: Control | None = None
        self._select: Control | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form":
            self._controls = [] if a.get("method", "").lower() == "post" else None
            if self._controls is not None:
                self.forms.append((a.get("action", ""), self._controls))
        elif tag == "option" and self._select is not None:
            self._select.options.append(a.get("value", ""))
            if "selected" in a:
                self._select.value = a.get("value", "")
        elif self._controls is not None and a.get("name"):
            self._control(tag, a)

    def _control(self, tag, a):
        assert self._controls is not None
        name, value = a["name"], a.get("value", "")
        kind = (a.get("type") or "text").lower()
        if tag == "textarea":
            self._textarea = Control("text", name, input_type="textarea")
            self._controls.append(self._textarea)
        elif tag == "select":
            self._select = Control("choice", name, input_type="select")
            self._controls.append(self._select)
        elif tag == "button" or kind in ("submit", "image", "reset", "button"):
            if kind == "submit" or tag == "button" and a.get("type", "submit") == "submit":
                self._controls.append(Control("submit", name, value))
        elif kind in ("radio", "checkbox"):
            same = next((c for c in self._controls if c.name == name), None)
            if same is None:  # one control per name, holding every option
                same = Control("choice" if kind == "radio" else "checkbox", name, input_type=kind)
                self._controls.append(same)
            same.options.append(value)
            if "checked" in a and kind == "radio":
                same.value = value
        elif kind in ("hidden", "date", "number", "file", "password"):
            self._controls.append(Control(kind, name, value, input_type=kind))
        elif tag == "input":
            self._controls.append(Control("text", name, value, input_type=kind))

    def handle_endtag(self, tag):
        if tag == "form":
            self._controls = None
        elif tag == "textarea" and self._textarea is not None:
            # A line break right after <textarea> is not part of the value.
            value = self._textarea.value
            self._textarea.value = (
                value[2:] if value.startswith("\r\n") else value.removeprefix("\n")
            )
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.value += data


# --- requests ------------------------------------------------------------------------------


def _encode(pairs: list[tuple[str, object]]) -> dict:
    """Keyword arguments for the test client: multipart when a file is sent, else a
    urlencoded body built by hand, so raw bytes go out exactly as given."""
    if any(isinstance(value, Upload) for _, value in pairs):
        data: MultiDict = MultiDict()
        for name, value in pairs:
            if isinstance(value, Upload):
                data.add(name, (BytesIO(value.data), value.filename))
            else:
                data.add(name, value.data.decode("latin-1") if isinstance(value, Raw) else value)
        return {"data": data, "content_type": "multipart/form-data"}
    body = "&".join(
        f"{quote_from_bytes(name.encode())}="
        + quote_from_bytes(value.data if isinstance(value, Raw) else str(value).encode())
        for name, value in pairs
    )
    return {"data": body, "content_type": "application/x-www-form-urlencoded"}


class _Writes:
    """The INSERT, UPDATE and DELETE statements a request leaves committed: those made in
    a savepoint later rolled back are dropped, those in one released are kept."""

    def __init__(self):
        self.frames: list[tuple[str | None, list[str]]] = [(None, [])]

    def __call__(self, conn, cursor, statement, parameters, context, executemany):
        words = statement.split(None, 4)
        head = [w.upper() for w in words[:3]]
        if head[0] == "SAVEPOINT":
            self.frames.append((words[1], []))
        elif head[:2] == ["RELEASE", "SAVEPOINT"]:
            self._close(words[2], keep=True)
        elif head[:3] == ["ROLLBACK", "TO", "SAVEPOINT"]:
            self._close(words[3], keep=False)
        elif head[0] in ("INSERT", "UPDATE", "DELETE"):
            self.frames[-1][1].append(" ".join(words[:4]))

    def _close(self, name, *, keep):
        for index in range(len(self.frames) - 1, 0, -1):
            if self.frames[index][0] == name:
                kept = [w for _, writes in self.frames[index:] for w in writes] if keep else []
                del self.frames[index:]
                self.frames[-1][1].extend(kept)
                return

    @property
    def committed(self) -> list[str]:
        return self.frames[0][1]


class Fuzz:
    def __init__(self, demo):
        self.demo = demo
        self.adapter = demo.url_map.bind("consult.test")
        self.clients: dict[str, Client] = {}
        self.cookies: dict[str, dict] = {}
        self.connection = db.session.get_bind()  # the test's, inside its transaction
        self.counts_before: tuple | None = None
        self.failures: list[str] = []
        self.statuses: Counter = Counter()
        self.sent = 0

    # Roles and their cookies --------------------------------------------------------------

    def client(self, role) -> Client:
        if role not in self.clients:
            self.clients[role] = Client(self.demo.test_client())
            if ROLES[role] is not None:
                user = db.session.scalar(sa.select(User).filter_by(email=ROLES[role]))
                self.clients[role].sign_in(user, password=DEMO_PASSWORD)
            self.save_cookies(role)
        return self.clients[role]

    def save_cookies(self, role):
        # A success may sign the role out or in anew (sign out, new password or address),
        # so each submission starts from the cookies saved here. The werkzeug client
        # keeps its jar in ``_cookies``.
        self.cookies[role] = dict(self.clients[role].raw._client._cookies)

    def restore_cookies(self, role):
        self.clients[role].raw._client._cookies = dict(self.cookies[role])

    # Walking the pages --------------------------------------------------------------------

    def endpoint(self, url, method) -> tuple[str | None, dict]:
        try:
            return self.adapter.match(urlsplit(url).path, method=method)
        except HTTPException:
            return None, {}

    def form_key(self, endpoint, arguments) -> str:
        """``responses.respond answer``: an <any(...)> argument picks one of several forms."""
        rule = next(r for r in self.demo.url_map.iter_rules() if r.endpoint == endpoint)
        picks = re.findall(r"<any\([^)]*\):(\w+)>", rule.rule)
        return " ".join([endpoint, *(str(arguments[name]) for name in picks)])

    def forms_on(self, role, url) -> tuple[dict[str, Form], list[str]]:
        """The POST forms on the page at ``url`` as ``role`` sees it, and its links."""
        response = self.client(role).get(url)
        if response.status_code != 200 or response.mimetype != "text/html":
            return {}, []
        page = _Page()
        page.feed(response.get_data(as_text=True))
        forms: dict[str, Form] = {}
        for action, controls in page.forms:
            target = urlsplit(urljoin(url, action) if action else url).path
            endpoint, arguments = self.endpoint(target, "POST")
            if endpoint is not None:
                key = self.form_key(endpoint, arguments)
                forms.setdefault(key, Form(key, role, url, target, controls))
        links = []
        for href in page.links:
            parts = urlsplit(urljoin(url, href))
            if parts.netloc in ("", "consult.test") and not parts.path.startswith("/static"):
                links.append(parts.path + (f"?{parts.query}" if parts.query else ""))
        return forms, links

    def form_on(self, role, url, endpoint=None) -> Form:
        """The form posting to ``endpoint`` (by default, to the page itself) on ``url``."""
        forms, _links = self.forms_on(role, url)
        endpoint = endpoint or self.endpoint(url, "POST")[0]
        matching = [form for key, form in forms.items() if key.split()[0] == endpoint]
        assert matching, f"no {endpoint} form on {url} for the {role}: {sorted(forms)}"
        return matching[0]

    def walk(self, role, seeds, found: dict, *, per_route=PAGES_PER_ROUTE, until=None):
        """Follow links from ``seeds`` (all visited), a few pages per GET route; or, with
        ``until``, every page until a form posting to that endpoint is found."""
        queue, seen, visits = deque(seeds), set(seeds), Counter()
        while queue:
            url = queue.popleft()
            endpoint, _ = self.endpoint(url, "GET")
            if endpoint is None:
                continue
            if until is None and visits[endpoint] >= per_route and url not in seeds:
                continue
            visits[endpoint] += 1
            forms, links = self.forms_on(role, url)
            for key, form in forms.items():
                found.setdefault((key, role), form)
            if until is not None and until in {key.split()[0] for key in forms}:
                return
            for link in links:
                if link not in seen:
                    seen.add(link)
                    queue.append(link)

    def find(self, role, endpoint) -> Form:
        """The first form posting to ``endpoint`` met walking the site as ``role``."""
        found: dict[tuple[str, str], Form] = {}
        self.walk(role, ["/"], found, until=endpoint)
        matching = [form for (key, _), form in found.items() if key.split()[0] == endpoint]
        assert matching, f"no {endpoint} form anywhere for the {role}"
        return matching[0]

    # Valid values -------------------------------------------------------------------------

    @staticmethod
    def text(control: Control, words: str) -> str:
        """``words`` shaped to pass the field's own checks (an address, a link, a slug)."""
        name = control.name.rsplit("-", 1)[-1]
        token = re.sub(r"\W", "", words.split()[-1]).lower()
        if control.input_type == "email" or name.endswith("email"):
            return f"fuzz-{token}@example.org"
        if control.input_type == "url" or name.endswith(("url", "website")):
            return f"https://example.org/{token}"
        if name == "slug":
            return f"fuzz-{token}"
        if name in ("paragraphs", "source_response", "successor") or name.startswith("matches"):
            return ""  # references to existing things: left empty
        return words

    def valid(self, control: Control, role: str) -> object:
        name = control.name.rsplit("-", 1)[-1]
        if control.kind in ("hidden", "choice"):
            if control.value or not control.options:
                return control.value
            return next((option for option in control.options if option), "")
        if control.kind == "checkbox":
            return control.options[0] or "y"
        if control.kind == "date":
            return control.value or (utcnow().date() + timedelta(days=60)).isoformat()
        if control.kind == "number":
            return control.value or "30"
        if control.kind == "password":
            if name == "current_password" or ROLES[role] is None:
                return DEMO_PASSWORD
            return "a long and unusual fuzzing passphrase"
        if control.kind == "file":
            return MISSING
        return control.value or self.text(control, "Fuzz text for this field")

    def marker_field(self, form: Form, fuzzed: str | None) -> Control | None:
        """A text field other than the fuzzed one, to carry the marker; textareas first."""
        candidates = [
            c
            for c in form.controls
            if c.kind == "text" and c.name != fuzzed and self.text(c, "Fuzz x")
        ]
        candidates.sort(key=lambda c: c.input_type != "textarea")
        return candidates[0] if candidates else None

    def pairs(self, form: Form, overrides: dict[str, object]) -> list[tuple[str, object]]:
        """The form's fields with valid values, but ``overrides`` (by name, with or without
        the form's prefix), and its "submit" button if it has one."""
        pairs: list[tuple[str, object]] = []
        for control in form.fields():
            short = control.name.rsplit("-", 1)[-1]
            if control.name in overrides or short in overrides:
                value = overrides.get(control.name, overrides.get(short))
            else:
                value = self.valid(control, form.role)
            if isinstance(value, Twice | list):
                pairs.extend((control.name, v) for v in getattr(value, "values", value))
            elif not isinstance(value, Missing):
                pairs.append((control.name, value))
        submit = next((c for c in form.controls if c.kind == "submit" and "submit" in c.name), None)
        if submit is not None:
            pairs.append((submit.name, submit.value or "y"))
        return pairs

    def legitimately(self, form: Form, overrides=None) -> str:
        """Submit ``form`` with valid values and keep what it does (setting the scene)."""
        response = self.clients[form.role].raw.post(
            form.action, **_encode(self.pairs(form, overrides or {}))
        )
        assert response.status_code in (200, 302), (
            form.key,
            response.status_code,
            _error_summary(response.get_data(as_text=True)),
        )
        self.save_cookies(form.role)
        return response.headers.get("Location", "")

    # Sending hostile values ---------------------------------------------------------------

    def row_counts(self) -> tuple:
        counts = [
            sa.select(sa.func.count()).select_from(table).scalar_subquery()
            for table in db.metadata.sorted_tables
        ]
        return tuple(self.connection.execute(sa.select(*counts)).one())

    def submit(self, form: Form, what: str, request: dict, marker: str | None = None):
        """Send one request inside a savepoint rolled back afterwards, and judge it."""
        self.sent += 1
        db.session.remove()
        savepoint = self.connection.begin_nested()
        writes = _Writes()
        sa.event.listen(self.connection, "before_cursor_execute", writes)
        try:
            response = self.clients[form.role].raw.post(form.action, **request)
            problem = self.judge(response, writes, marker)
        except Exception as error:  # noqa: BLE001 - anything raised is a failure to list
            problem = f"raised {type(error).__name__}: {str(error)[:160]}"
        finally:
            sa.event.remove(self.connection, "before_cursor_execute", writes)
            db.session.remove()
            savepoint.rollback()
            self.restore_cookies(form.role)
            throttle.reset_all()
        if problem:
            self.failures.append(f"{form.key} as {form.role}: {what}: {problem}")

    def judge(self, response, writes: _Writes, marker: str | None) -> str | None:
        status = response.status_code
        self.statuses[status] += 1
        body = response.get_data(as_text=True) if response.mimetype == "text/html" else ""
        if status >= 500:
            return f"answered {status}"
        if status < 300 and 'class="error-summary"' in body:
            return f"answered {status} with errors on the page"
        if status < 400:
            return None  # a legitimate success
        problems = []
        if writes.committed or self.row_counts() != self.counts_before:
            problems.append(f"answered {status} but wrote {writes.committed[:3] or 'rows'}")
        if marker and status not in NO_FORM_STATUSES:
            self.statuses["typed text checked"] += 1
            if marker not in body:
                problems.append(f"answered {status} without the typed text")
        return "; ".join(problems) or None

    def send(self, form: Form, fuzzed: Control | None, what: str, value: object = None):
        """The form with ``value`` in ``fuzzed`` and a marker in another text field."""
        marker = f"mk{self.sent:05d}qz"
        overrides = {} if fuzzed is None else {fuzzed.name: value}
        carrier = self.marker_field(form, fuzzed.name if fuzzed else None)
        if carrier is not None:
            overrides[carrier.name] = self.text(carrier, f"Fuzz text {marker}")
        pairs = self.pairs(form, overrides)
        self.submit(form, what, _encode(pairs), marker if carrier is not None else None)

    def fuzz(self, form: Form, *, sample=False):
        for control in form.fields():
            for label, value in HOSTILE[control.kind].items():
                if not sample or label in SAMPLE[control.kind]:
                    self.send(form, control, f"{control.name} = {label}", value)
        self.send(form, None, "valid values")
        if sample:
            return
        strings = {n: v for n, v in self.pairs(form, {}) if isinstance(v, str)}
        wrongly_typed = {n: [v, {"nested": 1}, None, 12] for n, v in strings.items()}
        for what, request in [
            ("JSON body", {"data": json.dumps(wrongly_typed), "content_type": "application/json"}),
            ("JSON array", {"data": "[1, 2, 3]", "content_type": "application/json"}),
            ("empty body", _encode([])),
        ]:
            self.submit(form, what, request)


def _error_summary(body: str) -> str:
    """The page's list of problems, as text (for assertion messages)."""
    found = re.search(r'<div class="error-summary".*?</div>', body, re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(0) if found else body[:2000]))


def _outbox_link(demo, path_prefix) -> str:
    """The newest link starting with ``path_prefix`` in the demonstration outbox."""
    outbox = Path(demo.config["MAIL_OUTBOX_DIR"]).glob("*.eml")
    for path in sorted(outbox, key=lambda p: p.stat().st_mtime_ns, reverse=True):
        message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
        text = message.get_body(("plain",)).get_content()
        match = re.search(rf"https?://[^/\s]+({re.escape(path_prefix)}\S*)", text)
        if match:
            return match.group(1)
    raise AssertionError(f"no {path_prefix} link in the outbox")


def _set_the_scene(fuzz: Fuzz) -> dict[str, list[str]]:
    """Real actions that bring out the forms the demonstration data does not show; the
    pages where they then appear, per role."""
    seeds: dict[str, list[str]] = {role: [] for role in ROLES}
    # A restricted comment of one's own: invite co-signers, add companies.
    new_comment = fuzz.form_on("stakeholder", f"/consultations/{OPEN_CONSULTATION}/comment")
    companies = next(c for c in new_comment.controls if c.name == "companies").options
    receipt = fuzz.legitimately(
        new_comment, {"audience": "companies", "companies": companies[:1], "display": "country"}
    )
    seeds["stakeholder"].append(receipt.removesuffix("/receipt"))
    # A co-signature, to withdraw.
    cosign = fuzz.find("stakeholder", "comments.cosign")
    fuzz.legitimately(cosign)
    seeds["stakeholder"].append(cosign.page)
    # A flag, for the moderators to dismiss.
    fuzz.legitimately(fuzz.find("company representative", "moderation.flag"))
    seeds["coordinator"].append("/admin/moderation")
    # The draft consultation made publishable (dates, Draft 1 published), with a second
    # draft imported, waiting to be checked and published.
    draft = f"/consultations/{DRAFT_CONSULTATION}"
    today = utcnow().date()
    dates = {"opens_on": 10, "closes_on": 100, "summary_due_on": 200}
    fuzz.legitimately(
        fuzz.form_on("coordinator", f"{draft}/edit"),
        {name: (today + timedelta(days=days)).isoformat() for name, days in dates.items()},
    )
    preview = f"{draft}/import/preview"
    fuzz.legitimately(fuzz.form_on("coordinator", preview, "consultations.publish_version"))
    fuzz.legitimately(
        fuzz.form_on("coordinator", f"{draft}/import"),
        {"text": "# Draft 2\n\nA first paragraph.\n\nA second paragraph.\n"},
    )
    seeds["coordinator"] += [draft, preview]
    # The links sent by email: reset, confirm, change of address, invitation.
    forgot = fuzz.form_on("visitor", "/password/forgot")
    fuzz.legitimately(forgot, {"email": ROLES["stakeholder"]})
    fuzz.legitimately(fuzz.form_on("visitor", "/register"))
    new_address = {"new_email": "amina.new@example.org"}
    fuzz.legitimately(fuzz.form_on("stakeholder", "/account/email"), new_address)
    invite = fuzz.form_on("coordinator", "/admin/companies", "admin.invite")
    fuzz.legitimately(invite, {"email": "new.rep@example.org"})
    seeds["visitor"] += [
        _outbox_link(fuzz.demo, path) for path in ("/password/reset/", "/confirm/", "/invitation/")
    ]
    seeds["stakeholder"].append(_outbox_link(fuzz.demo, "/account/email/confirm/"))
    # Pages the walk rarely meets: a hidden comment, an edited one, one not signed by
    # name, and a request the representative's company has answered.
    comments = sa.select(Comment.reference).where(Comment.withdrawn_at.is_(None)).limit(1)
    seeds["coordinator"] += [
        f"/comments/{db.session.scalar(comments.where(Comment.hidden_at.is_not(None)))}",
        f"/comments/{db.session.scalar(comments.where(Comment.revision_count > 1))}",
    ]
    unsigned = comments.where(Comment.visibility != Visibility.PUBLIC)
    seeds["privacy officer"].append(f"/comments/{db.session.scalar(unsigned)}")
    answered = (
        sa.select(ResponseRequest.reference)
        .join(Response, Response.request_id == ResponseRequest.id)
        .join(User, User.id == Response.author_id)
        .where(User.email == ROLES["company representative"])
        .limit(1)
    )
    seeds["company representative"].append(f"/requests/{db.session.scalar(answered)}")
    # An unsubscribe link, as a notification email carries it (no session needed).
    stakeholder = db.session.scalar(sa.select(User.id).where(User.email == ROLES["stakeholder"]))
    seeds["visitor"].append(f"/unsubscribe/{make_token(stakeholder, 'thread_reply')}")
    return seeds


def test_every_form_answers_hostile_values_with_a_4xx_that_keeps_the_text(demo):
    started = time.monotonic()
    fuzz = Fuzz(demo)
    seeds = _set_the_scene(fuzz)
    found: dict[tuple[str, str], Form] = {}
    for role in ROLES:
        fuzz.walk(role, ["/", "/account", *seeds[role]], found)
    # Every POST route is reached by some role; one the walk missed is looked for on
    # every page (slow: it only happens when the pages change).
    posts = {r.endpoint for r in demo.url_map.iter_rules() if "POST" in r.methods}
    for endpoint in sorted(posts):
        for role in ROLES:
            if not any(key.split()[0] == endpoint for key, _ in found):
                fuzz.walk(role, ["/"], found, until=endpoint)
    assert posts == {key.split()[0] for key, _ in found}, "some forms are not reached"
    walked = time.monotonic() - started

    fuzz.counts_before = fuzz.row_counts()
    in_full: set[str] = set()
    for form in sorted(found.values(), key=lambda form: list(ROLES).index(form.role)):
        fuzz.fuzz(form, sample=form.key in in_full)
        in_full.add(form.key)
    print(
        f"{len(in_full)} forms, {len(found)} forms x roles, {fuzz.sent} submissions "
        f"({dict(fuzz.statuses)}); walk {walked:.1f} s, all {time.monotonic() - started:.1f} s"
    )
    if fuzz.failures:
        pytest.fail(f"{len(fuzz.failures)} failures:\n" + "\n".join(fuzz.failures), pytrace=False)
