"""Reminders to companies fire on the exact local days, from 08:00 in the consultation's
zone (Asia/Kolkata, UTC+05:30 here), once per request and threshold."""

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from consult.comments.models import Visibility
from consult.commitments import services as commitments
from consult.commitments.models import SourceKind
from consult.extensions import db
from consult.notifications import preferences
from consult.notifications.models import Delivery, Kind, Notification, ReminderLog
from consult.notifications.reminders import commitments_overdue, send_reminders, send_weekly_overdue
from tests.notifications.conftest import follow, told
from tests.responses.conftest import fixed, kolkata  # noqa: F401  (the fixed-date consultation)


@pytest.fixture
def due(fixed):  # noqa: F811
    """A public comment posted 10 January (Kolkata): due 9 February, very overdue from
    12 March (the window is 30 days)."""
    comment = fixed.post(Visibility.PUBLIC, body="Say more.", now=kolkata(2026, 1, 10, 12))
    return comment


def _reminded(outbox, rep) -> list:
    return [m for m in outbox.messages(rep.email) if "need" in m["Subject"]]


def test_the_week_before_from_0800_kolkata_exactly(fixed, due, outbox):
    assert send_reminders(kolkata(2026, 2, 2, 7, 59, 59)) == 0
    # 08:00 in Kolkata is 02:30 UTC: the half-hour offset counts.
    assert kolkata(2026, 2, 2, 8) == datetime(2026, 2, 2, 2, 30, tzinfo=UTC)
    assert send_reminders(kolkata(2026, 2, 2, 8)) == 2  # North's and South's representatives
    text = outbox.text(fixed.north_rep.email)
    assert "due in 7 days" in text and "9 February 2026" in text and "Asia/Kolkata" in text
    assert "Say more." not in text  # a reference and a link, never the text
    assert send_reminders(kolkata(2026, 2, 2, 9)) == 0  # run again the same day: nothing
    assert send_reminders(kolkata(2026, 2, 3, 8)) == 0  # the day after: nothing either


def test_two_days_before_overdue_and_very_overdue(fixed, due, outbox):
    assert send_reminders(kolkata(2026, 2, 7, 8)) == 2
    assert "due in 2 days" in outbox.text(fixed.north_rep.email)
    assert send_reminders(kolkata(2026, 2, 9, 23, 59)) == 0  # due today: not overdue yet
    assert send_reminders(kolkata(2026, 2, 10, 7, 59)) == 0  # overdue, but before 08:00
    assert send_reminders(kolkata(2026, 2, 10, 8)) == 2
    assert "overdue" in outbox.text(fixed.north_rep.email)
    assert ("request_overdue", "request_overdue") in told(fixed.author)
    assert send_reminders(kolkata(2026, 3, 11, 8)) == 0
    assert send_reminders(kolkata(2026, 3, 12, 8)) == 2
    assert "very overdue" in outbox.text(fixed.north_rep.email)
    overdue = [n for n in told(fixed.author) if n[0] == "request_overdue"]
    assert len(overdue) == 4  # North's and South's, overdue then very overdue: once each
    thresholds = db.session.scalars(sa.select(ReminderLog.threshold)).all()
    assert sorted(thresholds) == sorted(["due_in_2_days", "overdue", "very_overdue"] * 2)


def test_one_email_per_representative_lists_every_request(fixed, due, outbox):
    second = fixed.post(Visibility.PUBLIC, body="Also this.", now=kolkata(2026, 1, 10, 18))
    send_reminders(kolkata(2026, 2, 2, 8))
    mails = _reminded(outbox, fixed.north_rep)
    assert len(mails) == 1
    text = outbox.text(fixed.north_rep.email)
    assert len(db.session.scalars(sa.select(ReminderLog)).all()) == 4  # 2 requests × 2
    assert second.id != due.id
    assert mails[0]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert text.count("/requests/") == 2


def test_answered_and_paused_requests_are_not_reminded(fixed, due):
    from tests.notifications.conftest import respond

    respond(fixed, due)  # North answered
    assert send_reminders(kolkata(2026, 2, 2, 8)) == 1  # South only


def test_a_representative_who_turned_reminders_off_gets_none(fixed, due, outbox):
    preferences.set_delivery(fixed.north_rep, Kind.REMINDERS, Delivery.APP)
    db.session.commit()
    assert send_reminders(kolkata(2026, 2, 2, 8)) == 1
    assert _reminded(outbox, fixed.north_rep) == []


def test_restricted_requests_remind_only_their_company(fixed, outbox):
    fixed.post(
        Visibility.RESTRICTED,
        body="Between us.",
        companies=[fixed.north.id],
        now=kolkata(2026, 1, 10, 12),
    )
    assert send_reminders(kolkata(2026, 2, 2, 8)) == 1
    assert _reminded(outbox, fixed.south_rep) == []
    assert "Between us." not in outbox.text(fixed.north_rep.email)


def test_a_commitment_becoming_overdue_tells_its_followers_once(fixed, stranger):
    commitment = commitments.record_commitment(
        fixed.consultation,
        commitments.CommitmentDraft(
            text="A yearly report.",
            company=fixed.north,
            due_on=datetime(2026, 2, 1).date(),
            source_kind=SourceKind.LINK,
            source_url="https://example.org/r",
        ),
        actor=fixed.coordinator,
    )
    db.session.commit()
    follow(stranger, "company", company_id=fixed.north.id)
    assert commitments_overdue(kolkata(2026, 2, 2, 7)) == 0
    assert commitments_overdue(kolkata(2026, 2, 2, 8)) == 1
    assert commitments_overdue(kolkata(2026, 2, 2, 9)) == 0
    rows = db.session.scalars(
        sa.select(Notification).where(Notification.commitment_id == commitment.id)
    ).all()
    assert [r.user_id for r in rows] == [stranger.id]


def test_coordinators_get_a_weekly_overdue_digest_per_company(fixed, due, outbox):
    # 16 February 2026 is a Monday; the coordinators' zone is UTC.
    monday = datetime(2026, 2, 16, 8, 0, tzinfo=UTC)
    assert send_weekly_overdue(datetime(2026, 2, 15, 9, tzinfo=UTC)) == 0  # a Sunday
    assert send_weekly_overdue(datetime(2026, 2, 16, 7, 59, tzinfo=UTC)) == 0
    assert send_weekly_overdue(monday) == 2  # both coordinators
    text = outbox.text(fixed.coordinator.email)
    assert "Northwind: 1 overdue" in text and "Southgate: 1 overdue" in text
    assert fixed.author.display_name not in text
    assert send_weekly_overdue(monday) == 0


def test_the_commands_are_idempotent(app, fixed, due, outbox):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["send-reminders", "--now", "2026-02-02T08:00:00+05:30"])
    assert first.exit_code == 0, first.output
    assert "reminder emails: 2" in first.output
    count = len(outbox.messages())
    again = runner.invoke(args=["send-reminders", "--now", "2026-02-02T08:00:00+05:30"])
    assert "reminder emails: 0" in again.output and len(outbox.messages()) == count
    bad = runner.invoke(args=["send-reminders", "--now", "next tuesday"])
    assert bad.exit_code != 0
