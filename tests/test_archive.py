"""Archive lookups: the parsers on documented shapes, the date rule, and real loopback archives.

Every sample is synthetic (example.org URLs) and written from the format's documentation, named
beside it. The servers are tests/ia_server.py (the Internet Archive's API shapes and failure
modes) and tests/hostile.py (a server that never answers).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from dataclasses import replace
from typing import Any
from urllib.parse import unquote

import pytest

from hostile import Conn, closed_port, hostile
from ia_server import KEYS, SAVED_AT, IACapture, ia_server
from verifier.archive import (
    ArchiveEndpoint, SavePolling, UnreachableArchives, check_archive_url, choose, lookup,
    save_page_now, wayback_endpoint,
)
from verifier.archive_formats import (
    ArchiveFormatError, Capture, error_page_marker, parse_availability, parse_cdx, parse_links,
    parse_replay_url, parse_timemap, parse_timestamp, same_page,
)
from verifier.fetch import Fetcher
from verifier.models import LookupOutcome, Snapshot
from verifier.settings import DomainRule, HostOverride, Settings

QUICK = Settings(allow_private=True, timeout=1.0, connect_timeout=1.0, retries=0, retry_backoff=0.05,
                 host_interval=0.0, per_host=4)
PAGE = "http://example.org/page"
UTC = dt.timezone.utc


def at(*fields: int) -> dt.datetime:
    return dt.datetime(*fields, tzinfo=UTC)  # type: ignore[arg-type, misc]


def run(make: Any, settings: Settings = QUICK) -> Any:
    """Run `make(fetcher)` with a Fetcher open on `settings`."""
    async def main() -> Any:
        async with Fetcher(settings) as fetcher:
            return await make(fetcher)

    return asyncio.run(main())


def ia(server: Any, **changes: Any) -> ArchiveEndpoint:
    """The Wayback endpoint of a loopback imitation, availability API included."""
    return replace(wayback_endpoint(server.base, f"{server.base}/wayback/available"), **changes)


def memento(server: Any, name: str = "mementos") -> ArchiveEndpoint:
    """The same loopback archive asked the Memento way: TimeMap, then each memento fetched."""
    return replace(ia(server, name=name), kind="memento", cdx_url=None, availability_url=None)


# --- parsers --------------------------------------------------------------------------------------

# The Internet Archive's CDX output=json (wayback-cdx-server/README.md, "Output Format (JSON)" and
# "Resumption Key"): header row, one array per capture, then [] and a resumption key.
IA_CDX = """[["urlkey","timestamp","original","mimetype","statuscode","digest","length"],
 ["org,example)/page", "20190301120000", "http://example.org:80/page", "text/html", "200", "AAAA", "1415"],
 ["org,example)/page", "20200101000000", "http://example.org/page", "text/html", "302", "BBBB", "402"],
 ["org,example)/page", "20200920101010", "https://www.example.org/page", "warc/revisit", "-", "CCCC", "512"],
 [],
 ["org%2Cexample%29%2Fpage+20200920101010%21"]]"""

# pywb's CDX output=json (docs/manual/cdxserver_api.rst, "output"): one JSON object per line.
PYWB_CDX = """{"urlkey": "org,example)/page", "timestamp": "20190301120000", "url": "http://example.org/page", "mime": "text/html", "status": "200", "digest": "AAAA", "length": "381", "offset": "0", "filename": "synthetic.warc.gz"}
{"urlkey": "org,example)/page", "timestamp": "20210615083005", "url": "http://example.org/page", "mime": "text/html", "status": "404", "digest": "BBBB", "length": "120", "offset": "381", "filename": "synthetic.warc.gz"}
"""


def test_cdx_internet_archive_dialect() -> None:
    assert parse_cdx(IA_CDX) == [
        Capture("20190301120000", "http://example.org:80/page", 200, "text/html"),
        Capture("20200101000000", "http://example.org/page", 302, "text/html"),
        Capture("20200920101010", "https://www.example.org/page", None, "warc/revisit"),
    ]


def test_cdx_pywb_dialect() -> None:
    captures = parse_cdx(PYWB_CDX)
    assert [(c.timestamp, c.original, c.status, c.mimetype) for c in captures] == [
        ("20190301120000", "http://example.org/page", 200, "text/html"),
        ("20210615083005", "http://example.org/page", 404, "text/html"),
    ]
    assert captures[1].captured_at == at(2021, 6, 15, 8, 30, 5)


@pytest.mark.parametrize("empty", ["", "  \n", "[]"])
def test_cdx_with_nothing_is_an_empty_list(empty: str) -> None:
    assert parse_cdx(empty) == []


@pytest.mark.parametrize("body", [
    "<!DOCTYPE html><html><body>503 Service Unavailable</body></html>",
    '{"message": "Internal Error"} trailing',
    '[["urlkey","timestamp","original"], ["org,example)/", "2020", "http://example.org/"]]',
])
def test_cdx_that_is_not_documented_json_is_an_error(body: str) -> None:
    with pytest.raises(ArchiveFormatError):
        parse_cdx(body)


# A TimeMap as RFC 7089 section 5 shows one, with the Internet Archive's spelling (GLAM Workbench,
# memento.ipynb): several rels per link, a comma and a "<" inside quoted strings, a link over
# two lines, an extra parameter (pywb's collection=), and no space after some semicolons.
TIMEMAP = """<http://example.org/page>; rel="original",
<https://archive.example/web/timemap/link/http://example.org/page>; rel="self";
  type="application/link-format"; from="Tue, 20 Jun 2006 12:34:56 GMT",
