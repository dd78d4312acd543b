"""Figures in words: what the policies page shows beside each section's prose.

Works on a figures dict, live or recorded (``consult.site_policies.settings``), so the
current page and an old version are worded by the same code. A figure a version did
not record (added to the page later) is left out of that version.
"""

from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from consult.consultations.schedule import format_local
from consult.site_policies.sections import SECTIONS, STANDARD_TEXT, Section
from consult.site_policies.settings import Difference


def when(instant) -> str:
    """When a version was published, in the reader's zone (UTC for visitors)."""
    if instant is None:
        return ""
    signed_in = getattr(current_user, "is_authenticated", False)
    zone = (current_user.timezone if signed_in else None) or "UTC"
    return f"{format_local(instant, zone)} ({zone})"


@dataclass(frozen=True)
class VersionRow:
    number: int
    published: str
    change_note: str


def version_rows(versions) -> list[VersionRow]:
    return [VersionRow(v.number, when(v.published_at), v.change_note) for v in versions]


def _days(n: int) -> str:
    """``30 days``; ``84 days (12 weeks)`` for whole weeks."""
    days = ngettext("%(num)d day", "%(num)d days", n)
    if n >= 28 and n % 7 == 0:
        return _("%(days)s (%(weeks)d weeks)", days=days, weeks=n // 7)
    return days


@dataclass(frozen=True)
class Fact:
    label: str
    value: str


@dataclass(frozen=True)
class Block:
    kind: str
    facts: list[Fact] = field(default_factory=list)
    levels: list[dict[str, str]] = field(default_factory=list)  # kind "visibility"
    officers: list[dict[str, str | None]] = field(default_factory=list)  # "privacy_officers"


@dataclass(frozen=True)
class ShownSection:
    key: str
    title: str
    prose: str  # Markdown, rendered by the template's ``markdown`` filter
    block: Block | None


def _facts(kind: str, f: dict[str, Any]) -> list[Fact]:
    """The facts of one block, each only if the figures hold what it needs."""
    candidates: list[tuple[tuple[str, ...], Any]] = []
    if kind == "responses":
        candidates = [
            (
                ("response_window_days", "final_week_days"),
                lambda: Fact(
                    _("Time a company has to answer"),
                    _(
                        "%(window)s from the day it is asked; for a comment posted in the "
                        "last %(week)s of the comment period, from the closing date",
                        window=_days(f["response_window_days"]),
                        week=_days(f["final_week_days"]),
                    ),
                ),
            ),
            (
                ("response_window_days",),
                lambda: Fact(
                    _("Overdue"),
                    _("from the day after the due date"),
                ),
            ),
            (
                ("response_window_days",),
                lambda: Fact(
                    _("Very overdue"),
                    _(
                        "from %(window)s after the due date (twice the response window)",
                        window=_days(f["response_window_days"]),
                    ),
                ),
            ),
            (
                ("clarification_max_days",),
                lambda: Fact(
                    _("Pause for a clarification request"),
                    _("at most %(days)s", days=_days(f["clarification_max_days"])),
                ),
            ),
        ]
    elif kind == "period":
        candidates = [
            (
                ("comment_period_days", "min_period_days"),
                lambda: Fact(
                    _("Comment period"),
                    _(
                        "%(days)s by default; a period shorter than %(min)s needs a public reason",
                        days=_days(f["comment_period_days"]),
                        min=_days(f["min_period_days"]),
                    ),
                ),
            ),
            (
                ("reopen_within_days",),
                lambda: Fact(
                    _("Reopening after the close"),
                    _(
                        "within %(days)s of the close, with a public reason",
                        days=_days(f["reopen_within_days"]),
                    ),
                ),
            ),
        ]
    elif kind == "campaigns":
        candidates = [
            (
                ("campaign_organisations",),
                lambda: Fact(
                    _("A campaign forms with"),
                    ngettext(
                        "%(num)d organisation or more",
                        "%(num)d organisations or more",
                        f["campaign_organisations"],
                    ),
                ),
            ),
            (
                ("near_duplicate_min_words",),
                lambda: Fact(
                    _("Near-duplicates are matched for texts of"),
                    ngettext(
                        "at least %(num)d word",
                        "at least %(num)d words",
                        f["near_duplicate_min_words"],
                    ),
                ),
            ),
        ]
    elif kind == "figures":
        candidates = [
            (
                ("small_cell",),
                lambda: Fact(
                    _("Small counts in published figures"),
                    _(
                        'a count from 1 to %(last)d is shown as "fewer than %(n)d"',
                        last=f["small_cell"] - 1,
                        n=f["small_cell"],
                    ),
                ),
            ),
        ]
    elif kind == "reporting":
        candidates = [
            (
                ("update_interval_days",),
                lambda: Fact(
                    _("Progress updates"),
                    _(
                        "at least every %(days)s; an older last update is flagged",
                        days=_days(f["update_interval_days"]),
                    ),
                ),
            ),
            (
                ("summary_delay_days",),
                lambda: Fact(
                    _("Narrative summary due"),
                    _("%(days)s after the close", days=_days(f["summary_delay_days"])),
                ),
            ),
        ]
    elif kind == "retention":
        candidates = [
            (
                ("notification_retention_days",),
                lambda: Fact(
                    _("Notifications"),
                    _(
                        "deleted %(days)s after they were made",
                        days=_days(f["notification_retention_days"]),
                    ),
                ),
            ),
            (
                ("email_body_retention_days",),
                lambda: Fact(
                    _("The text of emails we send"),
                    _(
                        "erased %(days)s after sending; the record that an email was sent stays",
                        days=_days(f["email_body_retention_days"]),
                    ),
                ),
            ),
        ]
    elif kind == "security":
        candidates = [
            (
                ("session_hours",),
                lambda: Fact(
                    _("A session lasts"),
                    ngettext("at most %(num)d hour", "at most %(num)d hours", f["session_hours"]),
                ),
            ),
            (
                ("remember_me_days",),
                lambda: Fact(
                    _('"Keep me signed in" lasts'),
                    _("at most %(days)s", days=_days(f["remember_me_days"])),
                ),
            ),
        ]
    return [make() for needs, make in candidates if all(key in f for key in needs)]


def block(kind: str | None, figures: dict[str, Any]) -> Block | None:
    if kind is None:
        return None
    if kind == "visibility":
        return Block(kind, levels=list(figures.get("visibility") or []))
    if kind == "privacy_officers":
        return Block(kind, officers=list(figures.get("privacy_officers") or []))
    return Block(kind, facts=_facts(kind, figures))


def shown_sections(prose: dict[str, str] | None, figures: dict[str, Any]) -> list[ShownSection]:
    """Every section, in order, with its prose (the standard text where ``prose`` is
    None: nothing published yet) and its block of figures."""
    return [
        ShownSection(
            key=section.key,
            title=str(section.title),
            prose=_prose(section, prose),
            block=block(section.block, figures),
        )
        for section in SECTIONS
    ]


def _prose(section: Section, prose: dict[str, str] | None) -> str:
    if prose is None:
        return str(STANDARD_TEXT.get(section.key, ""))
    return prose.get(section.key, "")


def changed_labels(keys: list[str]) -> list[str]:
    """What the page calls each changed figure, for the notice that figures moved."""
    labels = {
        "response_window_days": _("response window"),
        "final_week_days": _("final week of the comment period"),
        "clarification_max_days": _("clarification pause"),
        "comment_period_days": _("comment period"),
        "min_period_days": _("shortest period without a reason"),
        "reopen_within_days": _("reopening"),
        "campaign_organisations": _("campaign threshold"),
        "near_duplicate_min_words": _("near-duplicate length"),
        "small_cell": _("small counts"),
        "update_interval_days": _("progress updates"),
        "summary_delay_days": _("narrative summary due"),
        "notification_retention_days": _("notifications kept"),
        "email_body_retention_days": _("email text kept"),
        "session_hours": _("session length"),
        "remember_me_days": _('"keep me signed in"'),
        "privacy_officers": _("privacy officers"),
        "visibility": _("visibility levels"),
    }
    return [labels.get(key, key) for key in keys]


# --- one consultation -------------------------------------------------------------------


def difference_facts(differences: list[Difference]) -> list[Fact]:
    """A consultation's departures from the defaults, in words."""
    facts = []
    for d in differences:
        if d.key == "timezone":
            facts.append(
                Fact(_("Time zone of its dates and deadlines"), str(d.value)),
            )
            continue
        label, value, default = {
            "comment_period_days": (_("Comment period"), d.value, d.default),
            "response_window_days": (_("Time a company has to answer"), d.value, d.default),
            "summary_delay_days": (_("Narrative summary due after the close"), d.value, d.default),
            "update_interval_days": (_("Progress updates at least every"), d.value, d.default),
        }[d.key]
        text = _(
            "%(value)s (site default: %(default)s)",
            value=_days(int(value)),
            default=_days(int(default or 0)),
        )
        if d.key == "response_window_days":
            text = _(
                "%(value)s (site default: %(default)s); overdue from the day after the due "
                "date, very overdue %(value)s after it",
                value=_days(int(value)),
                default=_days(int(default or 0)),
            )
        if d.reason:
            text += " " + _("Reason: %(reason)s", reason=d.reason)
        facts.append(Fact(str(label), text))
    return facts
