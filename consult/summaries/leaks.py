"""The leak check a narrative summary passes before it is published.

It stops a publication whose text (the summary and its "what changed" note) contains

- 8 or more consecutive words of any restricted or confidential comment of the
  consultation: its text, proposed wording, earlier revisions (a redacted one excepted)
  and the replies in its thread, all of which share its audience; or
- the name or the organisation of any non-public author: the author of an anonymous,
  restricted or confidential comment (or of a public one who withdrew their name), a
  co-signer who is not shown by name, a replier who posted by category only.

Words are compared case-insensitively, ignoring punctuation and Markdown. A name
matches as its whole sequence of words; "Open Lines (demo)" also matches without the
part in brackets. Only a privacy officer may publish over a finding, with a reason
(consult/summaries/narrative.py).

A finding about a quotation names the comment quoted (coordinators may read it). A
finding about a name never says which name, nor whose: coordinators do not learn who
wrote a non-public comment.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa

from consult.accounts.models import Organisation, User
from consult.comments.models import (
    OPEN_TO_ALL,
    CommentRevision,
    CoSignature,
    Reply,
    ReplyIdentity,
    Visibility,
)
from consult.comments.models import Comment as C
from consult.consultations.models import Consultation
from consult.extensions import db

MIN_WORDS = 8
WORD = re.compile(r"\w+")
BRACKETS = re.compile(r"\s*[(\[][^)\]]*[)\]]\s*")
NON_PUBLIC = (Visibility.ANONYMOUS, Visibility.RESTRICTED, Visibility.CONFIDENTIAL)
CLOSED = (Visibility.RESTRICTED, Visibility.CONFIDENTIAL)


def words(text: str | None) -> list[str]:
    return [w.casefold() for w in WORD.findall(text or "")]


@dataclass(frozen=True)
class Finding:
    """One reason the text may not be published as it is."""

    kind: str  # "quote" or "name"
    comment_reference: str | None = None  # the comment quoted
    excerpt: str | None = None  # the quoted words, as the summary has them
    words: int = 0


@dataclass
class Protected:
    """What a consultation's summary must not contain."""

    # Every run of MIN_WORDS words of a restricted or confidential text -> its comment.
    runs: dict[tuple[str, ...], str]
    names: set[tuple[str, ...]]


def _name_variants(name: str | None) -> set[tuple[str, ...]]:
    if not name:
        return set()
    found = {tuple(words(name)), tuple(words(BRACKETS.sub(" ", name)))}
    return {variant for variant in found if variant}


def protect(texts: Iterable[tuple[str, str | None]], names: Iterable[str | None]) -> Protected:
    """Index the (comment reference, text) pairs and the names (pure)."""
    runs: dict[tuple[str, ...], str] = {}
    for reference, text in texts:
        found = words(text)
        for start in range(len(found) - MIN_WORDS + 1):
            runs.setdefault(tuple(found[start : start + MIN_WORDS]), reference)
    variants: set[tuple[str, ...]] = set()
    for name in names:
        variants |= _name_variants(name)
    return Protected(runs, variants)


def _contains(haystack: list[str], needle: tuple[str, ...]) -> bool:
    size = len(needle)
    return any(tuple(haystack[i : i + size]) == needle for i in range(len(haystack) - size + 1))


def check(texts: Iterable[str], protected: Protected) -> list[Finding]:
    """What in ``texts`` the summary may not publish (pure): each quotation once, as its
    longest run, then one finding per text that names a non-public author."""
    findings: list[Finding] = []
    for text in texts:
        positions = [(m.group(0), m.start(), m.end()) for m in WORD.finditer(text or "")]
        found = [w.casefold() for w, _s, _e in positions]
        start = 0
        while start <= len(found) - MIN_WORDS:
            reference = protected.runs.get(tuple(found[start : start + MIN_WORDS]))
            if reference is None:
                start += 1
                continue
            end = start + MIN_WORDS
            while end < len(found) and tuple(found[end - MIN_WORDS + 1 : end + 1]) in (
                protected.runs
            ):
                end += 1
            excerpt = text[positions[start][1] : positions[end - 1][2]]
            findings.append(Finding("quote", reference, excerpt, end - start))
            start = end
        if any(_contains(found, name) for name in protected.names):
            findings.append(Finding("name"))
    return findings


# --- what a consultation protects --------------------------------------------------------


def _closed_texts(consultation_id: int) -> list[tuple[str, str | None]]:
    """The texts of its restricted and confidential comments (four statements)."""
    closed = sa.and_(C.consultation_id == consultation_id, C.visibility.in_(CLOSED))
    texts: list[tuple[str, str | None]] = []
    for reference, body, proposed in db.session.execute(
        sa.select(C.reference, C.body, C.proposed_text).where(closed)
    ):
        texts += [(reference, body), (reference, proposed)]
    for reference, body, proposed in db.session.execute(
        sa.select(C.reference, CommentRevision.body, CommentRevision.proposed_text)
        .join(CommentRevision, CommentRevision.comment_id == C.id)
        .where(closed, CommentRevision.redacted_at.is_(None))
    ):
        texts += [(reference, body), (reference, proposed)]
    texts += [
        (reference, body)
        for reference, body in db.session.execute(
            sa.select(C.reference, Reply.body).join(Reply, Reply.comment_id == C.id).where(closed)
        )
    ]
    return texts


def _hidden_names(consultation_id: int) -> list[str | None]:
    """The names and organisations of its non-public authors (three statements)."""
    of_consultation = C.consultation_id == consultation_id
    non_public = sa.or_(C.visibility.in_(NON_PUBLIC), C.withdrew_name.is_(True))
    names: list[str | None] = []
    for person, organisation in db.session.execute(
        sa.select(User.display_name, Organisation.name)
        .join(C, C.author_id == User.id)
        .join(Organisation, Organisation.id == C.organisation_id)
        .where(of_consultation, non_public)
    ):
        names += [person, organisation]
    for person, organisation in db.session.execute(
        sa.select(User.display_name, CoSignature.organisation_name)
        .join(CoSignature, CoSignature.user_id == User.id)
        .join(C, C.id == CoSignature.comment_id)
        .where(
            of_consultation,
            sa.or_(
                CoSignature.named.is_(False),
                C.visibility.not_in(OPEN_TO_ALL),
                # Named on an anonymous comment, but its author shows no co-signer's name.
                sa.and_(C.visibility == Visibility.ANONYMOUS, C.show_named_cosigners.is_(False)),
            ),
        )
    ):
        names += [person, organisation]
    for person, organisation in db.session.execute(
        sa.select(User.display_name, Organisation.name)
        .join(Reply, Reply.author_id == User.id)
        .join(C, C.id == Reply.comment_id)
        .outerjoin(Organisation, Organisation.id == User.organisation_id)
        .where(
            of_consultation,
            sa.or_(
                Reply.identity == ReplyIdentity.CATEGORY,
                sa.and_(Reply.identity == ReplyIdentity.AS_COMMENT, non_public),
            ),
        )
    ):
        names += [person, organisation]
    return names


def protected_for(consultation: Consultation) -> Protected:
    """What this consultation's summary must not contain (seven statements)."""
    return protect(_closed_texts(consultation.id), _hidden_names(consultation.id))


def check_summary(consultation: Consultation, texts: Iterable[str]) -> list[Finding]:
    """The leak check of a summary's texts against its consultation."""
    return check(list(texts), protected_for(consultation))