<https://archive.example/web/http://example.org/page>; rel="timegate",
<https://archive.example/web/20060620123456/http://example.org/page>; rel="first memento";datetime="Tue, 20 Jun 2006 12:34:56 GMT",
<https://archive.example/web/20150101000000/http://example.org/page>;
  rel="memento"; title="Example, <the> \\"page\\""; datetime="Thu, 01 Jan 2015 00:00:00 GMT"; collection="web",
<https://archive.example/web/20200920101010/http://example.org/page>; rel="last memento"; datetime="Sun, 20 Sep 2020 10:10:10 GMT"
"""


def test_timemap_mementos_in_order() -> None:
    mementos = parse_timemap(TIMEMAP)
    assert [(m.uri.split("/web/")[1][:14], m.captured_at) for m in mementos] == [
        ("20060620123456", at(2006, 6, 20, 12, 34, 56)),
        ("20150101000000", at(2015, 1, 1)),
        ("20200920101010", at(2020, 9, 20, 10, 10, 10)),
    ]


def test_link_format_rels_and_quoted_parameters() -> None:
    links = parse_links(TIMEMAP)
    assert [link.rels for link in links] == [
        ("original",), ("self",), ("timegate",), ("first", "memento"), ("memento",),
        ("last", "memento"),
    ]
    assert links[1].params["type"] == "application/link-format"
    assert links[4].params["title"] == 'Example, <the> "page"'
    assert links[4].params["collection"] == "web"


def test_timemap_that_is_an_html_page_is_an_error() -> None:
    with pytest.raises(ArchiveFormatError, match="HTML"):
        parse_timemap("<!DOCTYPE html><html><body>Service Unavailable</body></html>")


# The availability API's answers (archive.org/help/wayback_api.php).
def test_availability_answer_and_its_empty_answer() -> None:
    found = parse_availability(
        '{"url": "example.org/page", "archived_snapshots": {"closest": {"available": true, '
        '"url": "http://web.archive.org/web/20200924101010/http://example.org/page", '
        '"timestamp": "20200924101010", "status": "200"}}}', PAGE)
    assert found == Capture("20200924101010", "http://example.org/page", 200)
    assert parse_availability('{"archived_snapshots": {}}', PAGE) is None
    assert parse_availability('{"archived_snapshots": {"closest": {"available": false}}}',
                              PAGE) is None
    with pytest.raises(ArchiveFormatError):
        parse_availability("<html>Too Many Requests</html>", PAGE)


def test_timestamps_are_utc_and_short_ones_padded() -> None:
    assert parse_timestamp("20200924101010") == at(2020, 9, 24, 10, 10, 10)
    assert parse_timestamp("2020") == at(2020, 1, 1)
    assert parse_timestamp("202009") == at(2020, 9, 1)
    assert parse_timestamp("20201341") is None
    assert parse_timestamp("12") is None


def test_replay_urls_and_their_raw_form() -> None:
    parsed = parse_replay_url("https://web.archive.org/web/20200924101010/https://example.org/a?b=c")
    assert parsed is not None
    assert (parsed.prefix, parsed.timestamp, parsed.original) == (
        "https://web.archive.org/web", "20200924101010", "https://example.org/a?b=c")
    assert parsed.raw() == "https://web.archive.org/web/20200924101010id_/https://example.org/a?b=c"
    assert parse_replay_url("http://127.0.0.1:8080/coll/2019if_/http://example.org/").flags == "if_"  # type: ignore[union-attr]
    assert parse_replay_url("https://archive.example/AbC12") is None
    assert same_page("http://www.example.org:80/page/", "https://example.org/page")
    assert not same_page("http://example.org/page", "http://example.org/other")


def test_archive_error_pages_are_recognised() -> None:
    assert error_page_marker(b"<p>Wayback Machine doesn&#39;t have that page\n archived.</p>")
    assert error_page_marker(b"<p>The url <b>http://x/</b> could not be found in this collection.")
    assert error_page_marker(b"<html><body>An ordinary page about archives.</body></html>") is None


# --- choosing ---------------------------------------------------------------------------------------

def snap(when: dt.datetime, status: int | None = 200, archive: str = "wayback",
         raw: bool = True) -> Snapshot:
    return Snapshot(archive, PAGE, when, status, f"https://{archive}.example/{when:%Y%m%d}",
                    f"https://{archive}.example/raw/{when:%Y%m%d}" if raw else None)


EARLY, MIDDLE, LATE = snap(at(2019, 1, 1)), snap(at(2020, 9, 20, 10, 10)), snap(at(2021, 3, 1))


@pytest.mark.parametrize("anchor, expected", [
    (dt.date(2020, 9, 24), MIDDLE),  # between: the closest before
    (dt.date(2020, 9, 20), MIDDLE),  # the anchor day itself counts as before, to its end
    (dt.date(2020, 9, 19), EARLY),
    (dt.date(2018, 6, 1), EARLY),  # nothing before: the nearest after
    (dt.date(2025, 1, 1), LATE),
    (None, LATE),  # no anchor: the newest
])
def test_the_date_rule(anchor: dt.date | None, expected: Snapshot) -> None:
    assert choose([LATE, EARLY, MIDDLE], anchor, ["wayback"]) == expected


def test_a_404_or_redirect_capture_is_never_chosen_even_when_closest() -> None:
    gone, moved = snap(at(2020, 9, 23), status=404), snap(at(2020, 9, 24), status=301)
    assert choose([EARLY, gone, moved, LATE], dt.date(2020, 9, 24), ["wayback"]) == EARLY
    assert choose([gone, moved], dt.date(2020, 9, 24), ["wayback"]) is None


def test_unknown_status_is_chosen_only_for_verification() -> None:
    unknown = snap(at(2020, 9, 23), status=None)
    assert choose([EARLY, unknown], dt.date(2020, 9, 24), ["wayback"]) == EARLY
    assert choose([EARLY, unknown], dt.date(2020, 9, 24), ["wayback"], allow_unknown=True) == unknown


def test_ties_go_to_the_first_archive_then_to_raw_copies() -> None:
    when = at(2020, 9, 20)
    first, second = snap(when, archive="arquivo.pt"), snap(when, archive="wayback")
    assert choose([second, first], None, ["arquivo.pt", "wayback"]) == first
    assert choose([first, second], None, ["wayback", "arquivo.pt"]) == second
    cooked, raw = snap(when, archive="x", raw=False), snap(when, archive="y")
    assert choose([cooked, raw], None, []) == raw


# --- lookups against a loopback Internet Archive ---------------------------------------------------

CAPTURES = [
    IACapture(PAGE, "20190301120000"),
    IACapture(PAGE, "20200920101010"),
    IACapture(PAGE, "20200923000000", status=404, body=b"<html>gone</html>"),
    IACapture(PAGE, "20211231235959"),
]


def test_found_closest_before_the_access_date_through_cdx() -> None:
    with ia_server(CAPTURES) as server:
        found = run(lambda f: lookup(f, PAGE, dt.date(2020, 9, 24), [ia(server)]))
    assert found.outcome is LookupOutcome.FOUND
    assert found.snapshot.captured_at == at(2020, 9, 20, 10, 10, 10)
    assert found.snapshot.raw_url == f"{server.base}/web/20200920101010id_/{PAGE}"
    assert found.why == "closest capture before the access date 2020-09-24: 2020-09-20 (wayback)"
    assert found.notes == ("wayback: 2 captures, 2 verified",)
    assert server.asked("/wayback/available") == []  # CDX worked: no fallback
    [query] = server.asked("/cdx/search/cdx")
    assert "filter=statuscode:200" in unquote(query) and "to=20200924235959" in query


def test_nothing_before_the_anchor_takes_the_nearest_after() -> None:
    with ia_server(CAPTURES) as server:
        found = run(lambda f: lookup(f, PAGE, dt.date(2010, 1, 1), [ia(server)]))
    assert found.snapshot.captured_at == at(2019, 3, 1, 12)
    assert found.why.startswith("no capture before the access date 2010-01-01; the nearest after")
    assert len(server.asked("/cdx/search/cdx")) == 2


def test_no_snapshot_when_the_archive_answers_that_it_has_nothing() -> None:
    with ia_server(CAPTURES) as server:
        result = run(lambda f: lookup(f, "http://example.org/never", None, [ia(server)]))
    assert result.outcome is LookupOutcome.NO_SNAPSHOT
    assert result.notes == ("wayback: 0 captures, 0 verified",)
    assert server.asked("/wayback/available") == []


def test_availability_api_is_the_fallback_when_cdx_fails() -> None:
    with ia_server(CAPTURES, modes={"cdx": "503"}) as server:
        found = run(lambda f: lookup(f, PAGE, dt.date(2020, 9, 24), [ia(server)]))
    assert found.outcome is LookupOutcome.FOUND
    assert found.snapshot.captured_at == at(2020, 9, 20, 10, 10, 10)
    assert len(server.asked("/wayback/available")) == 1
    assert "the availability API names 1 capture instead" in found.notes[0]


@pytest.mark.parametrize("mode, said", [("503", "HTTP 503"), ("html", "not JSON"),
                                        ("429", "HTTP 429")])
def test_a_failed_cdx_and_an_empty_availability_answer_is_failed_never_no_snapshot(
        mode: str, said: str) -> None:
    with ia_server(CAPTURES, modes={"cdx": mode, "available": "empty"}) as server:
        result = run(lambda f: lookup(f, PAGE, dt.date(2020, 9, 24), [ia(server)]))
    assert result.outcome is LookupOutcome.FAILED
    assert said in result.notes[0] and "lookup failed" in result.notes[0]
    assert "proves nothing" in result.notes[0]


def test_429_with_retry_after_is_waited_out_then_answered() -> None:
    with ia_server(CAPTURES, modes={"cdx": "429"}, times={"cdx": 1}, retry_after="1") as server:
        started = time.monotonic()
        found = run(lambda f: lookup(f, PAGE, dt.date(2020, 9, 24), [ia(server)]),
                    replace(QUICK, retries=1))
        elapsed = time.monotonic() - started
    assert found.outcome is LookupOutcome.FOUND
    assert elapsed >= 1.0  # the server's Retry-After, not the 0.05 s backoff
    assert len(server.asked("/cdx/search/cdx")) == 2
    assert server.asked("/wayback/available") == []


async def never_answer(conn: Conn) -> None:
    await conn.request()
    await asyncio.sleep(3600)


def test_a_hanging_archive_is_cut_off_by_the_deadlines() -> None:
    with hostile(never_answer, host="127.0.0.2") as silent:
        started = time.monotonic()
        result = run(lambda f: lookup(f, PAGE, dt.date(2020, 9, 24), [ia(silent)]))
        elapsed = time.monotonic() - started
    assert result.outcome is LookupOutcome.FAILED
    assert "no response within 1 s" in result.notes[0]
    assert elapsed < QUICK.timeout + 2.0  # CDX, then the availability API: one deadline each


def test_a_hanging_archive_does_not_hold_up_one_that_answers() -> None:
    with ia_server(CAPTURES) as server, hostile(never_answer, host="127.0.0.3") as silent:
        started = time.monotonic()
        found = run(lambda f: lookup(f, PAGE, dt.date(2020, 9, 24),
                                     [memento(silent, "silent"), ia(server)], deadline=0.5),
                    replace(QUICK, timeout=5.0))
        elapsed = time.monotonic() - started
    assert found.outcome is LookupOutcome.FOUND and found.snapshot.archive == "wayback"
    assert found.notes[0] == "silent: lookup failed: no answer within the lookup's deadline"
    assert elapsed < 2.0


def test_a_memento_that_fails_verification_is_skipped_for_the_next() -> None:
    # Nearest the anchor first: a redirect capture (24th), then a 404 capture (23rd, in CAPTURES).
    moved = IACapture(PAGE, "20200924080000", status=302, location="http://example.org/")
    with ia_server(CAPTURES + [moved]) as server:
        found = run(lambda f: lookup(f, PAGE, dt.date(2020, 9, 24), [memento(server)]))
    assert found.outcome is LookupOutcome.FOUND
    assert found.snapshot.captured_at == at(2020, 9, 20, 10, 10, 10)
    assert found.snapshot.status == 200  # verified by fetching it
    assert found.snapshot.replay_url == f"{server.base}/web/20200920101010/{PAGE}"
    assert [path.split("/")[2] for path in server.asked("/web/2")] == [
        "20200924080000id_", "20200924080000id_",  # the redirect capture, then its Location
        "20200923000000id_", "20200920101010id_"]
    assert found.notes == (
        "mementos: 5 mementos, of unknown status until fetched; "
        "memento 20200924080000 is a redirect (HTTP 302) to http://example.org/; "
        "memento 20200923000000 answers HTTP 404",)


def test_memento_verification_stops_after_three_failures() -> None:
    error_page = b"<html><p>Wayback Machine doesn't have that page archived.</p></html>"
    bad = [IACapture(PAGE, "20200905000000", body=error_page)] + [
        IACapture(PAGE, f"2020090{day}000000", status=404) for day in range(1, 5)]
    with ia_server(bad) as server:
        result = run(lambda f: lookup(f, PAGE, None, [memento(server)]))
    assert result.outcome is LookupOutcome.NO_SNAPSHOT  # every memento answered, all unusable
    assert len(server.asked("/web/2")) == 3
    assert "memento 20200905000000 is an archive error page" in result.notes[0]
    assert result.notes[0].endswith("3 mementos failed verification; no more tried")


def test_no_timemap_is_no_snapshot_and_a_failed_one_is_failed() -> None:
    with ia_server(CAPTURES, modes={"timemap": "503"}) as down, ia_server(CAPTURES) as up:
        result = run(lambda f: lookup(f, "http://example.org/never", None,
                                      [memento(up, "up"), memento(down, "down")]))
        alone = run(lambda f: lookup(f, "http://example.org/never", None, [memento(up, "up")]))
    assert result.outcome is LookupOutcome.FAILED
    assert result.notes == ("up: no TimeMap for this URL (HTTP 404)",
                            "down: lookup failed: TimeMap: HTTP 503")
    assert alone.outcome is LookupOutcome.NO_SNAPSHOT


def test_one_archive_found_is_found_whatever_the_others_say() -> None:
    with ia_server(CAPTURES) as good, ia_server(CAPTURES, modes={"timemap": "html"}) as bad:
        found = run(lambda f: lookup(f, PAGE, dt.date(2020, 9, 24),
                                     [memento(bad, "bad"), ia(good)]))
    assert found.outcome is LookupOutcome.FOUND
    assert found.notes[0].startswith("bad: lookup failed: answered an HTML page")
    assert len(found.candidates) == 2


def test_without_archives_nothing_is_proven() -> None:
    result = run(lambda f: lookup(f, PAGE, None, []))
    assert result.outcome is LookupOutcome.FAILED


# --- checking an archive link ----------------------------------------------------------------------

def check(server: Any, address: str, access: dt.date | None, **kw: Any) -> Any:
    return run(lambda f: check_archive_url(f, address, access, [ia(server)], **kw))


def test_a_good_archive_link_is_fetched_raw() -> None:
    with ia_server(CAPTURES) as server:
        result = check(server, f"{server.base}/web/20200920101010/{PAGE}", dt.date(2020, 9, 24))
    assert (result.ok, result.problem, result.captured_at) == (True, None, at(2020, 9, 20, 10, 10, 10))
    assert server.asked("/web/") == [f"/web/20200920101010id_/{PAGE}"]


def test_a_short_timestamp_is_sent_to_the_exact_capture() -> None:
    with ia_server(CAPTURES) as server:
        result = check(server, f"{server.base}/web/2020/{PAGE}", dt.date(2020, 9, 24))
    assert result.ok and result.captured_at == at(2020, 9, 20, 10, 10, 10)  # nearest 2020-01-01


def test_an_archive_error_page_is_flagged() -> None:
    error = IACapture(PAGE, "20200921000000",
                      body=b"<div id='error'><p>Wayback Machine doesn't have that page archived.</p>")
    with ia_server(CAPTURES + [error]) as server:
        served = check(server, f"{server.base}/web/20200921000000/{PAGE}", None)
        missing = check(server, f"{server.base}/web/20200921000000/http://example.org/never", None)
    assert not served.ok and "error page" in str(served.problem)
    assert not missing.ok and "HTTP 404" in str(missing.problem) and not missing.inconclusive


def test_a_capture_long_after_the_access_date_is_flagged() -> None:
    with ia_server(CAPTURES) as server:
        result = check(server, f"{server.base}/web/20211231235959/{PAGE}", dt.date(2020, 9, 24))
        lenient = check(server, f"{server.base}/web/20211231235959/{PAGE}", dt.date(2020, 9, 24),
                        max_gap_days=1000)
    assert not result.ok
    assert result.problem == "captured 2021-12-31, 463 days after the access date 2020-09-24"
    assert lenient.ok


def test_a_redirect_capture_is_flagged_and_an_archive_down_is_inconclusive() -> None:
    moved = IACapture(PAGE, "20200921000000", status=301, location="http://example.org/")
    with ia_server(CAPTURES + [moved]) as server:
        redirect = check(server, f"{server.base}/web/20200921000000/{PAGE}", None)
        near = check(server, f"{server.base}/web/202009211/{PAGE}", None)  # sent on to the 21st
    with ia_server(CAPTURES, modes={"web": "503"}) as down:
        unknown = check(down, f"{down.base}/web/20200920101010/{PAGE}", None)
    assert not redirect.ok and "is a redirect (HTTP 301) to http://example.org/" in str(redirect.problem)
    assert near.problem == redirect.problem and near.captured_at == at(2020, 9, 21)
    assert not unknown.ok and unknown.inconclusive and "HTTP 503" in str(unknown.problem)


# --- Save Page Now ------------------------------------------------------------------------------------

QUICK_POLL = SavePolling(interval=0.05, polls=10, max_wait=5.0)


def save(server: Any, credentials: tuple[str, str] | None = KEYS,
         poll: SavePolling = QUICK_POLL) -> Any:
    async def main() -> Any:
        async with Fetcher(QUICK) as fetcher:  # the fetch layer's POST, deadline and limits
            return await save_page_now(fetcher, PAGE, credentials, f"{server.base}/save", poll)

    return asyncio.run(main())


def test_save_page_now_polls_until_success() -> None:
    with ia_server([], spn_pending=2) as server:
        result = save(server)
    assert result.status == "saved"
    assert result.snapshot_url == f"{server.base}/web/{SAVED_AT}/{PAGE}"
    assert server.forms == [{"url": [PAGE]}]
    assert len(server.asked("/save/status/")) == 3  # pending, pending, success


def test_save_page_now_error_and_missing_keys_fail_without_harm() -> None:
    with ia_server([], spn_outcome="error") as server:
        error = save(server)
        refused = save(server, credentials=("someone", "wrong"))
        without = save(server, credentials=None)
    assert (error.status, error.snapshot_url) == ("failed", None)
    assert error.detail == f"error:invalid-host-resolution: Couldn't resolve host for {PAGE}."
    assert refused.status == "failed" and "HTTP 401" in refused.detail
    assert without.status == "failed" and len(server.forms) == 2  # nothing sent without keys


def test_save_page_now_stops_polling_within_its_bounds() -> None:
    with ia_server([], spn_pending=100) as server:
        result = save(server, poll=SavePolling(interval=0.05, polls=3, max_wait=5.0))
    assert result.status == "pending" and result.snapshot_url is None
    assert len(server.asked("/save/status/")) == 3


# --- archives that cannot be reached -----------------------------------------------------------------

PAGES = [f"http://example.org/page-{n}" for n in range(5)]
HELD = [IACapture(url, "20200920101010") for url in PAGES[:3]]  # the live archive has 3 of 5
GIVEN_UP = "could not be asked: dead unreachable (not proof of absence)"
# A pace no test could wait out: a lookup that waited its turn would never end.
FOREVER = 3600.0


def unresolvable(*hosts: str, **changes: Any) -> Settings:
    """QUICK with `hosts` failing to resolve (no DNS asked), each paced one request an hour."""
    return replace(QUICK, resolve=tuple(HostOverride(h, None, "-") for h in hosts),
                   domains=tuple(DomainRule(h, per_host=1, host_interval=FOREVER)
                                 for h in hosts), **changes)


def dead_at(base: str, name: str = "dead") -> ArchiveEndpoint:
    """A Wayback-style archive at `base`, without the availability fallback: one request a
    lookup, so that requests can be counted."""
    return wayback_endpoint(base, None, name=name)


def look_up_all(settings: Settings, archives: list[ArchiveEndpoint],
                outages: UnreachableArchives, urls: list[str] = PAGES,
                together: bool = False) -> list[Any]:
    """Look every URL up with one record of outages, one after another or all at once; a
    minute at most, which only a lookup waiting out the dead archive's pace would take."""
    async def each(f: Fetcher) -> list[Any]:
        if together:
            return list(await asyncio.gather(*(lookup(f, u, None, archives, outages=outages)
                                               for u in urls)))
        return [await lookup(f, u, None, archives, outages=outages) for u in urls]

    return run(lambda f: asyncio.wait_for(each(f), 60), settings)  # type: ignore[no-any-return]


