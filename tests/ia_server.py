"""A small imitation of the Internet Archive's Wayback APIs on loopback, for the archive tests.

The shapes follow the documentation; every capture is synthetic (example.org URLs, bodies that
say what they are):
- CDX: `GET /cdx/search/cdx?url=U&output=json[&filter=[!]field:regex][&from=TS][&to=TS][&limit=±N]`
  answers `[["urlkey","timestamp","original","mimetype","statuscode","digest","length"], ...]`,
  or `[]` (internetarchive/wayback, wayback-cdx-server/README.md).
- Availability: `GET /wayback/available?url=U[&timestamp=TS]` answers
  `{"archived_snapshots": {"closest": {...}}}` or `{"archived_snapshots": {}}`
  (archive.org/help/wayback_api.php).
- TimeMap: `GET /web/timemap/link/U`, application/link-format (RFC 7089); every capture is a
  memento, whatever its status. No capture: 404 with an empty body, as pywb answers.
- Captures: `GET /web/TS[id_]/U`. The capture at exactly TS answers its own status and body; a 3xx
  capture redirects inside the archive to its Location; another TS is sent (302) to the nearest
  capture; a URL never captured gets 404 and the Wayback's "not archived" page.
- Save Page Now 2: `POST /save` (form `url=`, `Authorization: LOW key:secret`) answers
  `{"url", "job_id"}`; `GET /save/status/JOB` answers "pending" `spn_pending` times, then
  "success" (`timestamp`, `original_url`) or "error" (`status_ext`, `message`).

Failure modes, per API ("cdx", "available", "timemap", "web", "save"): `modes[api]` is "503" (an
HTML error page), "429" (with Retry-After), "html" (200 with an HTML page where JSON was
expected) or "empty" (the availability API finds nothing); `times[api]` limits how many requests
fail so before the API recovers.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

CDX_FIELDS = ["urlkey", "timestamp", "original", "mimetype", "statuscode", "digest", "length"]
SYNTHETIC = b"<html><head><title>Synthetic capture</title></head><body>synthetic</body></html>"
NOT_ARCHIVED = (b"<!DOCTYPE html><html><body><div id=\"error\"><h2>Hrm.</h2>"
                b"<p>The Wayback Machine has not archived that URL.</p>"
                b"<p>Wayback Machine doesn't have that page archived.</p></div></body></html>")
UNAVAILABLE = (b"<!DOCTYPE html><html><head><title>503 Service Unavailable</title></head>"
               b"<body><h1>Service Unavailable</h1></body></html>")
NOT_JSON = b"<!DOCTYPE html><html><head><title>Internet Archive</title></head><body></body></html>"
KEYS = ("test-access", "test-secret")
SAVED_AT = "20240102030405"


@dataclass(frozen=True)
class IACapture:
    url: str
    timestamp: str  # 14 digits
    status: int = 200
    body: bytes = SYNTHETIC
    location: str | None = None  # where a 3xx capture redirected
    mime: str = "text/html"


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class IAServer:
    host: str
    captures: list[IACapture]
    port: int = 0
    modes: dict[str, str] = field(default_factory=dict)
    times: dict[str, int] = field(default_factory=dict)
    retry_after: str = "1"
    spn_pending: int = 1
    spn_outcome: str = "success"  # or "error"
    log: list[tuple[str, str]] = field(default_factory=list)  # (method, path and query)
    forms: list[dict[str, list[str]]] = field(default_factory=list)  # what /save was posted
    jobs: dict[str, list[object]] = field(default_factory=dict)  # job id -> [url, polls left]
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def base(self) -> str:
        return f"http://{self.host}:{self.port}"

    def asked(self, prefix: str) -> list[str]:
        return [path for _, path in self.log if path.startswith(prefix)]

    def answer(self, method: str, target: str, headers: dict[str, str], body: bytes) -> Reply:
        with self.lock:
            self.log.append((method, target))
            path, _, query = target.partition("?")
            api = _api(method, path)
            failure = self._failure(api)
            if failure is not None:
                return failure
            if api == "cdx":
                return self._cdx(parse_qs(query))
            if api == "available":
                return self._available(parse_qs(query))
            if api == "timemap":
                return self._timemap(target.removeprefix("/web/timemap/link/"))
            if api == "web":
                return self._capture(target)
            if api == "save":
                return self._save(headers, parse_qs(body.decode()))
            if api == "status":
                return self._status(path.removeprefix("/save/status/"))
            return Reply(404, b"not found")

    def _failure(self, api: str) -> Reply | None:
        mode = self.modes.get(api)
        if mode is None or self.times.get(api, 1) <= 0:
            return None
        if api in self.times:
            self.times[api] -= 1
        if mode == "503":
            return Reply(503, UNAVAILABLE, {"Content-Type": "text/html"})
        if mode == "429":
            return Reply(429, b"Too Many Requests", {"Retry-After": self.retry_after})
        if mode == "html":
            return Reply(200, NOT_JSON, {"Content-Type": "text/html"})
        if mode == "empty":
            return _json({"archived_snapshots": {}})
        raise ValueError(f"unknown mode {mode!r}")

    def _of(self, url: str) -> list[IACapture]:
        return sorted((c for c in self.captures if c.url == url), key=lambda c: c.timestamp)

    def _cdx(self, query: dict[str, list[str]]) -> Reply:
        rows = self._of(query["url"][0])
        for spec in query.get("filter", []):
            negate = spec.startswith("!")
            name, regex = spec.lstrip("!").split(":", 1)
            rows = [c for c in rows if bool(re.fullmatch(regex, _field(c, name))) != negate]
        if "from" in query:
            low = _pad(query["from"][0], "10000101000000")
            rows = [c for c in rows if c.timestamp >= low]
        if "to" in query:
            high = _pad(query["to"][0], "99991231235959")
            rows = [c for c in rows if c.timestamp <= high]
        if "limit" in query:
            limit = int(query["limit"][0])
            rows = rows[limit:] if limit < 0 else rows[:limit]
        return _json([CDX_FIELDS, *[[_field(c, name) for name in CDX_FIELDS] for c in rows]]
                     if rows else [])

    def _available(self, query: dict[str, list[str]]) -> Reply:
        url = query["url"][0]
        good = [c for c in self._of(url) if c.status == 200]
        if not good:
            return _json({"url": url, "archived_snapshots": {}})
        wanted = _pad(query.get("timestamp", ["99991231235959"])[0], "10000101000000")
        best = min(good, key=lambda c: abs(_moment(c.timestamp) - _moment(wanted)))
        return _json({"url": url, "archived_snapshots": {"closest": {
            "status": "200", "available": True, "timestamp": best.timestamp,
            "url": f"{self.base}/web/{best.timestamp}/{best.url}"}}})

    def _timemap(self, url: str) -> Reply:
        captures = self._of(url)
        if not captures:
            return Reply(404)
        lines = [f'<{url}>; rel="original"',
                 f'<{self.base}/web/timemap/link/{url}>; rel="self"; type="application/link-format"',
                 f'<{self.base}/web/{url}>; rel="timegate"']
        for number, c in enumerate(captures):
            rel = "first memento" if number == 0 else (
                "last memento" if number == len(captures) - 1 else "memento")
            when = _moment(c.timestamp).strftime("%a, %d %b %Y %H:%M:%S GMT")
            lines.append(f'<{self.base}/web/{c.timestamp}/{c.url}>; rel="{rel}"; datetime="{when}"')
        return Reply(200, ",\n".join(lines).encode() + b"\n",
                     {"Content-Type": "application/link-format"})

    def _capture(self, target: str) -> Reply:
        match = re.match(r"^/web/(\d{1,14})([a-z]{2}_)?/(.+)$", target)
        if match is None:
            return Reply(404, NOT_ARCHIVED, {"Content-Type": "text/html"})
        timestamp, flags, url = _pad(match[1], "10000101000000"), match[2] or "", match[3]
        captures = self._of(url)
        exact = [c for c in captures if c.timestamp == timestamp]
        if exact:
            capture = exact[0]
            if capture.location:  # the Wayback keeps a redirect capture inside the archive
                where = f"{self.base}/web/{timestamp}{flags}/{capture.location}"
                return Reply(capture.status, b"", {"Location": where})
            return Reply(capture.status, capture.body, {"Content-Type": capture.mime})
        if not captures:
            return Reply(404, NOT_ARCHIVED, {"Content-Type": "text/html"})
        near = min(captures, key=lambda c: abs(_moment(c.timestamp) - _moment(timestamp)))
        return Reply(302, b"", {"Location": f"{self.base}/web/{near.timestamp}{flags}/{url}"})

    def _save(self, headers: dict[str, str], form: dict[str, list[str]]) -> Reply:
        self.forms.append(form)
        if headers.get("authorization") != f"LOW {KEYS[0]}:{KEYS[1]}":
            return _json({"message": "You need to be logged in to use Save Page Now."}, 401)
        job = f"spn2-{len(self.jobs) + 1:040x}"
        self.jobs[job] = [form["url"][0], self.spn_pending]
        return _json({"url": form["url"][0], "job_id": job})

    def _status(self, job: str) -> Reply:
        url, left = self.jobs[job]
        assert isinstance(left, int) and isinstance(url, str)
        if left > 0:
            self.jobs[job][1] = left - 1
            return _json({"status": "pending", "job_id": job, "resources": []})
        if self.spn_outcome == "error":
            return _json({"status": "error", "job_id": job, "status_ext": "error:invalid-host-resolution",
                          "message": f"Couldn't resolve host for {url}.", "resources": []})
        self.captures.append(IACapture(url, SAVED_AT))
        return _json({"status": "success", "job_id": job, "original_url": url,
                      "timestamp": SAVED_AT, "duration_sec": 1.5, "resources": [url]})


def _api(method: str, path: str) -> str:
    if method == "POST":
        return "save"
    for prefix, api in (("/cdx/search/cdx", "cdx"), ("/wayback/available", "available"),
                        ("/web/timemap/link/", "timemap"), ("/web/", "web"),
                        ("/save/status/", "status")):
        if path.startswith(prefix):
            return api
    return "other"


def _field(capture: IACapture, name: str) -> str:
    parts = urlsplit(capture.url)
    host = ",".join(reversed((parts.hostname or "").removeprefix("www.").split(".")))
    return {"urlkey": f"{host}){parts.path or '/'}", "timestamp": capture.timestamp,
            "original": capture.url, "mimetype": capture.mime, "statuscode": str(capture.status),
            "digest": "SYNTHETIC" + capture.timestamp, "length": str(len(capture.body))}[name]


def _pad(timestamp: str, padding: str) -> str:
    return timestamp + padding[len(timestamp):]


def _moment(timestamp: str) -> datetime:
    return datetime.strptime(timestamp, "%Y%m%d%H%M%S").replace(tzinfo=timezone.utc)


def _json(data: object, status: int = 200) -> Reply:
    return Reply(status, json.dumps(data).encode(), {"Content-Type": "application/json"})


@contextmanager
def ia_server(captures: list[IACapture], host: str = "127.0.0.1", **options: object
              ) -> Iterator[IAServer]:
    """Serve the imitation on `host` until the block ends; `options` set IAServer's fields."""
    state = IAServer(host, list(captures), **options)  # type: ignore[arg-type]

    class Handler(BaseHTTPRequestHandler):
        def _reply(self, method: str) -> None:
            size = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(size) if size else b""
            headers = {name.lower(): value for name, value in self.headers.items()}
            reply = state.answer(method, self.path, headers, body)
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            self.wfile.write(reply.body)

        def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
            self._reply("GET")

        def do_POST(self) -> None:  # noqa: N802
            self._reply("POST")

        def log_message(self, format: str, *args: object) -> None:
            pass  # the tests read `state.log` instead

    server = ThreadingHTTPServer((host, 0), Handler)
    state.port = server.server_address[1]
    # A short poll keeps shutdown() quick: the default would add half a second to every test.
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
