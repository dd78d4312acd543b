"""Flags, hiding and restoring, suspension, and the public moderation figures."""

import pytest
import sqlalchemy as sa

from consult.accounts.models import UserStatus
from consult.comments.models import Visibility
from consult.extensions import db
from consult.moderation.models import Flag, FlagReason, ModerationAction
from consult.moderation.services import hide_comment, moderation_figures


def _post(client, url, data, **kwargs):
    return client.post(url, data, **kwargs)


def test_any_signed_in_reader_flags_and_coordinators_see_the_queue(client, make_client, world):
    comment = world.post(Visibility.PUBLIC, body="Contains the home address of a journalist.")
    client.sign_in(world.other)
    response = client.post(
        f"/comments/{comment.reference}/flag",
        {"flag-reason": "personal_data", "flag-note": "Please remove the address"},
        prefix="flag",
        token_from=f"/comments/{comment.reference}",
    )
    assert response.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Flag)) == 1
    coordinator = make_client()
    coordinator.sign_in(world.coordinator)
    queue = coordinator.get("/admin/moderation").get_data(as_text=True)
    assert comment.reference in queue


def test_visitors_cannot_flag(client, world):
    comment = world.post(Visibility.PUBLIC)
    response = client.post(
        f"/comments/{comment.reference}/flag",
        {"flag-reason": "spam"},
        prefix="flag",
        token_from="/signin",
    )
    assert response.status_code in (302, 401)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Flag)) == 0


def test_hide_with_a_public_reason_and_restore(client, make_client, world):
    comment = world.post(Visibility.PUBLIC, body="Offensive words here.")
    client.sign_in(world.coordinator)
    url = f"/comments/{comment.reference}"
    response = client.post(
        f"{url}/hide",
        {"hide-reason_code": "abuse", "hide-reason": "Insults another participant"},
        prefix="hide",
        token_from=url,
    )
    assert response.status_code == 302
    visitor = make_client()
    page = visitor.get(url).get_data(as_text=True)
    assert "Insults another participant" in page and "Offensive words here." not in page
    client.post(
        f"{url}/restore", {"restore-reason": "Reviewed on appeal"}, prefix="restore", token_from=url
    )
    assert "Offensive words here." in visitor.get(url).get_data(as_text=True)
    kinds = db.session.scalars(sa.select(ModerationAction.kind)).all()
    assert sorted(kinds) == ["hide", "restore"]  # nothing deleted, everything recorded


@pytest.mark.parametrize("who", ["other", "north_rep"])
def test_only_coordinators_hide(client, world, who):
    comment = world.post(Visibility.PUBLIC)
    client.sign_in(getattr(world, who))
    response = client.post(
        f"/comments/{comment.reference}/hide",
        {"hide-reason_code": "abuse", "hide-reason": "no"},
        prefix="hide",
        token_from=f"/comments/{comment.reference}",
    )
    assert response.status_code == 403
    db.session.refresh(comment)
    assert comment.hidden_at is None


def test_moderation_queue_refuses_other_roles(client, world):
    assert client.get("/admin/moderation").status_code == 302
    client.sign_in(world.other)
    assert client.get("/admin/moderation").status_code == 403


def test_suspending_the_author_of_a_public_comment(client, make_client, world):
    comment = world.post(Visibility.PUBLIC)
    author = make_client()
    author.sign_in(world.author)
    client.sign_in(world.coordinator)
    response = client.post(
        f"/comments/{comment.reference}/suspend-author",
        {},
        token_from=f"/comments/{comment.reference}",
    )
    assert response.status_code == 302
    db.session.refresh(world.author)
    assert world.author.status == UserStatus.SUSPENDED
    assert author.get("/my/comments").status_code == 302  # signed out everywhere


