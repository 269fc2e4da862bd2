"""Reports rendered from the history database: one module per format, each with the same
`NAME`, `EXTENSION` and `render(report) -> str`, picked from the `formats()` registry. Adding a
format is adding a module and one name here. A format whose text is large may also give
`pieces(report)`, the same text in order, which is written without being held whole."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache

from verifier.report.model import Report

_MODULES = ("markdown", "html", "json", "csv", "junit", "wikitext")


@dataclass(frozen=True)
class Format:
    name: str
    extension: str  # of the file `verifier report` writes: report.<extension>
    render: Callable[[Report], str]
    description: str  # the first line of the module's docstring
    pieces: Callable[[Report], Iterable[str]]  # render's text in pieces, for writing


def _whole(render: Callable[[Report], str]) -> Callable[[Report], Iterable[str]]:
    """The pieces of a format that renders its text whole: that text, one piece."""
    return lambda report: (render(report),)


@cache
def formats() -> dict[str, Format]:
    """Every report format, by name, in the order they are documented."""
    found = {}
    for name in _MODULES:
        module = importlib.import_module(f"verifier.report.{name}")
        found[module.NAME] = Format(
            module.NAME, module.EXTENSION, module.render,
            (module.__doc__ or "").strip().splitlines()[0],
            getattr(module, "pieces", _whole(module.render)))
    return found
