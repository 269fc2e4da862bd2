"""The one HTTP layer: every request verifier makes goes through here.

Written policy (the link checker builds on it):
- Limits: `concurrency` requests in flight overall, `per_host` to one host, and `host_interval`
  between the starts of two requests to one host (a domain rule may change the last two and add
  headers). Slots are taken before a request's deadline starts, so queueing never times a
  request out, and let go during retry waits, so a slow host holds up no other host. A request
  that never reached its host (no address, connection refused) does not count against it.
- Every request has one total deadline, `timeout`, over connect, headers and body.
- Bodies are read up to `max_body_bytes`, counted as received and once decompressed.
- Redirects are followed by hand: each hop is recorded and goes through the same limits.
- Connection errors, timeouts, 5xx and 429 are retried with jittered exponential backoff; a
  Retry-After up to `retry_after_max` is honoured. DNS failures are not retried.
- A certificate failure is tried once more unverified, to tell "bad certificate" from "gone".
- A URL is sent as written once normalised (`urls.normalize`): never re-quoted or decoded, and
  every URL a result names is in that one normal form, without credentials.
- Internal addresses are refused (addresses.py): a host written as an address is judged before
  anything is sent, and every address a socket is about to connect to is judged in the socket
  factory, on every hop, whatever DNS said the first time. Behind a proxy the target is looked
  up and judged here first (a name that does not resolve here is left to the proxy).
- Credentials stay with their origin (scheme, host, port): a URL's `user:password@` becomes an
  Authorization header for that origin only; a domain rule's headers go to the hosts it names;
  headers a caller gives go on to another origin only when they are content negotiation.
aiohttp is the only library whose exceptions this module sees; every outcome is a FetchResult.
"""

from __future__ import annotations

import asyncio
import base64
import contextvars
import datetime as dt
import errno
import random
import socket
import urllib.parse
import urllib.request
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from time import monotonic
from typing import Literal, get_args

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from yarl import URL

from verifier.addresses import AddressPolicy, refusal
from verifier.errors import VerifierError
from verifier.fetch_body import (
    ACCEPT_ENCODING, BodyReader, Headers, decode_text, retry_after_seconds,
)
from verifier.models import Redirect
from verifier.settings import UNRESOLVABLE, DomainRule, HostOverride, Settings
from verifier.urls import InvalidUrl, NormalizedUrl, normalize, redact

Failure = Literal["timeout", "dns_error", "connection_error", "tls_error", "redirect_loop",
                  "too_large", "invalid_url", "refused_address"]
FAILURES: tuple[Failure, ...] = get_args(Failure)
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
# Connection errors that mean the host never saw the request (see FetchResult.unreachable).
_NO_CONNECTION = frozenset({errno.ECONNREFUSED, errno.ENETUNREACH, errno.EHOSTUNREACH})
_DEFAULT_PORTS = {"http": 80, "https": 443}
# Caller headers that may follow a redirect to another origin: content negotiation only. The
# rest (credentials, keys, cookies) stay with the origin they were given for.
_PORTABLE_HEADERS = frozenset({"accept", "accept-language"})
_ALLOW_HINT = "set allow-private to fetch internal addresses"
# aiohttp's default of 8190 bytes per header line rejects real sites (long CSP, cookies, URLs).
_LONG_LINES = 65536


@dataclass(frozen=True)
class FetchResult:
    """What fetching one URL found out. A `failure` wins over `status`, which may still be set."""

    url: str  # as asked for
    method: str  # "GET" or "HEAD": the request that gave the final answer
    status: int | None  # final HTTP status; None when no response came
    final_url: str  # after redirects
    redirects: tuple[Redirect, ...] = ()  # every redirecting response, in order
    headers: Mapping[str, str] = Headers()  # final response headers, lower-case names
    body: bytes = b""  # decompressed, at most max_body_bytes; b"" for HEAD
    failure: Failure | None = None
    detail: str = ""  # what happened, for people
    attempts: int = 1  # every request made: retries, redirect hops, HEAD then GET, TLS probe
    elapsed: float = 0.0  # seconds from the first attempt, time queued for slots left out
    tls_ok_unverified: bool | None = None  # for tls_error: did it answer < 400 unverified?
    unreachable: bool = False  # no connection at all: no address, refused, or no route to it
    started_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.timezone.utc))

    def text(self) -> str:
        """The body decoded with the charset its Content-Type names (UTF-8 by default)."""
        return decode_text(self.body, self.headers.get("content-type"))