def test_only_a_privacy_officer_suspends_the_author_of_a_non_public_comment(
    client, make_client, world
):
    comment = world.post(Visibility.ANONYMOUS)
    client.sign_in(world.coordinator)
    response = client.post(
        f"/comments/{comment.reference}/suspend-author",
        {},
        token_from=f"/comments/{comment.reference}",
    )
    assert response.status_code == 403
    db.session.refresh(world.author)
    assert world.author.status == UserStatus.ACTIVE
    officer = make_client()
    officer.sign_in(world.officer)
    response = officer.post(
        f"/comments/{comment.reference}/suspend-author",
        {},
        token_from=f"/comments/{comment.reference}",
    )
    assert response.status_code == 302
    db.session.refresh(world.author)
    assert world.author.status == UserStatus.SUSPENDED


def test_public_figures_suppress_small_cells(client, world):
    comments = [
        world.post(Visibility.PUBLIC, body=f"Text {i}", author=world.author) for i in range(7)
    ]
    for comment in comments[:6]:
        hide_comment(
            comment, moderator=world.coordinator, reason_code=FlagReason.SPAM, reason="Advertising"
        )
    hide_comment(
        comments[6], moderator=world.coordinator, reason_code=FlagReason.ABUSE, reason="Insults"
    )
    db.session.commit()
    figures = moderation_figures(world.consultation.id)
    assert figures["hidden"][FlagReason.ABUSE].text == "fewer than 5"  # 1
    # 7 − 6 would give the 1 away: the smaller of the other two is withheld as well.
    assert figures["hidden"][FlagReason.SPAM].text == "not shown"
    assert figures["hidden_total"].text == "7"
    page = client.get(f"/consultations/{world.consultation.slug}/moderation")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "fewer than 5" in text and ">7<" in text and ">6<" not in text


def test_figures_of_a_draft_consultation_are_404(client, world):
    world.consultation.phase = "draft"
    db.session.commit()
    assert client.get(f"/consultations/{world.consultation.slug}/moderation").status_code == 404


def test_coordinator_redacts_an_earlier_revision(client, world):
    from consult.comments.services import edit_comment

    comment = world.post(Visibility.PUBLIC, body="My colleague Jane Doe said this.")
    edit_comment(comment, author=world.author, body="A colleague said this.", proposed_text=None)
    from consult.comments.services import cosign_comment

    cosign_comment(comment, user=world.other, named=True)  # the history is now shown
    db.session.commit()
    url = f"/comments/{comment.reference}"
    assert "Jane Doe" in client.get(url).get_data(as_text=True)
    client.sign_in(world.coordinator)
    response = client.post(f"{url}/revisions/1/redact", {}, token_from=url)
    assert response.status_code == 302
    assert "Jane Doe" not in client.get(url).get_data(as_text=True)


def test_late_comment_decision_through_the_page(client, world, outbox):
    from datetime import UTC, datetime, timedelta

    world.consultation.closes_at = datetime.now(UTC) - timedelta(hours=2)
    db.session.commit()
    comment = world.post(Visibility.PUBLIC, body="Late but useful.")
    client.sign_in(world.coordinator)
    assert comment.reference in client.get("/admin/moderation").get_data(as_text=True)
    url = f"/comments/{comment.reference}"
    response = client.post(
        f"{url}/late",
        {"late-decision": "accept", "late-reason": "Within the grace period"},
        prefix="late",
        token_from=url,
    )
    assert response.status_code == 302
    db.session.refresh(comment)
    assert comment.late_status == "accepted"
    assert "Within the grace period" in outbox.text(world.author.email)


def test_a_refused_hide_keeps_the_typed_reason(client, world):
    comment = world.post(Visibility.PUBLIC)
    client.sign_in(world.coordinator)
    url = f"/comments/{comment.reference}"
    response = client.post(
        f"{url}/hide",
        {
            "hide-reason_code": "abuse",
            "hide-reason": "A carefully worded public reason",
            "hide-csrf_token": "expired",
        },
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "A carefully worded public reason" in page and "Your session expired" in page
    empty = client.post(
        f"{url}/hide",
        {"hide-reason_code": "abuse", "hide-reason": ""},
        prefix="hide",
        token_from=url,
    )
    assert empty.status_code == 422
    assert "This field is required." in empty.get_data(as_text=True)
    db.session.refresh(comment)
    assert comment.hidden_at is None
