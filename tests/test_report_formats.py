"""The Markdown, wikitext, CSV and JUnit reports: what an editor or CI needs is where they look,
and no string from a claims file or the web escapes its cell, makes a link or runs."""

from __future__ import annotations

import csv as stdlib_csv
import io
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import fields, replace
from html import escape

import pytest
from reports import (
    HOSTILE_CLAIM_SHOWN,
    HOSTILE_CONTROLS,
    HOSTILE_CONTROLS_SHOWN,
    HOSTILE_TITLE,
    HOSTILE_URL,
    many_rows,
    row,
    sample_report,
)

from verifier.report import csv, formats, junit, markdown, wikitext
from verifier.report.model import FailOn, FindingKind, Report, Row

RENDERERS: dict[str, Callable[[Report], str]] = {
    "markdown": markdown.render, "wikitext": wikitext.render, "csv": csv.render,
    "junit": junit.render}
SNAPSHOT_A = "https://web.archive.test/web/20190501000000/http://gone.test/a"


def with_row(report: Report, extra: Row) -> Report:
    return replace(report, rows=(*report.rows, extra))


# -- helpers that read the text formats back --

def section(text: str, heading: str) -> str:
    """The lines under the heading that starts with `heading`, to the next heading at its level
    or above (Markdown `#` or wikitext `=`)."""
    lines = text.splitlines()
    marker = heading[0]
    level = len(heading) - len(heading.lstrip(marker))
    start = next(i for i, line in enumerate(lines) if line.startswith(heading))
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith(marker)
                and len(lines[i]) - len(lines[i].lstrip(marker)) <= level), len(lines))
    return "\n".join(lines[start + 1:end])


def unescaped(text: str, char: str) -> list[int]:
    """Where `char` stands in Markdown with no backslash escaping it."""
    return [m.start(1) for m in re.finditer(r"(?<!\\)(?:\\\\)*(" + re.escape(char) + ")", text)]


def markdown_tables(text: str) -> list[list[str]]:
    tables: list[list[str]] = []
    previous = ""
    for line in text.splitlines():
        if line.startswith("|"):
            if not previous.startswith("|"):
                tables.append([])
            tables[-1].append(line)
        previous = line
    return tables


def wikitext_tables(text: str) -> list[tuple[list[str], list[list[str]]]]:
    """(header cells, data rows' cells) of each `{| ... |}` table."""
    tables = []
    for body in re.findall(r"^\{\|.*?\n(.*?)^\|\}$", text, re.S | re.M):
        lines = body.splitlines()
        assert lines[0].startswith("! ")
        head = lines[0][2:].split(" !! ")
        rows = [line[2:].split(" || ") for line in lines[1:] if line != "|-"]
        assert all(line.startswith("| ") for line in lines[1:] if line != "|-"), body
        tables.append((head, rows))
    return tables


# -- Markdown --

def test_markdown_worklist_sections_follow_the_finding_kinds() -> None:
    text = markdown.render(sample_report())
    positions = [text.index(f"### {kind.title} (") for kind in FindingKind]
    assert positions == sorted(positions)
    assert text.index("## Editor worklist") < text.index("## Changes since run 2") \
        < text.index("## Every reference") < text.index("## Summary")


def test_markdown_dead_source_with_its_copy() -> None:
    dead = section(markdown.render(sample_report()), "### Dead or failing sources")
    assert "[http://gone.test/a](http://gone.test/a)" in dead
    assert f"Snapshot: [wayback, 2019-05-01]({SNAPSHOT_A})" in dead
    assert "confirmed dead: HTTP 404 Not Found" in dead


def test_markdown_changes_under_their_headings() -> None:
    text = markdown.render(sample_report())
    newly_dead = section(text, "### Newly confirmed dead")
    assert "http://gone.test/a" in newly_dead and "http://gone.test/b" not in newly_dead
    assert "http://gone.test/b" in section(text, "### Newly failing")
    assert "http://back.test/c" in section(text, "### Recovered")
    assert "drifted" in section(text, "### Verdict changed")


