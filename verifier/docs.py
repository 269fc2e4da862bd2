"""Keeps the README's generated sections honest: `python -m verifier.docs` rewrites them.

Each section lies between `<!-- NAME:start -->` and `<!-- NAME:end -->`; tests/test_docs.py fails
when the README differs from what the code renders.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from pathlib import Path

from verifier.classify import status_table_markdown
from verifier.schema_doc import schema_markdown
from verifier.settings import settings_markdown

SECTIONS: dict[str, Callable[[], str]] = {
    "settings": settings_markdown,
    "schema": schema_markdown,
    "statuses": status_table_markdown,
}


def _fill(pattern: re.Pattern[str], body: str, readme: str) -> str:
    return pattern.sub(lambda m: m.group(1) + body + m.group(2), readme)


def render(readme: str) -> str:
    """The README with every generated section replaced by what the code renders now."""
    for name, make in SECTIONS.items():
        pattern = re.compile(rf"(<!-- {name}:start -->\n).*?(<!-- {name}:end -->)", re.DOTALL)
        if not pattern.search(readme):
            raise ValueError(f"README has no {name} section markers")
        readme = _fill(pattern, make(), readme)
    return readme


def main(path: Path = Path("README.md")) -> None:
    text = path.read_text(encoding="utf-8")
    updated = render(text)
    if updated != text:
        path.write_text(updated, encoding="utf-8")
        print(f"updated {path}", file=sys.stderr)


if __name__ == "__main__":
    main()