def test_an_archive_whose_host_does_not_resolve_is_given_up_at_once() -> None:
    outages = UnreachableArchives()
    with ia_server(HELD) as live:
        results = look_up_all(unresolvable("dead.test"), [dead_at("http://dead.test"), ia(live)],
                              outages, together=True)
        asked_live = len(live.asked("/cdx/search/cdx"))
    (outage,) = outages.outages()
    assert outage.archive == "dead" and "cannot resolve dead.test" in outage.reason
    # The live archive's copies are found all the same, each lookup asking it once.
    assert [r.outcome for r in results] == [LookupOutcome.FOUND] * 3 + [LookupOutcome.FAILED] * 2
    assert all(r.snapshot.archive == "wayback" for r in results[:3])
    assert asked_live == 5
    # Never "no snapshot": the dead archive was not asked, which proves nothing.
    assert [r.why for r in results[3:]] == [GIVEN_UP] * 2
    assert all(r.unanswered == ("dead",) for r in results)
    assert "cannot resolve dead.test" in results[0].notes[0]
    assert all(r.notes[0] in ("dead: lookup failed: could not be asked: dead unreachable",
                              results[0].notes[0]) for r in results)


def test_an_archive_that_refuses_connections_is_asked_once() -> None:
    outages = UnreachableArchives()
    with ia_server(HELD) as live:
        results = look_up_all(QUICK, [dead_at(f"http://127.0.0.1:{closed_port()}"), ia(live)],
                              outages)
    (outage,) = outages.outages()
    assert outage.archive == "dead" and outage.reason.startswith("CDX: ")
    assert results[0].notes[0] == f"dead: lookup failed: {outage.reason}"
    # Given up by the first lookup: the four after it sent it nothing.
    assert [r.notes[0] for r in results[1:]] == [
        "dead: lookup failed: could not be asked: dead unreachable"] * 4
    assert [r.outcome for r in results] == [LookupOutcome.FOUND] * 3 + [LookupOutcome.FAILED] * 2
    assert [r.why for r in results[3:]] == [GIVEN_UP] * 2


