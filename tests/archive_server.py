"""A real web archive on loopback for the tests: pywb serving WARCs the tests write.

pywb (Webrecorder's open-source Wayback Machine) lives in its own virtualenv, .ci/pywb-2.10.0/,
built by `bash .ci/build-pywb`. It is GPLv3 and monkey-patches the interpreter on import (gevent),
so this module never imports it: it writes the WARC with warcio, then runs pywb's own commands
(`wb-manager init`, `wb-manager add`, `wayback`) as subprocesses.

    with pywb_archive([Capture("http://example.org/", at)], tmp_path) as archive:
        urlopen(f"{archive.cdx_url}?url=http://example.org/&output=json")

What pywb 2.10.0 answers, tried against this harness (collection "synthetic"; `B` is `base`):

CDX server, `GET B/synthetic/cdx?url=http://example.org/page&output=json`: 200,
`Content-Type: text/x-ndjson`, one JSON object per capture in timestamp order, e.g.
    {"urlkey": "org,example)/page", "timestamp": "20190301120000", "url": "http://example.org/page",
     "mime": "text/html", "status": "200", "digest": "H46W4H2XYSRZZZ7ZT3LGA352ZKZK7JHM",
     "length": "381", "offset": "0", "filename": "synthetic.warc.gz",
     "source": "synthetic/indexes/index.cdxj", "source-coll": "synthetic", "access": "allow"}
  - Every field is a string. Timestamps have 14 digits (whole seconds, UTC). The status field is
    `status` (Internet Archive's CDX says `statuscode`); 404 and 3xx captures are listed like any
    other, with their own status ("404", "302") and the mime of their Content-Type. A 3xx line
    does not say where it redirected: only the replayed record's Location header does.
  - Without `output=json` the default is CDXJ: `org,example)/page 20190301120000 {...}`.
  - No capture: 200 with an empty body.
  - Filters (`pywb/warcserver/index/cdxops.py`, CDXFilter): `filter=status:200` means "contains",
    `filter==status:200` (two `=`) means "equals", `filter=~status:2..` is a regex match from the
    start, `!` negates (`filter=!status:200`, `filter=!=status:200`). `statuscode` is accepted as
    an alias of `status`. So the Internet Archive's `filter=statuscode:200` works here too, though
    it means "contains" here and a regex there.
  - `from=`/`to=` take 1 to 14 digits, padded to the start/end of the period and inclusive;
    `closest=<ts>&sort=closest&limit=1` gives the nearest capture; `fl=timestamp,status` narrows
    the fields.

TimeMap, `GET B/synthetic/timemap/link/http://example.org/page`: 200,
`Content-Type: application/link-format`, lines separated by ",\\n": self (with `from=`), timegate,
original, then one memento per capture in timestamp order, e.g.
    <B/synthetic/20190301120000/http://example.org/page>; rel="memento"; datetime="Fri, 01 Mar 2019 12:00:00 GMT"; collection="synthetic"
A URL with no capture: 404 with an empty body.

TimeGate, `GET B/synthetic/http://example.org/page` with
`Accept-Datetime: Mon, 01 Jun 2020 00:00:00 GMT`: `307 Temporary Redirect`,
`Location: B/synthetic/20200101000000/http://example.org/page` (the capture nearest in time,
before or after, whatever its status), `Vary: accept-datetime` and a Link header naming original,
timegate, timemap and that memento. Without Accept-Datetime: 307 to the newest capture. A URL with
no capture: 404 (an HTML page). An unparseable Accept-Datetime: 400.
(`redirect_to_exact: true` in config.yaml gives the redirect; without it pywb answers 200 with
the page itself.)

Replay, `GET B/synthetic/20190301120000/http://example.org/page`: the page rewritten, with a
`<!-- WB Insert -->` block (wbinfo, wombat.js) after <head> and links pointing back into the
archive (`href="/synthetic/20190301120000/http://example.org/b"`), Content-Length replaced by
`X-Archive-Orig-Content-Length`, plus `Memento-Datetime` and Link headers.
Raw replay, `GET B/synthetic/20190301120000id_/http://example.org/page`: the captured status,
headers and body bytes unchanged (a 404 capture answers 404, a 302 capture answers 302 with its
own Location, not rewritten), plus `Memento-Datetime` and Link headers. A timestamp that matches
no capture exactly answers 307 to the nearest one; a short one is padded to the END of its period
(`2019id_/` goes to a capture of 2020-01-01 rather than one of 2019-03-01).
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
