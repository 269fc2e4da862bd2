"""A real web archive on loopback for the tests: pywb serving WARCs the tests write.

pywb (Webrecorder's open-source Wayback Machine) lives in its own virtualenv, .ci/pywb-2.10.0/,
built by `bash .ci/build-pywb`. It is GPLv3 and monkey-patches the interpreter on import (gevent),
so this module never imports it: it writes the WARC with warcio, then runs pywb's own commands
(`wb-manager init`, `wb-manager add`, `wayback`) as subprocesses.

    with pywb_archive([Capture("http://example.org/", captured_at)], tmp_path) as archive:
        urlopen(f"{archive.cdx_url}?url=http://example.org/&output=json")

What pywb 2.10.0 answers, tried through this harness (collection "synthetic", B = `base`, the
captures of tests/test_archive_server.py); the code cited is under pywb/ in the pywb venv.

CDX server, GET B/synthetic/cdx?url=https://www.example.com/report&output=json
  200, Content-Type: text/x-ndjson, one JSON object a line, in timestamp order, every value a
  string:
    {"urlkey": "com,example)/report", "timestamp": "20200101000000", "url": "https://www.example.com/report", "mime": "text/html", "status": "302", "digest": "3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ", "length": "369", "offset": "1680", "filename": "synthetic.warc.gz", "source": "synthetic/indexes/index.cdxj", "source-coll": "synthetic", "access": "allow"}
  - Timestamps: 14 digits, UTC, whole seconds (hence Capture refuses fractions of a second).
  - The field is `status`, not the Internet Archive's `statuscode`. 404 and 3xx captures are
    listed like any other, with their own status and the mime of their Content-Type; a 3xx line
    does not say where it redirected (only the record's Location header does).
  - Without output=json: CDXJ, `com,example)/report 20200101000000 {"url": ...}`.
  - A URL with no capture: 200, empty body.
  - filter (warcserver/index/cdxops.py, CDXFilter), repeatable, all must hold:
    `filter=status:200` contains, `filter==status:200` equals, `filter=~status:2..` regex from the
    start of the field, `!` before any of them negates (`filter=!=status:200`). `statuscode` is an
    alias of `status`, so the Internet Archive's `filter=statuscode:200` works, as "contains"
    (a regex there).
  - Filters that leave nothing are dropped: the fuzzy matcher (warcserver/index/fuzzymatcher.py)
    reruns the query without them and returns every capture of the URL, each with
    "is_fuzzy": "1". `allowFuzzy=false` turns that off. from/to are not relaxed.
  - from=/to= take 1 to 14 digits, padded to the start/end of the period, inclusive;
    closest=<14 digits>&sort=closest&limit=1 gives the nearest capture; fl=timestamp,status
    narrows the fields.

TimeMap, GET B/synthetic/timemap/link/https://www.example.com/report
  200, Content-Type: application/link-format; entries separated by ",\n": self (with from=),
  timegate, original, then one memento per capture in timestamp order:
    <B/synthetic/20190301120000/https://www.example.com/report>; rel="memento"; datetime="Fri, 01 Mar 2019 12:00:00 GMT"; collection="synthetic",
  A URL with no capture: 404, empty body.

TimeGate, GET B/synthetic/https://www.example.com/report
          with Accept-Datetime: Mon, 01 Jun 2020 00:00:00 GMT
  307 Temporary Redirect (web.archive.org says 302), Content-Length: 0,
    Location: B/synthetic/20200101000000/https://www.example.com/report
  the capture nearest in time, before or after, whatever its status (here the 302 capture);
  Vary: accept-datetime; Link: original, timegate, timemap and that memento with its datetime.
  Without Accept-Datetime: 307 to the newest capture. No capture: 404 (an HTML page). An
  unparseable Accept-Datetime: 400. The redirect comes from `redirect_to_exact: true` in our
  config.yaml; without it pywb answers 200 with the memento itself.

Replay, GET B/synthetic/20190301120000/https://www.example.com/report
  The page rewritten: a `<!-- WB Insert -->` block (wbinfo, wombat.js) after <head>, links
  pointing back into the archive (`href="/annex"` -> `href="/synthetic/20190301120000/https://www.
  example.com/annex"`, absolute links -> `B/synthetic/...`), a 3xx Location rewritten the same way,
  Content-Length -> X-Archive-Orig-Content-Length, plus Memento-Datetime and Link.
Raw replay, GET B/synthetic/20190301120000id_/https://www.example.com/report
  The captured status and body bytes unchanged, Content-Type and Location as captured (a 404
  capture answers 404, a 302 capture answers 302 with its own Location); the captured Date header
  comes back as X-Archive-Orig-Date; plus Memento-Datetime and Link. A timestamp that matches no
  capture answers 307 to the nearest one; a short one is padded to the END of its period
  (`2019id_/` goes to the capture of 2020-01-01, not the one of 2019-03-01).

Also: pywb's built-in rules.yaml holds test rules for `com,example)/matched*` and
`example,example,test)/` URL keys; the synthetic URLs here stay clear of them.
"""