def test_an_archive_that_fails_three_lookups_in_a_row_is_asked_no_more() -> None:
    outages = UnreachableArchives()
    with ia_server(HELD) as live, ia_server([], host="127.0.0.5", modes={"cdx": "503"}) as down:
        results = look_up_all(QUICK, [dead_at(down.base), ia(live)], outages,
                              urls=PAGES[3:] + PAGES)  # the first two found nowhere
        asked_down = len(down.asked("/cdx/search/cdx"))
    assert asked_down == 3
    (outage,) = outages.outages()
    assert outage.reason == "3 lookups in a row failed, the last: CDX: HTTP 503"
    # The first two failures were ordinary; the third gave the archive up, and it counts as
    # unreachable as much as the lookups after it.
    assert results[0].why == ("no verified snapshot, and dead could not be asked fully: not "
                              "proof of absence")
    assert "HTTP 503" in results[2].notes[0]
    assert [r.notes[0] for r in results[3:]] == [
        "dead: lookup failed: could not be asked: dead unreachable"] * 4
    assert [r.outcome for r in results[2:5]] == [LookupOutcome.FOUND] * 3
    assert [r.why for r in results[5:]] == [GIVEN_UP] * 2
    assert all(r.unanswered == ("dead",) for r in results)


def test_lookups_waiting_on_an_archive_are_cut_short_when_it_is_given_up() -> None:
    # Three requests at a time to a server that never answers: the first three time out and
    # give it up; the three behind them, in flight or queued, end then, not a timeout later.
    outages = UnreachableArchives()
    with hostile(never_answer, host="127.0.0.6") as silent:
        settings = replace(QUICK, domains=(DomainRule(silent.host, per_host=3),))
        results = look_up_all(settings, [dead_at(silent.base, "silent")], outages,
                              urls=[*PAGES, PAGE], together=True)
    assert [o.archive for o in outages.outages()] == ["silent"]
    assert [r.notes[0] for r in results] == [
        "silent: lookup failed: CDX: no response within 1 s"] * 3 + [
        "silent: lookup failed: could not be asked: silent unreachable"] * 3
    assert all(r.outcome is LookupOutcome.FAILED for r in results)


