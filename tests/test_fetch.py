"""The HTTP layer against real servers on loopback, most of them misbehaving on purpose."""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import gzip
import pickle
import ssl
import time
import tracemalloc
import zlib
from collections.abc import Mapping
from dataclasses import replace
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest

from hostile import Conn, closed_port, gzip_bomb, hostile
from servers import Reply, serve
from verifier.fetch import Fetcher, FetchError, FetchResult, fetch_all, fetch_one
from verifier.models import Redirect
from verifier.fetch_body import retry_after_seconds
from verifier.settings import DomainRule, HostOverride, Settings

QUICK = Settings(allow_private=True, timeout=1.0, connect_timeout=1.0, retries=0, retry_backoff=0.05,
                 per_host=4, host_interval=0.0, max_body_bytes=1_000_000)


def quick(**changes: Any) -> Settings:
    return replace(QUICK, **changes)


def fetch(url: str, settings: Settings = QUICK, **kwargs: Any) -> FetchResult:
    async def run() -> FetchResult:
        async with Fetcher(settings) as fetcher:
            return await fetcher.fetch(url, **kwargs)

    return asyncio.run(run())


def gaps(times: list[float]) -> list[float]:
    return [later - earlier for earlier, later in zip(times, times[1:], strict=False)]


async def ok(conn: Conn) -> None:
    request = await conn.request()
    await conn.respond(200, b"hello", {"Content-Type": "text/plain"}, head=request.method == "HEAD")


# --- deadlines: a server that stalls is cut off, and holds up no one else ------------------------

async def trickle_body(conn: Conn) -> None:
    await conn.request()
    await conn.send(b"HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n")
    while True:
        await conn.send(b"x")
        await asyncio.sleep(0.2)


def test_trickling_body_is_cut_at_the_deadline_while_another_host_completes() -> None:
    arrived: list[str] = []
    with hostile(trickle_body, "127.0.0.1") as slow, hostile(ok, "127.0.0.2") as fast:
        began = time.monotonic()
        results = asyncio.run(fetch_all([f"{slow.base}/", f"{fast.base}/"], quick(timeout=1.0),
                                        on_result=lambda r: arrived.append(r.url)))
        took = time.monotonic() - began
    trickled, quick_one = results
    assert trickled.failure == "timeout" and trickled.status == 200
    assert "no complete body within 1 s" in trickled.detail
    assert 0.9 <= trickled.elapsed <= 1.0 + 1.5 and took <= 1.0 + 1.5
    assert quick_one.status == 200 and quick_one.failure is None and quick_one.body == b"hello"
    assert arrived == [f"{fast.base}/", f"{slow.base}/"]  # the fast host did not wait


async def trickle_headers(conn: Conn) -> None:
    await conn.request()
    await conn.send(b"HTTP/1.1 200 OK\r\nX-Slow: ")
    while True:
        await conn.send(b"a")
        await asyncio.sleep(0.2)


def test_trickling_headers_are_cut_at_the_deadline() -> None:
    with hostile(trickle_headers) as server:
        result = fetch(f"{server.base}/", quick(timeout=1.0))
    assert result.failure == "timeout" and result.status is None
    assert result.detail == "no response within 1 s"
    assert 0.9 <= result.elapsed <= 2.5


async def never_answer(conn: Conn) -> None:
    await conn.request()
    await asyncio.sleep(3600)


def test_a_server_that_never_answers_times_out_and_is_retried() -> None:
    with hostile(never_answer) as server:
        result = fetch(f"{server.base}/", quick(timeout=0.5, retries=1))
    assert result.failure == "timeout" and result.attempts == 2
    assert len(server.log) == 2  # both attempts reached it
    assert 1.0 <= result.elapsed <= 2.5  # two deadlines and a short backoff


async def reset_on_accept(conn: Conn) -> None:
    conn.reset()


