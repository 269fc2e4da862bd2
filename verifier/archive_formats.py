"""What web archives look like from outside: where they answer, and what. No I/O here.

Endpoints (`ArchiveEndpoint`, `DEFAULT_ARCHIVES`) say where an archive answers and how its capture
addresses are spelled; the readers turn its answers into `Capture`s and `Memento`s. The formats,
as their documentation gives them:
- CDX, Internet Archive dialect (`output=json`): a JSON array of arrays whose first row names the
  fields, `["urlkey","timestamp","original","mimetype","statuscode","digest","length"]`
  (github.com/internetarchive/wayback, wayback-cdx-server/README.md, "Output Format (JSON)").
- CDX, pywb dialect (`output=json`): one JSON object per line, saying `url`, `mime`, `status`
  where the Internet Archive says `original`, `mimetype`, `statuscode`
  (github.com/webrecorder/pywb, docs/manual/cdxserver_api.rst).
- Memento TimeMap: application/link-format (RFC 7089 section 5, RFC 6690):
  `<URI-M>; rel="memento"; datetime="Tue, 20 Jun 2006 12:34:56 GMT",` one link per line.
- Wayback availability API: `{"archived_snapshots": {"closest": {"available": true, "url": ...,
  "timestamp": "20130919044612", "status": "200"}}}`, or `{"archived_snapshots": {}}`
  (archive.org/help/wayback_api.php).
- Timestamps: `YYYYMMDDhhmmss` in UTC, 4 to 14 digits, a short one meaning the start of its period.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

from verifier.models import Snapshot

_UTC = dt.timezone.utc
_PAD = "10000101000000"  # what a short timestamp is padded with: the start of its period


class ArchiveFormatError(ValueError):
    """An archive's answer is not in the format its API documents (archive.py catches it)."""


@dataclass(frozen=True)
class Capture:
    """One capture as an archive's index lists it, before it becomes a Snapshot."""

    timestamp: str  # 14 digits, UTC
    original: str  # the URL as the archive indexed it
    status: int | None  # None: the index does not say ("-", or a revisit)
    mimetype: str | None = None

    @property
    def captured_at(self) -> dt.datetime:
        moment = parse_timestamp(self.timestamp)
        assert moment is not None, "Capture.timestamp is checked when the capture is read"
        return moment


@dataclass(frozen=True)
class Memento:
    """One memento of a TimeMap: its address (URI-M) and when it was captured; status unknown."""

    uri: str
    captured_at: dt.datetime


@dataclass(frozen=True)
class Link:
    """One link-value of application/link-format: the target and its parameters."""

    uri: str
    rels: tuple[str, ...]  # `rel="first memento"` gives ("first", "memento")
    params: Mapping[str, str]  # lower-case names, values unquoted


@dataclass(frozen=True)
class ReplayUrl:
    """A Wayback-style capture address: `{prefix}/{timestamp}{flags}/{original}`."""

    prefix: str  # e.g. https://web.archive.org/web
    timestamp: str
    flags: str  # "" or a modifier such as "id_", "mp_", "if_"
    original: str

    @property
    def captured_at(self) -> dt.datetime | None:
        return parse_timestamp(self.timestamp)

    def raw(self) -> str:
        """The same capture with the identity modifier: original bytes, no banner or rewriting."""
        return f"{self.prefix}/{self.timestamp}id_/{self.original}"


# --- timestamps ---------------------------------------------------------------------------------

def parse_timestamp(text: str) -> dt.datetime | None:
    """The UTC moment of a 4- to 14-digit Wayback timestamp, padded to the start of its period."""
    digits = text.strip()
    if not (4 <= len(digits) <= 14 and digits.isdigit()):
        return None
    try:
        return dt.datetime.strptime(digits + _PAD[len(digits):], "%Y%m%d%H%M%S").replace(
            tzinfo=_UTC)
    except ValueError:
        return None


def to_timestamp(moment: dt.datetime) -> str:
    """The 14-digit Wayback timestamp of an aware moment."""
    return moment.astimezone(_UTC).strftime("%Y%m%d%H%M%S")


def _status(value: object) -> int | None:
    text = str(value).strip() if value is not None else ""
    return int(text) if text.isdigit() and len(text) == 3 else None


# --- CDX ----------------------------------------------------------------------------------------

_ALIASES = {"original": "url", "statuscode": "status", "mimetype": "mime"}  # IA name -> pywb name


def _json(text: str, what: str) -> object:
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        start = " ".join(text.strip()[:60].split())
        raise ArchiveFormatError(f"{what} is not JSON (it starts {start!r})") from None


