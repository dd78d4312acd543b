"""The frozen summaries of the demonstration's closed consultations: reachable from the
consultation's page, data tables that pass axe, and a page that fits a 360 px phone."""

import pytest
from playwright.sync_api import expect

CLOSED = "/consultations/content-removal-demo"  # past its (two-day) window: an addendum
ANSWERED = "/consultations/network-shutdowns-demo"


@pytest.fixture
def demo(demo_app, live_server):
    """The demonstration data, served by the live server; this test only reads it."""
    with live_server.serving(demo_app), demo_app.app_context():
        yield


def _fits_a_phone(page):
    page.set_viewport_size({"width": 360, "height": 740})
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{page.url} is {overflow}px wider than a 360px screen"
    page.set_viewport_size({"width": 1280, "height": 800})


def test_summary_pages_are_tables_that_pass_axe_and_fit_a_phone(
    demo, page, live_server, check_accessibility
):
    page.goto(f"{live_server.url}{CLOSED}")
    page.get_by_role("link", name="Factual summary").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Factual summary")
    expect(page.get_by_role("table", name="Comments by stakeholder category")).to_be_visible()
    expect(page.get_by_role("heading", name="Addendum: company responses")).to_be_visible()
    expect(page.get_by_role("table", name="Northwind Telecom (demo)")).to_be_visible()
    check_accessibility(page)
    _fits_a_phone(page)
    page.goto(f"{live_server.url}{ANSWERED}/summary")
    expect(page.get_by_role("table", name="Comments by section")).to_be_visible()
    check_accessibility(page)
    _fits_a_phone(page)