class FetchError(VerifierError):
    """fetch_one got no usable answer; `result` says why."""

    def __init__(self, result: FetchResult) -> None:
        super().__init__(f"{result.url}: {result.detail}")
        self.result = result
        self.url = result.url
        self.kind = result.failure or ""


class _OverrideResolver(AbstractResolver):
    """Answers for the hosts in the `resolve` setting; asks the system for all others."""

    def __init__(self, overrides: tuple[HostOverride, ...]) -> None:
        self._overrides = overrides
        self._default = aiohttp.ThreadedResolver()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        for item in self._overrides:
            if item.host == host.lower().rstrip(".") and item.port in (None, port):
                if item.address == UNRESOLVABLE:
                    raise OSError(socket.EAI_NONAME, f"{host} does not resolve (resolve setting)")
                fam = socket.AF_INET6 if ":" in item.address else socket.AF_INET
                return [ResolveResult(hostname=host, host=item.address, port=port, family=fam,
                                      proto=0, flags=socket.AI_NUMERICHOST)]
        return await self._default.resolve(host, port, family)

    async def close(self) -> None:
        await self._default.close()


@dataclass
class _Guard:
    """The address rule for one request, read by the socket factory (through `_GUARD`)."""

    judge: bool  # False: allow-private, an allowed endpoint, or a connection to a proxy
    tried: int = 0
    refused: list[str] = field(default_factory=list)


# Set by each request for the sockets it opens; a context variable, because aiohttp opens them
# deep inside the request's task (or in tasks copied from its context, for happy eyeballs).
_GUARD: contextvars.ContextVar[_Guard | None] = contextvars.ContextVar("guard", default=None)


def _open_socket(addr_info: tuple[object, ...]) -> socket.socket:
    """aiohttp's socket factory: the last place an address is judged before connecting."""
    family, kind, proto, _, address = addr_info
    guard = _GUARD.get()
    if guard is not None and guard.judge:
        guard.tried += 1
        why = refusal(str(address[0]))  # type: ignore[index]
        if why is not None:
            guard.refused.append(why)
            raise OSError(errno.EACCES, f"refused: {why}")
    return socket.socket(family=family, type=kind, proto=proto)  # type: ignore[arg-type]


class _HostGate:
    """One host's share of the limits: `per_host` slots, and `interval` between starts."""

    def __init__(self, per_host: int, interval: float) -> None:
        self._slots = asyncio.Semaphore(max(1, per_host))
        self._turn = asyncio.Lock()  # one request at a time waits out the interval
        self._interval = interval
        self._starts: list[float] = []  # the starts that count, within the last interval
        self._given_back = asyncio.Event()  # a start stopped counting: the wait may be over

    def _wait(self) -> float:
        return max(self._starts, default=float("-inf")) + self._interval - monotonic()

    @asynccontextmanager
    async def enter(self, global_slots: asyncio.Semaphore) -> AsyncIterator[Callable[[], None]]:
        """Hold a host slot and a global slot, started at least `interval` after the last.

        Yields what to call when the request never reached the host (no address, refused):
        the interval spares a host requests, and this one cost it nothing, so no request waits
        for it, not even one already waiting.
        """
        async with self._slots:
            async with self._turn:
                while (wait := self._wait()) > 0:
                    self._given_back.clear()
                    with suppress(TimeoutError):
                        async with asyncio.timeout(wait):
                            await self._given_back.wait()
                # Taken last, so no global slot idles while a host's queue waits; and under the
                # turn lock, so the start recorded is the real one.
                await global_slots.acquire()
                started = monotonic()
                self._starts = [s for s in self._starts if s > started - self._interval]
                self._starts.append(started)

            def unreached() -> None:
                if started in self._starts:
                    self._starts.remove(started)
                    self._given_back.set()

            try:
                yield unreached
            finally:
                global_slots.release()