def test_connection_reset_is_a_retried_connection_error() -> None:
    with hostile(reset_on_accept) as server:
        result = fetch(f"{server.base}/", quick(retries=2))
    assert result.failure == "connection_error" and result.status is None
    assert result.attempts == 3 and server.connections == 3
    assert result.elapsed < 1.0


def test_connection_refused_is_a_fast_connection_error() -> None:
    result = fetch(f"http://127.0.0.1:{closed_port()}/", quick(retries=1))
    assert result.failure == "connection_error" and result.attempts == 2
    assert result.elapsed < 1.0


# --- redirects: followed by hand, every hop recorded ---------------------------------------------

def test_redirect_chain_is_recorded_hop_by_hop_across_hosts() -> None:
    with serve({"/end": Reply(200, b"arrived")}, host="127.0.0.2") as other:
        routes: dict[str, Any] = {
            "/start": Reply(302, headers={"Location": "/middle"}),
            "/middle": Reply(301, headers={"Location": f"{other.base}/end"}),
        }
        with serve(routes, host="127.0.0.1") as first:
            result = fetch(f"{first.base}/start")
    assert result.redirects == (Redirect(f"{first.base}/start", 302), Redirect(f"{first.base}/middle", 301))
    assert result.final_url == f"{other.base}/end"
    assert (result.status, result.body, result.failure) == (200, b"arrived", None)
    assert result.attempts == 3 and result.detail == "HTTP 200 (after 2 redirects)"
    assert first.log == [("GET", "/start"), ("GET", "/middle")] and other.log == [("GET", "/end")]


def test_redirect_loop_is_caught_before_asking_again() -> None:
    routes: dict[str, Any] = {"/x": Reply(302, headers={"Location": "/y"}),
                              "/y": Reply(302, headers={"Location": "/x"})}
    with serve(routes) as server:
        result = fetch(f"{server.base}/x", quick(max_redirects=10))
    assert result.failure == "redirect_loop" and result.status == 302
    assert [hop.url for hop in result.redirects] == [f"{server.base}/x", f"{server.base}/y"]
    assert server.log == [("GET", "/x"), ("GET", "/y")]  # /x was not requested twice


def test_redirect_to_a_non_http_url_is_invalid_url() -> None:
    with serve({"/go": Reply(301, headers={"Location": "ftp://files.example.org/x"})}) as server:
        result = fetch(f"{server.base}/go")
    assert result.failure == "invalid_url" and result.status == 301
    assert "ftp://files.example.org/x" in result.detail and len(result.redirects) == 1


async def endless_redirects(conn: Conn) -> None:
    request = await conn.request()
    step = int(request.path.strip("/") or 0)
    await conn.respond(302, headers={"Location": f"/{step + 1}"})


def test_more_than_max_redirects_is_a_redirect_loop() -> None:
    with hostile(endless_redirects) as server:
        result = fetch(f"{server.base}/0", quick(max_redirects=3))
    assert result.failure == "redirect_loop"
    assert result.detail.startswith("more than 3 redirects")
    assert [r.path for r in server.log] == ["/0", "/1", "/2", "/3"]
    assert len(result.redirects) == 4 and result.final_url == f"{server.base}/3"


async def cookie_bounce(conn: Conn) -> None:
    request = await conn.request()
    if request.path == "/a" and "seen=1" not in request.headers.get("cookie", ""):
        await conn.respond(302, headers={"Location": "/b", "Set-Cookie": "seen=1; Path=/"})
    elif request.path == "/b":
        await conn.respond(302, headers={"Location": "/a"})
    else:
        await conn.respond(200, b"welcome")


def test_a_url_asked_again_with_a_new_cookie_is_not_a_loop() -> None:
    """Sites that redirect away to set a cookie and come back are alive, not looping."""
    with hostile(cookie_bounce, "127.0.0.3") as server:
        port = server.port
        settings = quick(resolve=(HostOverride("news.example.test", port, "127.0.0.3"),))
        result = fetch(f"http://news.example.test:{port}/a", settings)
    assert (result.status, result.body, result.failure) == (200, b"welcome", None)
    assert [r.path for r in server.log] == ["/a", "/b", "/a"]


