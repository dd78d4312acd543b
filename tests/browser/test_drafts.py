"""A coordinator publishes Draft 1 then Draft 2; a visitor reads, follows an old
permalink and compares the versions. Pages are driven by label and role."""

import re
from datetime import timedelta

from playwright.sync_api import expect

from consult.consultations import versions
from consult.consultations.models import Consultation
from consult.db import utcnow
from consult.extensions import db
from tests import factories
from tests.consultations.factories import DRAFT_ONE, DRAFT_TWO


def test_publish_two_drafts_then_read_follow_a_permalink_and_compare(
    page, live_server, sign_in, check_accessibility, tmp_path
):
    factories.coordinator(email="coord@example.org")
    factories.company(name="Northwind (test)")
    today = utcnow().date()

    # The coordinator creates the consultation.
    sign_in(page, "coord@example.org", factories.PASSWORD)
    page.goto(f"{live_server.url}/consultations/")
    page.get_by_role("link", name="New consultation").click()
    check_accessibility(page)
    page.get_by_label("Title", exact=True).fill("Principles on privacy")
    page.get_by_label("Address (slug)").fill("privacy")
    page.get_by_label("Summary", exact=True).fill("What we ask about.")
    page.get_by_label("Northwind (test)").check()
    page.get_by_label("Time zone of the consultation").select_option("Asia/Kolkata")
    page.get_by_label("Commenting opens on").fill((today - timedelta(days=1)).isoformat())
    page.get_by_label("Commenting closes on").fill((today + timedelta(days=82)).isoformat())
    page.get_by_role("button", name="Create the consultation").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Principles on privacy")
    expect(page.get_by_text("Import and publish Draft 1.")).to_be_visible()

    # Draft 1, uploaded as a file, previewed, published; then the consultation.
    page.get_by_role("link", name="Import a new draft").click()
    check_accessibility(page)
    draft_file = tmp_path / "draft-1.md"
    draft_file.write_text(DRAFT_ONE, encoding="utf-8")
    page.get_by_label("Markdown file (.md)").set_input_files(str(draft_file))
    page.get_by_role("button", name="Preview the draft").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Preview of Draft 1 (not published)")
    expect(page.get_by_role("row", name=re.compile(r"§2\.2 Companies assess"))).to_be_visible()
    check_accessibility(page)
    page.get_by_role("button", name="Publish Draft 1").click()
    expect(page.get_by_text("Draft 1 is published")).to_be_visible()
    page.get_by_role("link", name="About this consultation").click()
    page.get_by_role("button", name="Publish the consultation").click()
    expect(page.get_by_text("The consultation is public.")).to_be_visible()
    check_accessibility(page)

    # Draft 2, pasted; the preview shows the matching against Draft 1.
    page.get_by_role("link", name="Import a new draft").click()
    page.get_by_label("Or paste the Markdown").fill(DRAFT_TWO)
    page.get_by_role("button", name="Preview the draft").click()
    expect(page.get_by_role("columnheader", name="Matches in Draft 1")).to_be_visible()
    expect(page.get_by_role("heading", name="Removed from Draft 1")).to_be_visible()
    check_accessibility(page)
    page.get_by_role("button", name="Publish Draft 2").click()
    expect(page.get_by_text("Draft 2 is published")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    consultation = db.session.scalar(db.select(Consultation).filter_by(slug="privacy"))
    draft_one = {p.number: p for p in versions.paragraphs_of(consultation.versions[0])}
    removed_key = draft_one["1.2"].stable_key

    # A visitor reads Draft 2.
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Principles on privacy").click()
    expect(page.get_by_text("Open for comments")).to_be_visible()
    expect(page.get_by_text(re.compile(r"Closes 23:59, .* \(Asia/Kolkata\)"))).to_be_visible()
    check_accessibility(page)
    page.get_by_role("link", name="Read the draft").click()
    expect(page.get_by_role("heading", name="Text of Draft 2")).to_be_visible()
    expect(page.get_by_role("navigation", name="Contents")).to_be_visible()
    expect(page.get_by_role("link", name="Paragraph §3.1")).to_be_visible()
    check_accessibility(page)

    # An old permalink to a paragraph Draft 2 removed leads to Draft 1.
    page.goto(f"{live_server.url}/consultations/privacy/p/{removed_key}")
    expect(page).to_have_url(re.compile(rf"/consultations/privacy/versions/1#{removed_key}$"))
    expect(page.get_by_text("This is an older version.")).to_be_visible()
    expect(page.locator(f"#{removed_key}")).to_contain_text("networks, devices and services")

    # The comparison, then only what changed.
    page.get_by_role("link", name="Compare versions").click()
    expect(page.get_by_text("1 removed")).to_be_visible()
    check_accessibility(page)
    page.get_by_label("Show only what changed").check()
    page.get_by_role("button", name="Compare").click()
    expect(page.get_by_role("article", name="Paragraph 1.1")).to_contain_text("subsidiaries")
    expect(page.locator(".row-unchanged")).to_have_count(0)
    expect(page.locator(".row-removed")).to_have_count(1)
