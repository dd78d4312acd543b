"""The notifications page, the header count, settings, and the follow buttons."""

import re

import sqlalchemy as sa

from consult.comments.models import Visibility
from consult.extensions import db
from consult.notifications.models import Delivery, Follow, Kind, NotificationPreference
from consult.notifications.preferences import is_discreet
from tests import factories
from tests.notifications.conftest import follow_paragraph, notifications, respond

COUNT_RE = re.compile(r'class="header-count">(\d+)<')


def header_count(page: str) -> int:
    match = COUNT_RE.search(page)
    return int(match.group(1)) if match else 0


def test_the_header_counts_unread_and_the_item_links_to_the_answer(client, world):
    comment = world.post(Visibility.PUBLIC)
    client.sign_in(world.author)
    before = header_count(client.get("/").get_data(as_text=True))
    response = respond(world, comment)
    home = client.get("/").get_data(as_text=True)
    assert header_count(home) == before + 1
    page = client.get("/notifications").get_data(as_text=True)
    assert f"Northwind answered comment {comment.reference}" in page
    notification = notifications(world.author)[-1]
    opened = client.get(f"/notifications/{notification.id}")
    assert opened.status_code == 302
    assert opened.headers["Location"].endswith(
        f"/comments/{comment.reference}#resp-{response.reference}"
    )
    db.session.refresh(notification)
    assert notification.read_at is not None
    assert header_count(client.get("/").get_data(as_text=True)) == before


def test_mark_one_and_all_as_read(client, world):
    first = world.post(Visibility.PUBLIC, body="One")
    second = world.post(Visibility.PUBLIC, body="Two")
    respond(world, first)
    respond(world, second)
    client.sign_in(world.author)
    unread = [n for n in notifications(world.author) if n.read_at is None]
    assert len(unread) >= 2
    response = client.post(f"/notifications/{unread[0].id}/read", token_from="/notifications")
    assert response.status_code == 302
    db.session.refresh(unread[0])
    assert unread[0].read_at is not None and unread[1].read_at is None
    client.post("/notifications/read", token_from="/notifications")
    assert all(n.read_at is not None for n in notifications(world.author))
    assert header_count(client.get("/").get_data(as_text=True)) == 0


def test_someone_elses_notification_is_not_found(client, world):
    comment = world.post(Visibility.PUBLIC)
    respond(world, comment)
    notification = notifications(world.author)[-1]
    client.sign_in(world.other)
    assert client.get(f"/notifications/{notification.id}").status_code == 404
    response = client.post(f"/notifications/{notification.id}/read", token_from="/notifications")
    assert response.status_code == 404
    db.session.refresh(notification)
    assert notification.read_at is None


def test_signed_out_visitors_are_sent_to_sign_in(client):
    for url in ("/notifications", "/notifications/settings", "/notifications/1"):
        response = client.get(url)
        assert response.status_code == 302 and "/signin" in response.headers["Location"]


def test_a_badly_formed_page_cursor_is_a_clear_400(client, world):
    client.sign_in(world.author)
    assert client.get("/notifications?before=abc").status_code == 400
    assert client.get("/notifications?before=99999999999").status_code == 400
    assert client.get("/notifications?before=5").status_code == 200


def test_settings_choose_delivery_per_kind_and_discretion(client, world):
    client.sign_in(world.author)
    page = client.get("/notifications/settings").get_data(as_text=True)
    assert "Daily digest" in page and "In the app only" in page
    data = {
        "kind_thread_reply": "app",
        "kind_company_response": "digest",
        "kind_request_overdue": "digest",
        "kind_my_comment": "immediate",
        "kind_cosign_invitation": "immediate",
        "kind_followed_activity": "digest",
        "kind_consultation_news": "immediate",
        "kind_commitments": "digest",
        "discreet": "y",
    }
    response = client.post("/notifications/settings", data)
    assert response.status_code == 302
    chosen = dict(
        db.session.execute(
            sa.select(NotificationPreference.kind, NotificationPreference.delivery).where(
                NotificationPreference.user_id == world.author.id
            )
        )
        .tuples()
        .all()
    )
    assert chosen[Kind.THREAD_REPLY] == Delivery.APP
    assert chosen[Kind.COMPANY_RESPONSE] == Delivery.DIGEST
    assert is_discreet(world.author)
    # A choice a kind does not offer is refused, with the form shown again.
    bad = client.post("/notifications/settings", {**data, "kind_thread_reply": "never"})
    assert bad.status_code == 422


def test_representatives_see_their_own_kinds(client, world):
    client.sign_in(world.north_rep)
    page = client.get("/notifications/settings").get_data(as_text=True)
    assert "New requests for your company" in page and "Daily reminders" in page
    assert "Invitations to co-sign" not in page


def _follows(user):
    return list(db.session.scalars(sa.select(Follow).where(Follow.user_id == user.id)))


