"""The stylesheet and script of the HTML report, as strings: the page inlines them, so the
report is one file that needs nothing else, and the package needs no data files.

The script renders the table of every reference from the JSON in `<script id="rows">`, one
page at a time. Data only ever reaches the page through `textContent`, with its control and
bidi characters shown as `<U+XXXX>` (`verifier.printable`), and an `href` only after its scheme
is checked: the strings come from claims files and from the web.
"""

from __future__ import annotations

from verifier.printable import HIDDEN

# Columns of the reference table: the key the script renders and sorts by, and the heading.
COLUMNS = (
    ("claim", "Claim"), ("reference", "Reference"), ("url", "URL"), ("status", "Status"),
    ("url_state", "URL state"), ("http_status", "HTTP"), ("final_url", "Final URL"),
    ("last_alive_at", "Last alive"), ("first_failure_at", "First failure"),
    ("strikes", "Strikes"), ("snapshot", "Snapshot"), ("verdict", "Verdict"),
)

# Fields of each embedded row, in order (Row's names).
FIELDS = (
    "document", "claim_id", "claim", "section", "ref_title", "url", "status", "reason",
    "http_status", "url_state", "final_url", "last_alive_at", "first_failure_at", "strikes",
    "archive", "snapshot_url", "snapshot_date", "verdict", "verdict_reason",
)
# Fields whose few distinct values repeat down 100,000 rows: each row holds an index into one
# list of values instead, which halves the page.
SHARED = ("document", "section", "ref_title", "status", "reason", "url_state",
          "last_alive_at", "first_failure_at", "archive", "snapshot_date", "verdict",
          "verdict_reason")

PAGE_SIZE = 100

CSS = """
:root { --fg: #1b1f24; --muted: #59636e; --bg: #fff; --line: #d1d9e0; --soft: #f6f8fa;
  --link: #0b57d0; --bad: #b42318; --warn: #9a6700; --good: #1a7f37; --info: #5b4fc4; }
@media (prefers-color-scheme: dark) {
  :root { --fg: #e6edf3; --muted: #9198a1; --bg: #0d1117; --line: #3d444d; --soft: #151b23;
    --link: #6cb6ff; --bad: #ff7b72; --warn: #d29922; --good: #3fb950; --info: #a5a0ff; } }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 110rem; padding: 1rem 1.5rem 4rem; color: var(--fg);
  background: var(--bg); font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; }
a { color: var(--link); overflow-wrap: anywhere; }
h1 { font-size: 1.5rem; margin: .2rem 0; }
h2 { font-size: 1.25rem; border-bottom: 1px solid var(--line); padding-bottom: .2rem;
  margin-top: 2.2rem; }
h3 { font-size: 1.05rem; margin: 1.4rem 0 .4rem; }
.muted, .note { color: var(--muted); }
nav ul, .legend { display: flex; flex-wrap: wrap; gap: .4rem 1.2rem; list-style: none;
  padding: 0; margin: .6rem 0; }
.count { font-weight: normal; color: var(--muted); }
.findings { list-style: none; padding: 0; margin: 0; }
.finding { border: 1px solid var(--line); border-left: 4px solid var(--bad);
  border-radius: 6px; padding: .5rem .8rem; margin: .5rem 0; }
.finding.acknowledged { border-left-color: var(--muted); opacity: .8; }
.finding p { margin: 0 0 .3rem; }
.finding dl { display: grid; grid-template-columns: max-content 1fr; gap: .15rem .8rem;
  margin: .3rem 0 0; }
.finding dt { color: var(--muted); }
.finding dd { margin: 0; overflow-wrap: anywhere; }
blockquote { margin: .2rem 0 .3rem; padding-left: .7rem; border-left: 3px solid var(--line); }
/* An override character in one string must not reverse the text around it. */
.claim-text, .evidence, bdi, a, .not-a-link { unicode-bidi: isolate; }
.claim-text, .evidence { overflow-wrap: anywhere; }
.badge { display: inline-block; font-size: .8rem; padding: 0 .45rem; border-radius: 1rem;
  border: 1px solid currentColor; margin-left: .3rem; }
.fails { color: var(--bad); }
.acked { color: var(--muted); }
.changes li { margin: .15rem 0; overflow-wrap: anywhere; }
.controls { display: flex; flex-wrap: wrap; align-items: center; gap: .5rem 1rem;
  margin: .6rem 0; }
.controls input { font: inherit; padding: .3rem .5rem; min-width: 22rem; max-width: 100%; }
.controls button { font: inherit; padding: .2rem .6rem; }
.table-wrap { overflow-x: auto; border: 1px solid var(--line); border-radius: 6px; }
table { border-collapse: collapse; width: 100%; }
th, td { padding: .3rem .5rem; border-bottom: 1px solid var(--line); text-align: left;
  vertical-align: top; }
thead th { position: sticky; top: 0; background: var(--soft); white-space: nowrap; }
thead th button { font: inherit; font-weight: 600; color: inherit; background: none;
  border: 0; padding: 0; cursor: pointer; }
th[aria-sort="ascending"] button::after { content: " \\25B2"; }
th[aria-sort="descending"] button::after { content: " \\25BC"; }
#references td { font-size: .9rem; overflow-wrap: break-word; }
#references td.c-claim { min-width: 16rem; }
#references td.c-reference { min-width: 8rem; }
#references td.c-url, #references td.c-final_url { min-width: 9rem; overflow-wrap: anywhere; }
#references td.c-status, #references td.c-url_state, #references td.c-verdict,
#references td.c-last_alive_at, #references td.c-first_failure_at,
#references td.c-snapshot { white-space: nowrap; }
#references td.num { text-align: right; }
.claim-id { font-weight: 600; }
.v-supported, .s-alive, .s-recovered, .s-ok { color: var(--good); }
.v-not_supported, .v-quote_mismatch, .s-confirmed_dead { color: var(--bad); }
.s-failing, .v-inconclusive, .v-unverifiable { color: var(--warn); }
.summary { display: flex; flex-wrap: wrap; gap: 1rem 2.5rem; align-items: flex-start; }
.summary table { width: auto; }
.summary td.num, .summary th.num { text-align: right; }
svg text { fill: var(--muted); font-size: 11px; }
.swatch { display: inline-block; width: .8rem; height: .8rem; border-radius: 2px;
  margin-right: .3rem; vertical-align: -1px; }
.st-alive { fill: #2da44e; background: #2da44e; }
.st-recovered { fill: #8fd694; background: #8fd694; }
.st-failing { fill: #d4a72c; background: #d4a72c; }
.st-confirmed_dead { fill: #cf222e; background: #cf222e; }
.st-unknown { fill: #8c959f; background: #8c959f; }
.st-other { fill: #8250df; background: #8250df; }
"""

