"""The HTML report, read as text and through the standard library's HTML parser (no browser:
tests/test_report_browser.py runs the page's script)."""

from __future__ import annotations

import json
import re
from dataclasses import asdict, replace
from html import escape
from html.parser import HTMLParser

from reports import (
    HOSTILE_CLAIM_SHOWN,
    HOSTILE_TITLE,
    HOSTILE_URL,
    many_rows,
    row,
    sample_report,
)
from verifier.report import html
from verifier.report.html_assets import FIELDS
from verifier.report.model import ChangeKind, FindingKind, Report


class Page(HTMLParser):
    """Every element of a page, with its attributes, and the text of each element by id."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text_by_id: dict[str, str] = {}
        self._open: list[str | None] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        element_id = dict(attrs).get("id")
        if element_id and tag in ("script", "section"):
            self._open.append(element_id)
            self.text_by_id[element_id] = ""
        elif tag == "section":
            self._open.append(None)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "section") and self._open:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        for element_id in self._open:
            if element_id:
                self.text_by_id[element_id] += data


def section(text: str, element_id: str) -> str:
    """The HTML source of one <section> (sections here nest one level at most)."""
    start = text.index(f'<section id="{element_id}">')
    return text[start:text.index("</section>", start)]


def embedded(text: str) -> dict[str, object]:
    found = re.search(r'<script type="application/json" id="rows">(.*?)</script>', text, re.S)
    assert found is not None
    data: dict[str, object] = json.loads(found.group(1))
    return data


def rows_of(data: dict[str, object]) -> list[dict[str, object]]:
    """The embedded rows as dicts of Row fields again."""
    fields, shared, values, rows = data["fields"], data["shared"], data["values"], data["rows"]
    assert isinstance(fields, list) and isinstance(shared, list)
    assert isinstance(values, list) and isinstance(rows, list)
    decoded = []
    for line in rows:
        one = dict(zip(fields, line, strict=True))
        for name in shared:
            if one[name] is not None:
                one[name] = values[one[name]]
        decoded.append(one)
    return decoded


def expected(report: Report) -> list[dict[str, object]]:
    return [{name: asdict(r)[name] for name in FIELDS} for r in report.rows]


def test_the_module_describes_itself() -> None:
    assert html.NAME == "html" and html.EXTENSION == "html"
    first = (html.__doc__ or "").strip().splitlines()[0]
    assert first.startswith("HTML: ") and first.endswith(".")


def test_dead_source_with_a_copy_is_in_the_worklist_with_its_snapshot() -> None:
    text = html.render(sample_report())
    dead = section(text, "worklist-dead")
    assert "Dead or failing sources" in dead and "(2)" in dead
    assert 'href="http://gone.test/a"' in dead
    snapshot = "https://web.archive.test/web/20190501000000/http://gone.test/a"
    assert f'<a href="{snapshot}" rel="noopener noreferrer">wayback 2019-05-01</a>' in dead
    assert "confirmed dead: HTTP 404 Not Found" in dead
    assert "acknowledged" in dead  # dead-lost is acknowledged
    assert "fails the run" not in dead  # DEAD is not in the default --fail-on


def test_worklist_has_one_section_per_kind_in_order_with_counts() -> None:
    text = html.render(sample_report())
    places = [text.index(f'<section id="worklist-{kind.value}">') for kind in FindingKind]
    assert places == sorted(places)
    for kind in FindingKind:
        assert f"{kind.title} <span class=\"count\">(" in section(text, f"worklist-{kind.value}")
    drifted = section(text, "worklist-drifted")
    assert "The museum opened on 12 May 2015." in drifted  # the archived copy's evidence
    assert "fails the run" in drifted
    assert "The partnership began in 2007." in section(text, "worklist-unsupported")


def test_newly_dead_url_is_listed_under_newly_dead() -> None:
    text = html.render(sample_report())
    newly_dead = section(text, "changes-newly_dead")
    assert ChangeKind.NEWLY_DEAD.title in newly_dead and "(1)" in newly_dead
    assert 'href="http://gone.test/a"' in newly_dead and "confirmed_dead" in newly_dead
    assert "http://gone.test/b" in section(text, "changes-newly_failing")
    assert "http://gone.test/a" not in section(text, "changes-recovered")


def test_hostile_strings_stay_text() -> None:
    report = sample_report(hostile=True)
    text = html.render(report)
    assert "<script>alert" not in text and "<img src=x onerror" not in text
    assert 'href="javascript:' not in text.lower()
    assert escape(HOSTILE_CLAIM_SHOWN) in text and escape(HOSTILE_TITLE) in text
    assert f'<span class="not-a-link">{escape(HOSTILE_URL)}</span>' in text
    page = Page(text)
    # The parser sees only the page's own elements: no script, image or link from the data.
    assert [tag for tag, _ in page.tags if tag == "script"] == ["script", "script"]
    assert not any(tag in ("img", "iframe", "object", "embed", "link", "base", "form")
                   for tag, _ in page.tags)
    for tag, attrs in page.tags:
        assert not any(name.startswith("on") or name == "src" for name in attrs), (tag, attrs)
        href = attrs.get("href")
        if href is not None:
            assert re.match(r"https?://|#[a-z-]+$", href), href
    assert rows_of(embedded(text)) == expected(report)
    assert json.loads(page.text_by_id["rows"]) == embedded(text)


def test_the_embedded_json_cannot_end_its_script_element() -> None:
    nasty = "</script><script>alert(1)</script><!-- \u2028\u2029 & </SCRIPT >"
    report = replace(sample_report(), rows=(row("x", "http://a.test/", claim=nasty,
                                                 ref_title=nasty, document=nasty),))
    text = html.render(report)
    data = text.split('id="rows">', 1)[1].split("</script>", 1)[0]
    assert not re.search("[<>&\u2028\u2029]", data)
    assert rows_of(embedded(text)) == expected(report)


def test_only_web_urls_become_links() -> None:
    for url in ("javascript:alert(1)", " javascript:alert(1)", "JAVASCRIPT:alert(1)",
                "java\tscript:alert(1)", "data:text/html,<b>", "vbscript:x", "//evil.test/",
                "http:\t//x", "\thttp://x.test/", "file:///etc/passwd"):
        assert not html.is_web_url(url), url
    for url in ("http://a.test/", "HTTPS://a.test/x?y=<z>&q=\"1\"", "https://a.test/a b"):
        assert html.is_web_url(url), url
    report = replace(sample_report(), rows=(), findings=(), changes=(),
                     documents=("javascript:alert(1)", "https://wiki.test/wiki/A"))
    text = html.render(report)
    assert 'href="https://wiki.test/wiki/A"' in text and "href=\"javascript" not in text


def test_a_link_percent_encodes_controls_and_shows_them_in_its_text() -> None:
    report = replace(sample_report(), rows=(), findings=(), changes=(),
                     documents=("https://wiki.test/wiki/A\u202egnp.exe\x9b",))
    text = html.render(report)
    assert ('<a href="https://wiki.test/wiki/A%E2%80%AEgnp.exe%C2%9B" rel="noopener noreferrer">'
            "https://wiki.test/wiki/A&lt;U+202E&gt;gnp.exe&lt;U+009B&gt;</a>") in text


def test_the_policy_allows_only_the_page_s_own_script_and_style() -> None:
    text = html.render(sample_report())
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', text)
    assert policy is not None
    rules = dict(part.strip().split(" ", 1) for part in policy.group(1).split(";"))
    assert rules["default-src"] == "'none'"
    assert re.fullmatch(r"'sha256-[A-Za-z0-9+/]+=*'", rules["script-src"])
    assert re.fullmatch(r"'sha256-[A-Za-z0-9+/]+=*'", rules["style-src"])
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", text.split("<body>")[0])


def test_summary_counts_domains_and_chart() -> None:
    text = html.render(sample_report())
    summary = section(text, "summary")
    assert "<td>confirmed_dead</td><td class=\"num\">1</td>" in summary
    assert summary.index("gone.test") < summary.index("news.test")  # worst first
    svg = summary[summary.index("<svg"):summary.index("</svg>")]
    assert svg.count("run ") >= 3 and svg.count("<rect") == 6  # 1 + 2 + 3 states
    assert "<title>Run 3 (2026-01-03): confirmed_dead 1</title>" in svg


def test_same_report_same_page() -> None:
    assert html.render(sample_report(hostile=True)) == html.render(sample_report(hostile=True))


def test_a_hundred_thousand_rows_are_data_not_table_rows() -> None:
    report = many_rows(sample_report(), 100_000)
    text = html.render(report)
    assert text.count("<tr") <= 40  # headings and the summary; the rows are drawn a page at a time
    rows = rows_of(embedded(text))
    assert len(rows) == len(report.rows) and rows[-1]["claim_id"] == "c99999"


def test_a_lone_surrogate_does_not_stop_the_page_being_saved() -> None:
    broken = "caf\udce9"  # as surrogateescape decodes a Latin-1 file name
    report = replace(sample_report(), claims_path=broken,
                     rows=(row("x", "http://a.test/", claim=broken),))
    text = html.render(report)
    text.encode("utf-8")
    assert rows_of(embedded(text))[0]["claim"] == "caf\ufffd"


def test_an_empty_first_run_still_makes_a_page() -> None:
    report = replace(sample_report(), rows=(), findings=(), changes=(), previous_run_id=None,
                     by_status={}, by_state={}, by_verdict={}, by_domain=(), history=())
    text = html.render(report)
    assert "No earlier finished run to compare with." in text and "No runs to chart." in text
    assert text.count("Nothing to do.") == len(FindingKind)
    assert rows_of(embedded(text)) == []