from __future__ import annotations

import io
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from http import HTTPStatus
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from conftest import require_extra

PYWB_VERSION = "2.10.0"  # .ci/build-pywb builds this version: change both together
PYWB_BIN = Path(__file__).parent.parent / ".ci" / f"pywb-{PYWB_VERSION}" / "bin"
COLLECTION = "synthetic"
START_DEADLINE = 30.0  # seconds for pywb to answer; it usually takes about two
STOP_DEADLINE = 5.0  # seconds between SIGTERM and SIGKILL

SYNTHETIC_BODY = (b"<html><head><title>Synthetic capture</title></head>"
                  b"<body><p>Synthetic capture written by the tests; no real page.</p></body></html>")


@dataclass(frozen=True)
class Capture:
    """One synthetic capture: what `url` answered at `captured_at` (aware, whole seconds)."""

    url: str
    captured_at: datetime
    status: int = 200
    body: bytes = SYNTHETIC_BODY
    content_type: str = "text/html; charset=utf-8"
    location: str | None = None  # the Location header of a 3xx capture

    def __post_init__(self) -> None:
        # pywb's timestamps have 14 digits: a naive or sub-second time could not be found again.
        if self.captured_at.utcoffset() is None:
            raise ValueError(f"captured_at must be timezone-aware: {self.captured_at!r}")
        if self.captured_at.microsecond:
            raise ValueError(f"pywb keeps whole seconds only: {self.captured_at!r}")
        if self.location is not None and not 300 <= self.status < 400:
            raise ValueError(f"a Location header belongs to a 3xx capture, not {self.status}")

    @property
    def timestamp(self) -> str:
        """The capture's 14-digit UTC timestamp, as CDX lines and memento URLs write it."""
        return self.captured_at.astimezone(timezone.utc).strftime("%Y%m%d%H%M%S")


@dataclass
class PywbArchive:
    """The endpoints of a running pywb; the URL to look up is appended unencoded to the prefixes."""

    base: str  # http://127.0.0.1:PORT
    collection: str
    cdx_url: str  # CDX server: f"{cdx_url}?url={quote(url)}&output=json"
    timegate_url: str  # prefix: timegate_url + url, with Accept-Datetime
    timemap_url: str  # prefix: timemap_url + url, link format
    replay_url_template: str  # {timestamp}, {url}: rewritten replay (banner, links into the archive)
    raw_url_template: str  # {timestamp}, {url}: the captured bytes as they were (id_)


def pywb_available() -> bool:
    return (PYWB_BIN / "wayback").is_file() and (PYWB_BIN / "wb-manager").is_file()


