"""Reports rendered from the history database: one module per format, each with the same
`NAME`, `EXTENSION` and `render(report) -> str`, picked from the `formats()` registry. Adding a
format is adding a module and one name here."""

from __future__ import annotations

import importlib
from collections.abc import Callable
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


@cache
def formats() -> dict[str, Format]:
    """Every report format, by name, in the order they are documented."""
    found = {}
    for name in _MODULES:
        module = importlib.import_module(f"verifier.report.{name}")
        found[module.NAME] = Format(module.NAME, module.EXTENSION, module.render,
                                    (module.__doc__ or "").strip().splitlines()[0])
    return found
