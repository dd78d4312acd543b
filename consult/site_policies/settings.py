"""The figures the policies page states, read from the settings the code actually uses.

``live_figures()`` reads them at the moment it is called: the module constants that
decide deadlines, thresholds and retention (read through their modules, so a changed
setting is seen at once), the app's configuration for sessions, the active privacy
officers, and the visibility levels' texts (``consult.comments.levels``, the source the
comment form shows). Publishing a version records the result (``FORMAT`` marks its
shape); an old version is shown from what it recorded.

``consultation_differences()`` lists where one consultation departs from the defaults.
"""

from dataclasses import asdict, dataclass
from datetime import timedelta
from typing import Any

from flask import current_app
from flask_babel import force_locale

from consult import figures as published_figures
from consult.accounts import services as accounts
from consult.comments import campaigns, levels
from consult.consultations import schedule
from consult.consultations import services as consultations
from consult.consultations.models import Consultation
from consult.notifications import outbox
from consult.notifications import services as notifications
from consult.responses import deadlines

FORMAT = 1

# The figures compared to tell whether the live settings have moved since a version was
# published, each with what the page calls it (see present.py).
NUMBERS = (
    "response_window_days",
    "final_week_days",
    "clarification_max_days",
    "comment_period_days",
    "min_period_days",
    "reopen_within_days",
    "campaign_organisations",
    "near_duplicate_min_words",
    "small_cell",
    "update_interval_days",
    "summary_delay_days",
    "notification_retention_days",
    "email_body_retention_days",
    "session_hours",
    "remember_me_days",
)


def _duration(value: timedelta | int | float) -> timedelta:
    # Flask accepts a number of seconds for its durations.
    return value if isinstance(value, timedelta) else timedelta(seconds=value)


def _days(value: timedelta | int | float) -> int:
    return _duration(value).days


def _hours(value: timedelta | int | float) -> int:
    return int(_duration(value).total_seconds() // 3600)


def privacy_officer_entries() -> list[dict[str, str | None]]:
    """Each active privacy officer's name and affiliation (their role title and their
    organisation, where the account has them), as published."""
    entries = []
    for officer in accounts.privacy_officers():
        parts = [officer.role_title, officer.organisation.name if officer.organisation else None]
        affiliation = ", ".join(p.strip() for p in parts if p and p.strip())
        entries.append({"name": officer.display_name, "affiliation": affiliation or None})
    return entries


def live_figures(*, record: bool = False) -> dict[str, Any]:
    """Every generated figure as it stands now. With ``record``, the texts are taken in
    the site's default language, as a published version stores them."""
    config = current_app.config
    figures: dict[str, Any] = {
        "format": FORMAT,
        "response_window_days": schedule.DEFAULT_RESPONSE_WINDOW_DAYS,
        "final_week_days": deadlines.FINAL_WEEK_DAYS,
        "clarification_max_days": deadlines.CLARIFICATION_MAX_DAYS,
        "comment_period_days": schedule.DEFAULT_PERIOD_DAYS,
        "min_period_days": schedule.MIN_PERIOD_DAYS,
        "reopen_within_days": consultations.REOPEN_WITHIN_DAYS,
        "campaign_organisations": campaigns.CAMPAIGN_ORGANISATIONS,
        "near_duplicate_min_words": campaigns.NEAR_DUPLICATE_MIN_WORDS,
        "small_cell": published_figures.SMALL_CELL,
        "update_interval_days": schedule.DEFAULT_UPDATE_INTERVAL_DAYS,
        "summary_delay_days": schedule.DEFAULT_SUMMARY_DELAY_DAYS,
        "notification_retention_days": notifications.RETENTION_DAYS,
        "email_body_retention_days": _days(outbox.KEEP_BODIES),
        "session_hours": _hours(config["PERMANENT_SESSION_LIFETIME"]),
        "remember_me_days": _days(config["REMEMBER_COOKIE_DURATION"]),
        "privacy_officers": privacy_officer_entries(),
    }
    figures["visibility"] = _visibility(recorded_language=record)
    return figures


def _visibility(*, recorded_language: bool) -> list[dict[str, str]]:
    """The visibility levels' texts, in the current language or in the site's default
    one (the language a published version records them in)."""
    if not recorded_language:
        return [asdict(text) for text in levels.level_texts()]
    with force_locale(current_app.config.get("BABEL_DEFAULT_LOCALE", "en")):
        return [asdict(text) for text in levels.level_texts()]


def changed_since(recorded: dict[str, Any] | None, live: dict[str, Any]) -> list[str]:
    """The figures whose live value differs from what a version recorded (the visibility
    texts compared in the language it recorded them in)."""
    if not recorded:
        return []
    now = {**live, "visibility": _visibility(recorded_language=True)}
    keys = [*NUMBERS, "privacy_officers", "visibility"]
    return [key for key in keys if key in recorded and recorded.get(key) != now.get(key)]


# --- one consultation ---------------------------------------------------------------------


@dataclass(frozen=True)
class Difference:
    """One way a consultation departs from the site's defaults (or, for its time zone,
    a fact every reader needs)."""

    key: str
    value: int | str
    default: int | str | None  # None: not a difference, always stated
    reason: str | None = None  # a public reason recorded with it


def consultation_differences(consultation: Consultation) -> list[Difference]:
    """Where ``consultation``'s settings differ from the site's defaults."""
    found = [Difference("timezone", consultation.timezone, None)]
    if consultation.opens_on and consultation.closes_on:
        days = schedule.period_days(consultation.opens_on, consultation.closes_on)
        if days != schedule.DEFAULT_PERIOD_DAYS:
            found.append(
                Difference(
                    "comment_period_days",
                    days,
                    schedule.DEFAULT_PERIOD_DAYS,
                    consultation.short_period_reason,
                )
            )
    if consultation.response_window_days != schedule.DEFAULT_RESPONSE_WINDOW_DAYS:
        found.append(
            Difference(
                "response_window_days",
                consultation.response_window_days,
                schedule.DEFAULT_RESPONSE_WINDOW_DAYS,
            )
        )
    if consultation.closes_on and consultation.summary_due_on:
        delay = (consultation.summary_due_on - consultation.closes_on).days
        if delay != schedule.DEFAULT_SUMMARY_DELAY_DAYS:
            found.append(
                Difference("summary_delay_days", delay, schedule.DEFAULT_SUMMARY_DELAY_DAYS)
            )
    if consultation.update_interval_days != schedule.DEFAULT_UPDATE_INTERVAL_DAYS:
        found.append(
            Difference(
                "update_interval_days",
                consultation.update_interval_days,
                schedule.DEFAULT_UPDATE_INTERVAL_DAYS,
            )
        )
    return found