# --- bodies: capped, counted compressed and decompressed -----------------------------------------

def test_gzip_bomb_is_cut_off_with_bounded_memory() -> None:
    bomb = gzip_bomb(200)  # 200 MB of zeros in about 200 KB

    async def play(conn: Conn) -> None:
        await conn.request()
        await conn.respond(200, bomb, {"Content-Encoding": "gzip", "Content-Type": "text/html"})

    cap = 1_000_000
    with hostile(play) as server:
        tracemalloc.start()
        try:
            result = fetch(f"{server.base}/", quick(max_body_bytes=cap))
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert result.failure == "too_large" and result.status == 200
    assert "once decompressed" in result.detail
    assert result.body == bytes(cap)  # what fits under the cap is kept
    assert peak < 20_000_000, f"peak {peak} bytes while reading a 200 MB bomb"


def test_bodies_arrive_decompressed_and_are_counted_as_received() -> None:
    page = b"<p>" + b"text " * 2000 + b"</p>"
    raw = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)  # "deflate" as many servers send it
    asked: list[str] = []

    def gzipped(handler: BaseHTTPRequestHandler) -> Reply:
        asked.append(handler.headers["Accept-Encoding"])
        return Reply(200, gzip.compress(page), {"Content-Encoding": "gzip"})

    routes: dict[str, Any] = {
        "/gzip": gzipped,
        "/deflate": Reply(200, zlib.compress(page), {"Content-Encoding": "deflate"}),
        "/raw-deflate": Reply(200, raw.compress(page) + raw.flush(),
                              {"Content-Encoding": "deflate"}),
        "/big": Reply(200, b"x" * 3000),
    }
    with serve(routes) as server:
        for path in ("/gzip", "/deflate", "/raw-deflate"):
            result = fetch(server.base + path)
            assert (result.failure, result.body) == (None, page), path
        big = fetch(f"{server.base}/big", quick(max_body_bytes=1000))
    assert asked == ["gzip, deflate"]
    assert big.failure == "too_large" and "as received" in big.detail
    assert big.body == b"x" * 1000


def test_corrupt_or_unknown_encodings_keep_what_can_be_kept() -> None:
    page = b"<p>fine</p>"
    routes: dict[str, Any] = {
        "/corrupt": Reply(200, gzip.compress(page)[:10] + b"\xff" * 20,
                          {"Content-Encoding": "gzip"}),
        "/truncated": Reply(200, gzip.compress(page)[:-12], {"Content-Encoding": "gzip"}),
        "/brotli": Reply(200, b"\x0b\x02\x80", {"Content-Encoding": "br"}),
    }
    with serve(routes) as server:
        corrupt = fetch(f"{server.base}/corrupt")
        brotli = fetch(f"{server.base}/brotli")
        truncated = fetch(f"{server.base}/truncated")
    assert corrupt.status == 200 and corrupt.failure is None  # the server did answer
    assert "could not be decompressed" in corrupt.detail
    assert page.startswith(truncated.body) and "ended early" in truncated.detail
    assert brotli.body == b"\x0b\x02\x80" and "left encoded (br)" in brotli.detail


# --- retries: transient failures, with backoff and Retry-After -----------------------------------

def scripted(*replies: tuple[int, dict[str, str]]) -> Any:
    """A server answering its n-th request with the n-th reply (the last one from then on)."""

    async def play(conn: Conn) -> None:
        await conn.request()
        status, headers = replies[min(conn.server.connections, len(replies)) - 1]
        await conn.respond(status, b"body %d" % status, headers)

    return play


def test_429_waits_out_retry_after() -> None:
    with hostile(scripted((429, {"Retry-After": "1"}), (200, {}))) as server:
        result = fetch(f"{server.base}/", quick(retries=2, retry_backoff=0.05))
    assert result.status == 200 and result.attempts == 2
    assert gaps(server.starts())[0] >= 0.95  # the server's own clock


