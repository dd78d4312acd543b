"""Markdown draft -> numbered paragraphs (pure functions, no database).

The shallowest heading level present starts sections (``3``); every other top-level
block (paragraph, list, quote, code block, table, deeper heading) is one paragraph
numbered within its section (``3.2``); blocks before the first heading are ``0.n``.
Each paragraph keeps the exact Markdown lines it came from.
"""

import enum
import re
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from markdown_it import MarkdownIt

MAX_BYTES = 512 * 1024  # a long draft is ~100 KB; the request limit is 2 MB
MAX_PARAGRAPHS = 2000

# The same parser settings as consult.text, so the split matches the rendering.
_parser = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable(
    ["table", "strikethrough"]
)
# Control characters other than tab and newline mean the file is not text.
_BINARY = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPACE = re.compile(r"\s+")


class ImportProblem(Exception):
    """The Markdown cannot become a draft; ``message`` says why, for the coordinator."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


class BlockKind(enum.StrEnum):
    HEADING = "heading"
    PARAGRAPH = "paragraph"
    LIST = "list"
    QUOTE = "quote"
    CODE = "code"
    TABLE = "table"


_KINDS = {
    "paragraph_open": BlockKind.PARAGRAPH,
    "bullet_list_open": BlockKind.LIST,
    "ordered_list_open": BlockKind.LIST,
    "blockquote_open": BlockKind.QUOTE,
    "fence": BlockKind.CODE,
    "code_block": BlockKind.CODE,
    "table_open": BlockKind.TABLE,
    "heading_open": BlockKind.HEADING,
}


@dataclass(frozen=True)
class Block:
    """One addressable paragraph of a draft, before it is stored."""

    number: str
    kind: BlockKind
    level: int | None  # heading level (1-6), None for other blocks
    source: str  # the block's Markdown, exactly as written

    @property
    def text(self) -> str:
        """The source with runs of white space collapsed: what matching compares."""
        return normalise_text(self.source)

    @property
    def is_section(self) -> bool:
        return "." not in self.number

    @property
    def is_heading(self) -> bool:
        return self.kind == BlockKind.HEADING


def normalise_text(source: str) -> str:
    return _SPACE.sub(" ", source).strip()


_ITEM = re.compile(r"^\s*(?:[-*+]|\d{1,9}[.)])\s")


def readable_source(source: str, kind: "BlockKind") -> str:
    """The source as a reader compares it: hard-wrapped lines joined, list items and
    blank lines kept, code and tables untouched."""
    if kind in (BlockKind.CODE, BlockKind.TABLE):
        return source
    lines: list[str] = []
    for line in source.split("\n"):
        starts_item = kind == BlockKind.LIST and _ITEM.match(line)
        text = line.rstrip() if starts_item else line.strip()
        if not lines or starts_item or not text or not lines[-1]:
            lines.append(text)
        else:
            lines[-1] += " " + text
    return "\n".join(lines)


def decode_upload(data: bytes) -> str:
    """Decode an uploaded file as UTF-8 text, refusing anything else clearly."""
    if len(data) > MAX_BYTES:
        raise ImportProblem(_too_large())
    if b"\x00" in data:
        raise ImportProblem(_l("This file is not a text file. Upload a Markdown (.md) file."))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportProblem(
            _l(
                "This file is not UTF-8 text (unreadable bytes at position %(pos)d). "
                "Save it as UTF-8 and upload it again.",
                pos=exc.start,
            )
        ) from exc


def _too_large():
    return _l("The draft is larger than %(kb)d KB. Split it, or shorten it.", kb=MAX_BYTES // 1024)


def normalise_source(text: str) -> str:
    """Unix line endings, no byte-order mark, no trailing white space at the end."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return text.rstrip() + "\n" if text.strip() else ""


def parse_draft(text: str) -> list[Block]:
    """Split Markdown into numbered blocks; raise ImportProblem for unusable input."""
    if len(text.encode("utf-8")) > MAX_BYTES:
        raise ImportProblem(_too_large())
    text = normalise_source(text)
    if not text:
        raise ImportProblem(_l("The draft is empty. Paste the Markdown text or choose a file."))
    if _BINARY.search(text):
        raise ImportProblem(
            _l(
                "The text contains control characters, so it is not Markdown "
                "text. Check that you chose the right file."
            )
        )
    lines = text.split("\n")
    raw = []  # (kind, heading level, source)
    for token in _parser.parse(text):
        if token.level != 0 or token.nesting == -1 or token.type not in _KINDS:
            continue  # nested tokens, closing tokens, thematic breaks
        if token.map is None:  # never for a top-level opening token: it has its lines
            continue
        start, end = token.map
        source = "\n".join(lines[start:end]).strip("\n")
        level = int(token.tag[1]) if token.type == "heading_open" else None
        raw.append((_KINDS[token.type], level, source))
    if not any(kind != BlockKind.HEADING for kind, _level, _source in raw):
        raise ImportProblem(
            _l(
                "No paragraphs were found: the draft needs at least one "
                "paragraph, list or quote, not only headings."
            )
        )
    if len(raw) > MAX_PARAGRAPHS:
        raise ImportProblem(_l("The draft has more than %(n)d paragraphs.", n=MAX_PARAGRAPHS))
    return _number(raw)


def _number(raw) -> list[Block]:
    """Sections at the shallowest heading level; everything else counts within them."""
    levels = [level for kind, level, _source in raw if kind == BlockKind.HEADING]
    section_level = min(levels) if levels else None
    blocks, section, index = [], 0, 0
    for kind, level, source in raw:
        if kind == BlockKind.HEADING and level == section_level:
            section, index = section + 1, 0
            number = str(section)
        else:
            index += 1
            number = f"{section}.{index}"
        blocks.append(Block(number=number, kind=kind, level=level, source=source))
    return blocks
