"""Bad input never breaks a page: hostile values in the path and the query string answer
the page or a 4xx, never a 5xx, and are refused before they reach the database (the 400
of consult.errors' last line of defence counts as a failure here).

The walk goes over ``app.url_map`` on the demonstration data, as a visitor and as each
role. Every GET route is sent with real references (an existing consultation, comment,
request...), as GET and HEAD, so that the views go past their first look-up. Then each
path parameter, and each query parameter the view reads (``VIEW_ARGUMENTS``, from
reading the views), is set in turn to each value of ``HOSTILE``, the others staying
real; and the generic parameters (``GENERIC``) are sent all at once, huge and overlong.
Fewer values (``SAMPLE``) go to a route that refuses the role before reading anything
(sign in first, wrong role), to a public page when signed in (the visitor sends it every
value), and to the path parameters of the POST routes the role reaches (sent without a
form, so nothing is submitted). Failures are collected, so one run lists them all.

A Hypothesis test then draws further values (any text, any integer, odd numerals, the
empty string) for random roles, routes and parameters.
"""

import logging
import re
from dataclasses import dataclass
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st

from consult.accounts.models import Organisation, User, UserStatus, company_slug
from consult.comments.models import Campaign, Comment, Visibility
from consult.commitments.models import Commitment
from consult.consultations.models import Consultation, DocumentVersion, Paragraph
from consult.demo import DEMO_PASSWORD
from consult.extensions import db
from consult.notifications.models import Follow, Notification
from consult.responses.models import Response, ResponseRequest
from tests.conftest import Client

# Each value as sent, percent-encoded where it has to be: one of each kind of trouble.
HOSTILE = {
    "huge number": "9" * 40,
    "2**31 - 1": "2147483647",  # the largest PostgreSQL integer: valid, past every list
    "2**31": "2147483648",  # past PostgreSQL's integer
    "2**63": "9223372036854775808",  # past SQLite's and PostgreSQL's bigint
    "negative": "-1",
    "zero": "0",
    "not a number": "abc",
    "overlong": "x" * 10_000,
    "NUL": "a%00b",
    "control characters": "%01%08%1B%7F%0D%0A",
    "lone surrogate": "%ED%A0%80",
    "invalid UTF-8": "%FF%FE%C0%AF",
    "path traversal": "..%2F..%2F..%2Fetc%2Fpasswd",
    "unicode and markup": "%C3%A9t%C3%A9%E2%80%AE%F0%9F%98%80%EF%BF%BF%3Cscript%3E%27%22",
}
# For a route that refuses the role before reading anything, for public pages seen by a
# signed-in role, and for POST routes.
SAMPLE = ("huge number", "2**31 - 1", "NUL", "lone surrogate", "overlong")
# More values for the Hypothesis test, which also draws any text and any integer.
MORE = (
    "",
    "C-ZZZZZZZZ",
    "0001",
    "%2B1",
    "1.5e3",
    "-9223372036854775809",
    "%00",
    "%5B%5D",
    "1%20",
    "%E2%80%8B",
)

# What each view reads from the query string, from reading the views.
VIEW_ARGUMENTS = {
    "responses.tracker_list": ("measure", "dimension", "key", "company", "page"),
    "responses.tracker_list_all": ("measure", "dimension", "key", "company", "page"),
    "responses.queue": ("consultation", "section", "status", "category", "order", "page"),
    "comments.thread": ("after",),
    "audit.index": ("action", "target_type", "since", "until", "page", "per_page"),
    "consultations.compare": ("old", "new", "changes_only"),
    "accounts.signin": ("next",),
}
# Sent to every route, whether or not it reads them.
GENERIC = (
    "page",
    "after",
    "company",
    "measure",
    "dimension",
    "key",
    "status",
    "order",
    "category",
    "consultation",
    "section",
    "q",
    "next",
    "per_page",
    # Names url_for() would take as its own arguments, were a query passed to it as keywords.
    "endpoint",
    "_external",
    "_scheme",
    "_anchor",
    "_method",
)

ROLES = {
    "visitor": None,
    "stakeholder": "amina@openlines.demo",
    "company representative": "rep@northwind.demo",
    "coordinator": "coordinator@consult.demo",
    "privacy officer": "privacy@consult.demo",
}

PARAMETER = re.compile(r"<(?:[^<>]*:)?(\w+)>")


@dataclass
class Real:
    """Existing references in the demonstration data, so views get past their look-ups."""

    path: dict  # argument, or (endpoint, argument) -> value
    query: dict  # endpoint -> a query string the view accepts

    def value(self, rule, argument) -> str:
        found = self.path.get((rule.endpoint, argument), self.path.get(argument))
        assert found is not None, f"no real value for {argument} in {rule.rule}"
        return quote(str(found), safe="")


