"""The PDF of a published summary revision, rendered once with WeasyPrint.

Tagged (PDF/UA-1: a structure tree, the document's language and title), with its fonts
embedded (subsets): Noto Sans and Noto Sans Arabic from the @fontsource packages that
`npm ci` installs (package.json; ``SUMMARY_FONT_DIR``), so Latin and Arabic text both
render on a clean machine. Without them Pango falls back to the system's fonts (DejaVu
Sans covers both scripts), embedded all the same, and a warning is logged.

WeasyPrint fetches nothing but those font files: the summary's HTML went through the
one sanitiser (no images, no styles), and every other address is refused.
"""

import re
import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

from flask import current_app
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

from config import BASE_DIR

STYLESHEET = BASE_DIR / "static" / "css" / "summary-pdf.css"
# The @fontsource stylesheets whose faces are embedded, and the script subsets taken
# from them (each face WeasyPrint loads costs time at every rendering: Latin and Arabic
# are what the PDF promises; Pango falls back to DejaVu Sans for anything else).
FONT_FILES = {
    "noto-sans": ("400.css", "700.css", "400-italic.css", "700-italic.css"),
    "noto-sans-arabic": ("400.css", "700.css"),
}
SUBSETS = ("latin", "latin-ext", "arabic")
_FACE = re.compile(r"@font-face\s*{[^}]*}")
_SOURCE = re.compile(r"src:[^;]*;")
_WOFF = re.compile(r"url\(\./files/([\w.-]+?-(" + "|".join(SUBSETS) + r")-\d+-\w+\.woff)\)")


@cache
def font_faces(font_dir: str) -> str:
    """The @font-face rules of the embedded fonts, pointing at the installed WOFF files
    (zlib-compressed: quicker to load than WOFF2)."""
    root = Path(font_dir)
    rules = []
    for package, stylesheets in FONT_FILES.items():
        files = root / package / "files"
        for name in stylesheets:
            path = root / package / name
            if not path.is_file():
                continue
            for face in _FACE.findall(path.read_text(encoding="utf-8")):
                woff = _WOFF.search(face)
                if woff is None:
                    continue  # another script's subset
                source = f"src: url({(files / woff.group(1)).as_uri()}) format('woff');"
                rules.append(_SOURCE.sub(lambda _match: source, face))  # noqa: B023 (used at once)
    return "\n".join(rules)


class _FontsOnly(URLFetcher):
    """Fetches the font files below ``root`` and refuses every other address."""

    def __init__(self, root: Path):
        super().__init__(allowed_protocols={"file"})
        self._root = root.resolve()

    def fetch(self, url, headers=None):
        parts = urlsplit(url)
        path = Path(unquote(parts.path)).resolve()
        if parts.scheme != "file" or parts.netloc or not path.is_relative_to(self._root):
            raise ValueError("only the embedded fonts are fetched")
        return super().fetch(url, headers)


@dataclass
class _Fonts:
    """The fonts and stylesheets of one font folder, loaded once per process: loading
    the faces takes most of a rendering's time."""

    config: FontConfiguration
    fetcher: _FontsOnly
    stylesheets: list[CSS]


@cache
def _fonts(font_dir: str) -> _Fonts:
    faces = font_faces(font_dir)
    if not faces:
        current_app.logger.warning(
            "No fonts in SUMMARY_FONT_DIR (%s): the summary PDF uses the system's fonts. "
            "Run `npm ci`.",
            font_dir,
        )
    config = FontConfiguration()
    fetcher = _FontsOnly(Path(font_dir))
    stylesheets = [
        CSS(string=faces, font_config=config, url_fetcher=fetcher),
        CSS(filename=str(STYLESHEET), font_config=config, url_fetcher=fetcher),
    ]
    return _Fonts(config, fetcher, stylesheets)


# One rendering at a time per process: the font configuration is shared, and WeasyPrint
# does not say it may be used by two threads at once. Publications are rare.
_rendering = threading.Lock()


def render_pdf(html: str, *, base_url: str) -> bytes:
    """The tagged PDF of a complete HTML document (its <title> and lang become the PDF's
    title and language); relative links are made absolute against ``base_url``."""
    with _rendering:
        fonts = _fonts(current_app.config["SUMMARY_FONT_DIR"])
        pdf = HTML(string=html, url_fetcher=fonts.fetcher, base_url=base_url).write_pdf(
            stylesheets=fonts.stylesheets, font_config=fonts.config, pdf_variant="pdf/ua-1"
        )
    if pdf is None:  # only when a target is given
        raise RuntimeError("WeasyPrint returned no PDF")
    return pdf
