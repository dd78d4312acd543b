"""Dispositions as a viewer is shown them: ready for the templates, every visibility rule
already applied (consult/policy/dispositions.py)."""

from dataclasses import dataclass, field
from datetime import date
from zoneinfo import ZoneInfo

from consult.accounts.models import OrganisationKind
from consult.comments.models import Comment, CommentKind, Visibility
from consult.consultations.diffing import Segment, word_diff
from consult.consultations.models import Paragraph
from consult.dispositions.models import Disposition, Outcome
from consult.dispositions.services import Subject, disposition_for, later_paragraphs
from consult.policy.dispositions import (
    shows_comment_details,
    shows_comment_text,
    shows_disposition_row,
)

EXCERPT_WORDS = 40


@dataclass(frozen=True)
class Shown:
    """A disposition as anyone may read it: its outcome and reason are public."""

    outcome: Outcome
    reason_html: str | None
    recorded_on: date  # in the consultation's zone
    later_version: int | None  # the draft number it points to
    later_key: str | None
    later_number: str | None  # the paragraph's number in that draft
    removed: bool
    changes: list[Segment] = field(default_factory=list)


@dataclass(frozen=True)
class Row:
    """One line of a disposition table."""

    subject_reference: str | None  # None: the viewer may not open the comment
    comment_reference: str | None
    section: str | None
    paragraph_number: str | None
    kind: CommentKind
    category: OrganisationKind | None
    restricted: bool  # a restricted comment the viewer may not read
    excerpt: str | None
    members: int
    is_campaign: bool
    disposition: Shown | None


def shown(
    disposition: Disposition | None, comment: Comment, later: dict, zone: str
) -> Shown | None:
    if disposition is None:
        return None
    version = disposition.later_version
    paragraph: Paragraph | None = None
    if version is not None and disposition.later_stable_key:
        paragraph = later.get((version.id, disposition.later_stable_key))
    changes = []
    if paragraph is not None and comment.paragraph is not None:
        changes = word_diff(comment.paragraph.source, paragraph.source)
    return Shown(
        outcome=disposition.outcome,
        reason_html=disposition.reason_html,
        recorded_on=disposition.recorded_at.astimezone(ZoneInfo(zone)).date(),
        later_version=version.number if version is not None else None,
        later_key=disposition.later_stable_key,
        later_number=paragraph.number if paragraph is not None else None,
        removed=disposition.paragraph_removed,
        changes=changes if any(s.op != "equal" for s in changes) else [],
    )


def shown_for_comment(disposition: Disposition | None, comment: Comment, zone: str) -> Shown | None:
    """For one comment's page (the viewer may already read it)."""
    if disposition is None:
        return None
    return shown(disposition, comment, later_paragraphs([disposition]), zone)


def rows(viewer, found: list[Subject], latest: dict, zone: str) -> list[Row]:
    later = later_paragraphs(latest.values())
    result = []
    for subject in found:
        comment = subject.comment
        if not shows_disposition_row(viewer, comment):
            continue
        details = shows_comment_details(viewer, comment)
        result.append(
            Row(
                subject_reference=subject.reference if details else None,
                comment_reference=comment.reference if details else None,
                section=subject.section,
                paragraph_number=comment.paragraph_number,
                kind=comment.kind,
                category=comment.category if details else None,
                restricted=comment.visibility == Visibility.RESTRICTED and not details,
                excerpt=_excerpt(comment.body) if shows_comment_text(viewer, comment) else None,
                members=subject.members,
                is_campaign=subject.campaign is not None,
                disposition=shown(disposition_for(subject, latest), comment, later, zone),
            )
        )
    return result


def _excerpt(text: str) -> str:
    words = text.split()
    return " ".join(words[:EXCERPT_WORDS]) + (" …" if len(words) > EXCERPT_WORDS else "")


def by_section(table: list[Row]) -> list[tuple[str | None, list[Row]]]:
    """Rows grouped by section, in the order they came (the whole draft first)."""
    groups: dict[str | None, list[Row]] = {}
    for row in table:
        groups.setdefault(row.section, []).append(row)
    return list(groups.items())


def filtered(
    table: list[Row],
    *,
    section: str | None = None,
    kind: str | None = None,
    category: str | None = None,
    outcome: str | None = None,
    state: str | None = None,
) -> list[Row]:
    """The rows matching every filter given. A row whose category the viewer may not see
    never matches a category filter, so a filter cannot tell what the row hides."""

    def keep(row: Row) -> bool:
        if section and (row.section or "whole") != section:
            return False
        if kind and row.kind.value != kind:
            return False
        if category and (row.category is None or row.category.value != category):
            return False
        if outcome and (row.disposition is None or row.disposition.outcome.value != outcome):
            return False
        if state == "disposed" and row.disposition is None:
            return False
        return not (state == "undisposed" and row.disposition is not None)

    return [row for row in table if keep(row)]
