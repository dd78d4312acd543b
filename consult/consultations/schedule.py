"""Local dates and UTC instants: when commenting opens and closes, and how it is shown.

A consultation's dates are local calendar dates in its IANA time zone. Commenting is
open from the first instant of ``opens_on`` to the first instant of the day after
``closes_on`` (exclusive), judged by the time the request arrived.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time
from flask import g, has_request_context
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user

from consult.db import utcnow

MIN_PERIOD_DAYS = 42  # six weeks, counted in local calendar days
DEFAULT_PERIOD_DAYS = 84  # twelve weeks
DEFAULT_RESPONSE_WINDOW_DAYS = 30
DEFAULT_SUMMARY_DELAY_DAYS = 84  # summary due twelve weeks after close
DEFAULT_UPDATE_INTERVAL_DAYS = 90


def start_of_local_day(day: date, zone: str) -> datetime:
    """The first instant (UTC) whose local date in ``zone`` is ``day``.

    Usually local midnight. Where a daylight-saving change skips midnight (America/
    Santiago, Asia/Beirut) the day starts when the clocks jump. Found by bisection in
    whole seconds, relying only on the local date never going backwards.
    """
    tz = ZoneInfo(zone)
    utc_midnight = datetime.combine(day, time(), UTC)
    # Offsets lie between -12 h and +14 h: 27 hours either side brackets the answer.
    low = int((utc_midnight - timedelta(hours=27)).timestamp())  # local date before ``day``
    high = int((utc_midnight + timedelta(hours=27)).timestamp())  # local date on or after
    while high - low > 1:
        middle = (low + high) // 2
        if datetime.fromtimestamp(middle, tz).date() >= day:
            high = middle
        else:
            low = middle
    return datetime.fromtimestamp(high, UTC)


def local_date(instant: datetime, zone: str) -> date:
    """The calendar date in ``zone`` at ``instant`` (an aware datetime)."""
    return instant.astimezone(ZoneInfo(zone)).date()


def comment_window(opens_on: date | None, closes_on: date | None, zone: str):
    """The UTC instants ``(opens_at, closes_at)`` of the local dates, or None where unset."""
    opens_at = start_of_local_day(opens_on, zone) if opens_on else None
    closes_at = start_of_local_day(closes_on + timedelta(days=1), zone) if closes_on else None
    return opens_at, closes_at


def is_open(opens_at: datetime | None, closes_at: datetime | None, now: datetime) -> bool:
    """Open from ``opens_at`` (inclusive) to ``closes_at`` (exclusive)."""
    return opens_at is not None and closes_at is not None and opens_at <= now < closes_at


def period_days(opens_on: date, closes_on: date) -> int:
    """The comment period in local calendar days, both ends included."""
    return (closes_on - opens_on).days + 1


def needs_short_period_reason(opens_on: date | None, closes_on: date | None) -> bool:
    """A period shorter than six weeks needs a recorded reason."""
    return bool(opens_on and closes_on and period_days(opens_on, closes_on) < MIN_PERIOD_DAYS)


def request_time() -> datetime:
    """When the current request arrived (or now, outside a request)."""
    if has_request_context():
        return g.get("request_arrived_at") or utcnow()
    return utcnow()


def mark_request_arrival():
    g.request_arrived_at = utcnow()


# --- display ---------------------------------------------------------------------------


def _locale():
    return get_locale() or "en"


def format_local(instant: datetime, zone: str) -> str:
    """``23:59, 3 March 2026`` for an instant in ``zone``."""
    local = instant.astimezone(ZoneInfo(zone))
    return _(
        "%(time)s, %(date)s",
        time=format_time(local, "HH:mm", locale=_locale()),
        date=format_date(local.date(), "d MMMM y", locale=_locale()),
    )


def format_local_date(day: date | None) -> str:
    """``3 March 2026``."""
    return format_date(day, "d MMMM y", locale=_locale()) if day else ""


def format_event_time(instant: datetime | None, consultation) -> str:
    """An event's time in the reader's zone; visitors get the consultation's zone."""
    if instant is None:
        return ""
    signed_in = getattr(current_user, "is_authenticated", False)
    zone = current_user.timezone if signed_in and current_user.timezone else consultation.timezone
    return f"{format_local(instant, zone)} ({zone})"


@dataclass(frozen=True)
class Deadline:
    """How a closing moment is shown: in the consultation's zone, and the reader's."""

    local: str  # "23:59, 3 March 2026 (Europe/Brussels)"
    reader: str | None  # the same moment in the reader's zone, when it differs


def describe_deadline(closes_at: datetime, zone: str, reader_zone: str | None) -> Deadline:
    """The last minute before ``closes_at``, in the consultation's and the reader's zones."""
    last_minute = closes_at - timedelta(minutes=1)
    local = f"{format_local(last_minute, zone)} ({zone})"
    reader = None
    if reader_zone and reader_zone != zone:
        reader = f"{format_local(last_minute, reader_zone)} ({reader_zone})"
    return Deadline(local=local, reader=reader)


def describe_time_left(delta: timedelta) -> str:
    """``23 days left``, ``5 hours left``, ``12 minutes left``."""
    seconds = max(int(delta.total_seconds()), 0)
    if seconds >= 2 * 86400:
        days = seconds // 86400
        return ngettext("%(num)d day left", "%(num)d days left", days)
    if seconds >= 2 * 3600:
        hours = seconds // 3600
        return ngettext("%(num)d hour left", "%(num)d hours left", hours)
    minutes = max(seconds // 60, 1)
    return ngettext("%(num)d minute left", "%(num)d minutes left", minutes)
