"""Atom feeds of updates, per consultation and site-wide: valid Atom, public content only.

Parsed with the standard library's xml.etree rather than feedparser: feedparser is
lenient by design (a malformed feed only sets its ``bozo`` flag), while xml.etree refuses
anything that is not well-formed XML, and the checks below then require what RFC 4287
requires of a feed and its entries. It also adds no dependency (feedparser needs
sgmllib3k, published only as a source archive).
"""

import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest

from consult.consultations.models import Phase
from consult.extensions import db
from consult.tracking.models import UpdateKind
from consult.tracking.services import post_update
from tests import factories
from tests.consultations import factories as cf

ATOM = "{http://www.w3.org/2005/Atom}"
NOW = datetime(2027, 2, 1, 12, tzinfo=UTC)


def parse(response):
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    # Strict: refuses anything but well-formed XML. (S314: our own response, not untrusted.)
    root = ET.fromstring(response.data)  # noqa: S314
    assert root.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated"):
        assert (root.findtext(f"{ATOM}{name}") or "").strip(), name
    assert root.find(f"{ATOM}author/{ATOM}name") is not None  # or one in every entry
    links = {link.get("rel"): link.get("href") for link in root.findall(f"{ATOM}link")}
    assert set(links) == {"self", "alternate"}
    for entry in root.findall(f"{ATOM}entry"):
        for name in ("id", "title", "updated", "published"):
            assert (entry.findtext(f"{ATOM}{name}") or "").strip(), name
        datetime.fromisoformat(entry.findtext(f"{ATOM}updated"))
        [link] = entry.findall(f"{ATOM}link")
        # No rel means "alternate" (RFC 4287, 4.2.7.2).
        assert link.get("rel", "alternate") == "alternate"
        assert link.get("href") == entry.findtext(f"{ATOM}id")
        assert entry.find(f"{ATOM}content").get("type") == "html"
    return root, links


def path(url):
    """The address without its host (the tests' host name depends on what ran before)."""
    parts = urlsplit(url)
    return parts.path + (f"#{parts.fragment}" if parts.fragment else "")


def entries(root):
    return [
        {
            "id": e.findtext(f"{ATOM}id"),
            "title": e.findtext(f"{ATOM}title"),
            "content": e.findtext(f"{ATOM}content"),
            "updated": datetime.fromisoformat(e.findtext(f"{ATOM}updated")),
            "author": e.findtext(f"{ATOM}author/{ATOM}name"),
        }
        for e in root.findall(f"{ATOM}entry")
    ]


def post(consultation, title, *, author, at, body="Some **progress**.", kind=UpdateKind.PROGRESS):
    return post_update(consultation, kind=kind, title=title, body=body, author=author, now=at)


@pytest.fixture
def world():
    coordinator = factories.coordinator(name="Coordinator Secret Name", email="c@coord.example")
    public = cf.consultation(title="Public one")
    other = cf.consultation(title="Other public one")
    draft = cf.consultation(title="Still a draft", phase=Phase.DRAFT)
    first = post(public, "First", author=coordinator, at=NOW)
    second = post(
        public,
        "Second",
        author=coordinator,
        at=NOW + timedelta(days=1),
        body="<script>alert(1)</script> [x](javascript:alert(1)) *fine*",
        kind=UpdateKind.DELAY,
    )
    elsewhere = post(other, "Elsewhere", author=coordinator, at=NOW + timedelta(hours=1))
    hidden = post(draft, "Draft news", author=coordinator, at=NOW + timedelta(days=2))
    db.session.commit()
    return dict(
        coordinator=coordinator,
        public=public,
        draft=draft,
        updates=dict(first=first, second=second, elsewhere=elsewhere, hidden=hidden),
    )


def test_the_feed_of_one_consultation(client, world):
    public = world["public"]
    root, links = parse(client.get(f"/consultations/{public.slug}/updates.atom"))
    assert path(links["self"]) == f"/consultations/{public.slug}/updates.atom"
    assert path(links["alternate"]) == f"/consultations/{public.slug}/updates"
    found = entries(root)
    assert [e["title"] for e in found] == ["Delay notice: Second", "Progress update: First"]
    second = world["updates"]["second"]
    assert urlsplit(found[0]["id"]).scheme == "http"  # absolute addresses
    assert path(found[0]["id"]) == f"/consultations/{public.slug}/updates#{second.reference}"
    assert found[0]["updated"] == NOW + timedelta(days=1)
    assert found[1]["content"].strip() == "<p>Some <strong>progress</strong>.</p>"
    assert root.findtext(f"{ATOM}updated").startswith("2027-02-02T12:00:00")
    # The sanitiser's output: no script, no javascript: link, emphasis kept.
    assert "<script" not in found[0]["content"] and 'href="javascript' not in found[0]["content"]
    assert "<em>fine</em>" in found[0]["content"]
    assert found[0]["author"] == "Coordinators of Public one"


@pytest.mark.parametrize("signed_in", [False, True])
def test_the_site_feed_carries_only_public_content_whoever_asks(client, world, signed_in):
    if signed_in:  # a coordinator's browser sees drafts on the pages, never in a feed
        client.sign_in(world["coordinator"])
    response = client.get("/updates.atom")
    root, links = parse(response)
    assert path(links["self"]) == "/updates.atom"
    titles = [e["title"] for e in entries(root)]
    assert titles == [
        "Delay notice: Second",
        "Progress update: Elsewhere",
        "Progress update: First",
    ]
    text = response.get_data(as_text=True)
    assert "Draft news" not in text and "Still a draft" not in text
    draft = world["draft"]
    assert client.get(f"/consultations/{draft.slug}/updates.atom").status_code == 404
    # No account, name, address or database id of anyone.
    assert "Coordinator Secret Name" not in text and "coord.example" not in text
    for update in world["updates"].values():
        assert not re.search(rf"[/=#]{update.id}\b", text)


def test_an_empty_feed_is_still_a_valid_feed(client):
    quiet = cf.consultation(title="Quiet")
    root, _ = parse(client.get(f"/consultations/{quiet.slug}/updates.atom"))
    assert entries(root) == []


def test_pages_point_to_their_feeds(client, world):
    slug = world["public"].slug
    atom = re.compile(
        r'<link rel="alternate" type="application/atom\+xml" title="[^"]+" href="([^"]+)">'
    )
    for url in (
        f"/consultations/{slug}",
        f"/consultations/{slug}/timeline",
        f"/consultations/{slug}/updates",
    ):
        assert atom.findall(client.get(url).get_data(as_text=True)) == [
            f"/consultations/{slug}/updates.atom"
        ], url
    assert atom.findall(client.get("/").get_data(as_text=True)) == ["/updates.atom"]
    client.sign_in(world["coordinator"])
    draft_page = client.get(f"/consultations/{world['draft'].slug}").get_data(as_text=True)
    assert atom.findall(draft_page) == []  # a draft has no feed
