"""Markdown -> numbered paragraphs: what the coordinator sees in the preview."""

import pytest

from consult.consultations.importer import (
    MAX_BYTES,
    BlockKind,
    ImportProblem,
    decode_upload,
    parse_draft,
    readable_source,
)


def numbered(text):
    return [(b.number, b.kind, b.source) for b in parse_draft(text)]


def test_sections_start_at_the_shallowest_heading_level_and_blocks_count_within_them():
    text = """\
Before any heading.

Still before.

## Scope

First paragraph.

### A sub-heading

Second paragraph.

## Requests

Only paragraph.
"""
    assert [(n, k) for n, k, _s in numbered(text)] == [
        ("0.1", BlockKind.PARAGRAPH),
        ("0.2", BlockKind.PARAGRAPH),
        ("1", BlockKind.HEADING),
        ("1.1", BlockKind.PARAGRAPH),
        ("1.2", BlockKind.HEADING),  # deeper headings are numbered like paragraphs
        ("1.3", BlockKind.PARAGRAPH),
        ("2", BlockKind.HEADING),
        ("2.1", BlockKind.PARAGRAPH),
    ]


def test_headings_keep_their_level_and_setext_headings_count():
    blocks = parse_draft("Title\n=====\n\nText.\n\nPart\n----\n\nMore.\n")
    assert [(b.number, b.level) for b in blocks] == [
        ("1", 1),
        ("1.1", None),
        ("1.2", 2),
        ("1.3", None),
    ]


def test_a_draft_without_headings_is_all_section_zero():
    assert [b.number for b in parse_draft("One.\n\nTwo.\n\nThree.\n")] == ["0.1", "0.2", "0.3"]


def test_a_nested_list_is_one_paragraph_with_its_exact_source():
    text = "# S\n\n- first\n  - nested one\n  - nested two\n- second\n\n1. ordered\n2. list\n"
    blocks = parse_draft(text)
    assert [(b.number, b.kind) for b in blocks] == [
        ("1", BlockKind.HEADING),
        ("1.1", BlockKind.LIST),
        ("1.2", BlockKind.LIST),
    ]
    assert blocks[1].source == "- first\n  - nested one\n  - nested two\n- second"


def test_a_quote_with_several_paragraphs_is_one_paragraph():
    blocks = parse_draft("# S\n\n> First line\n>\n> Second paragraph of the quote\n\nAfter.\n")
    assert [(b.number, b.kind) for b in blocks] == [
        ("1", BlockKind.HEADING),
        ("1.1", BlockKind.QUOTE),
        ("1.2", BlockKind.PARAGRAPH),
    ]


def test_code_blocks_are_one_paragraph_and_their_hashes_are_not_headings():
    text = "# S\n\n```\n# not a heading\n\nstill code\n```\n\n    indented code\n\nText.\n"
    blocks = parse_draft(text)
    assert [(b.number, b.kind) for b in blocks] == [
        ("1", BlockKind.HEADING),
        ("1.1", BlockKind.CODE),
        ("1.2", BlockKind.CODE),
        ("1.3", BlockKind.PARAGRAPH),
    ]
    assert "# not a heading" in blocks[1].source


def test_thematic_breaks_are_not_paragraphs():
    assert [b.number for b in parse_draft("One.\n\n---\n\nTwo.\n")] == ["0.1", "0.2"]


def test_unicode_and_right_to_left_text_survive_unchanged():
    text = "# مبادئ الخصوصية\n\nتلتزم الشركات بحماية خصوصية المستخدمين.\n\nZürich — 東京 — ✓\n"
    blocks = parse_draft(text)
    assert blocks[0].source == "# مبادئ الخصوصية"
    assert blocks[1].source == "تلتزم الشركات بحماية خصوصية المستخدمين."
    assert blocks[2].source == "Zürich — 東京 — ✓"


def test_windows_and_old_mac_line_endings_split_the_same_way():
    unix = "# S\n\nFirst line\nsame paragraph.\n\nSecond.\n"
    assert numbered(unix.replace("\n", "\r\n")) == numbered(unix)
    assert numbered(unix.replace("\n", "\r")) == numbered(unix)
    assert "\r" not in parse_draft(unix.replace("\n", "\r\n"))[1].source


def test_a_byte_order_mark_is_dropped():
    assert decode_upload("\ufeff# S\n\nText.\n".encode()) == "# S\n\nText.\n"


@pytest.mark.parametrize("text", ["", "   \n\n\t\n", "\r\n\r\n"])
def test_an_empty_draft_is_refused_clearly(text):
    with pytest.raises(ImportProblem, match="empty"):
        parse_draft(text)


@pytest.mark.parametrize("text", ["# Only\n\n## Headings\n", "---\n\n***\n"])
def test_a_draft_without_paragraphs_is_refused(text):
    with pytest.raises(ImportProblem, match="No paragraphs"):
        parse_draft(text)


def test_a_binary_file_is_refused_clearly():
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10"
    with pytest.raises(ImportProblem, match="not a text file"):
        decode_upload(png)


def test_a_file_that_is_not_utf8_is_refused_with_the_position():
    with pytest.raises(ImportProblem, match="not UTF-8") as caught:
        decode_upload("# Café\n\nTexte.\n".encode("latin-1"))
    assert "position 5" in str(caught.value.message)


def test_control_characters_in_pasted_text_are_refused():
    with pytest.raises(ImportProblem, match="control characters"):
        parse_draft("Text with a \x07 bell.\n")


def test_a_draft_over_the_size_limit_is_refused():
    big = ("A sentence of the draft. " * 40 + "\n\n") * (MAX_BYTES // 1000 + 1)
    with pytest.raises(ImportProblem, match="larger than 512 KB"):
        parse_draft(big)
    with pytest.raises(ImportProblem, match="larger than"):
        decode_upload(big.encode())


def test_the_readable_source_joins_hard_wrapped_lines_but_keeps_items_and_code():
    assert readable_source("One line\nwrapped here.\n\nNext.", BlockKind.PARAGRAPH) == (
        "One line wrapped here.\n\nNext."
    )
    assert readable_source("- first\n  continued\n  - nested\n1. one", BlockKind.LIST) == (
        "- first continued\n  - nested\n1. one"
    )
    assert readable_source("```\ncode\n  kept\n```", BlockKind.CODE) == "```\ncode\n  kept\n```"
