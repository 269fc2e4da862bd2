"""Generated URLs thrown at the whole path a URL takes: normalisation, a real fetch against a
loopback server, classification, the checker, and a redirect's Location.

Every generated URL must be handled by the code meant for it: normalise gives a normal form or
the reason there is none, fetch gives a FetchResult (never an exception), classify a status,
and the checker's last-resort handler (status internal_error) runs 0 times; the tests count it.

No generated URL can leave this machine: names are mapped to the loopback server with the
`resolve` setting, and an address written in the URL is drawn from internal ranges only, which
the address rule refuses unconnected (`allow-private` is off here).
Seeded and bounded (`derandomize`, `max_examples`), so CI runs the same examples every time.
"""

from __future__ import annotations

import asyncio
import ipaddress
import secrets
import threading
import urllib.parse
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from yarl import URL

from hostile import Conn, Server, hostile
from verifier.addresses import host_address, refusal
from verifier.checker import Outcome, check_targets
from verifier.classify import classify
from verifier.fetch import FAILURES, Fetcher, FetchResult
from verifier.fetch_body import Headers
from verifier.models import CheckStatus, Claim, ClaimSet, Document, Redirect, Reference
from verifier.settings import HostOverride, Settings
from verifier.targets import collect
from verifier.urls import InvalidUrl, NormalizedUrl, normalize

PROPERTIES = settings(derandomize=True, deadline=None, database=None,
                      suppress_health_check=[HealthCheck.too_slow,
                                             HealthCheck.function_scoped_fixture])
GUARDED = Settings(allow_private=False, timeout=2.0, connect_timeout=1.0, retries=0,
                   per_host=8, host_interval=0.0, max_redirects=3, max_body_bytes=100_000)
THROWN: Counter[str] = Counter()  # how many URLs each test threw at the code, for the record


# --- strategies ----------------------------------------------------------------------------------

_ODD = "\x00\x01\x1b\x7f\x85\xa0\u200b\u202e\u2066\ufeff \t\n%#?/@:[]\\"
_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
_ODD_TEXT = st.text(st.sampled_from(_ODD) | st.characters(exclude_categories=("Cs",)),
                    max_size=40)


@st.composite
def escapes(draw: st.DrawFn) -> str:
    """Percent escapes, valid or not, of reserved, unreserved and non-ASCII bytes."""
    kind = draw(st.integers(0, 3))
    if kind == 0:
        return "%" + draw(st.sampled_from(["28", "29", "2F", "2f", "41", "7E", "25", "00", "C3"]))
    if kind == 1:
        return "%" + draw(st.text("0123456789abcdefABCDEFgxyz%", min_size=0, max_size=2))
    if kind == 2:
        return urllib.parse.quote(draw(_TEXT), safe="")
    return draw(_ODD_TEXT)


_SEGMENT = st.lists(st.one_of(_TEXT, escapes(), st.sampled_from([".", "..", "", "a%28b%29"])),
                    max_size=4).map("".join)
_PATH = st.one_of(
    st.lists(_SEGMENT, max_size=6).map(lambda parts: "/" + "/".join(parts)),
    st.integers(200, 9000).map(lambda n: "/" + "a" * n),  # very long paths
    st.just(""),
)

_LABEL = st.one_of(
    st.from_regex(r"[a-z0-9][a-z0-9-]{0,20}", fullmatch=True),
    st.from_regex(r"[xX][nN]--[a-z0-9-]{0,12}", fullmatch=True),  # punycode, valid or not
    st.text(st.characters(categories=("L", "N", "M")), min_size=1, max_size=12),  # unicode
    st.from_regex(r"[A-Za-z0-9_]{1,70}", fullmatch=True),  # underscores, over-long labels
    _ODD_TEXT,
)
_NAME = st.lists(_LABEL, min_size=1, max_size=4).map(".".join).map(
    lambda name: name if "." in name else name + ".test")

# Internal addresses only: the rule refuses them before any connection is made.
_INTERNAL_V4 = st.one_of(*(st.ip_addresses(network=net) for net in (
    "127.0.0.0/8", "10.0.0.0/8", "169.254.0.0/16", "0.0.0.0/8", "100.64.0.0/10",
    "192.168.0.0/16", "224.0.0.0/4", "240.0.0.0/4")))
_INTERNAL_V6 = st.one_of(*(st.ip_addresses(network=net) for net in (
    "::1/128", "fe80::/10", "fc00::/7", "fec0::/10", "ff00::/8"))) | _INTERNAL_V4.map(
    lambda v4: ipaddress.IPv6Address(b"\0" * 10 + b"\xff\xff" + v4.packed))