def test_retry_after_longer_than_allowed_is_not_waited_for() -> None:
    with hostile(scripted((429, {"Retry-After": "120"}))) as server:
        result = fetch(f"{server.base}/", quick(retries=2, retry_after_max=5))
    assert result.status == 429 and result.failure is None and result.attempts == 1
    assert "retry after 120 s" in result.detail and "not retried" in result.detail
    assert result.elapsed < 0.5 and len(server.log) == 1


def test_retry_after_as_an_http_date() -> None:
    now = dt.datetime(2015, 10, 21, 7, 28, 0, tzinfo=dt.timezone.utc)
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:30 GMT", now) == 30.0
    assert retry_after_seconds("Wed, 21 Oct 2015 07:00:00 GMT", now) == 0.0  # in the past
    assert retry_after_seconds(" 7 ", now) == 7.0
    assert retry_after_seconds("soon", now) is None


def test_503_twice_then_200_backs_off_exponentially() -> None:
    with hostile(scripted((503, {}), (503, {}), (200, {}))) as server:
        result = fetch(f"{server.base}/", quick(retries=3, retry_backoff=0.1))
    assert result.status == 200 and result.attempts == 3 and result.body == b"body 200"
    first, second = gaps(server.starts())
    assert 0.09 <= first and 0.19 <= second and second > first  # 0.1-0.15 s, then 0.2-0.3 s


def test_dns_failure_is_fast_and_not_retried() -> None:
    # "-" in the resolve setting fails the lookup here, so no DNS server is asked
    unresolvable = (HostOverride("no-such-host.invalid", None, "-"),)
    result = fetch("http://no-such-host.invalid/", quick(retries=3, resolve=unresolvable))
    assert result.failure == "dns_error" and result.attempts == 1
    assert result.elapsed < 2.0


# --- HEAD first, GET when HEAD is not to be trusted ----------------------------------------------

def head_hostile(how: str) -> Any:
    async def play(conn: Conn) -> None:
        request = await conn.request()
        if request.method == "GET":
            await conn.respond(200, b"the page")
        elif how == "405":
            await conn.respond(405, head=True)
        elif how == "hang":
            await asyncio.sleep(3600)
        else:
            conn.reset()

    return play


@pytest.mark.parametrize("how", ["405", "hang", "reset"])
def test_head_refused_falls_back_to_get(how: str) -> None:
    with hostile(head_hostile(how)) as server:
        result = fetch(f"{server.base}/", quick(timeout=0.5, retries=2), head_first=True)
    assert (result.method, result.status, result.body) == ("GET", 200, b"the page")
    assert [r.method for r in server.log] == ["HEAD", "GET"]  # HEAD is never retried
    assert result.attempts == 2


def test_head_first_on_a_sound_server_sends_only_head() -> None:
    with hostile(ok) as server:
        result = fetch(f"{server.base}/", head_first=True)
    assert (result.method, result.status, result.body, result.failure) == ("HEAD", 200, b"", None)
    assert [r.method for r in server.log] == ["HEAD"]


# --- politeness: per-host limits; queueing is not timed ------------------------------------------

def slow(seconds: float) -> Any:
    async def play(conn: Conn) -> None:
        await conn.request()
        await asyncio.sleep(seconds)
        await conn.respond(200, b"done")

    return play


def test_per_host_limit_and_interval_hold_while_other_hosts_go_ahead() -> None:
    busy_rule = DomainRule("127.0.0.2", per_host=4, host_interval=0.0)
    settings = quick(per_host=2, host_interval=0.2, concurrency=32, domains=(busy_rule,))
    # Each answer takes longer than two intervals, so only the per-host limit keeps a third out.
    with hostile(slow(0.45), "127.0.0.1") as one, hostile(slow(0.45), "127.0.0.2") as two:
        urls = [f"{one.base}/{i}" for i in range(12)] + [f"{two.base}/{i}" for i in range(4)]
        results = asyncio.run(fetch_all(urls, settings))
    assert all(r.status == 200 for r in results)
    assert len(one.log) == 12 and one.peak == 2  # two in flight, never three
    assert min(gaps(one.starts())) >= 0.18
    assert two.peak == 4  # the domain rule's own limit
    assert max(two.starts()) - min(one.starts()) < 0.15  # not queued behind the first host