def _capture(fields: Mapping[str, object], where: str) -> Capture:
    def get(name: str) -> object:
        return fields.get(name, fields.get(_ALIASES.get(name, name)))

    timestamp, original = str(get("timestamp") or ""), get("original")
    if parse_timestamp(timestamp) is None or len(timestamp) != 14:
        raise ArchiveFormatError(f"{where}: not a 14-digit timestamp: {timestamp!r}")
    if not isinstance(original, str) or not original:
        raise ArchiveFormatError(f"{where}: no original URL")
    mime = get("mimetype")
    return Capture(timestamp, original, _status(get("statuscode")),
                   mime if isinstance(mime, str) and mime not in ("", "-") else None)


def parse_cdx(text: str) -> list[Capture]:
    """Captures from a CDX `output=json` answer, in either dialect (the shape tells which)."""
    body = text.strip()
    if not body:
        return []  # pywb answers an empty body when nothing matches
    if body.startswith("["):
        return _cdx_rows(_json(body, "the CDX answer"))
    captures = []
    for number, line in enumerate(body.splitlines(), 1):
        if line.strip():
            row = _json(line, f"CDX line {number}")
            if not isinstance(row, dict):
                raise ArchiveFormatError(f"CDX line {number} is not a JSON object")
            captures.append(_capture(row, f"CDX line {number}"))
    return captures


def _cdx_rows(data: object) -> list[Capture]:
    if not isinstance(data, list) or not all(isinstance(row, list) for row in data):
        raise ArchiveFormatError("the CDX answer is not an array of arrays")
    if not data:
        return []
    header = [str(name) for name in data[0]]
    # A resumption key ([] then ["key"]) may follow the captures: rows of another width.
    return [_capture(dict(zip(header, row, strict=True)), f"CDX row {number}")
            for number, row in enumerate(data[1:], 1) if len(row) == len(header)]


# --- availability API ---------------------------------------------------------------------------

def parse_availability(text: str, asked: str) -> Capture | None:
    """The closest capture of `asked` the availability API names; None for its empty answer."""
    data = _json(text, "the availability answer")
    snapshots = data.get("archived_snapshots") if isinstance(data, dict) else None
    if not isinstance(snapshots, dict):
        raise ArchiveFormatError("the availability answer has no archived_snapshots object")
    closest = snapshots.get("closest")
    if closest is None or (isinstance(closest, dict) and closest.get("available") is False):
        return None
    if not isinstance(closest, dict):
        raise ArchiveFormatError("archived_snapshots.closest is not an object")
    replay = parse_replay_url(str(closest.get("url") or ""))
    fields = {"timestamp": closest.get("timestamp"), "status": closest.get("status"),
              "url": replay.original if replay else asked}
    return _capture(fields, "archived_snapshots.closest")


# --- link format and TimeMaps -------------------------------------------------------------------

_TOKEN_END = re.compile(r"[;,\s]")
_PARAM_NAME = re.compile(r"\s*([^=;,\s]+)\s*(=\s*)?")


def parse_links(text: str) -> list[Link]:
    """Every link-value of an application/link-format document (RFC 6690, RFC 8288)."""
    links: list[Link] = []
    position = 0
    while (start := text.find("<", position)) >= 0:
        end = text.find(">", start)
        if end < 0:
            raise ArchiveFormatError(f"a link target is not closed: {text[start:start + 60]!r}")
        params, position = _params(text, end + 1)
        rels = tuple(params.get("rel", "").lower().split())
        links.append(Link(text[start + 1:end].strip(), rels, params))
    return links


def _params(text: str, position: int) -> tuple[dict[str, str], int]:
    """The `; name=value` parameters after a link target, and where the next link may start."""
    params: dict[str, str] = {}
    size = len(text)
    while position < size:
        char = text[position]
        if char.isspace():
            position += 1
        elif char == ",":
            return params, position + 1
        elif char == ";":
            match = _PARAM_NAME.match(text, position + 1)
            if match is None:
                position += 1
                continue
            name, position = match.group(1).lower(), match.end()
            value = ""
            if match.group(2) and position < size and text[position] == '"':
                value, position = _quoted(text, position)
            elif match.group(2):
                token_end = _TOKEN_END.search(text, position)
                stop = token_end.start() if token_end else size
                value, position = text[position:stop], stop
            params.setdefault(name, value)  # RFC 8288: the first occurrence counts
        else:
            position += 1  # stray characters between links are skipped
    return params, position