class _Clock:
    """Attempts made and time spent for one URL, time queued for slots left out."""

    def __init__(self, started_at: dt.datetime) -> None:
        self.started_at = started_at
        self.attempts = 0
        self._first: float | None = None
        self._queued = 0.0

    def start(self, queued: float) -> None:
        if self._first is None:
            self._first = monotonic()
        else:
            self._queued += queued
        self.attempts += 1

    def elapsed(self) -> float:
        return 0.0 if self._first is None else monotonic() - self._first - self._queued


@dataclass
class _Answer:
    """One request's outcome while it is being worked out."""

    url: str
    status: int | None = None
    headers: Headers = Headers()
    body: bytes = b""
    failure: Failure | None = None
    detail: str = ""
    cert_error: bool = False
    tls_ok_unverified: bool | None = None
    location: str | None = None  # of a redirect
    unreachable: bool = False  # no connection could be made: the host never saw the request

    def fail(self, failure: Failure, detail: str) -> None:
        self.failure = failure
        self.detail = f"HTTP {self.status}, then {detail}" if self.status else detail

    def transient(self) -> bool:
        if self.failure is not None:
            return self.failure in ("timeout", "connection_error")
        # 501 says the method will never work here: retrying cannot help.
        return self.status == 429 or (self.status is not None and self.status >= 500
                                      and self.status != 501)


@dataclass(frozen=True)
class _Hop:
    """One URL to request: its normal form, and the same as yarl sends it (never re-quoted)."""

    normal: NormalizedUrl
    url: URL

    @property
    def host(self) -> str:
        return self.normal.host

    @property
    def port(self) -> int:
        return self.normal.port or _DEFAULT_PORTS[self.normal.scheme]

    def __str__(self) -> str:
        return self.normal.url


def _parse(text: str, base: _Hop | None = None) -> tuple[_Hop | None, str]:
    """An absolute http(s) URL to request, or None and why it is not one.

    `base` is the URL a redirect came from: `text` is then its Location, resolved against it.
    """
    text = text.strip()
    if base is not None:
        # Browsers send a Location's spaces percent-encoded; the rest is normalize's to judge.
        try:
            text = urllib.parse.urljoin(base.normal.url, text.replace(" ", "%20"))
        except ValueError as exc:  # e.g. an unclosed IPv6 bracket
            return None, f"not a valid URL: {exc}"
    normal = normalize(text)
    if isinstance(normal, InvalidUrl):
        return None, f"not a valid URL: {normal.reason}"
    try:
        return _Hop(normal, URL(normal.url, encoded=True)), ""
    except (ValueError, TypeError) as exc:  # what yarl refuses of a normalised URL
        return None, f"not a valid URL: {exc}"


def _shown(url: str, target: _Hop | None) -> str:
    """How a result names the URL asked for: as asked, but never with its credentials."""
    if target is not None and target.normal.userinfo:
        return target.normal.url
    return redact(url.strip())


def _basic_auth(userinfo: str) -> str | None:
    """The Authorization header of a URL's `user:password@`, None when it has none."""
    if not userinfo:
        return None
    user, _, password = userinfo.partition(":")
    if not (user or password):
        return None
    pair = f"{urllib.parse.unquote(user)}:{urllib.parse.unquote(password)}"
    return "Basic " + base64.b64encode(pair.encode("utf-8")).decode("ascii")  # RFC 7617