@pytest.mark.parametrize("how", ["unresolvable", "refused"])
def test_requests_that_never_reach_a_host_cost_it_no_interval(how: str) -> None:
    # Four at a time, an hour apart: a request that waited its turn would never end. None
    # reaches the host, so none counts, not even against those already waiting.
    if how == "unresolvable":
        host, base = "dead.test", "http://dead.test"
        extra: dict[str, Any] = {"resolve": (HostOverride(host, None, "-"),)}
    else:
        host, base, extra = "127.0.0.1", f"http://127.0.0.1:{closed_port()}", {}
    settings = quick(domains=(DomainRule(host, per_host=4, host_interval=3600.0),), **extra)
    urls = [f"{base}/{i}" for i in range(8)]
    results = asyncio.run(asyncio.wait_for(fetch_all(urls, settings), 60))
    failure = "dns_error" if how == "unresolvable" else "connection_error"
    assert [(r.failure, r.unreachable) for r in results] == [(failure, True)] * 8


def test_time_queued_for_a_slot_does_not_count_against_the_deadline() -> None:
    settings = quick(per_host=1, host_interval=0.0, timeout=1.0)
    with hostile(slow(0.5)) as server:
        began = time.monotonic()
        results = asyncio.run(fetch_all([f"{server.base}/{i}" for i in range(5)], settings))
        took = time.monotonic() - began
    assert [r.failure for r in results] == [None] * 5 and server.peak == 1
    assert took >= 2.4  # one at a time: the last one waited 2 s for its slot
    assert all(r.elapsed < 1.0 for r in results)


def test_global_limit_queues_across_hosts_without_timing_the_queue() -> None:
    with (hostile(slow(0.3), "127.0.0.1") as a, hostile(slow(0.3), "127.0.0.2") as b,
          hostile(slow(0.3), "127.0.0.3") as c):
        began = time.monotonic()
        results = asyncio.run(fetch_all([f"{s.base}/" for s in (a, b, c)], quick(concurrency=2)))
        took = time.monotonic() - began
    assert [r.status for r in results] == [200, 200, 200]
    assert took >= 0.6  # two slots: the third request waited for one
    assert all(r.elapsed < 0.5 for r in results)


# --- TLS, names, URLs, headers -------------------------------------------------------------------

@pytest.mark.needs_extra
def test_self_signed_certificate_is_tls_error_but_loads_unverified(
    self_signed: ssl.SSLContext,
) -> None:
    with hostile(ok, tls=self_signed) as server:
        result = fetch(f"{server.base}/", quick(retries=2))
    assert result.failure == "tls_error" and result.status is None
    assert result.tls_ok_unverified is True
    assert "certificate" in result.detail
    assert "without verification it answered HTTP 200" in result.detail
    assert result.attempts == 2  # not retried: one refused handshake, then one unverified probe
    assert len(server.log) == 1


@pytest.mark.parametrize("url", ["javascript:alert(1)", "http://exa mple.org/", "ftp://x/",
                                 "/relative/path", "http://x:99999/", "http:///no-host"])
def test_invalid_urls_fail_without_touching_the_network(url: str) -> None:
    result = fetch(url, quick(retries=3))
    assert result.failure == "invalid_url" and result.status is None
    assert result.attempts == 0 and result.final_url == url


def test_resolve_sends_a_real_looking_name_to_a_loopback_address() -> None:
    with hostile(ok, "127.0.0.3") as server:
        url = f"http://news.example.test:{server.port}/story"
        settings = quick(resolve=(HostOverride("news.example.test", None, "127.0.0.3"),),
                         contact="ops@example.org")
        result = fetch(url, settings)
    assert result.status == 200 and result.final_url == url
    (request,) = server.log
    assert request.headers["host"] == f"news.example.test:{server.port}"
    assert request.headers["user-agent"] == settings.effective_user_agent()
    assert "ops@example.org" in request.headers["user-agent"]


