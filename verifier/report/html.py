"""HTML: one self-contained page for editors, worklist first, that works offline.

Below the worklist come the changes since the run before, a sortable, filterable table of
every reference, and a summary with a chart of URL states over the last runs.

Every string in a report came from a claims file or from the web, so everything written into
the page is escaped, only http(s) URLs become links, and a Content-Security-Policy lets the
page run its own inline script and style (by hash) and fetch nothing at all. Control and bidi
characters are shown as `<U+XXXX>` (`verifier.printable`), and percent-encoded in a link's
address: a browser renders a numeric entity as the character itself. The table's rows
travel as compact JSON and the script draws one page of them at a time: 100,000 rows make
about 13 MB of data, not 100,000 `<tr>`s.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Iterable
from html import escape
from urllib.parse import quote

from verifier.printable import json_text, printable
from verifier.printable import url as printable_url
from verifier.report.html_assets import COLUMNS, CSS, FIELDS, JS, PAGE_SIZE, SHARED
from verifier.report.model import Change, ChangeKind, Finding, FindingKind, Report, RunPoint

NAME = "html"
EXTENSION = "html"

LIST_LIMIT = 1000  # findings or changes of one kind written out; the table holds them all
DOMAIN_LIMIT = 50  # domains in the summary, worst first
# Chart colours for the URL states the store knows; any other state is drawn as "other".
STATE_ORDER = ("alive", "recovered", "failing", "confirmed_dead", "unknown")

# An http(s) URL with no control character: what a browser would not reinterpret. A leading
# space or tab, or one inside "java\tscript:", is stripped by browsers, so none is allowed.
_WEB_URL = re.compile(r"https?://[^\x00-\x20\x7f][^\x00-\x1f\x7f]*\Z", re.IGNORECASE)
# Inside <script>, "</script>" or "<!--" in a string would end or confuse the element; U+2028
# and U+2029 end lines in older JavaScript. The escaped forms mean the same to JSON.parse.
# A lone surrogate (from a file name decoded with surrogateescape, say) cannot be written as
# UTF-8: the page would fail to save.
_SURROGATES = re.compile("[\ud800-\udfff]")
_JSON_SAFE = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026",
                            "\u2028": "\\u2028", "\u2029": "\\u2029"})


def render(report: Report) -> str:
    """The report as one HTML document; the same report always gives the same text."""
    title = f"Verifier report: run {report.run_id}"
    body = "\n".join([
        _header(report, title), _worklist(report), _changes(report), _references(report),
        _summary(report),
    ])
    policy = (f"default-src 'none'; style-src '{_digest(CSS)}'; script-src '{_digest(JS)}'; "
              "img-src data:; base-uri 'none'; form-action 'none'")
    page = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{policy}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="verifier">
<title>{_e(title)}</title>
<style>{CSS}</style>
</head>
<body>
{body}
<script type="application/json" id="rows">{_rows_json(report)}</script>
<script>{JS}</script>
</body>
</html>
"""
    return _SURROGATES.sub("\ufffd", page)


def _e(text: object) -> str:
    return escape(printable(str(text)), quote=True)


def _digest(source: str) -> str:
    """The CSP source that lets exactly this inline script or style run."""
    return "sha256-" + base64.b64encode(hashlib.sha256(source.encode()).digest()).decode()


def is_web_url(url: str | None) -> bool:
    return url is not None and _WEB_URL.match(url) is not None


def _link(url: str | None, text: str | None = None) -> str:
    """A link if the URL is http(s); otherwise the text, inert."""
    if url is None:
        return ""
    label = _e(url if text is None else text)
    if not is_web_url(url):
        return f'<span class="not-a-link">{label}</span>'
    return f'<a href="{escape(printable_url(url))}" rel="noopener noreferrer">{label}</a>'