# The ES2020 below runs in any current browser. It never writes data with innerHTML.
JS = """
(() => {
  "use strict";
  const PAGE = __PAGE_SIZE__;
  const data = JSON.parse(document.getElementById("rows").textContent);
  const F = {};
  data.fields.forEach((name, i) => { F[name] = i; });
  const rows = data.rows, values = data.values;
  const shared = data.shared.map((name) => F[name]);
  for (const r of rows) {
    for (const i of shared) if (r[i] !== null) r[i] = values[r[i]];
  }
  const SORT_FIELD = {claim: "claim_id", reference: "ref_title", snapshot: "snapshot_date"};
  const FILTERED = ["claim_id", "claim", "ref_title", "url", "final_url", "status",
                    "url_state", "verdict"].map((name) => F[name]);
  const $ = (id) => document.getElementById(id);
  const input = $("filter"), count = $("row-count"), label = $("page-label");
  const tbody = $("reference-rows");
  let order = rows.map((_, i) => i), view = order, page = 0, hay = null, query = "";

  const fmt = (n) => String(n).replace(/\\B(?=(\\d{3})+(?!\\d))/g, ",");
  // Control and bidi characters as <U+XXXX>, as every view shows them (verifier.printable).
  const shown = (v) => String(v).replace(/[__HIDDEN__]/g, (c) =>
    "<U+" + c.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0") + ">");
  function el(tag, text, cls) {
    const e = document.createElement(tag);
    if (text !== null && text !== undefined) e.textContent = shown(text);
    if (cls) e.className = cls;
    return e;
  }
  // Only http(s) becomes a link; anything else (javascript:, data:, ...) stays text.
  function safeHref(url) {
    if (typeof url !== "string") return null;
    let parsed;
    try { parsed = new URL(url); } catch (e) { return null; }
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : null;
  }
  function link(url, text, title) {
    const href = safeHref(url);
    const e = el(href ? "a" : "span", text === undefined ? url : text);
    if (href) { e.href = href; e.rel = "noopener noreferrer"; }
    if (title) e.title = shown(title);
    return e;
  }
  const token = (v) => String(v).replace(/[^A-Za-z0-9_]/g, "");
  const day = (v) => (v ? el("span", String(v).slice(0, 10)) : null);
  const CELLS = {
    claim(r) {
      const td = el("td", null, "claim");
      td.append(el("span", r[F.claim_id], "claim-id"), " ",
                el("span", r[F.claim], "claim-text"));
      if (r[F.section]) {
        const doc = r[F.document], where = el("div", null, "muted");
        const href = safeHref(doc) && doc.split("#")[0] + "#" +
          encodeURIComponent(r[F.section].replace(/ /g, "_"));
        where.append("\\u00a7 ", link(href || null, r[F.section]));
        td.append(where);
      }
      return td;
    },
    reference: (r) => el("td", r[F.ref_title]),
    url: (r) => cellOf(r[F.url] === null ? el("span", "\\u2014", "muted") : link(r[F.url])),
    status(r) {
      const td = el("td", r[F.status], r[F.status] ? "s-" + token(r[F.status]) : "");
      if (r[F.reason]) td.title = shown(r[F.reason]);
      return td;
    },
    url_state: (r) => el("td", r[F.url_state], r[F.url_state] ? "s-" + token(r[F.url_state]) : ""),
    http_status: (r) => el("td", r[F.http_status], "num"),
    final_url: (r) => cellOf(r[F.final_url] ? link(r[F.final_url]) : null),
    last_alive_at: (r) => cellOf(day(r[F.last_alive_at]), r[F.last_alive_at]),
    first_failure_at: (r) => cellOf(day(r[F.first_failure_at]), r[F.first_failure_at]),
    strikes: (r) => el("td", r[F.strikes], "num"),
    snapshot(r) {
      const url = r[F.snapshot_url];
      return cellOf(url ? link(url, r[F.snapshot_date] || "copy", r[F.archive]) : null, null);
    },
    verdict(r) {
      const td = el("td", r[F.verdict], r[F.verdict] ? "v-" + token(r[F.verdict]) : "");
      if (r[F.verdict_reason]) td.title = shown(r[F.verdict_reason]);
      return td;
    },
  };
  function cellOf(child, title) { // title: the whole value, where the cell shows part
    const td = el("td");
    if (child) td.append(child);
    if (title) td.title = shown(title);
    return td;
  }
  const columns = Array.from(document.querySelectorAll("#references thead th"))
    .map((th) => th.dataset.key);

  function draw() {
    const pages = Math.max(1, Math.ceil(view.length / PAGE));
    page = Math.min(Math.max(page, 0), pages - 1);
    const frag = document.createDocumentFragment();
    for (const i of view.slice(page * PAGE, (page + 1) * PAGE)) {
      const tr = el("tr");
      for (const key of columns) {
        const td = CELLS[key](rows[i]);
        td.classList.add("c-" + key);  // the stylesheet sizes and wraps cells by column
        tr.append(td);
      }
      frag.append(tr);
    }
    if (!view.length) {
      const td = el("td", rows.length ? "No row matches the filter." : "No references.",
                    "muted");
      td.colSpan = columns.length;
      const tr = el("tr");
      tr.append(td);
      frag.append(tr);
    }
    tbody.replaceChildren(frag);
    count.textContent = fmt(view.length) + " of " + fmt(rows.length) + " rows";
    label.textContent = "Page " + fmt(page + 1) + " of " + fmt(pages);
    $("first-page").disabled = $("prev-page").disabled = page === 0;
    $("next-page").disabled = $("last-page").disabled = page >= pages - 1;
  }
  // Every term must appear in one of the filtered fields, as shown; the haystack is built once.
  function refilter() {
    const terms = query.toLowerCase().split(/\\s+/).filter(Boolean);
    if (!terms.length) { view = order; return; }
    if (!hay) {
      hay = rows.map((r) => FILTERED.map((i) => (r[i] === null ? "" : shown(r[i])))
                                    .join("\\u0001").toLowerCase());
    }
    view = order.filter((i) => terms.every((t) => hay[i].includes(t)));
  }
  function sortBy(key, dir) {
    const f = F[SORT_FIELD[key] || key];
    // Empty values last in both directions; ties keep the report's order.
    order = rows.map((_, i) => i).sort((a, b) => {
      const x = rows[a][f], y = rows[b][f];
      if (x === y) return a - b;
      if (x === null) return 1;
      if (y === null) return -1;
      return (x < y ? -1 : 1) * dir;
    });
  }
  let timer = 0;
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => { query = input.value; page = 0; refilter(); draw(); },
                       rows.length > 20000 ? 200 : 50);
  });
  document.querySelectorAll("#references thead th button").forEach((button) => {
    button.addEventListener("click", () => {
      const th = button.parentNode;
      const dir = th.getAttribute("aria-sort") === "ascending" ? -1 : 1;
      document.querySelectorAll("#references thead th").forEach(
        (other) => other.removeAttribute("aria-sort"));
      th.setAttribute("aria-sort", dir === 1 ? "ascending" : "descending");
      sortBy(th.dataset.key, dir);
      refilter();
      page = 0;
      draw();
    });
  });
  const turn = (id, to) => $(id).addEventListener("click", () => { page = to(); draw(); });
  turn("first-page", () => 0);
  turn("prev-page", () => page - 1);
  turn("next-page", () => page + 1);
  turn("last-page", () => Infinity);
  // A claim id in the worklist shows that claim's rows in the table.
  document.addEventListener("click", (event) => {
    const a = event.target.closest && event.target.closest("a[data-filter]");
    if (!a) return;
    input.value = query = a.dataset.filter;
    page = 0;
    refilter();
    draw();
  });
  $("table-controls").hidden = false;
  draw();
})();
""".replace("__PAGE_SIZE__", str(PAGE_SIZE)).replace("__HIDDEN__", HIDDEN)
