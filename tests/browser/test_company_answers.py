"""A stakeholder comments; two companies answer with different positions from their
queues; a third does not, and once past the due date the comment and the tracker say
so. Pages are driven by label and role, and checked with axe."""

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from playwright.sync_api import expect

from consult.accounts.models import OrganisationKind
from consult.comments import services
from consult.comments.models import AuthorDisplay, CommentKind, Visibility
from consult.consultations.versions import latest_published_version
from consult.db import utcnow
from consult.extensions import db
from consult.responses.models import ResponseRequest
from tests import factories
from tests.consultations import factories as consultation_factories


def test_two_companies_answer_and_a_third_is_shown_overdue(
    page, live_server, sign_in, check_accessibility, outbox
):
    north = factories.company(name="Northwind")
    south = factories.company(name="Southgate")
    west = factories.company(name="Westhaven")
    consultation = consultation_factories.consultation(
        companies=[north, south, west],
        slug="principles",
        title="Principles",
        timezone="Asia/Kolkata",
    )
    factories.stakeholder(
        email="amina@example.org", name="Amina", kind=OrganisationKind.CIVIL_SOCIETY
    )
    factories.company_rep(north, email="north@example.org", role_title="Head of Human Rights")
    factories.company_rep(south, email="south@example.org", role_title="Policy Director")
    version = latest_published_version(consultation)
    for i in range(4):  # four earlier comments, so the tracker's cells reach five
        services.post_comment(
            consultation,
            services.Draft(
                kind=CommentKind.COMMENT,
                body=f"Earlier remark {i}.",
                visibility=Visibility.PUBLIC,
                display=AuthorDisplay.NAME,
                company_ids=[west.id],
            ),
            author=factories.stakeholder(),
            submission_key=f"earlier-{i}",
            version=version,
        )
    db.session.commit()

    # Amina comments on §1.1, addressed to the three companies.
    sign_in(page, "amina@example.org", factories.PASSWORD)
    page.goto(f"{live_server.url}/consultations/principles/draft")
    page.get_by_role("link", name="Comment on §1.1").click()
    page.get_by_label("Your comment").fill("Name **subsidiaries** explicitly.")
    page.get_by_label("Everyone", exact=True).check()
    page.get_by_label(re.compile("I understand who will read this")).check()
    page.get_by_role("button", name="Publish my comment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"Receipt C-\w{8}"))
    reference = page.get_by_role("heading", level=1).inner_text().split()[-1]
    page.get_by_role("button", name="Sign out").click()

    # Two representatives answer from their queues, with different positions.
    for email, position, text in [
        (
            "north@example.org",
            "Agree and will incorporate",
            "We will name subsidiaries in Draft 2.",
        ),
        ("south@example.org", "Disagree", "Subsidiaries are covered already."),
    ]:
        sign_in(page, email, factories.PASSWORD)
        page.get_by_role("link", name="Company queue").click()
        expect(page.get_by_text("Name subsidiaries explicitly.")).to_be_attached()
        check_accessibility(page)
        page.get_by_role("link", name=re.compile(r"Request Q-")).first.click()
        check_accessibility(page)
        page.get_by_label(position).check()
        page.get_by_label("Answer", exact=True).fill(text)
        page.get_by_role("button", name="Publish the answer").click()
        expect(page.get_by_text("The answer is published.")).to_be_visible()
        page.get_by_role("button", name="Sign out").click()
    assert reference in outbox.text("amina@example.org")

    # Westhaven does not answer. Move its clock past the due date (12 days overdue),
    # counted in the consultation's local days (Kolkata is a day ahead after 18:30 UTC).
    today = utcnow().astimezone(ZoneInfo("Asia/Kolkata")).date()
    db.session.execute(
        sa.update(ResponseRequest)
        .where(ResponseRequest.company_id == west.id)
        .values(
            due_on=today - timedelta(days=12),
            overdue_at=utcnow() - timedelta(days=11),
            very_overdue_at=utcnow() + timedelta(days=18),
        )
    )
    db.session.commit()

    page.goto(f"{live_server.url}/comments/{reference}")
    answers = page.locator(".company-response")
    expect(answers.filter(has_text="Northwind")).to_contain_text("Agree and will incorporate")
    expect(answers.filter(has_text="Northwind")).to_contain_text("Head of Human Rights")
    expect(answers.filter(has_text="Southgate")).to_contain_text("Disagree")
    expect(
        page.get_by_text(
            re.compile(
                r"Westhaven has not responded \(due .+, 12 days "
                r"overdue\)"
            )
        )
    ).to_be_visible()
    check_accessibility(page)

    page.goto(f"{live_server.url}/consultations/principles")
    page.get_by_role("link", name="Response tracker").click()
    row = page.get_by_role("row", name=re.compile("^Westhaven"))
    expect(row.get_by_role("cell").nth(5)).to_have_text("5")  # overdue
    check_accessibility(page)
    row.get_by_role("link", name="5").nth(1).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Westhaven")
    expect(page.get_by_role("link", name=reference)).to_be_visible()
    check_accessibility(page)
