"""A coordinator writes, previews and publishes the narrative summary, then a second
revision; a visitor reads both revisions and downloads the PDF; on a 360 px phone
too. axe finds no WCAG 2.1 A/AA violation on these pages."""

import re
from datetime import timedelta

from playwright.sync_api import expect

from consult.comments.models import Visibility
from consult.extensions import db
from consult.summaries.services import freeze_due
from tests import factories
from tests.summaries.conftest import CLOSES_AT, new_place


def _fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_write_preview_publish_revise_then_read_and_download(
    page, live_server, sign_in, check_accessibility, tmp_path
):
    place = new_place(slug="closed-consultation")
    public = place.post(factories.stakeholder(), Visibility.PUBLIC, body="Define appeals.")
    confidential = place.post(factories.stakeholder(), Visibility.CONFIDENTIAL)
    freeze_due(CLOSES_AT + timedelta(days=40))
    db.session.commit()
    factories.coordinator(email="coord@example.org")
    summary = f"{live_server.url}/consultations/closed-consultation/summary/narrative"

    # The coordinator: the summary is overdue; writes it, citing a paragraph and comments.
    sign_in(page, "coord@example.org", factories.PASSWORD)
    page.goto(f"{live_server.url}/consultations/closed-consultation")
    expect(page.get_by_text(re.compile(r"Summary overdue by \d+ days"))).to_be_visible()
    page.get_by_role("link", name="Summary of the consultation").click()
    check_accessibility(page)
    page.get_by_role("link", name="Write the summary").click()
    check_accessibility(page)
    page.get_by_label("Summary", exact=True).fill(
        f"## What we heard\n\nMost asked about §1.1, as {public.reference} did; "
        f"{confidential.reference} too.\n\nملخص المشاورة"
    )
    page.get_by_role("button", name="Save the draft and preview it").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Preview of revision 1 (not published)"
    )
    preview = page.get_by_role("region", name="As a visitor will see it")
    expect(preview.get_by_role("link", name="§1.1")).to_be_visible()
    expect(preview.get_by_role("link", name=public.reference)).to_be_visible()
    expect(preview.get_by_role("link", name=confidential.reference)).to_have_count(0)
    expect(page.get_by_text("Nothing found")).to_be_visible()
    check_accessibility(page)
    page.get_by_role("button", name="Publish revision 1").click()
    expect(page.get_by_text("Revision 1 of the summary is published.")).to_be_visible()
    check_accessibility(page)

    # A second revision, with its public note.
    page.get_by_role("link", name="Write the next revision").click()
    page.get_by_label("Summary", exact=True).fill("## What we heard\n\nRevised: §1.1 changes.")
    page.get_by_label("What changed since the last revision").fill("We corrected §1.1.")
    page.get_by_role("button", name="Save the draft and preview it").click()
    page.get_by_role("button", name="Publish revision 2").click()
    expect(page.get_by_text("Revision 2 of the summary is published.")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    # A visitor reads both revisions and downloads the PDF.
    page.goto(summary)
    expect(page.get_by_role("heading", name="What changed in this revision")).to_be_visible()
    expect(page.get_by_text("We corrected")).to_be_visible()
    expect(page.get_by_role("link", name="Write the next revision")).to_have_count(0)
    check_accessibility(page)
    page.get_by_role("link", name="Revision 1", exact=True).click()
    expect(page.get_by_text("Superseded")).to_be_visible()
    expect(page.get_by_text("Most asked about")).to_be_visible()
    check_accessibility(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the PDF").click()
    path = tmp_path / "summary.pdf"
    download.value.save_as(path)
    assert path.read_bytes().startswith(b"%PDF-")

    # On a 360 px phone.
    page.set_viewport_size({"width": 360, "height": 740})
    for url in (summary, f"{summary}/revisions/1"):
        page.goto(url)
        assert _fits_the_screen(page), url
        check_accessibility(page)
    # Printing hides the site's navigation and the buttons.
    page.emulate_media(media="print")
    expect(page.get_by_role("link", name="Download the PDF")).to_be_hidden()
    expect(page.get_by_role("navigation", name="Main")).to_be_hidden()