def _quoted(text: str, position: int) -> tuple[str, int]:
    """A quoted-string starting at `position`: its value, and the position after it."""
    out: list[str] = []
    position += 1
    while position < len(text):
        char = text[position]
        if char == "\\" and position + 1 < len(text):
            out.append(text[position + 1])
            position += 2
        elif char == '"':
            return "".join(out), position + 1
        else:
            out.append(char)
            position += 1
    raise ArchiveFormatError("a quoted link parameter is not closed")


def parse_http_date(text: str) -> dt.datetime | None:
    """An RFC 7231 HTTP date (Memento's `datetime`), as an aware UTC moment."""
    try:
        moment = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    return moment.replace(tzinfo=_UTC) if moment.tzinfo is None else moment.astimezone(_UTC)


def parse_timemap(text: str) -> list[Memento]:
    """The mementos of a link-format TimeMap (any rel naming `memento`), in document order."""
    head = text.lstrip()[:15].lower()
    if head.startswith(("<!doctype", "<html")):
        raise ArchiveFormatError("answered an HTML page, not a TimeMap")
    links = parse_links(text)
    if text.strip() and not any(link.rels for link in links):
        raise ArchiveFormatError("no link in the TimeMap has a rel")
    mementos = []
    for link in links:
        if "memento" in link.rels:
            moment = parse_http_date(link.params.get("datetime", ""))
            if moment is not None:
                mementos.append(Memento(link.uri, moment))
    return mementos


# --- capture addresses and archive error pages ---------------------------------------------------

_REPLAY = re.compile(r"^(?P<prefix>https?://[^?#]+?)/(?P<ts>\d{4,14})(?P<flags>[a-z]{2}_)?/"
                     r"(?P<url>[^/].*)$", re.IGNORECASE)


def parse_replay_url(url: str) -> ReplayUrl | None:
    """The parts of a Wayback-style capture address, or None for another shape."""
    match = _REPLAY.match(url.strip())
    if match is None or parse_timestamp(match["ts"]) is None:
        return None
    return ReplayUrl(match["prefix"], match["ts"], (match["flags"] or "").lower(), match["url"])


def same_page(a: str, b: str) -> bool:
    """Whether two URLs name the same page once archives' spellings are set aside.

    Archives index `http://www.example.org:80/` for `https://example.org`; scheme, `www.`,
    default ports and a trailing slash do not make another page.
    """
    def key(url: str) -> tuple[str, str, str]:
        parts = urlsplit(url if "://" in url else "http://" + url)
        host = (parts.hostname or "").lower().removeprefix("www.")
        port = "" if parts.port in (None, 80, 443) else str(parts.port)
        return f"{host}:{port}", parts.path.rstrip("/") or "", parts.query

    try:
        return key(a) == key(b)
    except ValueError:
        return a == b


# Texts of archive error pages served in place of a capture, lower-cased. Wayback's come from
# tools that detect them (Wayback Everywhere's content script, InternetArchiveBot-style checkers);
# pywb's from its own template, pywb/templates/not_found.html.
ERROR_PAGE_MARKERS = (
    "wayback machine doesn't have that page archived",
    "hrm. the wayback machine has not archived",
    "this url has been excluded from the wayback machine",
    "page cannot be crawled or displayed due to robots.txt",
    "snapshot cannot be displayed due to an internal error",
    "could not be found in this collection",
)
_SNIFF_BYTES = 200_000  # error pages are small; a real capture is not searched end to end


def error_page_marker(body: bytes) -> str | None:
    """The archive error-page text a body carries, if any."""
    text = body[:_SNIFF_BYTES].decode("utf-8", "replace").lower()
    text = " ".join(text.replace("&#39;", "'").replace("&apos;", "'").split())
    return next((marker for marker in ERROR_PAGE_MARKERS if marker in text), None)


# --- endpoints -----------------------------------------------------------------------------------

