"""An axe-core sweep over the main pages, with the demonstration data loaded, as a
visitor, a stakeholder, a company representative and a coordinator."""

import re

import pytest
import sqlalchemy as sa

from consult.comments.models import Comment, Visibility
from consult.demo import DEMO_PASSWORD
from consult.extensions import db
from consult.mail import OutboundEmail
from consult.notifications.models import Event, Notification

OPEN = "/consultations/privacy-and-freedom-of-expression-demo"
ANSWERED = "/consultations/network-shutdowns-demo"

PAGES = {
    None: [
        "/",
        "/consultations/",
        OPEN,
        f"{OPEN}/draft",
        f"{OPEN}/compare",
        f"{OPEN}/timeline",
        f"{OPEN}/comments",
        f"{OPEN}/moderation",
        f"{ANSWERED}/tracker",
        "/tracker",
        f"{ANSWERED}/commitments",
        "/policies",
        "/register",
        "/signin",
    ],
    "amina@openlines.demo": ["/my/comments", "/account", f"{OPEN}/comment"],
    "rep@northwind.demo": ["/company/queue"],
    "coordinator@consult.demo": [
        "/admin/registrations",
        "/admin/companies",
        "/admin/audit/",
        "/admin/moderation",
        "/consultations/new",
    ],
}


@pytest.fixture
def demo(demo_app, live_server):
    """The demonstration data, loaded once per run into its own database, served by the
    live server; these tests only read it. Signing in writes a security notice and its
    email, removed afterwards so the data stays as loaded for the tests that follow."""
    with live_server.serving(demo_app), demo_app.app_context():
        yield
        db.session.execute(sa.delete(Notification).where(Notification.event == Event.SIGNED_IN))
        db.session.execute(sa.delete(OutboundEmail).where(OutboundEmail.template == "new_signin"))
        db.session.commit()


@pytest.mark.parametrize("who", list(PAGES))
def test_main_pages_have_no_axe_violations(
    demo, page, live_server, sign_in, check_accessibility, who
):
    if who:
        sign_in(page, who, DEMO_PASSWORD)
    urls = list(PAGES[who])
    if who is None:  # a public comment's page and a thread with replies
        reference = db.session.scalar(
            sa.select(Comment.reference)
            .where(Comment.visibility == Visibility.PUBLIC, Comment.withdrawn_at.is_(None))
            .order_by(Comment.created_at)
        )
        urls.append(f"/comments/{reference}")
    for url in urls:
        response = page.goto(f"{live_server.url}{url}")
        assert response.status == 200, url
        assert re.search(r"\S", page.title()), url
        check_accessibility(page)
