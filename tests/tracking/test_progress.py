"""Progress updates: "Last progress update N days ago", counted in the consultation's local
days, and overdue from the promised interval + 1 day, at the exact local midnight."""

from datetime import UTC, date, datetime, timedelta

import pytest

from consult.consultations.models import Phase
from consult.extensions import db
from consult.tracking import progress
from consult.tracking.models import UpdateKind
from consult.tracking.services import post_update
from tests import factories
from tests.consultations import factories as cf

MICROSECOND = timedelta(microseconds=1)


def utc(*parts) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def posted(consultation, at: datetime, kind=UpdateKind.PROGRESS):
    update = post_update(
        consultation, kind=kind, title="Where we are", body="Text.", author=None, now=at
    )
    db.session.commit()
    return update


# (zone, when the last progress update was posted, the first overdue instant, the local
# day it was posted on). Each boundary is a local midnight written out in UTC by hand:
# - Kathmandu is UTC+05:45, so its days start at 18:15 UTC, and an update posted at
#   00:10 local time is on the previous day in UTC;
# - Santiago starts summer time at midnight on 5 September 2027 (the clocks jump to
#   01:00, so that day starts at 04:00 UTC, an hour after a midnight at -03:00 would),
#   and ends it at midnight on 4 April 2027 (the clocks go back to 23:00 on 3 April, which
#   therefore lasts 25 hours: 4 April starts at 04:00 UTC, not at 03:00).
BOUNDARIES = [
    ("Asia/Kathmandu", utc(2027, 2, 28, 18, 25), utc(2027, 5, 30, 18, 15), date(2027, 3, 1)),
    ("America/Santiago", utc(2027, 6, 6, 15, 0), utc(2027, 9, 5, 4, 0), date(2027, 6, 6)),
    ("America/Santiago", utc(2027, 1, 3, 12, 0), utc(2027, 4, 4, 4, 0), date(2027, 1, 3)),
]


@pytest.mark.parametrize(("zone", "last", "overdue_at", "local_day"), BOUNDARIES)
def test_overdue_from_the_local_midnight_after_interval_days(zone, last, overdue_at, local_day):
    consultation = cf.consultation(timezone=zone)
    assert consultation.update_interval_days == 90  # the default of the design
    posted(consultation, last)

    before = progress.status_of(consultation, overdue_at - MICROSECOND)
    assert before.since_on == local_day
    assert (before.days, before.overdue) == (90, False)
    assert before.due_by == local_day + timedelta(days=90)

    at = progress.status_of(consultation, overdue_at)
    assert (at.days, at.overdue, at.overdue_days) == (91, True, 1)
    assert progress.overdue_from(at, consultation) == overdue_at


@pytest.mark.parametrize(("zone", "last", "overdue_at", "local_day"), BOUNDARIES)
def test_the_pages_flag_it_at_the_same_instant(client, clock, zone, last, overdue_at, local_day):
    consultation = cf.consultation(timezone=zone, title=f"Consultation in {zone}")
    posted(consultation, last)
    url = f"/consultations/{consultation.slug}"

    clock(overdue_at - MICROSECOND)
    page = client.get(url).get_data(as_text=True)
    assert "Last progress update 90 days ago" in page
    assert f"{local_day.day} {local_day:%B %Y}, {zone}" in page
    assert "Overdue:" not in page
    assert 'id="overdue-updates"' not in client.get("/").get_data(as_text=True)

    clock(overdue_at)
    page = client.get(url).get_data(as_text=True)
    assert "Last progress update 91 days ago" in page
    assert "Overdue:" in page
    assert "promised at least every 90 days" in page
    home = client.get("/").get_data(as_text=True)
    overdue = home[home.index('id="overdue-updates"') : home.index("</section>")]
    assert consultation.title in overdue
    assert "last progress update 91 days ago" in overdue


def test_days_are_local_days_not_utc_days():
    """Noon UTC on 30 May 2027 is already evening in Kathmandu, but still 30 May there:
    counting UTC days would call the update overdue six hours early."""
    consultation = cf.consultation(timezone="Asia/Kathmandu")
    posted(consultation, utc(2027, 2, 28, 18, 25))  # 1 March, 00:10 in Kathmandu
    status = progress.status_of(consultation, utc(2027, 5, 30, 12, 0))
    assert (status.days, status.overdue) == (90, False)


def test_only_progress_updates_count():
    consultation = cf.consultation(timezone="Europe/Brussels")
    posted(consultation, utc(2027, 1, 10, 12))
    for kind in (UpdateKind.EXTENSION, UpdateKind.DELAY, UpdateKind.NEW_VERSION):
        posted(consultation, utc(2027, 4, 1, 12), kind=kind)
    status = progress.status_of(consultation, utc(2027, 4, 20, 12))
    assert status.since_on == date(2027, 1, 10)
    assert status.overdue


def test_a_shorter_interval_is_the_one_promised():
    consultation = cf.consultation(timezone="Europe/Brussels")
    consultation.update_interval_days = 14
    db.session.commit()
    posted(consultation, utc(2027, 1, 10, 12))
    assert not progress.status_of(consultation, utc(2027, 1, 24, 22, 59)).overdue
    assert progress.status_of(consultation, utc(2027, 1, 24, 23, 0)).overdue  # 25 Jan, 00:00


def test_before_any_update_the_interval_counts_from_publication():
    consultation = cf.consultation(timezone="Europe/Brussels")
    consultation.published_at = utc(2027, 1, 10, 12)
    db.session.commit()
    status = progress.status_of(consultation, utc(2027, 4, 11, 12))
    assert status.last_posted_at is None
    assert (status.since_on, status.days, status.overdue) == (date(2027, 1, 10), 91, True)


def test_a_draft_consultation_is_never_overdue():
    consultation = cf.consultation(phase=Phase.DRAFT)
    status = progress.status_of(consultation, utc(2040, 1, 1))
    assert not status.overdue and status.days is None


def test_the_home_page_lists_only_overdue_public_consultations(client, clock):
    late = cf.consultation(title="Late one")
    posted(late, utc(2027, 1, 1, 12))
    recent = cf.consultation(title="Recent one")
    posted(recent, utc(2027, 5, 1, 12))
    hidden = cf.consultation(title="Hidden draft", phase=Phase.DRAFT)
    hidden.published_at = utc(2026, 1, 1)
    db.session.commit()
    clock(utc(2027, 5, 2, 12))
    for viewer in (None, factories.coordinator()):
        if viewer is not None:
            client.sign_in(viewer)
        home = client.get("/").get_data(as_text=True)
        overdue = home[home.index('id="overdue-updates"') : home.index("</section>")]
        assert "Late one" in overdue
        assert "Recent one" not in overdue
        assert "Hidden draft" not in overdue