def test_follow_and_unfollow_a_paragraph_with_the_buttons(client, world):
    client.sign_in(world.other)
    url = f"/consultations/{world.consultation.slug}/p/{world.paragraph.stable_key}/comments"
    page = client.get(url).get_data(as_text=True)
    assert "Follow this paragraph" in page and "Follow this section" in page
    data = {
        "follow-paragraph-target": "paragraph",
        "follow-paragraph-slug": world.consultation.slug,
        "follow-paragraph-key": world.paragraph.stable_key,
        "follow-paragraph-next": url,
    }
    response = client.post("/follow/paragraph", data, prefix="follow-paragraph", token_from=url)
    assert response.status_code == 302 and response.headers["Location"].endswith(url)
    assert [f.target_key for f in _follows(world.other)] == [
        f"paragraph:{world.consultation.id}:{world.paragraph.stable_key}"
    ]
    again = client.post("/follow/paragraph", data, prefix="follow-paragraph", token_from=url)
    assert again.status_code == 302 and len(_follows(world.other)) == 1  # idempotent
    assert "Unfollow this paragraph" in client.get(url).get_data(as_text=True)
    client.post("/unfollow/paragraph", data, prefix="follow-paragraph", token_from=url)
    assert _follows(world.other) == []


def test_a_follow_without_its_csrf_token_changes_nothing(client, world):
    client.sign_in(world.other)
    data = {
        "follow-consultation-target": "consultation",
        "follow-consultation-slug": world.consultation.slug,
    }
    response = client.post("/follow/consultation", data, csrf=False)
    assert response.status_code == 302
    assert _follows(world.other) == []


def test_nobody_follows_what_they_may_not_see(client, world):
    restricted = world.post(Visibility.RESTRICTED, companies=[world.north.id])
    client.sign_in(world.other)
    data = {"follow-comment-target": "comment", "follow-comment-reference": restricted.reference}
    response = client.post(
        "/follow/comment", data, prefix="follow-comment", token_from="/notifications"
    )
    assert response.status_code == 404
    unknown = client.post("/follow/nonsense", {}, token_from="/notifications")
    assert unknown.status_code == 404
    assert _follows(world.other) == []


def test_the_comment_page_offers_to_follow_its_thread(client, world):
    comment = world.post(Visibility.PUBLIC)
    client.sign_in(world.other)
    page = client.get(f"/comments/{comment.reference}").get_data(as_text=True)
    assert "Follow this thread" in page
    client.sign_out()
    client.sign_in(world.author)
    page = client.get(f"/comments/{comment.reference}").get_data(as_text=True)
    assert "You follow your own comments" in page and "Follow this thread" not in page


def test_visitors_get_no_follow_button(client, world):
    page = client.get(f"/consultations/{world.consultation.slug}").get_data(as_text=True)
    assert "Follow this consultation" not in page


def test_the_settings_page_lists_and_removes_follows(client, world, stranger):
    follow_paragraph(stranger, world)
    client.sign_in(stranger)
    page = client.get("/notifications/settings").get_data(as_text=True)
    assert f"§{world.paragraph.number} of {world.consultation.title}" in page
    row = _follows(stranger)[0]
    client.post(f"/notifications/follows/{row.id}/remove", token_from="/notifications/settings")
    assert _follows(stranger) == []
    other = factories.stakeholder()
    follow_paragraph(other, world)
    theirs = _follows(other)[0]
    client.post(f"/notifications/follows/{theirs.id}/remove", token_from="/notifications/settings")
    assert len(_follows(other)) == 1


def test_another_company_cannot_follow_a_restricted_comment_not_addressed_to_it(client, world):
    restricted = world.post(Visibility.RESTRICTED, companies=[world.north.id])
    client.sign_in(world.south_rep)
    data = {"follow-comment-target": "comment", "follow-comment-reference": restricted.reference}
    response = client.post(
        "/follow/comment", data, prefix="follow-comment", token_from="/notifications"
    )
    assert response.status_code == 404
    assert _follows(world.south_rep) == []


def test_anonymous_and_restricted_items_show_their_date_never_their_time(client, world):
    reader = factories.stakeholder()
    follow_paragraph(reader, world)
    public = world.post(Visibility.PUBLIC, author=world.other, body="Open.")
    anonymous = world.post(Visibility.ANONYMOUS, body="Unnamed.")
    client.sign_in(reader)
    page = client.get("/notifications").get_data(as_text=True)
    meta = dict(
        re.findall(r"A new comment, (C-\w+)</a>\s*<p class=\"notification-meta\">([^<]*)</p>", page)
    )
    assert re.search(r"\d{1,2}:\d{2}", meta[public.reference])  # a public thread: the time
    assert not re.search(r"\d{1,2}:\d{2}", meta[anonymous.reference])  # the date only
    assert "(UTC)" not in meta[anonymous.reference]
