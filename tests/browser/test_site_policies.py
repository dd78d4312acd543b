"""The policies in a real browser: a coordinator publishes a version, a visitor reads
it and the demonstration's, every page passes axe and fits a 360 px phone."""

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.consultations import factories as consultation_factories

OPEN = "/consultations/privacy-and-freedom-of-expression-demo"


def _fits_a_phone(page):
    page.set_viewport_size({"width": 360, "height": 740})
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{page.url} is {overflow}px wider than a 360px screen"
    page.set_viewport_size({"width": 1280, "height": 800})


@pytest.fixture
def demo(demo_app, live_server):
    """The demonstration data, served by the live server; only read here."""
    with live_server.serving(demo_app), demo_app.app_context():
        yield


def test_the_demonstration_policies_read_well(demo, page, live_server, check_accessibility):
    page.goto(f"{live_server.url}/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Policies").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Policies")
    expect(page.get_by_text("Demonstration text.")).to_be_visible()
    expect(page.get_by_text("Privacy Officer (demo), Privacy officer, secretariat")).to_be_visible()
    check_accessibility(page)
    _fits_a_phone(page)
    page.get_by_role("link", name="Every version and what changed").click()
    page.get_by_role("link", name="Version 1", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Policies, version 1")
    check_accessibility(page)
    _fits_a_phone(page)
    page.goto(f"{live_server.url}{OPEN}")
    page.get_by_role("link", name="Policies of this consultation").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Policies of this consultation")
    check_accessibility(page)
    _fits_a_phone(page)


def test_a_coordinator_publishes_a_version_a_visitor_reads(
    page, live_server, sign_in, check_accessibility
):
    coordinator = factories.coordinator(email="carla@example.org")
    consultation_factories.consultation(slug="principles")
    sign_in(page, coordinator.email, factories.PASSWORD)
    page.goto(f"{live_server.url}/policies")
    page.get_by_role("link", name="Edit the policies").click()
    check_accessibility(page)
    _fits_a_phone(page)
    page.get_by_role("textbox", name="Moderation").fill("Nothing is ever deleted by moderation.")
    page.get_by_role("button", name="Publish this version").click()
    # No note of what changed: refused, with the text kept.
    expect(page.get_by_text("Say what changed in this version")).to_have_count(2)
    expect(page.get_by_role("textbox", name="Moderation")).to_have_value(
        "Nothing is ever deleted by moderation."
    )
    check_accessibility(page)
    page.get_by_label("What changed in this version").fill("First version.")
    page.get_by_role("button", name="Publish this version").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Policies, version 1")
    expect(page.get_by_text("Nothing is ever deleted by moderation.")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    page.goto(f"{live_server.url}/policies")
    expect(page.get_by_text("Version 1, published")).to_be_visible()
    expect(page.get_by_text("Nothing is ever deleted by moderation.")).to_be_visible()
    check_accessibility(page)