def _one(statement):
    value = db.session.scalar(statement.limit(1))
    assert value is not None, statement
    return value


def _real_references(client) -> Real:
    slug = "network-shutdowns-demo"
    author = _one(sa.select(User).where(User.email == ROLES["stakeholder"]))
    company = _one(
        sa.select(User.organisation_id).where(User.email == ROLES["company representative"])
    )
    comment = _one(
        sa.select(Comment)
        .join(Consultation, Consultation.id == Comment.consultation_id)
        .where(
            Consultation.slug == slug,
            Comment.visibility == Visibility.PUBLIC,
            Comment.paragraph_id.is_not(None),
        )
        .order_by((Comment.author_id == author.id).desc(), Comment.id)
    )
    # The representative's company's, so that its page opens for them and coordinators.
    request = _one(
        sa.select(ResponseRequest.reference)
        .where(ResponseRequest.company_id == company)
        .order_by(ResponseRequest.id)
    )
    with_commitments = _one(
        sa.select(Organisation).join(Commitment, Commitment.company_id == Organisation.id)
    )
    two_versions = _one(
        sa.select(Consultation.slug)
        .join(DocumentVersion, DocumentVersion.consultation_id == Consultation.id)
        .group_by(Consultation.slug)
        .having(sa.func.count() > 1)
    )
    commitment = _one(sa.select(Commitment.reference).order_by(Commitment.id))
    path = {
        "slug": slug,
        "key": _one(sa.select(Paragraph.stable_key).where(Paragraph.id == comment.paragraph_id)),
        "number": 1,
        "user_id": _one(sa.select(User.id).where(User.status == UserStatus.PENDING)),
        # The stakeholder's own notification and follow (the demonstration has both).
        "notification_id": _one(
            sa.select(Notification.id).where(Notification.user_id == author.id)
        ),
        "follow_id": _one(sa.select(Follow.id).where(Follow.user_id == author.id)),
        "target": "consultation",
        "token": "not-a-token",
        "filename": "css/consult.css",
        "action": "answer",
        "reference": comment.reference,
        "name": company_slug(with_commitments.name),
        ("comments.campaign", "reference"): _one(
            sa.select(Campaign.reference).where(Campaign.formed_at.is_not(None))
        ),
        ("responses.edit", "reference"): _one(sa.select(Response.reference)),
        ("responses.rejoinder", "reference"): _one(sa.select(Response.reference)),
        ("consultations.compare", "slug"): two_versions,
    }
    for endpoint in ("request_page", "respond", "extend", "reassign", "void"):
        path[(f"responses.{endpoint}", "reference")] = request
    for endpoint in ("show", "confirm", "reject", "change_status"):
        path[(f"commitments.{endpoint}", "reference")] = commitment

    # A drill-down link as the tracker page gives it.
    tracker = client.get(f"/consultations/{slug}/tracker").get_data(as_text=True)
    link = re.search(r'href="/consultations/[^"/]+/tracker/list\?([^"]+)"', tracker)
    assert link, "no drill-down link on the tracker"
    drill = link.group(1).replace("&amp;", "&")
    query = {
        "responses.tracker_list": drill,
        "responses.tracker_list_all": drill,
        "responses.queue": "status=all",
        "consultations.compare": "old=1&new=2",
    }
    return Real(path, query)


def _url(rule, real: Real, hostile: tuple[str, str] | None = None) -> str:
    """The rule's path with real values, but ``hostile`` (argument, value) in one place."""

    def fill(match):
        argument = match.group(1)
        if hostile is not None and hostile[0] == argument:
            return hostile[1]
        return real.value(rule, argument)

    return PARAMETER.sub(fill, rule.rule)


def _with(query: str, name: str, value: str) -> str:
    """``query`` with ``name`` set to ``value`` (sent as given)."""
    kept = [part for part in query.split("&") if part and part.split("=")[0] != name]
    return "&".join([*kept, f"{name}={value}"])


