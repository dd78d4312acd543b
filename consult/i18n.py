"""Languages, time zones and countries: preferences and display helpers."""

import zoneinfo
from datetime import UTC, datetime
from functools import cache

import pycountry
from flask import current_app, request
from flask_babel import format_date, format_datetime, get_locale, get_timezone
from flask_login import current_user


def select_locale():
    """The signed-in person's language, else the browser's best match."""
    languages = current_app.config["LANGUAGES"]
    if getattr(current_user, "is_authenticated", False) and current_user.locale in languages:
        return current_user.locale
    return request.accept_languages.best_match(list(languages)) if request else None


def select_timezone():
    """The signed-in person's time zone; visitors get UTC unless a page says otherwise."""
    if getattr(current_user, "is_authenticated", False) and current_user.timezone:
        return current_user.timezone
    return None


@cache
def timezone_names() -> tuple[str, ...]:
    """Every IANA zone name a person may choose, sorted, without legacy aliases."""
    names = zoneinfo.available_timezones()
    return tuple(
        sorted(n for n in names if "/" in n and not n.startswith(("Etc/", "SystemV/", "US/")))
        + ["UTC"]
    )


def is_timezone(name: str) -> bool:
    return name in timezone_names()


@cache
def countries() -> tuple[tuple[str, str], ...]:
    """(ISO 3166-1 alpha-2 code, name) pairs, sorted by name."""
    return tuple(sorted(((c.alpha_2, c.name) for c in pycountry.countries), key=lambda p: p[1]))


def country_name(code: str | None) -> str:
    if not code:
        return ""
    country = pycountry.countries.get(alpha_2=code)
    return country.name if country else code


def format_instant(value: datetime | None, fmt="medium") -> str:
    """An instant in the reader's time zone, with the zone named."""
    if value is None:
        return ""
    return f"{format_datetime(value, fmt)} ({get_timezone().zone})"


def register_template_helpers(app):
    app.add_template_filter(format_instant, "instant")
    app.add_template_filter(format_date, "date")
    app.add_template_filter(country_name, "country_name")
    app.add_template_global(lambda: datetime.now(UTC), "utcnow")
    app.add_template_global(get_locale, "get_locale")
