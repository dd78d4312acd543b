"""The one place user text becomes HTML: Markdown, then bleach with a small allow-list.

Keep bleach behind this module (it is no longer maintained upstream); switching to
another sanitiser must touch this file only.
"""

from collections.abc import Callable

import bleach
from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup

ALLOWED_TAGS = frozenset(
    {
        "p", "br", "hr", "strong", "em", "code", "pre", "blockquote",
        "ul", "ol", "li", "a", "h1", "h2", "h3", "h4", "h5", "h6",
        "del", "ins", "table", "thead", "tbody", "tr", "th", "td",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": ["href", "title"], "ol": ["start"], "th": ["align"], "td": ["align"]}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow noopener noreferrer ugc"

# Raw HTML off; linkify off (bleach's linker below adds only the rel attribute).
_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable(
    ["table", "strikethrough"]
)


def _set_rel(attrs, new=False):
    """Mark every link as user content; drop links whose unsafe href was removed."""
    if not attrs.get((None, "href")):
        return None
    attrs[(None, "rel")] = LINK_REL
    return attrs


def sanitise_html(html: str) -> str:
    """Return ``html`` with everything outside the allow-list removed or escaped."""
    cleaned = bleach.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        protocols=ALLOWED_PROTOCOLS,
        strip=True,
        strip_comments=True,
    )
    return bleach.linkify(
        cleaned, callbacks=[_set_rel], skip_tags={"pre", "code"}, parse_email=False
    )


# Splits a run of plain text into pieces, each with the address it links to or None.
Linker = Callable[[str], list[tuple[str, str | None]]]


def render_markdown(text: str | None, *, linker: Linker | None = None) -> Markup:
    """Render user Markdown to sanitised HTML, safe to place in a page.

    ``linker`` turns words of the plain text (never inside a link or code) into links,
    e.g. the citations of a summary; the result is sanitised like the rest.
    """
    if not text:
        return Markup("")
    if linker is None:
        return Markup(sanitise_html(_markdown.render(text)))
    tokens = _markdown.parse(text)
    for token in tokens:
        if token.type == "inline" and token.children:
            token.children = _linked(token.children, linker)
    return Markup(sanitise_html(_markdown.renderer.render(tokens, _markdown.options, {})))


def _linked(children: list[Token], linker: Linker) -> list[Token]:
    result: list[Token] = []
    depth = 0  # inside a link written in the text: left as it is
    for child in children:
        depth += {"link_open": 1, "link_close": -1}.get(child.type, 0)
        if child.type != "text" or depth:
            result.append(child)
            continue
        for piece, href in linker(child.content):
            if href is None:
                result.append(Token("text", "", 0, content=piece))
                continue
            result.append(Token("link_open", "a", 1, attrs={"href": href}))
            result.append(Token("text", "", 0, content=piece))
            result.append(Token("link_close", "a", -1))
    return result


def stored_html(html: str | None) -> Markup:
    """HTML this module produced earlier and the database kept, ready for a page.

    Sanitised again on the way out (idempotent, and cheap), so a row written by
    anything else can never place live markup in a page.
    """
    if not html:
        return Markup("")
    return Markup(sanitise_html(html))


def imported_html(html: str | None) -> Markup:
    """A draft paragraph's HTML, sanitised by ``render_markdown`` when it was imported.

    Not sanitised again: published versions never change, and a 300-paragraph draft
    would otherwise spend a fifth of a second per page view in bleach.
    """
    return Markup(html or "")  # noqa: S704 - produced by render_markdown at import
