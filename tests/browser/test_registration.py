"""A newcomer registers, confirms through the outbox email, is approved, and signs in."""

import re

from playwright.sync_api import expect

from tests import factories

PASSPHRASE = "a passphrase nobody guesses"


def test_register_confirm_approve_and_sign_in(
    page, live_server, outbox, sign_in, check_accessibility
):
    factories.coordinator(email="coord@example.org")

    page.goto(f"{live_server.url}/")
    check_accessibility(page)
    page.get_by_role("link", name="Register").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Register")
    check_accessibility(page)
    page.get_by_label("Email", exact=True).fill("Layla@Example.org")
    page.get_by_label("Your name as others will see it").fill("Layla")
    page.get_by_label("Password", exact=True).fill(PASSPHRASE)
    page.get_by_label("Organisation name").fill("Desert Digital Rights")
    page.get_by_label("Kind of organisation").select_option(label="Civil society")
    page.get_by_label("Country of the organisation").select_option(label="Jordan")
    page.get_by_label("Your time zone").select_option("Asia/Amman")
    page.get_by_label(re.compile("I understand that coordinators")).check()
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")

    link = outbox.link("layla@example.org", "/confirm/")
    page.goto(f"{live_server.url}{link}")
    check_accessibility(page)
    page.get_by_role("button", name="Confirm my email").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Email confirmed")

    sign_in(page, "coord@example.org", factories.PASSWORD)
    page.get_by_role("link", name="Registrations").click()
    expect(page.get_by_role("heading", name="Layla")).to_be_visible()
    check_accessibility(page)
    page.get_by_role("button", name="Approve Layla").click()
    expect(page.get_by_text("Registration approved")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, "layla@example.org", PASSPHRASE)
    page.get_by_role("link", name="Your account").click()
    expect(page.get_by_text("Desert Digital Rights (Civil society)")).to_be_visible()
    expect(page.get_by_text("Approved")).to_be_visible()
    check_accessibility(page)