def test_markdown_quotes_evidence_and_marks_acknowledged() -> None:
    text = markdown.render(sample_report())
    unsupported = section(text, "### Sources that do not support their claims")
    assert "    > The partnership began in 2007." in unsupported.splitlines()
    drifted = section(text, "### Drifted sources")
    assert "    > The museum opened on 12 May 2015." in drifted.splitlines()
    assert "https://web.archive.test/web/20191102/http://city.test/museum)" in drifted
    dead = section(text, "### Dead or failing sources").splitlines()
    assert "(acknowledged)" in next(line for line in dead if "**dead-lost**" in line)
    assert "(acknowledged)" not in next(line for line in dead if "**dead-copied**" in line)


def test_markdown_table_has_one_line_per_row() -> None:
    tables = markdown_tables(markdown.render(sample_report()))
    references = next(t for t in tables if t[0].startswith("| Claim |"))
    assert len(references) == 2 + len(sample_report().rows)


def test_markdown_neutralises_hostile_strings() -> None:
    text = markdown.render(sample_report(hostile=True))
    for table in markdown_tables(text):
        widths = {len(unescaped(line, "|")) for line in table}
        assert len(widths) == 1, table
    for start in unescaped(text, "]("):
        assert text[start + 2:].startswith(("http://", "https://")), text[start - 40:start + 40]
    assert "<script" not in text.lower() and "<img" not in text.lower()
    assert "\u202e" not in text and "&lt;U+202E&gt;" in text  # shown, in entities
    assert "javascript:alert('url')" in text  # shown, as text: no link around it
    fresh = section(text, "### Live sources no archive holds")
    assert "  - URL: javascript:alert('url')" in fresh.splitlines()
    # The claim's text cannot start a block (= would not; # and - would) or a code span.
    assert "\\=1+2" in text and "\\`code\\`" in text and "\\*bold\\*" in text


def test_markdown_link_targets_are_percent_encoded() -> None:
    url = "http://x.test/a (b)<c>|d`e"
    text = markdown.render(with_row(sample_report(), row("odd", url)))
    assert "(http://x.test/a%20%28b%29%3Cc%3E%7Cd%60e)" in text
    line = next(line for line in text.splitlines() if line.startswith("| odd |"))
    assert len(unescaped(line, "|")) == 13


# -- wikitext --

def test_wikitext_worklist_and_changes() -> None:
    text = wikitext.render(sample_report())
    positions = [text.index(f"==== {kind.title} (") for kind in FindingKind]
    assert positions == sorted(positions)
    dead = section(text, "==== Dead or failing sources")
    assert "[http://gone.test/a http://gone.test/a]" in dead
    assert f"[{SNAPSHOT_A} wayback, 2019-05-01]" in dead
    assert "(acknowledged)" in next(line for line in dead.splitlines() if "dead-lost" in line)
    unsupported = section(text, "==== Sources that do not support their claims")
    assert "“The partnership began in 2007.”" in unsupported
    newly_dead = section(text, "==== Newly confirmed dead")
    assert "http://gone.test/a" in newly_dead and "http://gone.test/b" not in newly_dead


def test_wikitext_tables_are_sortable_and_whole() -> None:
    report = sample_report()
    text = wikitext.render(report)
    assert '{| class="wikitable sortable"' in text
    tables = wikitext_tables(text)
    head, rows = tables[0]
    assert head[0] == "Claim" and len(rows) == len(report.rows)
    assert all(len(cells) == len(head) for head, rows in tables for cells in rows)


def test_wikitext_neutralises_hostile_strings() -> None:
    text = wikitext.render(sample_report(hostile=True))
    for raw in ("{{", "}}", "[[", "]]", "~~~", "<", "\u202e"):
        assert raw not in text, raw
    for head, rows in wikitext_tables(text):
        for cells in rows:
            assert len(cells) == len(head)
            assert not any("|" in cell for cell in cells), cells
    for match in re.finditer(r"\[", text):  # every bracket left opens an http(s) link
        assert text[match.end():].startswith(("http://", "https://"))
    for line in text.splitlines():  # no line markup but ours
        assert line == "" or line == "None." or line.startswith(("=", "*", "{|", "|", "!"))
    assert "javascript:alert('url')" in text


