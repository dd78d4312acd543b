"""A coordinator records one disposition for two comments at once; a visitor reads the
published table, where a restricted comment keeps its row but nothing about it."""

import re

from playwright.sync_api import expect

from consult.comments import services as comment_services
from consult.comments.models import AuthorDisplay, CommentKind, Visibility
from consult.consultations.versions import latest_published_version
from tests import factories
from tests.consultations import factories as consultation_factories


def _post(consultation, version, author, body, visibility, companies, key):
    paragraph = next(p for p in version.paragraphs if p.number == "1.1")
    return comment_services.post_comment(
        consultation,
        comment_services.Draft(
            kind=CommentKind.COMMENT,
            body=body,
            visibility=visibility,
            display=AuthorDisplay.NAME
            if visibility == Visibility.PUBLIC
            else AuthorDisplay.COUNTRY,
            company_ids=[c.id for c in companies],
        ),
        author=author,
        submission_key=key,
        paragraph=paragraph,
        version=version,
    )


def test_bulk_disposition_then_the_public_table(page, live_server, sign_in, check_accessibility):
    from consult.extensions import db

    company = factories.company(name="Northwind (test)")
    consultation = consultation_factories.consultation(
        slug="principles", title="Principles (test)", companies=[company]
    )
    version = latest_published_version(consultation)
    factories.coordinator(email="coord@example.org")
    first = _post(consultation, version, factories.stakeholder(), "Name devices.",
                  Visibility.PUBLIC, [company], "b1")  # fmt: skip
    second = _post(consultation, version, factories.stakeholder(), "Name services.",
                   Visibility.PUBLIC, [company], "b2")  # fmt: skip
    _post(consultation, version, factories.stakeholder(), "A case we cannot describe.",
          Visibility.RESTRICTED, [company], "b3")  # fmt: skip
    db.session.commit()

    sign_in(page, "coord@example.org", factories.PASSWORD)
    page.goto(f"{live_server.url}/consultations/principles")
    page.get_by_role("link", name="What was done with each comment").click()
    page.get_by_role("link", name="Record dispositions").click()
    expect(page.get_by_role("status")).to_contain_text("0 of 3 disposed")
    check_accessibility(page)
    page.get_by_label(first.reference, exact=True).check()
    page.get_by_label(second.reference, exact=True).check()
    page.get_by_label("Out of scope").check()
    page.get_by_role("button", name="Record this disposition for the chosen items").click()
    expect(page.get_by_role("alert")).to_contain_text("a reason is required")
    expect(page.get_by_label(first.reference, exact=True)).to_be_checked()  # choices kept
    page.get_by_label("Public reason").fill("Devices and services are covered elsewhere.")
    page.get_by_role("button", name="Record this disposition for the chosen items").click()
    expect(page.get_by_text("Disposition recorded for 2 item(s).")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    page.goto(f"{live_server.url}/consultations/principles/dispositions")
    expect(page.get_by_role("status")).to_contain_text("2 of 3 disposed")
    expect(page.get_by_role("row", name=re.compile(first.reference))).to_contain_text(
        "Out of scope"
    )
    expect(page.get_by_text("A restricted comment")).to_be_visible()
    expect(page.get_by_text("A case we cannot describe.")).to_have_count(0)
    check_accessibility(page)