def test_domain_headers_reach_their_domain_only() -> None:
    async def play(conn: Conn) -> None:
        request = await conn.request()
        if request.path == "/paywalled":
            await conn.respond(302, headers={"Location": f"http://127.0.0.3:{conn.server.port}/x"})
        else:
            await conn.respond(200, b"elsewhere")

    with hostile(play, "127.0.0.3") as server:
        settings = quick(
            resolve=(HostOverride("news.example.test", None, "127.0.0.3"),),
            domains=(DomainRule("example.test", headers=(("X-Api-Key", "secret"),)),),
        )
        result = fetch(f"http://news.example.test:{server.port}/paywalled", settings,
                       headers={"Accept": "text/html"})
    assert result.status == 200
    first, second = server.log
    assert first.headers["x-api-key"] == "secret" and first.headers["accept"] == "text/html"
    assert "x-api-key" not in second.headers  # the redirect went to another host
    assert second.headers["accept"] == "text/html"


def test_proxy_environment_variables_are_honoured(monkeypatch: pytest.MonkeyPatch) -> None:
    with hostile(ok, "127.0.0.4") as proxy:
        monkeypatch.setenv("HTTP_PROXY", proxy.base)
        result = fetch("http://news.example.test/page")  # resolvable only by the "proxy"
    assert result.status == 200 and result.body == b"hello"
    (request,) = proxy.log
    assert request.path == "http://news.example.test/page"  # absolute form: sent to a proxy


# --- the result itself, and the synchronous wrapper ----------------------------------------------

def test_result_headers_are_lower_case_frozen_and_picklable() -> None:
    with serve({"/": Reply(200, "é".encode("latin-1"),
                           {"Content-Type": "text/html; charset=ISO-8859-1"})}) as server:
        result = fetch(f"{server.base}/")
    assert result.headers["content-type"] == "text/html; charset=ISO-8859-1"
    assert result.headers["Content-Type"] == result.headers["content-type"]
    assert isinstance(result.headers, Mapping)
    with pytest.raises(TypeError):
        result.headers["x"] = "y"  # type: ignore[index]
    assert pickle.loads(pickle.dumps(result)) == result and hash(result)
    assert result.text() == "é"
    assert result.started_at.tzinfo is not None


def test_fetch_one_returns_answers_and_raises_when_there_is_none() -> None:
    with serve({"/page": Reply(200, b"<p>hi</p>", {"Content-Type": "text/html"})}) as server:
        result = fetch_one(f"{server.base}/page", QUICK, accept="text/html")
        missing = fetch_one(f"{server.base}/gone", QUICK)
    assert (result.status, result.text()) == (200, "<p>hi</p>") and missing.status == 404
    with pytest.raises(FetchError) as caught:
        fetch_one(f"http://127.0.0.1:{closed_port()}/", QUICK)
    assert caught.value.kind == "connection_error"


def test_same_host_only_stops_at_a_redirect_to_another_host() -> None:
    with serve({"/live": Reply(200, b"the live site")}, host="127.0.0.5") as live:
        target = f"{live.base}/live"
        with serve({"/capture": Reply(302, b"", {"Location": target})}, host="127.0.0.6") as archive:
            kept = fetch(f"{archive.base}/capture", same_host_only=True)
            followed = fetch(f"{archive.base}/capture")
        assert live.log == [("GET", "/live")]  # only the ordinary fetch went on to the live site
    assert (kept.status, kept.failure) == (302, None)
    assert "another host" in kept.detail
    assert followed.status == 200


# --- internal addresses: refused unless allowed, before any connection ---------------------------

GUARDED = quick(allow_private=False)
# Every way of writing 127.0.0.1 (the server below listens there) and a loopback name.
LOOPBACK_FORMS = ["127.0.0.1", "127.1", "0x7f.1", "0177.0.0.1", "2130706433", "0x7f000001",
                  "[::ffff:127.0.0.1]", "localhost.", "localhost"]