def test_wikitext_magic_words_line_markup_and_urls() -> None:
    title = "__NOTOC__ ''italic'' '''bold''' ~~~ <nowiki>x</nowiki> &#123;"
    report = with_row(sample_report(), row("odd", "http://x.test/a b]c|d~{e}__f",
                                           ref_title="----* # : ; = ! " + title))
    text = wikitext.render(report)
    assert "__" not in text
    assert "''" not in text.replace("'''", "") and "'''italic" not in text
    assert "&amp;#123;" in text and "&lt;nowiki&gt;" in text
    assert "[http://x.test/a%20b%5Dc%7Cd%7E%7Be%7D%5F%5Ff " in text
    assert "| &#45;---* # : ; = ! &#95;&#95;NOTOC" in text


# -- CSV --

def read_csv(text: str) -> list[list[str]]:
    return list(stdlib_csv.reader(io.StringIO(text, newline="")))


def test_csv_has_every_row_field() -> None:
    report = sample_report()
    rows = read_csv(csv.render(report))
    assert rows[0] == [f.name for f in fields(Row)]
    assert len(rows) == 1 + len(report.rows)
    dead = dict(zip(rows[0], rows[2], strict=True))
    assert dead["claim_id"] == "dead-copied" and dead["http_status"] == "404"
    assert dead["score"] == "0.9" and dead["evidence_start"] == "10"
    assert dead["snapshot_url"] == SNAPSHOT_A and dead["citation_needed"] == "false"
    assert csv.render(report).endswith("\r\n")


def test_csv_neutralises_formulas() -> None:
    odd = row("-5", "http://x.test/", claim="@SUM(A1)", reason="\tcmd", verdict_reason="+1",
              evidence="\r=1", ref_title="line one\nline two, \"quoted\"")
    text = csv.render(with_row(sample_report(hostile=True), odd))
    rows = read_csv(text)
    assert {len(r) for r in rows} == {len(fields(Row))}
    for cells in rows:
        for cell in cells:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    by_id = {r[1]: dict(zip(rows[0], r, strict=True)) for r in rows[1:]}
    assert by_id["wrong-year"]["claim"] == "'" + HOSTILE_CLAIM_SHOWN
    assert by_id["wrong-year"]["ref_title"] == HOSTILE_TITLE  # starts with <: left alone
    added = by_id["'-5"]
    assert (added["claim"], added["reason"], added["verdict_reason"], added["evidence"]) == \
        ("'@SUM(A1)", "'\tcmd", "'+1", "<U+000D>=1")  # a CR is shown, so no formula
    assert added["ref_title"] == "line one\nline two, \"quoted\""


# -- JUnit --

def cases(text: str) -> dict[str, ET.Element]:
    suite = ET.fromstring(text)
    assert suite.tag == "testsuite" and suite.get("name") == "verifier"
    return {c.get("name", "").split(":")[0]: c for c in suite.iter("testcase")}


def outcome(case: ET.Element) -> str:
    return "failure" if case.find("failure") is not None else \
        "skipped" if case.find("skipped") is not None else "pass"


def test_junit_fails_skips_and_passes_claims() -> None:
    text = junit.render(sample_report())
    suite = ET.fromstring(text)
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == ("8", "3", "4")
    got = {name: outcome(case) for name, case in cases(text).items()}
    assert got == {"unsourced": "skipped", "dead-copied": "failure", "dead-lost": "skipped",
                   "wrong-year": "failure", "book": "skipped", "drifted": "failure",
                   "fresh": "pass", "unclear": "skipped"}
    dead = cases(text)["dead-copied"]
    assert dead.get("classname") == "Synthetic article"
    failure = dead.find("failure")
    assert failure is not None and "http://gone.test/a" in failure.get("message", "")


def test_junit_follows_fail_on() -> None:
    report = sample_report()
    text = junit.render(replace(report, fail_on=()))
    assert ET.fromstring(text).get("failures") == "0"
    assert "<failure" not in text
    strict = junit.render(replace(report, fail_on=(FailOn.CITATION_NEEDED, FailOn.DEAD,
                                                   FailOn.NEW_FAILING)))
    got = {name: outcome(case) for name, case in cases(strict).items()}
    assert got["unsourced"] == "failure" and got["dead-copied"] == "failure"
    assert got["dead-lost"] == "failure"  # acknowledged as dead, but newly failing fails
    assert got["wrong-year"] == "pass"
    acknowledged_only = junit.render(replace(report, fail_on=(FailOn.DEAD,)))
    assert outcome(cases(acknowledged_only)["dead-lost"]) == "skipped"


