"""What a page says about a consultation's schedule, and a draft's table of contents."""

import re
from dataclasses import dataclass, field

from flask_login import current_user
from markupsafe import Markup

from consult.consultations import schedule
from consult.consultations.models import Consultation, Paragraph, Phase
from consult.db import required
from consult.text import imported_html


@dataclass(frozen=True)
class CommentingStatus:
    state: str  # "open", "upcoming", "closed" or "unscheduled"
    deadline: schedule.Deadline | None  # when commenting closes, in both zones
    opens: str | None  # "00:00, 1 March 2026 (Europe/Brussels)"
    time_left: str | None


def commenting_status(consultation: Consultation, now=None) -> CommentingStatus:
    """Whether commenting is open (judged at the request's arrival) and the time left."""
    now = now or schedule.request_time()
    if consultation.opens_at is None or consultation.closes_at is None:
        return CommentingStatus("unscheduled", None, None, None)
    reader_zone = (
        current_user.timezone if getattr(current_user, "is_authenticated", False) else None
    )
    deadline = schedule.describe_deadline(
        consultation.closes_at, consultation.timezone, reader_zone
    )
    opens = (
        f"{schedule.format_local(consultation.opens_at, consultation.timezone)} "
        f"({consultation.timezone})"
    )
    if consultation.is_open_at(now):
        return CommentingStatus(
            "open", deadline, opens, schedule.describe_time_left(consultation.closes_at - now)
        )
    if consultation.phase == Phase.CONCLUDED or now >= consultation.closes_at:
        return CommentingStatus("closed", deadline, opens, None)
    return CommentingStatus("upcoming", deadline, opens, None)


_OUTER_HEADING = re.compile(r"^\s*<h[1-6]>(.*)</h[1-6]>\s*$", re.DOTALL)


def heading_html(paragraph: Paragraph) -> Markup:
    """A heading's sanitised inner HTML, so the page chooses the heading level."""
    match = _OUTER_HEADING.match(paragraph.html)
    return imported_html(match.group(1) if match else paragraph.html)


@dataclass
class OutlineEntry:
    paragraph: Paragraph
    html: Markup
    children: list["OutlineEntry"] = field(default_factory=list)


@dataclass
class Outline:
    """The table of contents, and each heading's level on the page (sections are h3)."""

    entries: list[OutlineEntry]
    heading_levels: dict[int, int]  # paragraph id -> 3..6

    def level(self, paragraph) -> int:
        return self.heading_levels.get(paragraph.id, 3)


def reading_outline(paragraphs: list[Paragraph]) -> Outline:
    """Sections and their sub-headings, in order; deeper headings nest one level."""
    headings = [p for p in paragraphs if p.is_heading]
    top = min((required(p.level) for p in headings), default=1)  # headings have a level
    entries: list[OutlineEntry] = []
    levels = {}
    for paragraph in headings:
        levels[paragraph.id] = min(6, 3 + required(paragraph.level) - top)
        entry = OutlineEntry(paragraph, heading_html(paragraph))
        if paragraph.is_section or not entries:
            entries.append(entry)
        else:
            entries[-1].children.append(entry)
    return Outline(entries, levels)