@pytest.mark.parametrize("host", LOOPBACK_FORMS)
def test_every_form_of_an_internal_address_is_refused_unconnected(host: str) -> None:
    with hostile(ok) as server:
        result = fetch(f"http://{host}:{server.port}/secret", GUARDED)
        assert server.connections == 0  # the accept log: nothing reached the server
    assert result.failure == "refused_address" and result.status is None
    assert "allow-private" in result.detail and result.attempts == 0


@pytest.mark.parametrize("host", LOOPBACK_FORMS)
def test_a_redirect_to_an_internal_address_is_refused_unconnected(host: str) -> None:
    async def public(conn: Conn) -> None:
        await conn.request()
        await conn.respond(302, headers={"Location": f"http://{host}:{internal.port}/meta"})

    with hostile(ok) as internal, hostile(public, "127.0.0.2") as server:
        # A name of the `resolve` setting is the user's choice: allowed, as a public site is.
        settings = replace(GUARDED, resolve=(HostOverride("public.test", None, "127.0.0.2"),))
        result = fetch(f"http://public.test:{server.port}/page", settings)
        assert internal.connections == 0
    assert len(server.log) == 1
    assert result.failure == "refused_address"
    assert result.redirects == (Redirect(f"http://public.test:{server.port}/page", 302),)


