"""A stakeholder follows a paragraph; someone comments there and a company answers her
own comment; the count in the header rises, and the notification leads to the answer.
The notifications and settings pages pass axe and fit a 360 px phone."""

import re

from playwright.sync_api import expect

from consult.accounts.models import OrganisationKind
from consult.comments import services
from consult.comments.models import AuthorDisplay, CommentKind, Visibility
from consult.consultations.versions import latest_published_version
from consult.extensions import db
from consult.responses import actions
from consult.responses.models import Position, ResponseKind, ResponseRequest
from tests import factories
from tests.consultations import factories as consultation_factories


def _post(consultation, version, paragraph, author, body, key):
    comment = services.post_comment(
        consultation,
        services.Draft(
            kind=CommentKind.COMMENT,
            body=body,
            visibility=Visibility.PUBLIC,
            display=AuthorDisplay.NAME,
            company_ids=[c.id for c in consultation.companies],
        ),
        author=author,
        submission_key=key,
        paragraph=paragraph,
        version=version,
    )
    db.session.commit()
    return comment


def _fits_a_phone(page):
    page.set_viewport_size({"width": 360, "height": 740})
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{page.url} is {overflow}px wider than a 360px screen"
    page.set_viewport_size({"width": 1280, "height": 800})


def test_following_a_paragraph_and_an_answer_raise_the_count(
    page, live_server, sign_in, check_accessibility
):
    north = factories.company(name="Northwind")
    consultation = consultation_factories.consultation(
        companies=[north], slug="principles", title="Principles", timezone="Asia/Kolkata"
    )
    amina = factories.stakeholder(
        email="amina@example.org", name="Amina", kind=OrganisationKind.CIVIL_SOCIETY
    )
    rep = factories.company_rep(north, email="north@example.org")
    version = latest_published_version(consultation)
    paragraph = next(p for p in version.paragraphs if p.number == "1.1")
    own = _post(consultation, version, paragraph, amina, "Name subsidiaries.", "mine")

    sign_in(page, "amina@example.org", factories.PASSWORD)
    header_link = page.get_by_role("navigation", name="Main").get_by_role(
        "link", name=re.compile(r"^Notifications")
    )
    expect(header_link).to_have_text(re.compile(r"^Notifications\s*1 unread$"))  # the sign-in

    page.goto(f"{live_server.url}/consultations/principles/p/{paragraph.stable_key}/comments")
    page.get_by_role("button", name="Follow this paragraph").click()
    expect(page.get_by_text("You follow it now")).to_be_visible()
    expect(page.get_by_role("button", name="Unfollow this paragraph")).to_be_visible()

    # Someone else comments on the paragraph, and Northwind answers Amina's comment.
    db.session.rollback()  # end this thread's read: the live server has written since
    _post(consultation, version, paragraph, factories.stakeholder(), "Cover devices.", "theirs")
    request = db.session.scalars(
        db.select(ResponseRequest).where(ResponseRequest.comment_id == own.id)
    ).one()
    response = actions.post_response(
        request,
        representative=rep,
        kind=ResponseKind.ANSWER,
        body="We will name them in Draft 2.",
        submission_key="answer",
        position=Position.AGREE,
    )
    db.session.commit()

    page.reload()
    expect(header_link).to_have_text(re.compile(r"^Notifications\s*3 unread$"))
    header_link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Notifications")
    check_accessibility(page)
    _fits_a_phone(page)
    expect(page.get_by_text(re.compile(r"^A new comment, C-"))).to_be_visible()
    page.get_by_role(
        "link", name=f"Northwind answered comment {own.reference}", exact=False
    ).click()
    expect(page).to_have_url(re.compile(rf"/comments/{own.reference}#resp-{response.reference}$"))
    expect(page.get_by_text("We will name them in Draft 2.")).to_be_visible()
    expect(header_link).to_have_text(re.compile(r"^Notifications\s*2 unread$"))

    page.goto(f"{live_server.url}/notifications")
    page.get_by_role("button", name="Mark all as read").click()
    expect(header_link).to_have_text(re.compile(r"^Notifications$"))

    page.get_by_role("link", name="Choose what you are told, and how").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Notification settings")
    check_accessibility(page)
    _fits_a_phone(page)
    page.get_by_role("group", name=re.compile("^Replies in threads")).get_by_label(
        "In the app only"
    ).check()
    page.get_by_role("button", name="Save the settings").click()
    expect(page.get_by_text("Your notification settings are saved.")).to_be_visible()
    expect(page.get_by_role("link", name="§1.1 of Principles")).to_be_visible()
    expect(page.get_by_role("button", name="Unfollow §1.1 of Principles")).to_be_visible()
