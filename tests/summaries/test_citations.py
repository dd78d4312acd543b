"""Citations in the narrative summary: §3.2 resolved by stable key in the declared
version; comment references linked only where the reader may open the comment, and
otherwise the same plain text as an unknown reference."""

import re

import pytest

from consult.comments import services as comment_services
from consult.comments.models import Visibility
from consult.consultations.versions import paragraphs_of
from consult.extensions import db
from consult.moderation.models import FlagReason
from consult.moderation.services import hide_comment
from consult.permissions import VISITOR
from consult.summaries import citations
from consult.summaries.narrative_pages import links_for, summary_html
from tests import factories
from tests.consultations.factories import DRAFT_ONE, publish_draft
from tests.summaries.conftest import new_place

UNKNOWN = "C-ZZZZZZZZ"


@pytest.fixture(autouse=True)
def _request(app):
    """Links are built as in a page: in a request (not from SERVER_NAME, which the
    browser tests' live server clears for the rest of the run)."""
    with app.test_request_context("/"):
        yield


def _html(place, text, viewer=VISITOR, version=None):
    return str(
        summary_html(
            place.consultation,
            version or place.version,
            text,
            viewer,
            links_for(place.consultation),
        )
    )


def _as_unknown(place, reference, viewer=VISITOR):
    """The reference's rendering, with the reference itself swapped for a placeholder."""
    return _html(place, f"As {reference} says.", viewer).replace(reference, "REF")


def test_paragraph_citations_link_to_the_paragraph_by_its_stable_key(place):
    key = place.paragraph("1.1").stable_key
    page = _html(place, "See §1.1 and § 1.1, but not §9.9 nor §1.1.5.")
    slug = place.consultation.slug
    assert page.count(f'/consultations/{slug}/p/{key}"') == 2
    assert "§9.9" in page and "/p/" not in page.split("§9.9")[1].split("</p>")[0]


def test_a_later_draft_that_renumbers_the_paragraph_breaks_nothing(place):
    key = place.paragraph("1.1").stable_key
    # Draft 2 puts a new section first: Draft 1's §1.1 becomes §2.1.
    publish_draft(place.consultation, "# A new first section\n\nNew text.\n\n" + DRAFT_ONE)
    renumbered = {p.stable_key: p.number for p in paragraphs_of(place.consultation.versions[-1])}
    assert renumbered[key] == "2.1"
    page = _html(place, "See §1.1.", version=place.version)  # the summary declares Draft 1
    assert f"/p/{key}" in page


@pytest.fixture
def comments(place):
    other = new_place()
    public = place.post(factories.stakeholder(), Visibility.PUBLIC)
    anonymous = place.post(factories.stakeholder(), Visibility.ANONYMOUS)
    restricted = place.post(factories.stakeholder(), Visibility.RESTRICTED)
    confidential = place.post(factories.stakeholder(), Visibility.CONFIDENTIAL)
    hidden = place.post(factories.stakeholder(), Visibility.PUBLIC)
    hide_comment(
        hidden,
        moderator=factories.coordinator(),
        reason_code=FlagReason.ABUSE,
        reason="Abusive.",
    )
    withdrawn = place.post(factories.stakeholder(), Visibility.PUBLIC)
    comment_services.withdraw_comment(withdrawn, author=withdrawn.author, remove_name=False)
    elsewhere = other.post(factories.stakeholder(), Visibility.PUBLIC)
    db.session.commit()
    return dict(
        public=public,
        anonymous=anonymous,
        restricted=restricted,
        confidential=confidential,
        hidden=hidden,
        withdrawn=withdrawn,
        elsewhere=elsewhere,
    )


def test_open_comments_are_links(place, comments):
    for name in ("public", "anonymous"):
        reference = comments[name].reference
        assert f'/comments/{reference}"' in _html(place, f"As {reference} says.")


@pytest.mark.parametrize("name", ["restricted", "confidential", "hidden", "withdrawn", "elsewhere"])
def test_a_reference_the_visitor_may_not_open_renders_like_an_unknown_one(place, comments, name):
    reference = comments[name].reference
    assert _as_unknown(place, reference) == _as_unknown(place, UNKNOWN)
    assert "<a" not in _html(place, f"As {reference} says.")


def test_whether_a_reference_is_a_link_depends_on_the_reader(place, comments):
    restricted = comments["restricted"]
    reference = restricted.reference
    addressed = factories.company_rep(place.company)
    assert f'/comments/{reference}"' in _html(place, reference, addressed)
    assert _as_unknown(place, reference, factories.company_rep()) == _as_unknown(
        place, UNKNOWN, factories.company_rep()
    )
    confidential = comments["confidential"].reference
    assert _as_unknown(place, confidential, addressed) == _as_unknown(place, UNKNOWN, addressed)


def test_code_links_and_markup_are_left_alone(place, comments):
    reference = comments["public"].reference
    page = _html(
        place,
        f"`{reference}` and [{reference}](https://example.org) and <b>{reference}</b> "
        f"[x](javascript:alert(1))",
    )
    assert f"<code>{reference}</code>" in page
    assert page.count("<a ") == 2  # the written link and the bare reference in <b>…</b> text
    assert "javascript" not in re.sub(r"\[x\]\(javascript:alert\(1\)\)", "", page)
    assert "<b>" not in page


def test_cited_finds_each_kind():
    numbers, references = citations.cited(
        ["§3.2, §0.1 and C-7K3Q9XPD; not C-7k3q9xpd or xC-7K3Q9XPD"]
    )
    assert numbers == {"3.2", "0.1"}
    assert references == {"C-7K3Q9XPD"}