@dataclass(frozen=True)
class _Request:
    """What one fetch asks for, and which headers each of its hops may carry."""

    first: _Hop
    headers: dict[str, str]  # the caller's, for the first hop's origin
    authorization: str | None  # from the URL's own user:password@
    same_host_only: bool = False

    def headers_for(self, hop: _Hop, rule: DomainRule | None) -> dict[str, str]:
        """The headers `hop` gets: its domain rule's, then the caller's and the URL's
        credentials when it is the first hop's origin (content negotiation wherever)."""
        headers = dict(rule.headers) if rule else {}
        if hop.normal.origin == self.first.normal.origin:
            headers.update(self.headers)
            if self.authorization is not None:
                headers["Authorization"] = self.authorization
        else:
            headers.update((k, v) for k, v in self.headers.items()
                           if k.lower() in _PORTABLE_HEADERS)
        return headers


class Fetcher:
    """Fetches URLs under the settings' limits: `async with Fetcher(settings) as fetcher`."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._session: aiohttp.ClientSession | None = None
        self._slots = asyncio.Semaphore(max(1, settings.concurrency))
        self._gates: dict[str, _HostGate] = {}
        self._rules: dict[str, DomainRule | None] = {}  # by host, as the settings never change
        self._policy: AddressPolicy = settings.address_policy()
        self._resolver: _OverrideResolver | None = None
        # Read once: aiohttp's trust_env looks them (and ~/.netrc) up in a thread per request,
        # which costs more than the request itself on a fast network.
        self._proxies = urllib.request.getproxies_environment()

    async def __aenter__(self) -> Fetcher:
        s = self._settings
        # The limits are ours (_HostGate); a pool limit would queue requests whose deadline runs.
        self._resolver = _OverrideResolver(s.resolve)
        connector = aiohttp.TCPConnector(limit=0, limit_per_host=0, resolver=self._resolver,
                                         socket_factory=_open_socket)
        self._session = aiohttp.ClientSession(
            connector=connector,
            trust_env=False,  # proxies from the environment are applied per request above
            headers={"User-Agent": s.effective_user_agent(), "Accept-Encoding": ACCEPT_ENCODING},
            timeout=aiohttp.ClientTimeout(total=None, connect=s.connect_timeout,
                                          sock_connect=s.connect_timeout),
            auto_decompress=False,  # BodyReader decompresses within the cap
            max_line_size=_LONG_LINES,
            max_field_size=_LONG_LINES,
        )
        # aiohttp silently resends an idempotent request once when the connection drops; the
        # retries here are ours, counted in `attempts` and spaced by the host's interval.
        self._session._retry_connection = False
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def fetch(
        self, url: str, *, head_first: bool = False, headers: Mapping[str, str] | None = None,
        same_host_only: bool = False,
    ) -> FetchResult:
        """Fetch `url`, following redirects (HEAD first if asked); never raises for the network.

        `headers` go to `url`'s origin (see the module's policy). `same_host_only` stops at a
        redirect to another host and answers with it: an archived redirect points at the live
        site, which an archive lookup must not touch.
        """
        clock = _Clock(self._settings.current_time())
        target, problem = _parse(url)
        shown = _shown(url, target)
        if target is None:
            answer = _Answer(shown, failure="invalid_url", detail=problem)
            return _result(shown, "GET", clock, [], answer)
        request = _Request(target, dict(headers or {}), _basic_auth(target.normal.userinfo),
                           same_host_only)
        if head_first:
            head = await self._follow(shown, request, "HEAD", clock)
            # Many servers mishandle HEAD (405, 501, 403, hangs): only a clean answer is trusted.
            if head.failure in ("dns_error", "refused_address") or (
                    head.failure is None and (head.status or 0) < 400):
                return head
        return await self._follow(shown, request, "GET", clock)

    async def _follow(self, url: str, request: _Request, method: str, clock: _Clock,
                      ) -> FetchResult:
        """Request the target and the redirects it leads to, one recorded hop at a time."""
        hops: list[Redirect] = []
        current = request.first
        seen = {self._request_key(current.url)}
        while True:
            headers = request.headers_for(current, self._rule_for(current.host))
            answer = await self._retrying(current, method, headers, clock)
            # Only GET's verdict is final; a HEAD that failed TLS is followed by a GET anyway.
            if answer.cert_error and method == "GET":
                unverified = await self._attempt(current, method, headers, clock, verify=False)
                answer.tls_ok_unverified = unverified.status is not None and unverified.status < 400
                answer.detail += ("; without verification it answered "
                                  + (f"HTTP {unverified.status}" if unverified.status
                                     else unverified.detail))
            if answer.failure or answer.location is None or answer.status is None:
                return _result(url, method, clock, hops, answer)
            hops.append(Redirect(str(current), answer.status))
            following, problem = _parse(answer.location, base=current)
            if following is None:
                answer.failure = "invalid_url"
                answer.detail = f"redirected to {redact(answer.location)!r}: {problem}"
            elif len(hops) > self._settings.max_redirects:
                answer.failure = "redirect_loop"
                answer.detail = f"more than {self._settings.max_redirects} redirects"
            elif request.same_host_only and following.host != current.host:
                answer.detail = f"HTTP {answer.status}: redirects to another host, not followed"
            elif self._request_key(following.url) in seen:
                answer.failure = "redirect_loop"
                answer.detail = f"redirect loop: {current} sends back to {following}"
            else:
                seen.add(self._request_key(following.url))
                current = following
                continue
            return _result(url, method, clock, hops, answer)

    def _request_key(self, url: URL) -> tuple[str, str]:
        """What makes two requests the same: the URL and the cookies that go with it."""
        # A site that redirects to set a cookie and back to the same URL is not looping.
        assert self._session is not None
        if not len(self._session.cookie_jar):  # no cookie yet: skip building a jar's filter
            return str(url.with_fragment(None)), ""
        cookies = self._session.cookie_jar.filter_cookies(url)
        return str(url.with_fragment(None)), cookies.output(header="", sep=";")

    async def _retrying(
        self, url: _Hop, method: str, headers: dict[str, str], clock: _Clock
    ) -> _Answer:
        """One hop, tried again while its failure is transient; the waits hold no slot."""
        s = self._settings
        retries = 0 if method == "HEAD" else s.retries  # a doubtful HEAD is settled by GET
        attempt = 0
        while True:
            answer = await self._attempt(url, method, headers, clock)
            if not answer.transient():
                return answer
            if attempt >= retries:
                if attempt:
                    answer.detail += f" (after {attempt + 1} attempts)"
                return answer
            delay = s.retry_backoff * 2**attempt * (1 + random.uniform(0, 0.5))
            # The server's clock is the real one, whatever the `now` setting says.
            asked = retry_after_seconds(answer.headers.get("retry-after"),
                                        dt.datetime.now(dt.timezone.utc))
            if asked is not None and answer.failure is None:
                if asked > s.retry_after_max:
                    answer.detail += (f"; asked to retry after {asked:g} s, more than "
                                      f"retry_after_max ({s.retry_after_max:g} s): not retried")
                    return answer
                delay = max(delay, asked)
            await asyncio.sleep(delay)
            attempt += 1

    async def post(
        self, url: str, form: Mapping[str, str], headers: Mapping[str, str] | None = None
    ) -> FetchResult:
        """POST a form once, under the same limits and deadline; redirects are not followed.

        Not retried: a POST may have taken effect before its answer was lost.
        """
        clock = _Clock(self._settings.current_time())
        target, problem = _parse(url)
        shown = _shown(url, target)
        if target is None:
            return _result(shown, "POST", clock, [], _Answer(shown, failure="invalid_url",
                                                             detail=problem))
        request = _Request(target, dict(headers or {}), _basic_auth(target.normal.userinfo))
        answer = await self._attempt(target, "POST", request.headers_for(
            target, self._rule_for(target.host)), clock, form=form)
        return _result(shown, "POST", clock, [], answer)

    async def _attempt(
        self, url: _Hop, method: str, headers: dict[str, str], clock: _Clock, *,
        verify: bool = True, form: Mapping[str, str] | None = None,
    ) -> _Answer:
        """One request within the deadline; its slots are taken first, so queueing is not timed."""
        assert self._session is not None, "use Fetcher as an async context manager"
        host = url.host
        answer = _Answer(str(url))
        judge = self._policy.judges(host, url.port)
        proxy = self._proxy_for(url.url)
        why = self._policy.refuse_host(host, url.port)
        if why is None and judge and proxy is not None:
            why = await self._refuse_by_lookup(host, url.port)
        if why is not None:
            answer.fail("refused_address", f"not fetched: {why} ({_ALLOW_HINT})")
            return answer
        # A proxy is the user's choice: it is the target, not the proxy, that is judged.
        guard = _Guard(judge and proxy is None)
        token = _GUARD.set(guard)
        queued_from = monotonic()
        try:
            async with self._gate(host, self._rule_for(host)).enter(self._slots) as unreached:
                clock.start(monotonic() - queued_from)
                await self._send(url, method, headers, answer, verify, proxy, form)
                if answer.unreachable:
                    unreached()
        finally:
            _GUARD.reset(token)
        if guard.refused and len(guard.refused) == guard.tried and answer.status is None:
            answer.failure = None
            answer.fail("refused_address", f"not fetched: {guard.refused[0]} ({_ALLOW_HINT})")
        return answer

    async def _send(self, url: _Hop, method: str, headers: dict[str, str], answer: _Answer,
                    verify: bool, proxy: str | None, form: Mapping[str, str] | None) -> None:
        """Send one request and read its answer into `answer`; every network error caught."""
        s = self._settings
        assert self._session is not None
        try:
            async with asyncio.timeout(s.timeout):
                async with self._session.request(
                    method, url.url, headers=headers, allow_redirects=False, ssl=verify,
                    proxy=proxy, data=dict(form) if form is not None else None,
                ) as response:
                    answer.status = response.status
                    answer.headers = Headers(response.headers.items())
                    answer.detail = f"HTTP {response.status}"
                    if response.status in _REDIRECTS and "location" in answer.headers:
                        answer.location = answer.headers["location"]
                    elif method != "HEAD":
                        await _read_body(response, answer, s.max_body_bytes)
        except TimeoutError:
            what = "complete body" if answer.status else "response"
            answer.fail("timeout", f"no {what} within {s.timeout:g} s")
        except aiohttp.ClientConnectorDNSError as exc:
            answer.unreachable = True
            answer.fail("dns_error", f"cannot resolve {url.host}: {exc.os_error}")
        except aiohttp.ClientConnectorCertificateError as exc:
            answer.cert_error = True
            answer.fail("tls_error", f"certificate not accepted: {exc.certificate_error}")
        except (aiohttp.ClientSSLError, aiohttp.ServerFingerprintMismatch) as exc:
            answer.fail("tls_error", f"TLS failed: {exc}")
        except aiohttp.ClientHttpProxyError as exc:
            answer.fail("connection_error", f"the proxy refused: HTTP {exc.status}")
        except aiohttp.ClientResponseError as exc:  # a response aiohttp cannot parse
            answer.fail("connection_error", f"bad response: {exc.message}")
        except aiohttp.ClientConnectorError as exc:
            answer.unreachable = exc.os_error.errno in _NO_CONNECTION
            answer.fail("connection_error", f"cannot connect to {url.host}:{url.port}: "
                                            f"{exc.os_error.strerror or exc.os_error}")
        except (aiohttp.ClientError, OSError) as exc:
            answer.fail("connection_error", f"connection failed: {exc or type(exc).__name__}")
        except (ValueError, UnicodeError) as exc:  # what yarl or aiohttp refuse to send
            answer.fail("invalid_url", f"cannot request {url}: {exc}")

    async def _refuse_by_lookup(self, host: str, port: int) -> str | None:
        """Behind a proxy: why the target's own addresses are refused, looked up here."""
        assert self._resolver is not None
        try:
            found = await self._resolver.resolve(host, port, socket.AF_UNSPEC)
        except OSError:
            return None  # a name only the proxy knows: not ours to judge
        for item in found:
            why = self._policy.refuse_address(item["host"])
            if why is not None:
                return f"{host} resolves to {why}"
        return None

    def _proxy_for(self, url: URL) -> str | None:
        """The proxy the environment names for this URL (HTTP_PROXY, HTTPS_PROXY, NO_PROXY)."""
        proxy = self._proxies.get(url.scheme)
        bypass = urllib.request.proxy_bypass_environment  # type: ignore[attr-defined]
        if proxy is None or bypass(url.raw_host or "", self._proxies):
            return None
        return proxy

    def _rule_for(self, host: str) -> DomainRule | None:
        if host not in self._rules:
            self._rules[host] = self._settings.rule_for(host)
        return self._rules[host]

    def _gate(self, host: str, rule: DomainRule | None) -> _HostGate:
        gate = self._gates.get(host)
        if gate is None:
            s = self._settings
            per_host = rule.per_host if rule and rule.per_host is not None else s.per_host
            interval = (rule.host_interval if rule and rule.host_interval is not None
                        else s.host_interval)
            gate = self._gates[host] = _HostGate(per_host, interval)
        return gate