def test_a_clean_answer_starts_the_count_of_failures_again() -> None:
    outages = UnreachableArchives()
    with ia_server(HELD, modes={"cdx": "503"}, times={"cdx": 2}) as flaky:
        first = look_up_all(QUICK, [dead_at(flaky.base, "flaky")], outages, urls=PAGES[:3])
        flaky.times["cdx"] = 2  # two more failures, then answers again
        second = look_up_all(QUICK, [dead_at(flaky.base, "flaky")], outages, urls=PAGES[:3])
        asked = len(flaky.asked("/cdx/search/cdx"))
    assert outages.outages() == ()
    assert asked == 6
    assert [r.outcome for r in first + second] == [LookupOutcome.FAILED] * 2 + [
        LookupOutcome.FOUND] + [LookupOutcome.FAILED] * 2 + [LookupOutcome.FOUND]


@pytest.mark.parametrize("how", ["unresolvable", "refused"])
def test_a_request_that_never_reached_the_archive_costs_it_no_turn(how: str) -> None:
    # Two archives on one host paced an hour apart: the second's request waits for nothing
    # when the first's never reached the host, though only the first is given up.
    if how == "unresolvable":
        settings, base = unresolvable("dead.test"), "http://dead.test"
    else:
        port = closed_port()
        settings = replace(QUICK, domains=(DomainRule("127.0.0.1", per_host=1,
                                                      host_interval=FOREVER),))
        base = f"http://127.0.0.1:{port}"
    archives = [dead_at(f"{base}/one", "one"), dead_at(f"{base}/two", "two")]
    outages = UnreachableArchives()
    (result,) = look_up_all(settings, archives, outages, urls=[PAGE])
    assert [o.archive for o in outages.outages()] == ["one", "two"]
    assert result.outcome is LookupOutcome.FAILED and result.unanswered == ("one", "two")
    assert result.why == "could not be asked: one, two unreachable (not proof of absence)"