@st.composite
def ipv4_notation(draw: st.DrawFn) -> str:
    """An internal IPv4 address written as inet_aton reads it: dotted, short, hex, octal."""
    value = int(draw(_INTERNAL_V4))
    parts = draw(st.integers(1, 4))
    if parts == 1:
        numbers = [value]
    elif parts == 2:
        numbers = [value >> 24, value & 0xFFFFFF]
    elif parts == 3:
        numbers = [value >> 24, (value >> 16) & 0xFF, value & 0xFFFF]
    else:
        numbers = [(value >> s) & 0xFF for s in (24, 16, 8, 0)]
    style = draw(st.sampled_from(["{}", "0x{:x}", "0{:o}"]))
    return ".".join(style.format(n) if n else "0" for n in numbers)


_HOST = st.one_of(
    _NAME,
    ipv4_notation(),
    _INTERNAL_V6.map(lambda ip: f"[{ip}]"),
    st.just("localhost"), st.just("localhost."),
    _ODD_TEXT,
)


@st.composite
def urls(draw: st.DrawFn, port: int) -> str:
    """A URL as a claims file or a Location might write it, more often odd than not."""
    scheme = draw(st.sampled_from(["http", "https", "HTTP", "Http", "ftp", "javascript", ""]))
    userinfo = draw(st.sampled_from(["", "user@", "user:pa%40ss@", "a@b@", ":@"]))
    host = draw(_HOST)
    port_text = draw(st.one_of(st.just(f":{port}"), st.just(""), st.just(":"),
                               st.integers(0, 99999).map(lambda n: f":{n}"),
                               _ODD_TEXT.map(lambda t: ":" + t)))
    path = draw(_PATH)
    query = draw(st.one_of(st.just(""), _SEGMENT.map(lambda q: "?" + q)))
    fragment = draw(st.one_of(st.just(""), _TEXT.map(lambda f: "#" + f)))
    return f"{scheme}://{userinfo}{host}{port_text}{path}{query}{fragment}"


# --- the safety of the generated web -------------------------------------------------------------

def safe_mapping(texts: list[str], server: Server) -> tuple[HostOverride, ...] | None:
    """`resolve` entries sending every name these URLs reach to the loopback server; None when a
    URL names a public address written as a number (never tried: it would leave this machine)."""
    names = set()
    for text in texts:
        normal = normalize(text)
        if isinstance(normal, InvalidUrl):
            continue
        host = normal.host.rstrip(".")
        address = host_address(normal.host)
        if address is not None:
            if refusal(address) is None:
                return None
            continue
        if host != "localhost" and not host.endswith(".localhost"):
            names.add(host)
    return tuple(HostOverride(name, None, server.host) for name in sorted(names))


def resolved(base: str, location: str) -> str:
    """Where a Location leads from `base`, as a browser resolves it (to map its host)."""
    try:
        return urllib.parse.urljoin(base, location.strip().replace(" ", "%20"))
    except ValueError:
        return ""


@pytest.fixture(scope="module")
def web() -> Iterator[tuple[Server, dict[str, bytes]]]:
    """A loopback server: a path registered in `locations` redirects there, all else is 200."""
    locations: dict[str, bytes] = {}
    lock = threading.Lock()

    async def play(conn: Conn) -> None:
        request = await conn.request()
        with lock:
            location = locations.get(request.path)
        if location is not None:
            await conn.send(b"HTTP/1.1 302 Found\r\nContent-Length: 0\r\nConnection: close\r\n"
                            b"Location: " + location + b"\r\n\r\n")
        else:
            await conn.respond(200, b"<html><head><title>A page</title></head><body>"
                               b"Text.</body></html>", {"Content-Type": "text/html"},
                               head=request.method == "HEAD")

    with hostile(play) as server:
        yield server, locations


def fetch(url: str, settings: Settings) -> FetchResult:
    async def run() -> FetchResult:
        async with Fetcher(settings) as fetcher:
            return await fetcher.fetch(url)

    return asyncio.run(run())


def sound(result: FetchResult) -> None:
    """What every fetch result must be: a failure fetch knows, or a status."""
    assert result.failure in (None, *FAILURES)
    assert result.failure is not None or result.status is not None
    for named in (result.url, result.final_url, *(hop.url for hop in result.redirects)):
        assert "pa%40ss" not in named and "pa@ss" not in named  # credentials never shown
    verdict = classify(result)  # never raises on what fetch returns
    assert isinstance(verdict.status, CheckStatus)


# --- the properties ------------------------------------------------------------------------------

@settings(PROPERTIES, max_examples=600)
@given(text=st.one_of(urls(8080), _ODD_TEXT, _TEXT))
def test_normalize_gives_a_sendable_normal_form_or_a_reason(text: str) -> None:
    THROWN["normalize"] += 1
    normal = normalize(text)
    if isinstance(normal, InvalidUrl):
        assert normal.reason
        return
    assert isinstance(normal, NormalizedUrl)
    assert normal.url.isascii() and normal.url.isprintable() and " " not in normal.url
    assert "@" not in normal.url.split("/", 3)[2]  # no credentials in the normal form
    again = normalize(normal.url)
    assert isinstance(again, NormalizedUrl) and again.url == normal.url  # idempotent
    # What yarl (so aiohttp) sends: the same text, and a host it can decode (IDNA included).
    sent = URL(normal.url, encoded=True)
    assert str(sent) == normal.url
    assert sent.host is not None