def day_end(day: dt.date) -> dt.datetime:
    """The first moment after `day` (UTC): captures up to the end of the day count as before."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), _UTC)


@dataclass(frozen=True)
class ArchiveEndpoint:
    """One web archive and how to ask it; templates take `{url}` (unencoded) and `{timestamp}`."""

    name: str
    kind: Literal["wayback", "memento"]
    cdx_url: str | None
    timemap_url: str | None
    replay_url: str
    raw_url: str | None
    cdx_dialect: Literal["ia", "pywb"] | None = None
    availability_url: str | None = None

    @property
    def replay_prefix(self) -> str:
        return self.replay_url.split("{timestamp}", 1)[0].rstrip("/")

    def snapshot(self, capture: Capture) -> Snapshot:
        fill = {"timestamp": capture.timestamp, "url": capture.original}
        return Snapshot(self.name, capture.original, capture.captured_at, capture.status,
                        self.replay_url.format(**fill),
                        self.raw_url.format(**fill) if self.raw_url else None, capture.mimetype)

    def memento_snapshot(self, memento: Memento, asked: str) -> Snapshot:
        parsed = parse_replay_url(memento.uri)
        original = parsed.original if parsed else asked
        raw = (self.raw_url.format(timestamp=parsed.timestamp, url=original)
               if self.raw_url and parsed else None)
        return Snapshot(self.name, original, memento.captured_at, None, memento.uri, raw)


def wayback_endpoint(base: str = "https://web.archive.org",
                     availability_url: str | None = "https://archive.org/wayback/available",
                     name: str = "wayback") -> ArchiveEndpoint:
    """The Internet Archive's Wayback Machine, or a server offering its API at `base`."""
    base = base.rstrip("/")
    return ArchiveEndpoint(
        name, "wayback",
        cdx_url=f"{base}/cdx/search/cdx",  # internetarchive/wayback wayback-cdx-server/README.md
        # TimeMap: oduwsdl/MemGator archives.json; GLAM Workbench, web-archives/memento.ipynb
        timemap_url=f"{base}/web/timemap/link/{{url}}",
        replay_url=f"{base}/web/{{timestamp}}/{{url}}",
        # id_ serves the capture verbatim (GLAM Workbench, web-archives/memento.ipynb, "Mementos")
        raw_url=f"{base}/web/{{timestamp}}id_/{{url}}",
        cdx_dialect="ia",
        availability_url=availability_url,  # archive.org/help/wayback_api.php
    )


def pywb_endpoint(name: str, collection_url: str,
                  kind: Literal["wayback", "memento"] = "wayback") -> ArchiveEndpoint:
    """A pywb collection at `collection_url` (.../<coll>): pywb docs, cdxserver_api and memento."""
    prefix = collection_url.rstrip("/")
    return ArchiveEndpoint(name, kind, f"{prefix}/cdx", f"{prefix}/timemap/link/{{url}}",
                           f"{prefix}/{{timestamp}}/{{url}}", f"{prefix}/{{timestamp}}id_/{{url}}",
                           cdx_dialect="pywb")


DEFAULT_ARCHIVES: tuple[ArchiveEndpoint, ...] = (
    # Internet Archive: each address's documentation is cited in wayback_endpoint.
    wayback_endpoint(),
    # TimeMap: MemGator's archive list (oduwsdl/MemGator docs/archives.json, by the Memento
    # authors' lab). Replay comes from the TimeMap's own URI-Ms; the template, as the "A Song of
    # Trust and Archives" crawler (configs/crawling.py) uses it, only recognises archive links.
    # Raw form unconfirmed: None.
    ArchiveEndpoint("arquivo.pt", "memento", None, "https://arquivo.pt/wayback/timemap/link/{url}",
                    "https://arquivo.pt/wayback/{timestamp}mp_/{url}", None),
    ArchiveEndpoint("loc", "memento", None, "https://webarchive.loc.gov/all/timemap/link/{url}",
                    "https://webarchive.loc.gov/all/{timestamp}/{url}", None),
)


def cdx_queries(archive: ArchiveEndpoint, url: str, anchor: dt.date | None,
                 limit: int) -> list[list[tuple[str, str]]]:
    """The CDX queries to try in turn: the newest captures up to the anchor day, then after it."""
    pywb = archive.cdx_dialect == "pywb"
    # pywb's `=` asks for an exact match (docs/manual/cdxserver_api.rst, "filter"); the Internet
    # Archive's filter is a regex matched whole (wayback-cdx-server/README.md, "Filtering").
    common = [("url", url), ("output", "json"),
              ("filter", "=status:200" if pywb else "statuscode:200")]
    # The newest captures: pywb sorts in reverse; the Internet Archive counts back (limit=-N).
    newest = [("sort", "reverse"), ("limit", str(limit))] if pywb else [("limit", str(-limit))]
    if anchor is None:
        return [common + newest]
    cutoff = day_end(anchor)
    return [common + [("to", to_timestamp(cutoff - dt.timedelta(seconds=1)))] + newest,
            common + [("from", to_timestamp(cutoff)), ("limit", str(limit))]]