def test_archive_links_to_an_unreachable_archive_are_checked_once() -> None:
    outages = UnreachableArchives()
    links = [f"http://elsewhere.test/web/2020092{n}000000/{PAGE}" for n in range(3)]
    configured = f"http://dead.test/web/20200920101010/{PAGE}"
    archives = [dead_at("http://dead.test")]

    async def main(f: Fetcher) -> list[Any]:
        await lookup(f, PAGE, None, archives, outages=outages)  # gives "dead" up
        return [await check_archive_url(f, link, None, archives, outages=outages)
                for link in [*links, configured]]

    first, *rest, of_dead = run(main, unresolvable("elsewhere.test", "dead.test"))
    assert first.inconclusive and "cannot resolve elsewhere.test" in first.problem
    assert [(r.ok, r.inconclusive, r.problem) for r in rest] == [
        (False, True, "could not be asked: elsewhere.test unreachable")] * 2
    assert rest[0].captured_at == at(2020, 9, 21)  # read from the link itself
    # A link into a configured archive goes by the archive's name, given up by the lookups.
    assert (of_dead.inconclusive, of_dead.problem) == (True, "could not be asked: dead unreachable")
    assert [o.archive for o in outages.outages()] == ["dead", "elsewhere.test"]


def test_save_page_now_out_of_reach_is_tried_once() -> None:
    outages = UnreachableArchives()
    spn = f"http://127.0.0.1:{closed_port()}/save"

    async def main(f: Fetcher) -> list[Any]:
        return [await save_page_now(f, url, KEYS, spn, QUICK_POLL, outages) for url in PAGES[:3]]

    first, *rest = run(main)
    assert first.status == "failed" and first.detail.startswith("save request: ")
    assert [(r.status, r.detail) for r in rest] == [
        ("failed", "could not be asked: Save Page Now unreachable")] * 2
