"""A coordinator posts an update and keeps the milestones, on a 360 px phone, without
JavaScript; a visitor sees the slip at the top of the page. axe-core checks each page."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from consult.db import utcnow
from tests import factories
from tests.consultations import factories as cf

PHONE = {"width": 360, "height": 740}


def fits_the_screen(page):
    """Nothing wider than the viewport: no sideways scrolling on a phone."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url}: {width}px wide"


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport=PHONE)
    yield context.new_page()
    context.close()


@pytest.fixture
def phone_without_javascript(browser):
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    yield context.new_page()
    context.close()


def test_a_coordinator_keeps_the_timeline_without_javascript(
    phone_without_javascript, phone, live_server, sign_in, check_accessibility
):
    factories.coordinator(email="coord@example.org")
    consultation = cf.consultation(title="Principles on privacy", timezone="America/Santiago")
    today = utcnow().date()
    first, later = today + timedelta(days=20), today + timedelta(days=65)
    page = phone_without_javascript
    sign_in(page, "coord@example.org", factories.PASSWORD)

    page.goto(f"{live_server.url}/consultations/{consultation.slug}")
    page.get_by_role("link", name="Post an update").click()
    page.get_by_label("Kind of update").select_option("progress")
    page.get_by_label("Title").fill("Where things stand")
    page.get_by_label("Text").fill("We have read **every** comment so far.")
    page.get_by_role("button", name="Publish the update").click()
    expect(page.get_by_text("The update is published.")).to_be_visible()
    expect(page.get_by_role("heading", name="Progress update: Where things stand")).to_be_visible()

    page.goto(f"{live_server.url}/consultations/{consultation.slug}")
    page.get_by_role("link", name="Plan a milestone").click()
    page.get_by_label("Milestone").select_option("final_principles")
    page.get_by_label("Planned date").fill(first.isoformat())
    page.get_by_role("button", name="Put it on the timeline").click()
    expect(page.get_by_text("The milestone is on the timeline.")).to_be_visible()

    page.get_by_role("link", name="Change Final principles").click()
    page.get_by_label("New planned date").fill(later.isoformat())
    page.get_by_role("button", name="Change the date").click()  # no reason: refused, kept
    expect(page.get_by_text("There is a problem")).to_be_visible()
    expect(page.get_by_label("New planned date")).to_have_value(later.isoformat())
    page.get_by_label("Public reason").fill("A second round of comments.")
    page.get_by_role("button", name="Change the date").click()
    expect(page.get_by_text("The new date is on the timeline")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("Final principles"))).to_contain_text(
        "slipped 45 days"
    )

    # A visitor's phone, with JavaScript: the slip and the last update are at the top.
    visitor = phone
    for url in (
        f"/consultations/{consultation.slug}",
        f"/consultations/{consultation.slug}/timeline",
        f"/consultations/{consultation.slug}/updates",
        "/",
    ):
        visitor.goto(f"{live_server.url}{url}")
        check_accessibility(visitor)
        fits_the_screen(visitor)
    visitor.goto(f"{live_server.url}/consultations/{consultation.slug}")
    outlook = visitor.locator(".outlook")
    expect(outlook).to_contain_text("Slipped: Final principles")
    expect(outlook).to_contain_text("slipped 45 days")
    expect(outlook).to_contain_text("Last progress update today")
    expect(outlook).to_contain_text("America/Santiago")
