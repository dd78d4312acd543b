"""Open or closed at the boundary instants, in awkward time zones (checked with zoneinfo)."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from consult.consultations import schedule
from consult.consultations.models import Consultation, Phase
from consult.extensions import db
from tests.consultations import factories as cf

SECOND = timedelta(seconds=1)


def utc(*args):
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("zone", "day", "expected"),
    [
        ("Europe/Brussels", date(2026, 3, 3), utc(2026, 3, 2, 23)),
        ("Asia/Kolkata", date(2026, 3, 3), utc(2026, 3, 2, 18, 30)),  # +05:30
        ("Australia/Adelaide", date(2026, 1, 10), utc(2026, 1, 9, 13, 30)),  # +10:30 in summer
        ("Asia/Kathmandu", date(2026, 6, 1), utc(2026, 5, 31, 18, 15)),  # +05:45
        # Santiago springs forward at midnight: 6 September has no 00:00, it starts at 01:00.
        ("America/Santiago", date(2026, 9, 6), utc(2026, 9, 6, 4)),
        # ...and falls back at midnight: 4 April lasts 25 hours, 5 April starts at 04:00 UTC.
        ("America/Santiago", date(2026, 4, 5), utc(2026, 4, 5, 4)),
        # Beirut springs forward at midnight on 29 March and falls back on 25 October.
        ("Asia/Beirut", date(2026, 3, 29), utc(2026, 3, 28, 22)),
        ("Asia/Beirut", date(2026, 10, 25), utc(2026, 10, 24, 22)),
        ("UTC", date(2026, 3, 3), utc(2026, 3, 3)),
    ],
)
def test_a_local_day_starts_at_its_first_instant(zone, day, expected):
    start = schedule.start_of_local_day(day, zone)
    assert start == expected
    tz = ZoneInfo(zone)
    assert start.astimezone(tz).date() == day
    assert (start - SECOND).astimezone(tz).date() == day - timedelta(days=1)


def test_the_midnight_the_clocks_skip_starts_the_day_at_the_jump():
    start = schedule.start_of_local_day(date(2026, 9, 6), "America/Santiago")
    assert start.astimezone(ZoneInfo("America/Santiago")).strftime("%H:%M %z") == "01:00 -0300"


def test_a_day_of_25_hours_is_counted_as_one_calendar_day():
    opens_at, closes_at = schedule.comment_window(
        date(2026, 4, 4), date(2026, 4, 4), "America/Santiago"
    )
    assert closes_at - opens_at == timedelta(hours=25)
    assert schedule.period_days(date(2026, 4, 4), date(2026, 4, 4)) == 1


WINDOWS = [
    # zone, opens_on, closes_on, first open instant, first closed instant
    (
        "Asia/Kolkata",
        date(2026, 3, 1),
        date(2026, 4, 30),
        utc(2026, 2, 28, 18, 30),
        utc(2026, 4, 30, 18, 30),
    ),
    (
        "America/Santiago",
        date(2026, 9, 6),
        date(2026, 11, 30),
        utc(2026, 9, 6, 4),
        utc(2026, 12, 1, 3),
    ),
    (
        "America/Santiago",
        date(2026, 2, 1),
        date(2026, 4, 4),
        utc(2026, 2, 1, 3),
        utc(2026, 4, 5, 4),
    ),
    (
        "Asia/Beirut",
        date(2026, 3, 29),
        date(2026, 10, 24),
        utc(2026, 3, 28, 22),
        utc(2026, 10, 24, 22),
    ),
]


@pytest.mark.parametrize(("zone", "opens_on", "closes_on", "opens_at", "closes_at"), WINDOWS)
def test_open_from_the_first_instant_to_the_end_of_the_closing_day(
    zone, opens_on, closes_on, opens_at, closes_at
):
    assert schedule.comment_window(opens_on, closes_on, zone) == (opens_at, closes_at)
    assert not schedule.is_open(opens_at, closes_at, opens_at - SECOND)
    assert schedule.is_open(opens_at, closes_at, opens_at)
    assert schedule.is_open(opens_at, closes_at, closes_at - SECOND)
    assert not schedule.is_open(opens_at, closes_at, closes_at)


@pytest.mark.parametrize(("zone", "opens_on", "closes_on", "opens_at", "closes_at"), WINDOWS)
def test_the_model_and_the_sql_expression_agree_at_the_boundaries(
    zone, opens_on, closes_on, opens_at, closes_at
):
    consultation = cf.consultation(
        timezone=zone,
        opens_on=opens_on,
        closes_on=closes_on,
        short_period_reason="A test of the boundaries.",
    )
    assert (consultation.opens_at, consultation.closes_at) == (opens_at, closes_at)
    for now, expected in [
        (opens_at - SECOND, False),
        (opens_at, True),
        (closes_at - SECOND, True),
        (closes_at, False),
    ]:
        assert consultation.is_open_at(now) is expected, now
        found = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Consultation)
            .where(Consultation.id == consultation.id, Consultation.is_open_at(now))
        )
        assert bool(found) is expected, now


def test_only_a_published_consultation_is_open():
    consultation = cf.consultation(phase=Phase.DRAFT)
    now = consultation.opens_at + timedelta(days=1)
    assert not consultation.is_open_at(now)
    consultation.phase = Phase.CONCLUDED
    assert not consultation.is_open_at(now)
    consultation.phase = Phase.PUBLISHED
    assert consultation.is_open_at(now)


def test_the_comment_period_is_counted_in_local_calendar_days():
    assert schedule.period_days(date(2026, 3, 1), date(2026, 4, 11)) == 42
    assert not schedule.needs_short_period_reason(date(2026, 3, 1), date(2026, 4, 11))
    assert schedule.needs_short_period_reason(date(2026, 3, 1), date(2026, 4, 10))
    # Across a DST change the hours differ, the calendar days do not.
    assert schedule.period_days(date(2026, 3, 15), date(2026, 4, 25)) == 42


def test_the_deadline_is_shown_in_the_consultations_zone_and_the_readers():
    closes_at = schedule.start_of_local_day(date(2026, 3, 4), "Europe/Brussels")
    deadline = schedule.describe_deadline(closes_at, "Europe/Brussels", "Asia/Kolkata")
    assert deadline.local == "23:59, 3 March 2026 (Europe/Brussels)"
    assert deadline.reader == "04:29, 4 March 2026 (Asia/Kolkata)"
    same = schedule.describe_deadline(closes_at, "Europe/Brussels", "Europe/Brussels")
    assert same.reader is None


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (timedelta(days=23, hours=5), "23 days left"),
        (timedelta(hours=47), "47 hours left"),
        (timedelta(minutes=90), "90 minutes left"),
        (timedelta(seconds=20), "1 minute left"),
    ],
)
def test_time_left(delta, text):
    assert schedule.describe_time_left(delta) == text
