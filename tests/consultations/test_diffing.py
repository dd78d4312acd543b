"""Matching paragraphs across versions and showing what changed, word by word."""

from dataclasses import dataclass

import pytest

from consult.consultations.diffing import (
    Change,
    Item,
    Segment,
    compare_versions,
    match_paragraphs,
    similarity,
    word_diff,
)

A = "Companies assess the legal basis of every request from a government authority."
B = "Companies publish a transparency report every year, with figures per country."
C = "Users are told when their data was handed over, unless a court forbids it."
D = "Staff who handle requests are trained on human rights every two years."


def items(*texts):
    return [Item(t) for t in texts]


def changes(old, new):
    return [(m.old, m.change) for m in match_paragraphs(items(*old), items(*new))]


def test_unchanged_paragraphs_match_exactly():
    assert changes([A, B, C], [A, B, C]) == [
        (0, Change.UNCHANGED),
        (1, Change.UNCHANGED),
        (2, Change.UNCHANGED),
    ]


def test_a_lightly_edited_paragraph_is_changed_and_continues():
    edited = A.replace("every request", "each request")
    [(old, change)] = changes([A], [edited])
    assert (old, change) == (0, Change.CHANGED)


def test_a_heavily_rewritten_paragraph_is_new_and_the_old_one_removed():
    rewritten = "Before acting on any demand, a company checks which law allows it."
    assert similarity(A, rewritten) < 0.6
    assert changes([A, B], [rewritten, B]) == [(None, Change.NEW), (1, Change.UNCHANGED)]


def test_moved_paragraphs_stay_unchanged():
    assert changes([A, B, C, D], [D, B, A, C]) == [
        (3, Change.UNCHANGED),
        (1, Change.UNCHANGED),
        (0, Change.UNCHANGED),
        (2, Change.UNCHANGED),
    ]


def test_a_moved_and_edited_paragraph_still_matches():
    assert changes([A, B, C], [C, B, A + " Always."]) == [
        (2, Change.UNCHANGED),
        (1, Change.UNCHANGED),
        (0, Change.CHANGED),
    ]


def test_a_split_paragraph_keeps_its_key_on_the_larger_part():
    long = A + " " + B
    result = changes([long, C], [A + " " + B[:40], B[40:], C])
    assert result[0] == (0, Change.CHANGED)
    assert result[1] == (None, Change.NEW)
    assert result[2] == (1, Change.UNCHANGED)


def test_a_split_into_halves_gives_the_key_to_one_half_only():
    result = changes([A + " " + B], [A, B])
    assert sorted(change for _old, change in result) == [Change.CHANGED, Change.NEW]
    assert [old for old, _change in result].count(0) == 1


def test_merged_paragraphs_keep_one_key_and_the_other_is_removed():
    result = changes([A, B, C], [A + " " + B, C])
    assert result == [(0, Change.CHANGED), (2, Change.UNCHANGED)]  # B is removed


def test_deleted_paragraphs_are_unmatched():
    result = match_paragraphs(items(A, B, C), items(A, C))
    assert {m.old for m in result} == {0, 2}


def test_identical_duplicates_pair_in_order():
    assert changes(["Reserved.", A, "Reserved."], ["Reserved.", "Reserved."]) == [
        (0, Change.UNCHANGED),
        (2, Change.UNCHANGED),
    ]


def test_headings_match_only_headings():
    result = match_paragraphs(
        [Item("# Scope", heading=True), Item("Scope")],
        [Item("Scope"), Item("# Scope", heading=True)],
    )
    assert [(m.old, m.change) for m in result] == [(1, Change.UNCHANGED), (0, Change.UNCHANGED)]


def test_the_best_match_wins_when_two_edits_compete():
    close = A.replace("every", "each")
    further = A.replace("every request from a government", "each demand by a public")
    result = changes([A], [further, close])
    assert result == [(None, Change.NEW), (0, Change.CHANGED)]


def long_paragraph(words=400):
    vocabulary = [
        "the",
        "company",
        "request",
        "law",
        "of",
        "and",
        "data",
        "user",
        "court",
        "report",
        "a",
        "to",
        "in",
        "for",
        "review",
    ]
    return " ".join(
        vocabulary[(i * 7) % len(vocabulary)] + ("" if i % 9 else f"{i}") for i in range(words)
    )


def test_long_paragraphs_compare_fairly_with_autojunk_off():
    text = long_paragraph()
    edited = text.replace("court", "tribunal", 1)
    assert similarity(text, edited) > 0.99  # autojunk would treat "the" etc. as junk
    [match] = match_paragraphs(items(text), items(edited))
    assert match.change == Change.CHANGED
    assert match.ratio > 0.99


def test_long_paragraph_word_diff_shows_only_the_edit():
    text = long_paragraph()
    edited = text.replace("court", "tribunal", 1)
    segments = word_diff(text, edited)
    assert [s for s in segments if s.op != "equal"] == [
        Segment("delete", "court"),
        Segment("insert", "tribunal"),
    ]
    assert "".join(s.text for s in segments if s.op != "insert") == text
    assert "".join(s.text for s in segments if s.op != "delete") == edited


def test_word_diff_groups_a_rewritten_phrase():
    segments = word_diff("They must publish every year.", "They should report each year.")
    assert segments == [
        Segment("equal", "They "),
        Segment("delete", "must publish every"),
        Segment("insert", "should report each"),
        Segment("equal", " year."),
    ]


def test_word_diff_of_equal_texts_is_one_segment():
    assert word_diff(A, A) == [Segment("equal", A)]


@dataclass
class P:
    stable_key: str
    text: str
    number: str = ""

    @property
    def diff_text(self):
        return self.text


def test_comparing_versions_by_key_places_removed_paragraphs_where_they_stood():
    old = [P("k1", A), P("k2", B), P("k3", C)]
    new = [P("k1", A), P("k3", C + " Also."), P("k4", D)]
    rows = compare_versions(old, new)
    assert [(r.change, (r.old or r.new).stable_key) for r in rows] == [
        (Change.UNCHANGED, "k1"),
        (Change.REMOVED, "k2"),
        (Change.CHANGED, "k3"),
        (Change.NEW, "k4"),
    ]
    assert rows[2].segments[-1] == Segment("insert", " Also.")


def test_removed_paragraphs_at_the_start_come_first():
    rows = compare_versions([P("k0", D), P("k1", A)], [P("k1", A)])
    assert [r.change for r in rows] == [Change.REMOVED, Change.UNCHANGED]


@pytest.mark.parametrize("count", [0, 1])
def test_comparing_a_version_with_itself_shows_no_change(count):
    paragraphs = [P("k1", A), P("k2", B)][: count + 1]
    assert {r.change for r in compare_versions(paragraphs, paragraphs)} == {Change.UNCHANGED}