@settings(PROPERTIES, max_examples=150)
@given(data=st.data())
def test_a_real_fetch_of_any_url_gives_a_result_and_sends_the_url_as_written(
        web: tuple[Server, dict[str, bytes]], data: st.DataObject) -> None:
    server, _ = web
    text = data.draw(urls(server.port))
    mapping = safe_mapping([text], server)
    assume(mapping is not None)
    assert mapping is not None
    THROWN["fetch"] += 1
    before = len(server.log)
    result = fetch(text, replace(GUARDED, resolve=mapping))
    sound(result)
    normal = normalize(text)
    if isinstance(normal, InvalidUrl):
        assert result.failure == "invalid_url" and len(server.log) == before
    elif result.status == 200 and not result.redirects:
        (request,) = server.log[before:]
        asked = normal.path + (f"?{normal.query}" if normal.query is not None else "")
        assert request.path == asked  # sent as written: nothing decoded, nothing re-quoted
        assert result.final_url == normal.url
        assert classify(result).status is CheckStatus.OK  # an escape is never a redirect
    if host_address(normal.host if isinstance(normal, NormalizedUrl) else "") is not None:
        assert result.failure in ("refused_address", "invalid_url")


@settings(PROPERTIES, max_examples=150)
@given(data=st.data())
def test_any_redirect_location_gives_a_result(
        web: tuple[Server, dict[str, bytes]], data: st.DataObject) -> None:
    server, locations = web
    location = data.draw(st.one_of(urls(server.port), _PATH, _ODD_TEXT, _TEXT))
    location = location.replace("\r", "").replace("\n", "")  # they would end the header
    path = f"/r/{secrets.token_hex(8)}"  # no generated path can reach another example's
    start = f"http://origin.test:{server.port}{path}"
    mapping = safe_mapping([start, resolved(start, location)], server)
    assume(mapping is not None)
    assert mapping is not None
    THROWN["location"] += 1
    locations.clear()
    locations[path] = location.encode("utf-8")
    result = fetch(start, replace(GUARDED, resolve=mapping))
    sound(result)
    # The redirect is recorded, unless its header could not be parsed at all (a NUL byte).
    assert (result.redirects[:1] == (Redirect(start, 302),)
            or (result.failure == "connection_error" and "bad response" in result.detail))


@settings(PROPERTIES, max_examples=60)
@given(data=st.data())
def test_the_checker_never_needs_its_last_resort(
        web: tuple[Server, dict[str, bytes]], data: st.DataObject) -> None:
    server, _ = web
    texts = data.draw(st.lists(urls(server.port), min_size=1, max_size=6))
    mapping = safe_mapping(texts, server)
    assume(mapping is not None)
    assert mapping is not None
    THROWN["checker"] += len(texts)
    references = {str(i): Reference(str(i), url=text) for i, text in enumerate(texts)}
    claims = tuple(Claim(f"c{i}", "A claim.", sources=(str(i),)) for i in range(len(texts)))
    run_settings = replace(GUARDED, resolve=mapping)
    targets = collect(ClaimSet((Document(claims, references),)), run_settings)
    outcomes: list[Outcome] = []
    asyncio.run(check_targets(targets.urls, run_settings, outcomes.append))
    assert len(outcomes) == len(targets.urls)
    last_resorts = [o for o in outcomes if o.classification.status is CheckStatus.INTERNAL_ERROR]
    assert last_resorts == []  # the handler ran 0 times: every input met the code meant for it


@settings(PROPERTIES, max_examples=300)
@given(status=st.integers(100, 999), body=st.binary(max_size=2000) | _TEXT.map(str.encode),
       title=_ODD_TEXT, final=urls(8080), hops=st.lists(st.integers(300, 399), max_size=3),
       failure=st.sampled_from([None, *FAILURES]))
def test_classify_gives_a_status_for_any_answer(status: int, body: bytes, title: str, final: str,
                                                hops: list[int], failure: str | None) -> None:
    THROWN["classify"] += 1
    page = f"<html><head><title>{title}</title></head><body><h1>{title}</h1>".encode() + body
    result = FetchResult(url="http://site.test/a", method="GET", status=status, final_url=final,
                         redirects=tuple(Redirect("http://site.test/a", h) for h in hops),
                         headers=Headers([("content-type", "text/html")]), body=page,
                         failure=failure, detail="generated")  # type: ignore[arg-type]
    probe = replace(result, url="http://site.test/verifier-probe-1")
    assert isinstance(classify(result, probe=probe).status, CheckStatus)


def test_the_properties_threw_what_they_say() -> None:
    """Runs last in this module: the record of how many URLs each property threw."""
    if not THROWN:
        pytest.skip("run with the property tests above")
    assert THROWN["normalize"] >= 300 and THROWN["classify"] >= 150
    print(f"\nURLs thrown: {dict(THROWN)}")
