"""The one place user text becomes HTML: Markdown, then bleach with a small allow-list.

Keep bleach behind this module (it is no longer maintained upstream); switching to
another sanitiser must touch this file only.
"""

import bleach
from markdown_it import MarkdownIt
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


def render_markdown(text: str | None) -> Markup:
    """Render user Markdown to sanitised HTML, safe to place in a page."""
    if not text:
        return Markup("")
    return Markup(sanitise_html(_markdown.render(text)))


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
