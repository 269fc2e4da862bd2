"""Making strings from claims files and the web inert in each report format, and links safe.

Everything a report shows that came from outside (claims, titles, URLs, reasons, evidence) goes
through one function here for its format; the formats never escape by hand. Control and bidi
characters are shown as `<U+XXXX>` (`verifier.printable`), written in the format's own escapes.
Each function is a `str.translate` pass plus at most one regular expression, skipped when it
cannot match: a 100,000-row report calls them millions of times.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

from verifier.printable import printable, table

# Any line break a renderer might honour ends a table row or a list item: a space instead.
_BREAKS = {ord(c): " " for c in "\r\n\t\v\f\x1c\x1d\x1e\x85\u2028\u2029"}
_SURROGATES = re.compile("[\ud800-\udfff]")  # never valid alone: no encoder accepts them
# Other controls, and the bidi overrides, embeddings and isolates (one left open in a table
# cell or a list line reverses how the rest of it reads: "Trojan source"), made visible.
_LINE = {**table(), **_BREAKS}
# The visible form in the markup formats: `<` and `>` as entities, like any others.
_ANGLES = str.maketrans({"<": "&lt;", ">": "&gt;"})
_LINE_ENTITIES = {**table(lambda shown: shown.translate(_ANGLES)), **_BREAKS}


def is_web_url(url: str | None) -> bool:
    """Only these become links: anything else (javascript:, data:, file:) stays text."""
    return url is not None and url[:8].lower().startswith(("http://", "https://"))


def _valid(text: str) -> str:
    """Lone surrogates replaced; the check first, as nearly all text is ASCII."""
    return text if text.isascii() else _SURROGATES.sub("\ufffd", text)


def one_line(text: str) -> str:
    """Text for a cell or a list line: no line breaks; control and bidi characters shown."""
    return _valid(text.translate(_LINE)).strip()


def _percent(chars: str) -> dict[int, str]:
    return {ord(c): f"%{ord(c):02X}" for c in chars}  # quote() would leave ~ alone


def _encode_url(url: str, table: dict[int, str]) -> str:
    """Percent-encodes `table`'s characters, and non-ASCII spaces and controls (bidi too)."""
    url = url.strip().translate(table)
    if url.isascii():
        return url
    return "".join(quote(c, safe="", errors="replace")
                   if c.isspace() or unicodedata.category(c)[0] == "C" else c for c in url)


_URL_UNSAFE = "".join(map(chr, range(0x21))) + "\x7f"

# -- Markdown (CommonMark with GitHub tables) --

# `<`, `>` and `&` as entities, so no raw tag survives even where a renderer ignores
# backslashes; the rest as backslash escapes, which CommonMark allows on any punctuation.
_MD = {**_LINE_ENTITIES, **{ord(c): "\\" + c for c in "\\`*_[]|~"},
       ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;"}
# What starts a block (heading, list, rule, quote) when it opens a line or a list item.
_MD_BLOCK_START = re.compile(r"^(?:([#+=-])|(\d{1,9})([.)]))")
_MD_BLOCK_CHARS = frozenset("#+=-0123456789")
_MD_URL = {**_percent(_URL_UNSAFE + "()<>[]|`\\\"'"), ord("&"): "&amp;"}


def markdown(text: str) -> str:
    """Inert inline Markdown, safe in a table cell too (pipes escaped)."""
    escaped = _valid(text.translate(_MD)).strip()
    if escaped[:1] not in _MD_BLOCK_CHARS:
        return escaped
    return _MD_BLOCK_START.sub(lambda m: "\\" + m[0] if m[1] else f"{m[2]}\\{m[3]}", escaped)


def markdown_link(text: str, url: str | None) -> str:
    """`[text](url)` for an http(s) URL; any other URL as plain escaped text."""
    if url is None:
        return markdown(text)
    if not is_web_url(url):
        return markdown(text if text == url else f"{text} ({url})")
    return f"[{markdown(text)}]({_encode_url(url, _MD_URL)})"


# -- Wikitext (MediaWiki) --

# Entities rather than <nowiki>: nothing in the text can close them, and they are decoded only
# after templates, links, tables, signatures and magic words have been parsed.
_WIKI = {**_LINE_ENTITIES, **{ord(c): f"&#{ord(c)};" for c in "{}[]|~"},
         ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;"}
# Markup made of a repeated character ('' italics, ''' bold, __NOTOC__ magic words), and what
# makes a line a list, a definition, a heading, a rule or a table cell.
_WIKI_MARKUP = re.compile(r"(?<=')'|'(?=')|^'|'$|(?<=_)_|_(?=_)|^[*#:;=!+-]")
_WIKI_LINE_START = frozenset("*#:;=!+-")
_WIKI_URL = _percent(_URL_UNSAFE + "[]<>{}|~'\"")
_WIKI_URL_PAIRS = re.compile(r"(?<=_)_|_(?=_)")


def wikitext(text: str) -> str:
    """Inert wikitext, safe in a table cell and pasted on a talk page (no signature expands)."""
    escaped = _valid(text.translate(_WIKI)).strip()
    if "'" not in escaped and "_" not in escaped and escaped[:1] not in _WIKI_LINE_START:
        return escaped
    return _WIKI_MARKUP.sub(lambda m: f"&#{ord(m[0])};", escaped)


def wikitext_link(text: str, url: str | None) -> str:
    """`[url text]` for an http(s) URL; any other URL as plain escaped text."""
    if url is None:
        return wikitext(text)
    if not is_web_url(url):
        return wikitext(text if text == url else f"{text} ({url})")
    encoded = _WIKI_URL_PAIRS.sub("%5F", _encode_url(url, _WIKI_URL))
    return f"[{encoded} {wikitext(text)}]"


# -- CSV --

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: str | int | float | bool | None) -> str | int | float:
    """A cell no spreadsheet runs as a formula (OWASP: a leading quote); numbers stay numbers.
    Tab and newline stay (a quoted cell holds them); other controls and bidi are shown."""
    if isinstance(value, str):
        value = _valid(printable(value))
        return "'" + value if value.startswith(_FORMULA_START) else value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


# -- XML --

# Characters XML 1.0 forbids outright that `printable` leaves: ElementTree would write them
# and no parser read them.
_XML_ILLEGAL = re.compile("[\ud800-\udfff\ufffe\uffff]")


def xml_text(text: str) -> str:
    """Text ElementTree can write as parseable XML (it escapes markup itself), controls and
    bidi shown; tab and newline stay."""
    text = printable(text)
    return text if text.isascii() else _XML_ILLEGAL.sub("", text)