def _section_link(document: str, section: str | None) -> str:
    """The claim's section: a link to it when the document is a web page (MediaWiki anchors
    have underscores for spaces), else its name."""
    if not section:
        return ""
    if is_web_url(document):
        anchor = quote(section.replace(" ", "_"), safe="")
        return "\u00a7 " + _link(f"{document.split('#')[0]}#{anchor}", section)
    return f"\u00a7 <bdi>{_e(section)}</bdi>"


def _header(report: Report, title: str) -> str:
    failing = sum(report.fails(f) for f in report.findings) + len(report.failing_changes())
    documents = ", ".join(
        _link(d) if is_web_url(d) else f"<bdi>{_e(d)}</bdi>" for d in report.documents)
    previous = (f"compared with run {report.previous_run_id}"
                if report.previous_run_id is not None
                else "no earlier run to compare with")
    fail_on = ", ".join(f.value for f in report.fail_on) or "nothing"
    return f"""<header>
<h1>{_e(title)}</h1>
<p class="muted">Run {report.run_id} ({_e(report.run_status)}), started {_e(report.started_at)}\
{f", finished {_e(report.finished_at)}" if report.finished_at else ""}; claims from \
<bdi>{_e(report.claims_path)}</bdi>; {previous}.</p>
<p>Documents: {documents or "none"}.</p>
<p><strong>{failing}</strong> item(s) fail the run under --fail-on {_e(fail_on)}.</p>
<nav><ul>
<li><a href="#worklist">Worklist ({len(report.findings)})</a></li>
<li><a href="#changes">Changes ({len(report.changes)})</a></li>
<li><a href="#references">Every reference ({len(report.rows)})</a></li>
<li><a href="#summary">Summary</a></li>
</ul></nav>
</header>"""


def _worklist(report: Report) -> str:
    parts = ['<section id="worklist">', "<h2>Worklist</h2>",
             '<p class="note">What to fix, most urgent kind first.</p>']
    for kind in FindingKind:
        found = report.findings_of(kind)
        parts.append(f'<section id="worklist-{kind.value}">')
        parts.append(f'<h3>{_e(kind.title)} <span class="count">({len(found)})</span></h3>')
        if not found:
            parts.append('<p class="note">Nothing to do.</p>')
        else:
            parts.append('<ol class="findings">')
            parts.extend(_finding(report, f) for f in found[:LIST_LIMIT])
            parts.append("</ol>")
            parts.append(_more(len(found)))
        parts.append("</section>")
    parts.append("</section>")
    return "\n".join(parts)


def _more(count: int) -> str:
    if count <= LIST_LIMIT:
        return ""
    return (f'<p class="note">{LIST_LIMIT} of {count} shown; the table of every reference '
            "below holds them all.</p>")


def _finding(report: Report, finding: Finding) -> str:
    row = finding.row
    marks = []
    if finding.acknowledged:
        marks.append('<span class="badge acked">acknowledged</span>')
    if report.fails(finding):
        marks.append('<span class="badge fails">fails the run</span>')
    items = [("Reference", f"<bdi>{_e(row.ref_title)}</bdi>" if row.ref_title else "none"),
             ("Source", _link(row.url) if row.url else "none"),
             ("What is wrong", _e(finding.detail)), ("What to do", _e(finding.action))]
    if row.evidence:
        where = f" ({_e(row.read_from)} page)" if row.read_from else ""
        items.append(("Evidence", f'<q class="evidence">{_e(row.evidence)}</q>{where}'))
    if row.snapshot_url:
        label = " ".join(str(v) for v in (row.archive, row.snapshot_date) if v) or "copy"
        items.append(("Archived copy", _link(row.snapshot_url, label)))
    if row.drift_archived_verdict:
        said = (f': <q class="evidence">{_e(row.drift_archived_evidence)}</q>'
                if row.drift_archived_evidence else "")
        items.append(("Drift", f"the archived copy ({_e(row.snapshot_date or 'undated')}) was "
                               f"{_e(row.drift_archived_verdict)}{said}; the live page is "
                               f"{_e(row.verdict or 'unjudged')}"))
    details = "\n".join(f"<dt>{name}</dt><dd>{value}</dd>" for name, value in items)
    classes = "finding acknowledged" if finding.acknowledged else "finding"
    return f"""<li class="{classes}">
<p><a class="claim-id" href="#references" data-filter="{_e(row.claim_id)}" \
title="Show this claim in the table">{_e(row.claim_id)}</a>{"".join(marks)} \
<span class="muted"><bdi>{_e(row.document)}</bdi> {_section_link(row.document, row.section)}\
</span></p>
<blockquote class="claim-text">{_e(row.claim)}</blockquote>
<dl>
{details}
</dl>
</li>"""