class Refusals(logging.Handler):
    """The last line of defence's log lines (consult.errors): a value reached the
    database, which refused it. Its 400 is no clear message: pages must refuse first."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        if "database refused a value" in record.getMessage():
            self.messages.append(record.getMessage())


@pytest.fixture
def refusals(demo):
    handler = Refusals()
    demo.logger.addHandler(handler)
    yield handler.messages
    demo.logger.removeHandler(handler)


class Walk:
    """Sends requests and keeps every 5xx, exception or database refusal for the report."""

    def __init__(self, client, role, refusals):
        self.client = client
        self.role = role
        self.refusals = refusals
        self.failures: list[str] = []
        self.sent = 0

    def send(self, method, path, query=""):
        self.sent += 1
        try:
            response = self.client.raw.open(path, method=method, query_string=query)
        except Exception as error:  # anything raised is a failure to report
            self._fail(method, path, query, f"raised {type(error).__name__}: {error!s:.200}")
            return None
        if response.status_code >= 500:
            self._fail(method, path, query, response.status_code)
        if self.refusals:
            self._fail(method, path, query, f"{response.status_code}: {self.refusals[0]}")
            self.refusals.clear()
        return response

    def _fail(self, method, path, query, what):
        query = f"?{query:.150}" if query else ""
        self.failures.append(f"{self.role}: {method} {path:.150}{query} -> {what}")


def _client(demo, role) -> Client:
    client = Client(demo.test_client())
    if ROLES[role] is not None:
        user = db.session.scalar(sa.select(User).where(User.email == ROLES[role]))
        client.sign_in(user, password=DEMO_PASSWORD)
    return client


def _rules(app, method):
    rules = (r for r in app.url_map.iter_rules() if r.methods and method in r.methods)
    return sorted(rules, key=lambda r: (r.rule, r.endpoint))


def _reached(response) -> bool:
    """The view read its parameters: neither refused nor sent to sign in first."""
    if response is None or response.status_code in (401, 403):
        return False
    return not response.headers.get("Location", "").startswith(
        ("/signin", "http://consult.test/signin")
    )


@pytest.fixture
def real(demo):
    return _real_references(Client(demo.test_client()))


@pytest.mark.parametrize("role", ROLES)
def test_hostile_values_never_answer_5xx(demo, real, refusals, role):
    walk = Walk(_client(demo, role), role, refusals)
    for rule in _rules(demo, "GET"):
        path, query = _url(rule, real), real.query.get(rule.endpoint, "")
        reached = _reached(walk.send("GET", path, query))
        walk.send("HEAD", path, query)
        # A public page reads its parameters the same way for everyone: the visitor
        # sends it every value, the roles signed in a sample.
        public = getattr(demo.view_functions[rule.endpoint], "is_public", False)
        names = HOSTILE if reached and (role == "visitor" or not public) else SAMPLE
        for argument in sorted(rule.arguments):
            for name in names:
                walk.send("GET", _url(rule, real, (argument, HOSTILE[name])), query)
        if not reached:
            continue
        for parameter in VIEW_ARGUMENTS.get(rule.endpoint, ()):
            for name in names:
                walk.send("GET", path, _with(query, parameter, HOSTILE[name]))
        for name in ("huge number", "overlong"):
            walk.send("GET", path, "&".join(f"{p}={HOSTILE[name]}" for p in GENERIC))
    for rule in _rules(demo, "POST"):
        if rule.arguments and _reached(walk.send("POST", _url(rule, real))):
            for argument in sorted(rule.arguments):
                for name in SAMPLE:
                    walk.send("POST", _url(rule, real, (argument, HOSTILE[name])))
    assert not walk.failures, f"{len(walk.failures)} of {walk.sent} requests:\n" + "\n".join(
        walk.failures
    )


def _encoded(text: str) -> str:
    return quote(text, safe="", errors="surrogatepass")  # a lone surrogate as %ED%A0%80


VALUES = st.one_of(
    st.sampled_from([*HOSTILE.values(), *MORE]),
    st.integers().map(str),
    st.text(max_size=50).map(_encoded),
)


def test_drawn_values_never_answer_5xx(demo, real, refusals):
    clients = {role: _client(demo, role) for role in ROLES}
    rules = _rules(demo, "GET")
    failures: list[str] = []

    @settings(max_examples=200, deadline=None, database=None)
    @given(
        role=st.sampled_from(list(ROLES)),
        rule=st.sampled_from(rules),
        where=st.integers(min_value=0),
        value=VALUES,
    )
    def request(role, rule, where, value):
        places = [("path", a) for a in sorted(rule.arguments)] + [
            ("query", q) for q in (*VIEW_ARGUMENTS.get(rule.endpoint, ()), *GENERIC)
        ]
        place, name = places[where % len(places)]
        walk = Walk(clients[role], role, refusals)
        query = real.query.get(rule.endpoint, "")
        if place == "path":
            walk.send("GET", _url(rule, real, (name, value)), query)
        else:
            walk.send("GET", _url(rule, real), _with(query, name, value))
        failures.extend(walk.failures)

    request()
    assert not failures, "\n".join(sorted(set(failures)))