def test_junit_hostile_text_round_trips() -> None:
    text = junit.render(sample_report(hostile=True))
    case = cases(text)["wrong-year"]
    out = case.findtext("system-out") or ""
    assert out.splitlines()[0] == "Claim: " + HOSTILE_CLAIM_SHOWN
    assert "]]></failure>" in (case.findtext("failure") or "")
    assert HOSTILE_URL in (cases(text)["fresh"].findtext("system-out") or "")


def test_junit_shows_controls_and_drops_characters_xml_forbids() -> None:
    odd = row("odd", "http://x.test/", claim="a\x00b\x1bc\ufffed\ud800e\tf", status="ok",
              verdict="supported")
    text = junit.render(with_row(sample_report(), odd))
    assert (cases(text)["odd"].findtext("system-out") or "").startswith(
        "Claim: a<U+0000>b<U+001B>cde\tf")


# -- all six --

# What must never be written raw: C0 controls but tab and newline, DEL, C1, the bidi controls.
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


@pytest.mark.parametrize("name", list(formats()))
def test_no_control_or_bidi_character_is_written_raw(name: str) -> None:
    text = formats()[name].render(sample_report(hostile=True))
    if name == "csv":
        text = text.replace("\r\n", "\n")  # RFC 4180's own line ends
    assert not RAW.search(text), repr(RAW.findall(text))
    if name == "json":  # data for programs: the characters kept, written as escapes
        assert "\\u001b[31mred" in text and "\\u202egnp.exe" in text
        data = json.loads(text)
        assert data["rows"][6]["claim"] == HOSTILE_CONTROLS
    elif name == "csv":
        assert HOSTILE_CONTROLS_SHOWN in read_csv(text)[7]
    elif name == "junit":
        out = cases(text)["fresh"].findtext("system-out") or ""
        assert out.splitlines()[0] == "Claim: " + HOSTILE_CONTROLS_SHOWN
    elif name == "html":  # the worklist in entities; the table's data as JSON escapes
        assert escape(HOSTILE_CONTROLS_SHOWN) in text
        assert "\\u202egnp.exe" in text.split('id="rows">', 1)[1]
    else:  # <U+XXXX>, its brackets in the format's entities
        for shown in ("&lt;U+001B&gt;", "&lt;U+009B&gt;2J", "del&lt;U+007F&gt;",
                      "&lt;U+202E&gt;gnp.exe&lt;U+202C&gt;", "&lt;U+2066&gt;isolate&lt;U+2069&gt;"):
            assert shown in text, shown


# -- the four text formats --

@pytest.mark.parametrize("name", RENDERERS)
def test_render_is_deterministic(name: str) -> None:
    render = RENDERERS[name]
    assert render(sample_report(hostile=True)) == render(sample_report(hostile=True))


@pytest.mark.parametrize("name", RENDERERS)
def test_render_without_a_previous_run(name: str) -> None:
    report = replace(sample_report(), previous_run_id=None, changes=(), history=(),
                     by_domain=(), findings=())
    assert RENDERERS[name](report)


@pytest.mark.parametrize("name", list(formats()))
def test_pieces_make_the_rendered_text(name: str) -> None:
    """What `verifier report` writes piece by piece is what render returns, byte for byte."""
    fmt = formats()[name]
    for report in (sample_report(hostile=True), many_rows(sample_report(), 2_500),
                   replace(sample_report(), rows=(), findings=(), changes=())):
        pieces = list(fmt.pieces(report))
        assert "".join(pieces) == fmt.render(report)
        if len(report.rows) > 2_000 and name != "html":  # the HTML page is one piece
            assert len(pieces) > 1


def test_modules_describe_themselves() -> None:
    for module in (markdown, wikitext, csv, junit):
        assert module.NAME and module.EXTENSION and module.__doc__
        assert module.__doc__.strip().splitlines()[0].endswith(".")


def test_a_hundred_thousand_rows() -> None:
    report = many_rows(sample_report(hostile=True), 100_000)
    total = len(report.rows)
    lines = markdown.render(report).splitlines()
    assert sum(bool(re.match(r"\| c\d+ \|", line)) for line in lines) == 100_000
    assert wikitext.render(report).count("\n|-\n") >= total
    assert len(read_csv(csv.render(report))) == total + 1
    assert ET.fromstring(junit.render(report)).get("tests") == str(total)
