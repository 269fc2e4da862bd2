"""Wikitext an editor can paste on a talk page: the worklist, changes, a sortable table.

Every string from a claims file or the web goes through `escape.wikitext`, so nothing in it
expands (templates, links, signatures, magic words) or breaks the table; only http(s) URLs
become external links. The walk is `outline`'s; this is its markup.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from verifier.report import outline
from verifier.report.escape import wikitext, wikitext_link
from verifier.report.model import Report

NAME = "wikitext"
EXTENSION = "wiki"


def render(report: Report) -> str:
    """The whole report, as one talk-page section with subsections."""
    return outline.render(report, _MARKUP)


def pieces(report: Report) -> Iterator[str]:
    """The text of `render`, a line at a time."""
    return outline.pieces(report, _MARKUP)


def _heading(level: int, text: str) -> str:
    """Level 1 is `==`: a talk-page section, never the page's own title."""
    marks = "=" * (level + 1)
    return f"{marks} {text} {marks}"


def _bullet(depth: int, text: str) -> str:
    return f"{'*' * (depth + 1)} {text}"


def _quote(label: str, text: str) -> tuple[str]:
    return (_bullet(1, f"{label}: “{text}”"),)


def _table(head: Sequence[str], rows: Iterable[Sequence[str]]) -> Iterator[str]:
    """Cells must already be escaped: a raw pipe would split one, a raw `|}` end the table."""
    yield '{| class="wikitable sortable"'
    yield "! " + " !! ".join(head)
    for cells in rows:
        yield "|-"
        yield "| " + " || ".join(cells)
    yield "|}"


_MARKUP = outline.Markup(
    escape=wikitext, link=wikitext_link, heading=_heading, blank_after_heading=False,
    bullet=_bullet, strong=lambda text: f"'''{text}'''", quote=_quote, table=_table)
