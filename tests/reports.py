"""A Report built by hand for the format tests: every finding and change kind, and strings
that would break or attack each format if they were not escaped. Synthetic throughout."""

from __future__ import annotations

from dataclasses import replace

from verifier.report.model import (
    Change,
    ChangeKind,
    DomainLine,
    Finding,
    FindingKind,
    Report,
    Row,
    RunPoint,
)

# Strings that came "from the web or a claims file", hostile to every format at once.
HOSTILE_TITLE = ('<script>alert("title")</script> {{cite web|url=x}} [[Category:X]] ~~~~ '
                 '| a | b | [link](javascript:alert(1)) =HYPERLINK("http://evil.example")')
HOSTILE_CLAIM = ('=1+2 <img src=x onerror=alert("claim")> ]]></failure><x> {{!}} | ~~~~ '
                 "`code` *bold* [[File:X.jpg]] \u202e")
HOSTILE_URL = "javascript:alert('url')"
# Every class of character that must never reach a terminal or a report raw: ANSI escapes
# (ESC and the one-byte CSI), DEL, other C0 controls, the bidi override and isolates.
HOSTILE_CONTROLS = ("\x1b[31mred\x1b[0m \x9b2J del\x7f nul\x00 bs\x08 cr\r "
                    "\u202egnp.exe\u202c \u2066isolate\u2069")
# The same strings as every view shows them (verifier.printable), tab and newline aside.
HOSTILE_CLAIM_SHOWN = HOSTILE_CLAIM.replace("\u202e", "<U+202E>")
HOSTILE_CONTROLS_SHOWN = ("<U+001B>[31mred<U+001B>[0m <U+009B>2J del<U+007F> nul<U+0000> "
                          "bs<U+0008> cr<U+000D> <U+202E>gnp.exe<U+202C> "
                          "<U+2066>isolate<U+2069>")


def row(claim_id: str, url: str | None, **fields: object) -> Row:
    base = Row(document="Synthetic article", claim_id=claim_id,
               claim=f"Claim {claim_id} as the article states it.", section="History",
               citation_needed=False, ref_key=f"ref-{claim_id}", ref_title=f"Title {claim_id}",
               url=url, host=url.split("/")[2] if url and "://" in url else None)
    return replace(base, **fields)  # type: ignore[arg-type]


ALIVE = dict(status="ok", http_status=200, url_state="alive", strikes=0,
             checked_at="2026-01-03T00:00:00+00:00", last_alive_at="2026-01-03T00:00:00+00:00")


