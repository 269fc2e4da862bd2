"""The README says what the code does: generated sections are current, every option is documented."""

from __future__ import annotations

from pathlib import Path

import click
import pytest

from verifier.cli import cli
from verifier.docs import render

README = Path(__file__).parent.parent / "README.md"


def test_generated_sections_are_current() -> None:
    text = README.read_text(encoding="utf-8")
    assert render(text) == text, "run `python -m verifier.docs` to regenerate the README sections"


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_every_option_is_in_the_readme(name: str) -> None:
    text = README.read_text(encoding="utf-8")
    command = cli.commands[name]
    assert f"verifier {name}" in text
    for param in command.params:
        if isinstance(param, click.Option) and param.name != "help":
            assert any(opt in text for opt in param.opts), f"{name}: {param.opts} not in README"


def test_readme_commands_are_the_ones_ci_runs() -> None:
    text = README.read_text(encoding="utf-8")
    ci = (README.parent / ".ci" / "run").read_text(encoding="utf-8")
    command = "python3 -m venv .venv && .venv/bin/pip install -e '.[test]' && .venv/bin/pytest"
    assert command in text and command in ci