async def _read_body(response: aiohttp.ClientResponse, answer: _Answer, cap: int) -> None:
    """Read the body into `answer`, stopping at the cap, compressed or not."""
    reader = BodyReader(response.headers.get("Content-Encoding", ""), cap)
    async for chunk in response.content.iter_any():
        if not reader.feed(chunk):
            break
    else:
        reader.ended()
    answer.body = reader.body()
    if reader.too_large:
        how = "as received" if reader.received > cap else "once decompressed"
        answer.fail("too_large", f"the body is over max_body_bytes ({cap} bytes {how}): cut off")
    if reader.note:
        answer.detail += f"; {reader.note}"


def _result(
    url: str, method: str, clock: _Clock, hops: list[Redirect], answer: _Answer
) -> FetchResult:
    detail = answer.detail
    if hops and answer.failure != "redirect_loop":
        detail += f" (after {len(hops)} redirect{'s' if len(hops) != 1 else ''})"
    return FetchResult(
        url=url, method=method, status=answer.status, final_url=answer.url,
        redirects=tuple(hops), headers=answer.headers, body=answer.body, failure=answer.failure,
        detail=detail, attempts=clock.attempts, elapsed=clock.elapsed(),
        tls_ok_unverified=answer.tls_ok_unverified, unreachable=answer.unreachable,
        started_at=clock.started_at,
    )


async def fetch_all(
    urls: Iterable[str], settings: Settings, *, head_first: bool = False,
    on_result: Callable[[FetchResult], None] | None = None,
) -> list[FetchResult]:
    """Fetch every URL under the limits; results in input order, `on_result` as each one ends."""
    wanted = list(urls)  # a URL given twice is fetched, and reported to on_result, once
    async with Fetcher(settings) as fetcher:
        tasks = {u: asyncio.ensure_future(fetcher.fetch(u, head_first=head_first))
                 for u in dict.fromkeys(wanted)}
        try:
            for finished in asyncio.as_completed(tasks.values()):
                result = await finished
                if on_result is not None:
                    on_result(result)
        finally:
            for task in tasks.values():
                task.cancel()
    return [tasks[u].result() for u in wanted]


def fetch_one(url: str, settings: Settings, accept: str = "*/*") -> FetchResult:
    """Fetch a single URL from synchronous code; FetchError when no usable answer came."""

    async def run() -> FetchResult:
        async with Fetcher(settings) as fetcher:
            return await fetcher.fetch(url, headers={"Accept": accept})

    result = asyncio.run(run())
    if result.failure is not None:
        raise FetchError(result)
    return result
