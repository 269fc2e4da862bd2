"""Markdown for people: the editor worklist first, then changes, every reference, the summary.

GitHub-flavoured (pipe tables). Every string from a claims file or the web goes through
`escape.markdown`; only http(s) URLs become links. The walk is `outline`'s; this is its markup.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from verifier.report import outline
from verifier.report.escape import markdown, markdown_link
from verifier.report.model import Report

NAME = "markdown"
EXTENSION = "md"


def render(report: Report) -> str:
    """The whole report, as one Markdown document."""
    return outline.render(report, _MARKUP)


def pieces(report: Report) -> Iterator[str]:
    """The text of `render`, a line at a time."""
    return outline.pieces(report, _MARKUP)


def _heading(level: int, text: str) -> str:
    return f"{'#' * level} {text}"


def _bullet(depth: int, text: str) -> str:
    return f"{'  ' * depth}- {text}"


def _quote(label: str, text: str) -> tuple[str, str]:
    """A block quote nested in the finding's list item."""
    return _bullet(1, f"{label}:"), f"    > {text}"


def _table(head: Sequence[str], rows: Iterable[Sequence[str]]) -> Iterator[str]:
    """Cells must already be escaped: a raw pipe would split one."""
    yield "| " + " | ".join(head) + " |"
    yield "|" + "---|" * len(head)
    for cells in rows:
        yield "| " + " | ".join(cells) + " |"


_MARKUP = outline.Markup(
    escape=markdown, link=markdown_link, heading=_heading, blank_after_heading=True,
    bullet=_bullet, strong=lambda text: f"**{text}**", quote=_quote, table=_table)