def _changes(report: Report) -> str:
    parts = ['<section id="changes">', "<h2>Changes since the previous run</h2>"]
    if report.previous_run_id is None:
        parts.append('<p class="note">No earlier finished run to compare with.</p>')
    else:
        parts.append(f'<p class="note">Compared with run {report.previous_run_id}.</p>')
        for kind in ChangeKind:
            changes = report.changes_of(kind)
            parts.append(f'<section id="changes-{kind.value}">')
            parts.append(f'<h3>{_e(kind.title)} <span class="count">({len(changes)})</span></h3>')
            if changes:
                parts.append('<ul class="changes">')
                parts.extend(f"<li>{_change(c)}</li>" for c in changes[:LIST_LIMIT])
                parts.append("</ul>")
                parts.append(_more(len(changes)))
            else:
                parts.append('<p class="note">None.</p>')
            parts.append("</section>")
    parts.append("</section>")
    return "\n".join(parts)


def _change(change: Change) -> str:
    claim = f' (claim <bdi class="claim-id">{_e(change.claim_id)}</bdi>)' if change.claim_id \
        else ""
    if change.kind is ChangeKind.NEWLY_ARCHIVED:
        return f"{_link(change.url)}{claim}: copy at {_link(change.after)}"
    before, after = _e(change.before or "unknown"), _e(change.after or "unknown")
    return f"{_link(change.url)}{claim}: {before} \u2192 {after}"


def _references(report: Report) -> str:
    heads = "".join(f'<th scope="col" data-key="{key}"><button type="button">{_e(label)}'
                    "</button></th>" for key, label in COLUMNS)
    return f"""<section id="references">
<h2>Every reference</h2>
<p class="note">One line per claim and source. Click a heading to sort; the filter matches \
claim ids, claims, references, URLs, statuses, URL states and verdicts (all words must \
match).</p>
<noscript><p>The table needs JavaScript; the JSON and CSV reports hold the same rows.</p>\
</noscript>
<div class="controls" id="table-controls" hidden>
<label>Filter <input type="search" id="filter" autocomplete="off" \
placeholder="claim id, text, URL, status, verdict"></label>
<span id="row-count" aria-live="polite"></span>
<span><button type="button" id="first-page">First</button>
<button type="button" id="prev-page">Previous</button>
<span id="page-label"></span>
<button type="button" id="next-page">Next</button>
<button type="button" id="last-page">Last</button></span>
<span class="note">{PAGE_SIZE} rows a page</span>
</div>
<div class="table-wrap"><table>
<thead><tr>{heads}</tr></thead>
<tbody id="reference-rows"></tbody>
</table></div>
</section>"""


def rows_json(report: Report) -> dict[str, object]:
    """The rows the table shows, as the page embeds them (before escaping): a list of values
    per row, in `fields` order, where a `shared` field holds an index into `values`."""
    values: dict[str, int] = {}
    shared = [i for i, name in enumerate(FIELDS) if name in SHARED]
    rows = []
    for row in report.rows:
        line: list[object] = [getattr(row, name) for name in FIELDS]
        for i in shared:
            value = line[i]
            if isinstance(value, str):
                line[i] = values.setdefault(value, len(values))
        rows.append(line)
    return {"fields": list(FIELDS), "shared": [FIELDS[i] for i in shared],
            "values": list(values), "rows": rows}