def fake_dns(monkeypatch: pytest.MonkeyPatch, answers: dict[str, str]) -> list[str]:
    """DNS answering `answers` (name -> address); the rest goes to conftest's refusing one."""
    import socket

    asked: list[str] = []
    refusing = socket.getaddrinfo

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else str(host)
        if name in answers:
            asked.append(name)
            return refusing(answers[name], port, *args, **kwargs)
        return refusing(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return asked


def test_a_name_that_resolves_internal_is_refused_at_the_socket(
        monkeypatch: pytest.MonkeyPatch) -> None:
    asked = fake_dns(monkeypatch, {"rebound.test": "127.0.0.1"})
    with hostile(ok) as server:
        result = fetch(f"http://rebound.test:{server.port}/", GUARDED)
        assert server.connections == 0
    assert asked == ["rebound.test"]
    assert result.failure == "refused_address" and "127.0.0.1 is a loopback address" in result.detail
    assert result.attempts == 1  # a refusal is final: not retried like a connection error


def test_allow_private_and_allowed_endpoints_still_connect(monkeypatch: pytest.MonkeyPatch) -> None:
    with hostile(ok) as server:
        assert fetch(f"{server.base}/", quick(allow_private=True)).status == 200
        pywb = f'[{{"name": "local", "pywb": "{server.base}/coll"}}]'
        monkeypatch.setenv("VERIFIER_ARCHIVES", pywb)
        monkeypatch.delenv("VERIFIER_ALLOW_PRIVATE")
        from verifier.settings import load_settings
        settings = load_settings({"retries": 0})
        assert not settings.allow_private
        assert fetch(f"{server.base}/coll/cdx?url=x", settings).status == 200
        assert server.connections == 2
    with hostile(ok) as other:  # the same address, another port: not the endpoint
        assert fetch(f"{other.base}/", settings).failure == "refused_address"
        assert other.connections == 0


def test_behind_a_proxy_the_target_is_judged_here_first(monkeypatch: pytest.MonkeyPatch) -> None:
    asked = fake_dns(monkeypatch, {"internal.test": "10.0.0.7"})
    with hostile(ok, "127.0.0.4") as proxy:
        monkeypatch.setenv("HTTP_PROXY", proxy.base)  # the proxy itself is the user's choice
        settings = replace(GUARDED, resolve=(HostOverride("public.test", None, "127.0.0.9"),))
        literal = fetch("http://169.254.169.254/latest/meta-data/", settings)
        named = fetch("http://internal.test/admin", settings)
        public = fetch("http://public.test/page", settings)
        assert [r.path for r in proxy.log] == ["http://public.test/page"]
    assert literal.failure == named.failure == "refused_address"
    assert "10.0.0.7 is a private address" in named.detail and asked == ["internal.test"]
    assert public.status == 200


# --- credentials stay with their origin ----------------------------------------------------------

def test_url_credentials_go_to_their_own_origin_only() -> None:
    async def play(conn: Conn) -> None:
        request = await conn.request()
        if request.path == "/start":
            await conn.respond(302, headers={"Location": "/same-origin"})
        elif request.path == "/same-origin":
            await conn.respond(302, headers={
                "Location": f"http://127.0.0.3:{other.port}/elsewhere"})
        else:
            await conn.respond(200, b"ok")

    with hostile(play, "127.0.0.3") as other, hostile(play, "127.0.0.2") as first:
        result = fetch(f"http://user:p%40ss@127.0.0.2:{first.port}/start")
    assert result.status == 200 and result.final_url == f"http://127.0.0.3:{other.port}/elsewhere"
    assert result.url == f"http://127.0.0.2:{first.port}/start"  # never shown with them
    assert "p%40ss" not in repr(result) and "p@ss" not in repr(result)
    expected = "Basic " + base64.b64encode(b"user:p@ss").decode()
    assert [r.headers.get("authorization") for r in first.log] == [expected, expected]
    (moved,) = other.log  # another origin: no credentials
    assert "authorization" not in moved.headers


def test_caller_headers_stay_with_the_origin_except_content_negotiation() -> None:
    async def play(conn: Conn) -> None:
        request = await conn.request()
        if request.path == "/job":
            await conn.respond(302, headers={"Location": f"http://127.0.0.3:{other.port}/x"})
        else:
            await conn.respond(200, b"{}")

    with hostile(play, "127.0.0.3") as other, hostile(play, "127.0.0.2") as first:
        result = fetch(f"{first.base}/job", headers={"Authorization": "LOW key:secret",
                                                     "Accept": "application/json"})
    assert result.status == 200
    (asked,) = first.log
    assert asked.headers["authorization"] == "LOW key:secret"
    (moved,) = other.log
    assert "authorization" not in moved.headers and moved.headers["accept"] == "application/json"


def test_credentials_in_a_redirect_are_never_sent() -> None:
    async def play(conn: Conn) -> None:
        request = await conn.request()
        if request.path == "/start":
            await conn.respond(302, headers={
                "Location": f"http://admin:hunter2@127.0.0.2:{conn.server.port}/next"})
        else:
            await conn.respond(200, b"ok")

    with hostile(play, "127.0.0.2") as server:
        result = fetch(f"{server.base}/start")
    assert result.status == 200 and "hunter2" not in repr(result)
    assert all("authorization" not in r.headers for r in server.log)


# --- a URL is sent as written, and compared in one normal form -----------------------------------

def test_reserved_escapes_are_sent_as_written_and_are_no_redirect() -> None:
    from verifier.classify import classify
    from verifier.models import CheckStatus

    with hostile(ok) as server:
        url = f"{server.base}/ok/a%28b%29%2Fc?q=%26x"
        result = fetch(url)
    assert [r.path for r in server.log] == ["/ok/a%28b%29%2Fc?q=%26x"]
    assert result.final_url == url and result.redirects == ()
    assert classify(result).status is CheckStatus.OK


@pytest.mark.parametrize("host", ["xn--zz.test", "a.xn--zz", "XN--ZZ.test"])
def test_invalid_punycode_is_an_invalid_url_and_so_is_a_redirect_to_it(host: str) -> None:
    assert fetch(f"http://{host}/").failure == "invalid_url"

    async def play(conn: Conn) -> None:
        await conn.request()
        await conn.respond(301, headers={"Location": f"http://{host}/moved"})

    with hostile(play) as server:
        result = fetch(f"{server.base}/page")
    assert result.failure == "invalid_url" and "punycode" in result.detail
    assert len(server.log) == 1