@contextmanager
def pywb_archive(captures: Sequence[Capture], tmp_path: Path, *,
                 host: str = "127.0.0.1") -> Iterator[PywbArchive]:
    """Serve `captures` from a pywb on `host` until the block ends.

    Skips the test when pywb is not built (fails it under CI=true, which must build it).
    """
    require_extra(pywb_available(), "needs pywb: run `bash .ci/build-pywb`")
    root = tmp_path / "pywb"
    root.mkdir()
    warc = tmp_path / f"{COLLECTION}.warc.gz"
    write_warc(captures, warc)
    manage("init", COLLECTION, cwd=root)
    manage("add", COLLECTION, str(warc), cwd=root)
    (root / "config.yaml").write_text(CONFIG)
    port = free_port(host)
    base = f"http://{host}:{port}"
    log = root / "wayback.log"
    with log.open("wb") as log_file:
        process = subprocess.Popen(
            [str(PYWB_BIN / "wayback"), "-b", host, "-p", str(port)],
            cwd=root, env=env_without_proxies(), stdin=subprocess.DEVNULL,
            stdout=log_file, stderr=subprocess.STDOUT,
        )
    try:
        wait_until_answering(f"{base}/{COLLECTION}/cdx?url=example.org", process, log)
        prefix = f"{base}/{COLLECTION}"
        yield PywbArchive(
            base=base,
            collection=COLLECTION,
            cdx_url=f"{prefix}/cdx",
            timegate_url=f"{prefix}/",
            timemap_url=f"{prefix}/timemap/link/",
            replay_url_template=f"{prefix}/{{timestamp}}/{{url}}",
            raw_url_template=f"{prefix}/{{timestamp}}id_/{{url}}",
        )
    finally:
        stop(process)


# framed_replay off: replay answers with the page itself (rewritten), not an HTML frame around it.
# redirect_to_exact on: a TimeGate redirects to the chosen memento, as web.archive.org does.
CONFIG = """\
# Written by tests/archive_server.py for a synthetic test collection.
enable_memento: true
framed_replay: false
redirect_to_exact: true
"""


def write_warc(captures: Sequence[Capture], path: Path) -> None:
    """One WARC `response` record per capture: the HTTP status line, headers and body."""
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        for capture in captures:
            at = capture.captured_at.astimezone(timezone.utc)
            headers = [("Content-Type", capture.content_type),
                       ("Content-Length", str(len(capture.body))),
                       ("Date", at.strftime("%a, %d %b %Y %H:%M:%S GMT"))]
            if capture.location is not None:
                headers.append(("Location", capture.location))
            http = StatusAndHeaders(f"{capture.status} {reason(capture.status)}", headers,
                                    protocol="HTTP/1.1")
            record = writer.create_warc_record(
                capture.url, "response", payload=io.BytesIO(capture.body), http_headers=http,
                warc_headers_dict={"WARC-Date": at.strftime("%Y-%m-%dT%H:%M:%SZ")},
            )
            writer.write_record(record)


def reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


def manage(*args: str, cwd: Path) -> None:
    result = subprocess.run([str(PYWB_BIN / "wb-manager"), *args], cwd=cwd,
                            env=env_without_proxies(), capture_output=True, text=True, timeout=60)
    if result.returncode != 0:
        raise RuntimeError(f"wb-manager {' '.join(args)} failed ({result.returncode}):\n"
                           f"{result.stdout}{result.stderr}")


def env_without_proxies() -> dict[str, str]:
    # pywb's front end asks its own index over http://localhost:PORT with requests; an outside proxy
    # setting would send those requests away.
    return {name: value for name, value in os.environ.items()
            if name.lower() not in ("http_proxy", "https_proxy", "all_proxy", "no_proxy")}


def free_port(host: str) -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        port: int = probe.getsockname()[1]
        return port


def wait_until_answering(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    deadline = time.monotonic() + START_DEADLINE
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"pywb exited with {process.returncode} before answering {url}:\n"
                               f"{log.read_text(errors='replace')}")
        try:
            with opener.open(url, timeout=1.0) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass  # not listening yet
        if time.monotonic() > deadline:
            stop(process)
            raise RuntimeError(f"pywb did not answer {url} within {START_DEADLINE:.0f} s:\n"
                               f"{log.read_text(errors='replace')}")
        time.sleep(0.05)


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=STOP_DEADLINE)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
