"""Daily digests: from 07:00 in each recipient's zone, once a day, each item once."""

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from consult.accounts.models import UserStatus
from consult.comments.models import Visibility
from consult.db import utcnow
from consult.extensions import db
from consult.moderation.models import Flag, FlagReason
from consult.notifications.digests import send_coordinator_digests, send_personal_digests
from consult.notifications.models import DigestRun, Notification
from tests import factories
from tests.notifications.conftest import follow_paragraph


def _digests(outbox, user):
    return [m for m in outbox.messages(user.email) if "new notification" in m["Subject"]]


def _tomorrow_at(hour, minute=0, zone=UTC):
    day = (utcnow() + timedelta(days=1)).date()
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)


def test_a_digest_collects_the_waiting_items_once(world, outbox):
    reader = factories.stakeholder(timezone="America/New_York")
    follow_paragraph(reader, world)
    first = world.post(Visibility.PUBLIC, body="First of the day.")
    second = world.post(Visibility.ANONYMOUS, body="Second of the day.")
    assert outbox.messages(reader.email) == []  # followed activity: digest by default
    # 07:00 in New York is 12:00 UTC (winter) or 11:00 UTC (summer): 10:59 UTC is before.
    # (The representatives' digests of new requests go at 07:00 UTC, on their own.)
    send_personal_digests(_tomorrow_at(10, 59))
    assert outbox.messages(reader.email) == []
    send_personal_digests(_tomorrow_at(12, 0))
    assert len(outbox.messages(reader.email)) == 1
    text = outbox.text(reader.email)
    assert first.reference in text and second.reference in text
    assert "First of the day." in text  # a public thread: the excerpt goes too
    assert "/unsubscribe/" in text
    assert outbox.last(reader.email)["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert send_personal_digests(_tomorrow_at(13, 0)) == 0  # the same day: nothing
    third = world.post(Visibility.PUBLIC, body="The next day's.")
    send_personal_digests(_tomorrow_at(14, 0))
    assert len(outbox.messages(reader.email)) == 1  # still the same local day
    send_personal_digests(_tomorrow_at(12, 0) + timedelta(days=1))
    assert len(outbox.messages(reader.email)) == 2
    text = outbox.text(reader.email)
    assert third.reference in text and first.reference not in text
    runs = db.session.scalars(sa.select(DigestRun).where(DigestRun.user_id == reader.id)).all()
    assert len(runs) == 2


def test_items_made_unreadable_before_the_digest_are_left_out(world, outbox):
    reader = factories.stakeholder()
    follow_paragraph(reader, world)
    comment = world.post(Visibility.PUBLIC, body="Soon withdrawn.")
    from consult.comments import services as comments

    comments.withdraw_comment(comment, author=world.author, remove_name=False)
    db.session.commit()
    assert send_personal_digests(_tomorrow_at(8)) == 0  # nothing left to tell
    assert outbox.messages(reader.email) == []
    pending = db.session.scalars(
        sa.select(Notification).where(
            Notification.user_id == reader.id, Notification.digested_at.is_(None)
        )
    ).all()
    assert pending == []  # never retried


def test_the_command_runs_twice_and_sends_once(app, world, outbox):
    reader = factories.stakeholder()
    follow_paragraph(reader, world)
    world.post(Visibility.PUBLIC)
    runner = app.test_cli_runner()
    at = _tomorrow_at(9).isoformat()
    assert "digests: 3" in runner.invoke(args=["send-digests", "--now", at]).output  # + 2 reps
    assert "digests: 0" in runner.invoke(args=["send-digests", "--now", at]).output
    assert len(outbox.messages(reader.email)) == 1


def test_coordinators_get_counts_and_links_never_names(world, outbox):
    pending = factories.stakeholder(status=UserStatus.PENDING, name="Priya Pending")
    comment = world.post(Visibility.ANONYMOUS, body="Flag me.")
    db.session.add(
        Flag(comment_id=comment.id, user_id=world.other.id, reason=FlagReason.SPAM, note=None)
    )
    db.session.commit()
    assert send_coordinator_digests(_tomorrow_at(6, 59)) == 0
    assert send_coordinator_digests(_tomorrow_at(7)) == 2  # both coordinators
    text = outbox.text(world.coordinator.email)
    assert "Registrations waiting for approval: 1" in text
    assert "New flags since the last digest: 1" in text
    assert "/admin/registrations" in text
    for name in (pending.display_name, world.author.display_name, world.other.display_name):
        assert name not in text
    assert send_coordinator_digests(_tomorrow_at(9)) == 0


def test_a_coordinator_who_turned_the_digest_off_gets_none(world, outbox):
    from consult.notifications import preferences
    from consult.notifications.models import Delivery, Kind

    factories.stakeholder(status=UserStatus.PENDING)
    preferences.set_delivery(world.coordinator, Kind.COORDINATION, Delivery.APP)
    db.session.commit()
    assert send_coordinator_digests(_tomorrow_at(8)) == 1  # the privacy officer only
    assert outbox.messages(world.coordinator.email) == []


def test_an_item_made_less_public_is_left_out_and_shown_as_unavailable(world, client, outbox):
    from consult.comments import services as comments
    from consult.comments.models import AuthorDisplay

    reader = factories.stakeholder()
    follow_paragraph(reader, world)
    comment = world.post(Visibility.PUBLIC, body="Soon restricted, TEXT-MARKER.")
    comments.change_visibility(
        comment,
        author=world.author,
        visibility=Visibility.RESTRICTED,
        display=AuthorDisplay.NOTHING,
        company_ids=[world.north.id],
    )
    db.session.commit()
    send_personal_digests(_tomorrow_at(8))
    assert outbox.messages(reader.email) == []
    client.sign_in(reader)
    page = client.get("/notifications").get_data(as_text=True)
    assert "This item is no longer available." in page
    assert "TEXT-MARKER" not in page and comment.reference not in page
