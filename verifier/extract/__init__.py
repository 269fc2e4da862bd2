"""Article -> claims. One module per input format, each exposing `extract(text) -> Document`.

    plaintext.py   text copied from a Wikipedia page or a mirror of one
    html.py        Wikipedia HTML: desktop skins, Parsoid/REST, mobile and action=parse bodies
    wikitext.py    raw wikitext (<ref>, cite templates, {{citation needed}}...)

`detect_format` picks one by content; `extract_article` runs it.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from verifier.errors import ExtractError
from verifier.models import Document

Extractor = Callable[[str], Document]

FORMATS = ("text", "html", "wikitext")

_HTML_MARKERS = re.compile(
    r"<(?:!doctype\s+html|html|head|body|section|div|p|sup|li|table)\b", re.IGNORECASE
)
_WIKITEXT_MARKERS = re.compile(
    r"<ref[\s>/]|\{\{|\[\[|^=+[^=\n]+=+[ \t]*$|^\{\|", re.IGNORECASE | re.MULTILINE
)


def _extractor(fmt: str) -> Extractor:
    # imported lazily: each format pulls in its own parser
    if fmt == "text":
        from verifier.extract.plaintext import extract as extract_plaintext

        return extract_plaintext
    if fmt == "html":
        from verifier.extract.html import extract as extract_html

        return extract_html
    if fmt == "wikitext":
        from verifier.extract.wikitext import extract as extract_wikitext

        return extract_wikitext
    raise ExtractError(f"unknown article format {fmt!r} (choose from {', '.join(FORMATS)})")


def detect_format(text: str) -> str:
    """'html', 'wikitext' or 'text', judged from the content alone."""
    head = text[:200_000]
    if head.lstrip("\ufeff \t\r\n").startswith("<") and _HTML_MARKERS.search(head[:2000]):
        return "html"
    html_hits = len(_HTML_MARKERS.findall(head))
    wiki_hits = len(_WIKITEXT_MARKERS.findall(head))
    if html_hits and html_hits >= wiki_hits:
        return "html"
    if wiki_hits:
        return "wikitext"
    return "text"


def extract_article(text: str, fmt: str | None = None) -> Document:
    """Extract the claims and references of an article given as text."""
    if not text.strip():
        raise ExtractError("the article is empty")
    return _extractor(fmt or detect_format(text))(text)