def sample_report(hostile: bool = False) -> Report:
    """One of each: citation needed, dead with and without a copy, unsupported, no URL,
    drifted, unarchived, a supported claim, an inconclusive one; each change kind."""
    dead_copy = row("dead-copied", "http://gone.test/a", status="not_found", http_status=404,
                    url_state="confirmed_dead", strikes=3, reason="HTTP 404 Not Found",
                    checked_at="2026-01-03T00:00:00+00:00",
                    first_failure_at="2025-12-30T00:00:00+00:00",
                    last_alive_at="2025-12-01T00:00:00+00:00", archive="wayback",
                    snapshot_url="https://web.archive.test/web/20190501000000/http://gone.test/a",
                    snapshot_date="2019-05-01", archive_lookup="found",
                    verdict="supported", score=0.9, read_from="archive",
                    verdict_reason="one passage holds 90% of the claim",
                    evidence="The claim, as the archived page said it.", evidence_start=10,
                    evidence_end=52)
    dead_none = row("dead-lost", "http://gone.test/b", status="dns_error", url_state="failing",
                    strikes=1, reason="the host name does not resolve",
                    archive_lookup="no_snapshot", verdict="unverifiable",
                    verdict_reason="the source is dns_error")
    unsupported = row("wrong-year", "http://news.test/story", **ALIVE,
                      verdict="not_supported", score=0.3, read_from="live",
                      verdict_reason="the claim says 2009; the source states it otherwise",
                      evidence="The partnership began in 2007.", evidence_start=120,
                      evidence_end=150)
    no_url = row("book", None, ref_title="A printed book")
    drifted = row("drifted", "http://city.test/museum", **ALIVE,
                  verdict="not_supported", score=0.1, read_from="live",
                  verdict_reason="only 10% of the claim is in the source",
                  evidence="This page has moved.", evidence_start=0, evidence_end=20,
                  archive="wayback", snapshot_date="2019-11-02",
                  snapshot_url="https://web.archive.test/web/20191102/http://city.test/museum",
                  archive_lookup="found", drift_archived_verdict="supported",
                  drift_archived_evidence="The museum opened on 12 May 2015.")
    unarchived = row("fresh", "http://blog.test/post", **ALIVE,
                     archive_lookup="no_snapshot", verdict="supported", score=1.0,
                     read_from="live", verdict_reason="one passage holds 100% of the claim",
                     evidence="Claim fresh, as the post says.", evidence_start=0,
                     evidence_end=30)
    unsourced = row("unsourced", None, ref_key=None, ref_title=None, citation_needed=True)
    unclear = row("unclear", "http://ru.test/page", **ALIVE,
                  verdict="inconclusive", score=0.1, read_from="live",
                  verdict_reason="too little can be compared; the languages differ "
                                 "(claim en, source ru)")
    if hostile:
        unsupported = replace(unsupported, claim=HOSTILE_CLAIM, ref_title=HOSTILE_TITLE,
                              evidence=HOSTILE_TITLE, verdict_reason=HOSTILE_CLAIM)
        unarchived = replace(unarchived, url=HOSTILE_URL, host=None, ref_title=HOSTILE_TITLE,
                             claim=HOSTILE_CONTROLS, section=HOSTILE_CONTROLS,
                             reason=HOSTILE_CONTROLS)
    rows = (unsourced, dead_copy, dead_none, unsupported, no_url, drifted, unarchived, unclear)
    findings = (
        Finding(FindingKind.CITATION_NEEDED, unsourced, "marked citation needed",
                "find a reliable source, or remove the claim"),
        Finding(FindingKind.DEAD, dead_copy, "confirmed dead: HTTP 404 Not Found",
                f"use the archived copy {dead_copy.snapshot_url} (wayback, 2019-05-01)"),
        Finding(FindingKind.DEAD, dead_none, "failing (1 strikes): the host name does not "
                "resolve", "no copy found", acknowledged=True),
        Finding(FindingKind.UNSUPPORTED, unsupported, unsupported.verdict_reason or "",
                "check the source; replace it or correct the claim"),
        Finding(FindingKind.NO_URL, no_url, "the reference gives no URL or DOI",
                "add a URL, a DOI or an archived copy"),
        Finding(FindingKind.DRIFTED, drifted, "the copy of 2019-11-02 supported; the live page "
                "now: not_supported", f"cite the archived copy {drifted.snapshot_url}"),
        Finding(FindingKind.UNARCHIVED, unarchived, "no archive holds a copy",
                "archive it now (verifier check --save-live)"),
    )
    changes = (
        Change(ChangeKind.NEWLY_DEAD, "http://gone.test/a", None, "failing", "confirmed_dead"),
        Change(ChangeKind.NEWLY_FAILING, "http://gone.test/b", None, "alive", "failing"),
        Change(ChangeKind.RECOVERED, "http://back.test/c", None, "failing", "recovered"),
        Change(ChangeKind.NEWLY_ARCHIVED, "http://gone.test/a", None, None,
               dead_copy.snapshot_url),
        Change(ChangeKind.VERDICT_CHANGED, "http://city.test/museum", "drifted", "supported",
               "not_supported"),
    )
    return Report(
        run_id=3, run_status="completed", started_at="2026-01-03T00:00:00+00:00",
        finished_at="2026-01-03T00:01:00+00:00", claims_path="claims.yaml", previous_run_id=2,
        documents=("Synthetic article",), findings=findings, changes=changes, rows=rows,
        by_status={"ok": 4, "not_found": 1, "dns_error": 1},
        by_state={"alive": 4, "confirmed_dead": 1, "failing": 1},
        by_verdict={"supported": 2, "not_supported": 2, "unverifiable": 2, "inconclusive": 1},
        by_domain=(DomainLine("gone.test", 2, 1, 1, 0), DomainLine("news.test", 1, 0, 0, 1),
                   DomainLine("city.test", 1, 0, 0, 1)),
        history=(RunPoint(1, "2026-01-01T00:00:00+00:00", {"alive": 6}),
                 RunPoint(2, "2026-01-02T00:00:00+00:00", {"alive": 5, "failing": 1}),
                 RunPoint(3, "2026-01-03T00:00:00+00:00",
                          {"alive": 4, "failing": 1, "confirmed_dead": 1})),
    )


def many_rows(report: Report, count: int) -> Report:
    """The same report with `count` supported rows added (for size and paging tests)."""
    template = report.rows[-1]
    extra = tuple(replace(template, claim_id=f"c{i}", claim=f"Generated claim number {i}.",
                          url=f"http://host{i % 50}.test/page/{i}", host=f"host{i % 50}.test",
                          verdict="supported")
                  for i in range(count))
    return replace(report, rows=report.rows + extra)
