"""A stakeholder writes an amendment, previews it, posts it anonymously with region only
and gets the receipt; another organisation co-signs; the author withdraws; a coordinator
hides another comment with a reason. Pages are driven by label and role."""

import re

from playwright.sync_api import expect

from consult.accounts.models import OrganisationKind
from consult.comments import services
from consult.comments.models import AuthorDisplay, CommentKind, Visibility
from consult.consultations.versions import latest_published_version
from consult.extensions import db
from tests import factories
from tests.consultations import factories as consultation_factories


def test_amendment_cosign_withdraw_and_hide(
    page, live_server, sign_in, check_accessibility, outbox
):
    north = factories.company(name="Northwind")
    consultation = consultation_factories.consultation(
        companies=[north], slug="principles", title="Principles"
    )
    factories.stakeholder(
        email="amina@example.org", name="Amina", kind=OrganisationKind.CIVIL_SOCIETY
    )
    factories.stakeholder(email="sara@example.org", name="Sara", kind=OrganisationKind.INVESTOR)
    troll = factories.stakeholder(email="troll@example.org", name="Troll")
    factories.coordinator(email="coord@example.org")
    version = latest_published_version(consultation)
    abusive = services.post_comment(
        consultation,
        services.Draft(
            kind=CommentKind.COMMENT,
            body="Insulting words about a person.",
            visibility=Visibility.PUBLIC,
            display=AuthorDisplay.NAME,
            company_ids=[north.id],
        ),
        author=troll,
        submission_key="troll-1",
        version=version,
    )
    db.session.commit()

    # Amina writes an amendment to §1.1, previews it, and posts it anonymously.
    sign_in(page, "amina@example.org", factories.PASSWORD)
    page.goto(f"{live_server.url}/consultations/principles/draft")
    page.get_by_role("link", name="Comment on §1.1").click()
    check_accessibility(page)
    page.get_by_role("radio", name="Amendment").check()
    page.get_by_label("Your comment").fill("Name **subsidiaries** explicitly.")
    page.get_by_label("Proposed text (for an amendment)").fill(
        "These principles apply to every member company and its subsidiaries."
    )
    page.get_by_label("Everyone", exact=True).check()
    page.get_by_label("My category and my organisation's region").check()
    page.get_by_role("button", name="Preview").click()
    expect(
        page.get_by_role("heading", name="Preview: this is how it will be published")
    ).to_be_visible()
    expect(page.locator(".preview strong")).to_have_text("subsidiaries")
    check_accessibility(page)
    page.get_by_label(re.compile("I understand who will read this")).check()
    page.get_by_role("button", name="Publish my comment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"Receipt C-\w{8}"))
    reference = page.get_by_role("heading", level=1).inner_text().split()[-1]
    expect(page.get_by_text("Received (Europe/Brussels)")).to_be_visible()
    check_accessibility(page)
    assert reference in outbox.text("amina@example.org")
    page.get_by_role("button", name="Sign out").click()

    # Sara's organisation co-signs; she sees a region, never Amina's name.
    sign_in(page, "sara@example.org", factories.PASSWORD)
    page.goto(f"{live_server.url}/comments/{reference}")
    expect(page.get_by_text("Sub-Saharan Africa")).to_be_visible()
    expect(page.get_by_text("Amina")).to_have_count(0)
    page.get_by_label("Category only", exact=True).check()
    page.get_by_role("button", name="Co-sign", exact=True).click()
    expect(page.get_by_text("Your organisation has co-signed this comment.")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    # Amina withdraws it.
    sign_in(page, "amina@example.org", factories.PASSWORD)
    page.goto(f"{live_server.url}/comments/{reference}")
    page.get_by_text("Withdraw the comment").click()
    page.get_by_label(re.compile("I understand the text disappears")).check()
    page.get_by_role("button", name="Withdraw my comment").click()
    expect(page.get_by_text("Withdrawn by the author.")).to_be_visible()
    expect(page.get_by_text("Name subsidiaries explicitly")).to_have_count(0)
    page.get_by_role("button", name="Sign out").click()

    # A coordinator hides the abusive comment with a public reason.
    sign_in(page, "coord@example.org", factories.PASSWORD)
    page.goto(f"{live_server.url}/comments/{abusive.reference}")
    page.get_by_label("Rule broken").select_option(label="It is abusive or threatening")
    page.get_by_label("Public reason (shown in place of the text)").fill(
        "Personal insults are not allowed."
    )
    page.get_by_role("button", name="Hide the comment").click()
    expect(page.get_by_text("The comment is hidden")).to_be_visible()
    check_accessibility(page)
    page.get_by_role("button", name="Sign out").click()
    page.goto(f"{live_server.url}/comments/{abusive.reference}")
    expect(page.get_by_text("Personal insults are not allowed.")).to_be_visible()
    expect(page.get_by_text("Insulting words about a person.")).to_have_count(0)
