"""Matching paragraphs across versions and word-level diffs (pure functions).

A paragraph of the new version is *unchanged* when an old one has the same text,
*changed* when the most similar old one scores at least ``SIMILARITY_THRESHOLD``
(difflib ratio over words, autojunk off so long paragraphs are compared fairly), and
*new* otherwise; old paragraphs left unmatched are *removed*. Each old paragraph
matches at most one new one, so of a split or merge the most similar part keeps the key.
"""

import enum
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

SIMILARITY_THRESHOLD = 0.6
_TOKENS = re.compile(r"\w+|[^\w\s]+|\s+")


class Change(enum.StrEnum):
    UNCHANGED = "unchanged"
    CHANGED = "changed"
    NEW = "new"
    REMOVED = "removed"


@dataclass(frozen=True)
class Item:
    """What matching needs to know of a paragraph: its text and whether it is a heading."""

    text: str
    heading: bool = False


@dataclass(frozen=True)
class Match:
    old: int | None  # index into the old sequence, None for a new paragraph
    change: Change
    ratio: float


def similarity(old: str, new: str) -> float:
    """difflib's ratio over words, with autojunk off (it junks common words past 200)."""
    return SequenceMatcher(None, old.split(), new.split(), autojunk=False).ratio()


def match_paragraphs(
    old: Sequence[Item], new: Sequence[Item], threshold: float = SIMILARITY_THRESHOLD
) -> list[Match]:
    """For each new item, the old item it continues (if any) and how it changed.

    Identical texts pair first, in order (so moved paragraphs stay unchanged); the rest
    pair greedily by best ratio, then by nearest position. Headings pair only with headings.
    """
    result: list[Match | None] = [None] * len(new)
    used_old: set[int] = set()
    by_text = defaultdict(list)
    for i, item in enumerate(old):
        by_text[(item.heading, item.text)].append(i)
    for j, item in enumerate(new):
        candidates = by_text.get((item.heading, item.text))
        if candidates:
            i = candidates.pop(0)
            used_old.add(i)
            result[j] = Match(i, Change.UNCHANGED, 1.0)

    left_old = [i for i in range(len(old)) if i not in used_old]
    left_new = [j for j in range(len(new)) if result[j] is None]
    old_words = {i: old[i].text.split() for i in left_old}
    pairs = []
    matcher = SequenceMatcher(None, autojunk=False)
    for j in left_new:
        words = new[j].text.split()
        matcher.set_seq2(words)  # difflib caches what it learns about the second sequence
        for i in left_old:
            a = old_words[i]
            # Length alone bounds the ratio; skip pairs that cannot reach the threshold.
            if old[i].heading != new[j].heading or (
                2 * min(len(a), len(words)) < threshold * (len(a) + len(words))
            ):
                continue
            matcher.set_seq1(a)
            if matcher.quick_ratio() < threshold:  # bag-of-words upper bound, cheap
                continue
            ratio = matcher.ratio()
            if ratio >= threshold:
                distance = abs(i / max(len(old), 1) - j / max(len(new), 1))
                pairs.append((-ratio, distance, j, i))
    for negative_ratio, _distance, j, i in sorted(pairs):
        if result[j] is None and i not in used_old:
            used_old.add(i)
            result[j] = Match(i, Change.CHANGED, -negative_ratio)
    return [m or Match(None, Change.NEW, 0.0) for m in result]


# --- word diff -------------------------------------------------------------------------


@dataclass(frozen=True)
class Segment:
    op: str  # "equal", "insert" or "delete"
    text: str


def word_diff(old: str, new: str) -> list[Segment]:
    """Inline diff of two texts by words, punctuation and spaces."""
    a, b = _TOKENS.findall(old), _TOKENS.findall(new)
    raw: list[Segment] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            raw.append(Segment("equal", "".join(a[i1:i2])))
            continue
        if i1 < i2:
            raw.append(Segment("delete", "".join(a[i1:i2])))
        if j1 < j2:
            raw.append(Segment("insert", "".join(b[j1:j2])))
    result: list[Segment] = []
    run: list[Segment] = []
    for k, segment in enumerate(raw):
        if segment.op != "equal":
            run.append(segment)
        elif run and segment.text.isspace() and k + 1 < len(raw):
            # A lone space between two edits belongs to both sides: the phrase reads whole.
            run += [Segment("delete", segment.text), Segment("insert", segment.text)]
        else:
            _flush(run, result)
            result.append(segment)
    _flush(run, result)
    return result


def _flush(run: list[Segment], result: list[Segment]):
    """Emit a run of edits as one deletion then one insertion."""
    for op in ("delete", "insert"):
        text = "".join(s.text for s in run if s.op == op)
        if text:
            result.append(Segment(op, text))
    run.clear()


# --- comparing two versions by stable key -------------------------------------------------


@dataclass(frozen=True)
class Row:
    change: Change
    # Paragraphs (this module does not import the models), hence Any.
    old: Any | None  # the old paragraph, if any
    new: Any | None  # the new paragraph, if any
    segments: tuple[Segment, ...] = ()


def compare_versions(old: Sequence, new: Sequence) -> list[Row]:
    """Rows in reading order of the new version, removed paragraphs where they stood.

    Paragraphs are paired by ``stable_key`` (carried across versions by matching), so
    any two versions compare, not only neighbours; ``text`` decides changed or unchanged
    and ``diff_text`` is what the word diff shows.
    """
    old_by_key = {p.stable_key: p for p in old}
    new_position = {p.stable_key: n for n, p in enumerate(new)}
    ordered = []
    for n, paragraph in enumerate(new):
        before = old_by_key.get(paragraph.stable_key)
        if before is None:
            row = Row(Change.NEW, None, paragraph)
        elif before.text == paragraph.text:
            row = Row(Change.UNCHANGED, before, paragraph)
        else:
            row = Row(
                Change.CHANGED,
                before,
                paragraph,
                tuple(word_diff(before.diff_text, paragraph.diff_text)),
            )
        ordered.append(((n, 0, 0), row))
    anchor = -1  # a removed paragraph follows the last surviving paragraph before it
    for i, paragraph in enumerate(old):
        if paragraph.stable_key in new_position:
            anchor = new_position[paragraph.stable_key]
        else:
            ordered.append(((anchor, 1, i), Row(Change.REMOVED, paragraph, None)))
    return [row for _key, row in sorted(ordered, key=lambda pair: pair[0])]