def _rows_json(report: Report) -> str:
    text = json.dumps(rows_json(report), ensure_ascii=False, separators=(",", ":"))
    return json_text(text).translate(_JSON_SAFE)


def _summary(report: Report) -> str:
    tables = [_counts("URL status", report.by_status), _counts("URL state", report.by_state),
              _counts("Verdict", report.by_verdict), _domains(report)]
    return f"""<section id="summary">
<h2>Summary</h2>
<div class="summary">
{"".join(tables)}
</div>
<h3>URL states over the last runs</h3>
{_chart(report.history)}
</section>"""


def _counts(name: str, counts: dict[str, int]) -> str:
    lines = "".join(f"<tr><td>{_e(key)}</td><td class=\"num\">{value}</td></tr>"
                    for key, value in counts.items())
    return (f"<table><thead><tr><th scope=\"col\">{_e(name)}</th><th class=\"num\" "
            f"scope=\"col\">Count</th></tr></thead><tbody>{lines or _none(2)}</tbody></table>")


def _none(columns: int) -> str:
    return f'<tr><td colspan="{columns}" class="muted">none</td></tr>'


def _domains(report: Report) -> str:
    shown = report.by_domain[:DOMAIN_LIMIT]
    lines = "".join(
        f"<tr><td>{_e(d.host)}</td><td class=\"num\">{d.urls}</td><td class=\"num\">"
        f"{d.failing}</td><td class=\"num\">{d.dead}</td><td class=\"num\">{d.unsupported}"
        "</td></tr>" for d in shown)
    more = (f'<p class="note">The worst {DOMAIN_LIMIT} of {len(report.by_domain)} domains.</p>'
            if len(report.by_domain) > DOMAIN_LIMIT else "")
    heads = '<th scope="col">Domain</th>' + "".join(
        f'<th scope="col" class="num">{h}</th>' for h in ("URLs", "Failing", "Dead", "Unsupported"))
    return (f"<div><table><thead><tr>{heads}</tr></thead><tbody>{lines or _none(5)}</tbody>"
            f"</table>{more}</div>")


def _state_class(state: str) -> str:
    return f"st-{state}" if state in STATE_ORDER else "st-other"


def _chart(history: Iterable[RunPoint]) -> str:
    """Stacked bars of URL states, one per run, drawn here so the page needs no library."""
    points = list(history)
    if not points:
        return '<p class="note">No runs to chart.</p>'
    states = [s for s in STATE_ORDER if any(p.states.get(s) for p in points)]
    states += sorted({s for p in points for s in p.states} - set(STATE_ORDER))
    top = max(1, max(sum(p.states.values()) for p in points))
    slot, bar, height, base = 56, 36, 160, 175
    width = 40 + slot * len(points)
    shapes = [f'<text x="4" y="{base - height + 4}">{top}</text>',
              f'<text x="4" y="{base}">0</text>']
    for i, point in enumerate(points):
        x, y = 40 + slot * i, float(base)
        for state in states:
            value = point.states.get(state, 0)
            if not value:
                continue
            h = height * value / top
            y -= h
            shapes.append(
                f'<rect class="{_state_class(state)}" x="{x}" y="{y:.2f}" width="{bar}" '
                f'height="{h:.2f}"><title>Run {point.run_id} ({_e(point.started_at[:10])}): '
                f"{_e(state)} {value}</title></rect>")
        shapes.append(f'<text x="{x}" y="{base + 15}">run {point.run_id}</text>')
    legend = "".join(f'<li><span class="swatch {_state_class(s)}"></span>{_e(s)}</li>'
                     for s in states)
    return (f'<svg role="img" aria-label="URL states in each of the last {len(points)} runs" '
            f'width="{width}" height="{base + 25}" viewBox="0 0 {width} {base + 25}">'
            f'{"".join(shapes)}</svg>\n<ul class="legend">{legend}</ul>')
