"""The pywb harness serves exactly the captures it was given: CDX, TimeMap, TimeGate and replay.

The captures are synthetic: reserved example domains, bodies that say what they are.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta, timezone
from email.message import Message
from urllib.parse import urlencode

import pytest

from archive_server import Capture, PywbArchive, pywb_archive

pytestmark = pytest.mark.needs_extra  # pywb, built by .ci/build-pywb (all but the Capture checks)

REPORT = "https://www.example.com/report"
PAGE = "http://example.org/page?id=7"
UNCAPTURED = "http://never-captured.example.test/"


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0,
       microsecond: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, microsecond, tzinfo=timezone.utc)


PIVOT = at(2020, 6, 1)  # the date a claim was made, say


REPORT_2019 = Capture(
    REPORT, at(2019, 3, 1, 12, 0, 0),
    body=(b'<html><head><title>Synthetic capture of www.example.com/report, 2019</title></head>'
          b'<body><p>Synthetic report text: 42 widgets.</p>'
          b'<a href="/annex">annex</a> <a href="https://www.example.com/other">other</a>'
          b'</body></html>'),
)
REPORT_MOVED = Capture(REPORT, at(2020, 1, 1, 0, 0, 0), status=302, body=b"",
                       location="https://www.example.com/report-moved")
REPORT_GONE = Capture(
    REPORT, at(2021, 6, 15, 8, 30, 5), status=404,
    body=b"<html><head><title>Synthetic capture: not found</title></head><body></body></html>",
)
PAGE_2018 = Capture(
    PAGE, at(2018, 11, 2, 9, 15, 0),
    body=b"<html><head><title>Synthetic capture of example.org/page, 2018</title></head></html>",
)
PAGE_2022 = Capture(
    PAGE, at(2022, 2, 3, 23, 59, 59), content_type="text/plain; charset=utf-8",
    body="Synthetic capture of example.org/page, 2022: caf\u00e9 \u2013 plain text.".encode(),
)
CAPTURES = (REPORT_GONE, PAGE_2022, REPORT_2019, PAGE_2018, REPORT_MOVED)  # any order
BY_URL = {REPORT: [REPORT_2019, REPORT_MOVED, REPORT_GONE], PAGE: [PAGE_2018, PAGE_2022]}


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PywbArchive]:
    with pywb_archive(CAPTURES, tmp_path_factory.mktemp("archive")) as running:
        yield running


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None  # the tests look at redirects themselves


_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirects)


def get(url: str, headers: Mapping[str, str] | None = None) -> tuple[int, Message, bytes]:
    request = urllib.request.Request(url, headers=dict(headers or {}))
    try:
        with _OPENER.open(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.headers, error.read()


def cdx(archive: PywbArchive, **params: str) -> list[dict[str, str]]:
    status, headers, body = get(f"{archive.cdx_url}?{urlencode({'output': 'json', **params})}")
    assert status == 200 and headers["Content-Type"] == "text/x-ndjson"
    return [json.loads(line) for line in body.decode().splitlines()]


def http_date(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%a, %d %b %Y %H:%M:%S GMT")


# --- CDX -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("url", [REPORT, PAGE])
def test_cdx_lists_each_capture_with_its_timestamp_and_status(
    archive: PywbArchive, url: str,
) -> None:
    lines = cdx(archive, url=url)
    assert [(line["url"], line["timestamp"], line["status"], line["mime"]) for line in lines] == [
        (c.url, c.timestamp, str(c.status), c.content_type.split(";")[0]) for c in BY_URL[url]
    ]
    assert all(line["filename"] == "synthetic.warc.gz" and "is_fuzzy" not in line for line in lines)


def test_cdx_filter_syntax(archive: PywbArchive) -> None:
    def timestamps(*filters: str) -> list[str]:
        query = urlencode([("url", REPORT), ("output", "json"), *[("filter", f) for f in filters]])
        status, _, body = get(f"{archive.cdx_url}?{query}")
        assert status == 200
        return [json.loads(line)["timestamp"] for line in body.decode().splitlines()]

    ok, moved, gone = REPORT_2019.timestamp, REPORT_MOVED.timestamp, REPORT_GONE.timestamp
    assert timestamps("=status:200") == [ok]  # exact
    assert timestamps("status:200") == [ok]  # "contains"
    assert timestamps("statuscode:200") == [ok]  # the Internet Archive's field name is an alias
    assert timestamps("!=status:200") == [moved, gone]
    assert timestamps("~status:[34]..") == [moved, gone]  # regex from the start of the field
    assert timestamps("!=status:200", "!=status:404") == [moved]  # several filters all hold


def test_cdx_filters_that_match_nothing_fall_back_to_fuzzy_matches(archive: PywbArchive) -> None:
    # pywb's fuzzy matcher reruns an empty query without its filters and marks what it finds;
    # the Internet Archive answers nothing. allowFuzzy=false turns the fallback off.
    fuzzy = cdx(archive, url=REPORT, filter="=status:500")
    assert [(line["status"], line["is_fuzzy"]) for line in fuzzy] == [
        ("200", "1"), ("302", "1"), ("404", "1")]
    assert cdx(archive, url=REPORT, filter="=status:500", allowFuzzy="false") == []
    assert cdx(archive, url=REPORT, **{"from": "2030"}) == []  # a date range is not relaxed


def test_cdx_from_to_and_closest(archive: PywbArchive) -> None:
    assert [line["timestamp"] for line in cdx(archive, url=REPORT, to="2020")] == [
        REPORT_2019.timestamp, REPORT_MOVED.timestamp]  # "2020" is padded to its last second
    closest = cdx(archive, url=REPORT, closest=PIVOT.strftime("%Y%m%d%H%M%S"), sort="closest",
                  limit="1")
    assert [line["timestamp"] for line in closest] == [REPORT_MOVED.timestamp]


def test_cdx_of_an_uncaptured_url_is_empty(archive: PywbArchive) -> None:
    status, _, body = get(f"{archive.cdx_url}?{urlencode({'url': UNCAPTURED, 'output': 'json'})}")
    assert (status, body) == (200, b"")


# --- Memento: TimeMap and TimeGate ---------------------------------------------------------------

MEMENTO = re.compile(r'<([^>]+)>; rel="memento"; datetime="([^"]+)"')


@pytest.mark.parametrize("url", [REPORT, PAGE])
def test_timemap_lists_the_mementos_with_their_datetimes(archive: PywbArchive, url: str) -> None:
    status, headers, body = get(archive.timemap_url + url)
    assert status == 200 and headers["Content-Type"] == "application/link-format"
    text = body.decode()
    assert f'<{url}>; rel="original"' in text
    assert f'<{archive.timegate_url}{url}>; rel="timegate"' in text
    assert MEMENTO.findall(text) == [
        (archive.replay_url_template.format(timestamp=c.timestamp, url=url),
         http_date(c.captured_at))
        for c in BY_URL[url]
    ]


def test_timemap_of_an_uncaptured_url_is_404(archive: PywbArchive) -> None:
    status, _, body = get(archive.timemap_url + UNCAPTURED)
    assert (status, body) == (404, b"")


@pytest.mark.parametrize(("url", "wanted", "expected"), [
    (REPORT, PIVOT, REPORT_MOVED),  # nearest before, though a redirect
    (REPORT, at(2021, 3, 1), REPORT_GONE),  # nearest after, though a 404
    (REPORT, at(1999, 1, 1), REPORT_2019),  # before every capture: the first
    (PAGE, PIVOT, PAGE_2018),  # 577 days before beats 612 days after
    (PAGE, at(2020, 9, 1), PAGE_2022),  # 520 days after beats 669 days before
])
def test_timegate_redirects_to_the_closest_memento(
    archive: PywbArchive, url: str, wanted: datetime, expected: Capture,
) -> None:
    status, headers, body = get(archive.timegate_url + url, {"Accept-Datetime": http_date(wanted)})
    memento = archive.replay_url_template.format(timestamp=expected.timestamp, url=url)
    assert (status, headers["Location"], body) == (307, memento, b"")
    assert headers["Vary"] == "accept-datetime"
    assert f'<{memento}>; rel="memento"; datetime="{http_date(expected.captured_at)}"' in (
        headers["Link"])


def test_timegate_without_accept_datetime_goes_to_the_newest(archive: PywbArchive) -> None:
    status, headers, _ = get(archive.timegate_url + REPORT)
    assert (status, headers["Location"]) == (
        307, archive.replay_url_template.format(timestamp=REPORT_GONE.timestamp, url=REPORT))


def test_timegate_of_an_uncaptured_url_is_404(archive: PywbArchive) -> None:
    assert get(archive.timegate_url + UNCAPTURED, {"Accept-Datetime": http_date(PIVOT)})[0] == 404


# --- Replay: raw (id_) and rewritten -------------------------------------------------------------

REPLAY_MARKS = ("wombat", "_wb_", "WB Insert", "wbinfo", "/static/")


@pytest.mark.parametrize("capture", [REPORT_2019, REPORT_GONE, PAGE_2018, PAGE_2022],
                         ids=lambda c: f"{c.status}-{c.timestamp}")
def test_raw_replay_returns_the_captured_bytes(archive: PywbArchive, capture: Capture) -> None:
    url = archive.raw_url_template.format(timestamp=capture.timestamp, url=capture.url)
    status, headers, body = get(url)
    assert (status, headers["Content-Type"], body) == (
        capture.status, capture.content_type, capture.body)
    assert headers["Memento-Datetime"] == http_date(capture.captured_at)
    assert headers["X-Archive-Orig-Date"] == http_date(capture.captured_at)  # the captured Date
    assert not [mark for mark in REPLAY_MARKS if mark.encode() in body]


def test_raw_replay_of_a_redirect_keeps_its_location(archive: PywbArchive) -> None:
    url = archive.raw_url_template.format(timestamp=REPORT_MOVED.timestamp, url=REPORT)
    status, headers, body = get(url)
    assert (status, headers["Location"], body) == (302, REPORT_MOVED.location, b"")


def test_rewritten_replay_differs_from_raw(archive: PywbArchive) -> None:
    url = archive.replay_url_template.format(timestamp=REPORT_2019.timestamp, url=REPORT)
    status, headers, body = get(url)
    assert status == 200 and body != REPORT_2019.body
    assert b"wombat" in body and b"<!-- WB Insert -->" in body
    prefix = f"/{archive.collection}/{REPORT_2019.timestamp}/"
    assert f'href="{prefix}https://www.example.com/annex"'.encode() in body
    assert f'href="{archive.base}{prefix}https://www.example.com/other"'.encode() in body
    assert b"Synthetic report text: 42 widgets." in body
    # ... and a rewritten redirect points back into the archive
    moved = archive.replay_url_template.format(timestamp=REPORT_MOVED.timestamp, url=REPORT)
    status, headers, _ = get(moved)
    assert (status, headers["Location"]) == (302, archive.replay_url_template.format(
        timestamp=REPORT_MOVED.timestamp, url=REPORT_MOVED.location))


@pytest.mark.parametrize(("timestamp", "expected"), [
    ("20190302", REPORT_2019),
    ("2019", REPORT_MOVED),  # padded to 20191231235959, a day before 2020-01-01
])
def test_raw_replay_at_an_inexact_timestamp_redirects_to_the_nearest(
    archive: PywbArchive, timestamp: str, expected: Capture,
) -> None:
    status, headers, _ = get(archive.raw_url_template.format(timestamp=timestamp, url=REPORT))
    assert (status, headers["Location"]) == (
        307, archive.raw_url_template.format(timestamp=expected.timestamp, url=REPORT))


# --- Capture ------------------------------------------------------------------------------------

def test_capture_timestamp_is_utc_to_the_second() -> None:
    an_hour_east = datetime(2019, 3, 1, 13, 0, 0, tzinfo=timezone(timedelta(hours=1)))
    assert Capture(REPORT, an_hour_east).timestamp == REPORT_2019.timestamp == "20190301120000"


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"captured_at": datetime(2020, 1, 1)}, "timezone-aware"),
    ({"captured_at": at(2020, 1, 1, 0, 0, 0, 500)}, "whole seconds"),
    ({"captured_at": at(2020, 1, 1), "location": "http://example.org/"}, "3xx"),
])
def test_capture_refuses_what_pywb_could_not_give_back(
    kwargs: dict[str, object], message: str,
) -> None:
    with pytest.raises(ValueError, match=message):
        Capture("http://example.org/", **kwargs)  # type: ignore[arg-type]
