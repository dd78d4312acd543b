"""The one sanitiser: user Markdown becomes inert HTML."""

from html.parser import HTMLParser

import pytest

from consult.text import ALLOWED_TAGS, render_markdown, sanitise_html

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](&#106;avascript:alert(1))",
    "[click](&#x6A;avascript&colon;alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[click](vbscript:msgbox(1))",
    '<a href="java\tscript:alert(1)">x</a>',
    "<svg><script>alert(1)</script></svg>",
    "<svg onload=alert(1)>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<iframe src=https://evil.example></iframe>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<<script>script>alert(1)<</script>/script>",
    "![x](https://evil.example/track.png)",
    '[x](https://example.org "title" onmouseover=alert(1))',
]


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def _elements(html):
    collector = _Collector()
    collector.feed(html)
    return collector.tags


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payloads_render_inert(payload):
    for tag, attrs in _elements(str(render_markdown(payload))):
        assert tag in ALLOWED_TAGS, tag
        assert not any(name.startswith("on") or name == "style" for name in attrs), attrs
        href = attrs.get("href")
        if href is not None:
            assert href.startswith(("http://", "https://", "mailto:")), href


@pytest.mark.parametrize("payload", [*PAYLOADS, "**bold** and [a link](https://example.org)"])
def test_sanitising_twice_changes_nothing(payload):
    once = str(render_markdown(payload))
    assert sanitise_html(once) == once


def test_links_keep_only_safe_schemes_and_get_rel():
    html = str(render_markdown("[a](https://example.org) [b](mailto:x@example.org) [c](ftp://x)"))
    hrefs = [attrs.get("href") for tag, attrs in _elements(html) if tag == "a"]
    assert hrefs == ["https://example.org", "mailto:x@example.org"]
    assert html.count('rel="nofollow noopener noreferrer ugc"') == 2


def test_markdown_structure_survives():
    html = str(render_markdown("# Title\n\n- one\n- two\n\n> quoted\n\n`code`"))
    assert "<h1>Title</h1>" in html and "<li>one</li>" in html
    assert "<blockquote>" in html and "<code>code</code>" in html


def _link_word(word, href):
    """A linker that links every ``word`` to ``href``."""

    def split(text):
        pieces = []
        for i, part in enumerate(text.split(word)):
            if i:
                pieces.append((word, href))
            if part:
                pieces.append((part, None))
        return pieces

    return split


def test_a_linker_links_words_of_the_plain_text_only():
    html = str(
        render_markdown(
            "see X, *X* and `X`, [X](https://example.org/x)\n\n    X in code",
            linker=_link_word("X", "/somewhere"),
        )
    )
    assert html.count('href="/somewhere"') == 2  # not in code, nor inside a written link
    assert '<em><a href="/somewhere"' in html
    assert "<code>X</code>" in html and 'href="https://example.org/x"' in html


@pytest.mark.parametrize("payload", PAYLOADS)
def test_what_a_linker_returns_is_sanitised_too(payload):
    html = str(render_markdown(f"X {payload}", linker=_link_word("X", "javascript:alert(1)")))
    assert "javascript" not in html.split("X", 1)[0]
    for tag, attrs in _elements(html):
        assert tag in ALLOWED_TAGS, tag
        href = attrs.get("href")
        if href is not None:
            assert href.startswith(("http://", "https://", "mailto:")), href
