"""Citations in a narrative summary: paragraphs (``§3.2``) and comments (``C-7K3Q9XPD``).

A paragraph number means the paragraph of that number in the version the summary
declares, and is resolved there to the paragraph's stable key; the link follows the key
(the permalink), so a later draft that renumbers the paragraph breaks nothing. A comment
reference becomes a link only when the reader may open the comment and read it
(``consult.policy.summaries.cites_as_link``); any other reference — restricted or
confidential for this reader, hidden, withdrawn, of another consultation, or unknown —
stays the plain reference text, the same in every case.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import sqlalchemy as sa
from markupsafe import Markup

from consult.comments.models import Comment
from consult.consultations.models import Consultation, DocumentVersion, Paragraph
from consult.db import REFERENCE_ALPHABET
from consult.extensions import db
from consult.policy.summaries import cites_as_link
from consult.text import render_markdown

# "§3.2", "§ 3.2", "§0.1", "§3" (a sentence's full stop after it is not part of it).
PARAGRAPH = re.compile(r"§\s?(\d{1,4}(?:\.\d{1,4}){0,4})")
COMMENT = re.compile(rf"(?<![\w-])C-[{REFERENCE_ALPHABET}]{{8}}(?![\w-])")
CITATION = re.compile(f"{PARAGRAPH.pattern}|{COMMENT.pattern}")


@dataclass(frozen=True)
class Citations:
    """What a text's citations resolve to for one reader."""

    paragraphs: dict[str, str] = field(default_factory=dict)  # number -> stable key
    comments: frozenset[str] = frozenset()  # references the reader may open


def cited(texts: list[str]) -> tuple[set[str], set[str]]:
    """The paragraph numbers and comment references cited in ``texts``."""
    numbers: set[str] = set()
    references: set[str] = set()
    for text in texts:
        numbers.update(m.group(1) for m in PARAGRAPH.finditer(text or ""))
        references.update(m.group(0) for m in COMMENT.finditer(text or ""))
    return numbers, references


def resolve(
    consultation: Consultation, version: DocumentVersion, texts: list[str], viewer
) -> Citations:
    """Resolve the citations of ``texts`` for ``viewer`` (two statements at most)."""
    numbers, references = cited(texts)
    paragraphs: dict[str, str] = {}
    if numbers:
        paragraphs = {
            row.number: row.stable_key
            for row in db.session.execute(
                sa.select(Paragraph.number, Paragraph.stable_key).where(
                    Paragraph.version_id == version.id, Paragraph.number.in_(numbers)
                )
            )
        }
    openable: set[str] = set()
    if references:
        comments = db.session.scalars(
            sa.select(Comment).where(
                Comment.consultation_id == consultation.id, Comment.reference.in_(references)
            )
        )
        openable = {c.reference for c in comments if cites_as_link(viewer, c)}
    return Citations(paragraphs, frozenset(openable))


def linker(
    citations: Citations,
    *,
    paragraph_url: Callable[[str], str],
    comment_url: Callable[[str], str],
) -> Callable[[str], list[tuple[str, str | None]]]:
    """Split plain text into pieces, citations the reader may follow carrying their link."""

    def split(text: str) -> list[tuple[str, str | None]]:
        pieces: list[tuple[str, str | None]] = []
        position = 0
        for match in CITATION.finditer(text):
            number, whole = match.group(1), match.group(0)
            if number is not None:
                key = citations.paragraphs.get(number)
                href = paragraph_url(key) if key else None
            else:
                href = comment_url(whole) if whole in citations.comments else None
            if href is None:
                continue  # stays inside the surrounding plain text
            if match.start() > position:
                pieces.append((text[position : match.start()], None))
            pieces.append((whole, href))
            position = match.end()
        if position < len(text):
            pieces.append((text[position:], None))
        return pieces

    return split


def render(
    text: str,
    citations: Citations,
    *,
    paragraph_url: Callable[[str], str],
    comment_url: Callable[[str], str],
) -> Markup:
    """The summary's Markdown as sanitised HTML, its citations linked as resolved."""
    return render_markdown(
        text, linker=linker(citations, paragraph_url=paragraph_url, comment_url=comment_url)
    )
