"""The one HTTP layer: every request verifier makes goes through here.

Written policy (the link checker builds on it): every request has a total deadline covering
connect, headers and body; bodies are read up to a cap; the User-Agent names verifier; proxy
variables are honoured (`trust_env`); hosts can be mapped to addresses (`resolve` setting).
aiohttp is the only library whose exceptions this module sees.
"""

from __future__ import annotations

import asyncio
import socket
from dataclasses import dataclass

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult

from verifier.errors import VerifierError
from verifier.settings import HostOverride, Settings


class FetchError(VerifierError):
    """A request failed: `kind` says how (timeout, dns_error, connection_error, too_large...)."""

    def __init__(self, url: str, kind: str, detail: str) -> None:
        super().__init__(f"{url}: {detail}")
        self.url = url
        self.kind = kind


@dataclass(frozen=True)
class Fetched:
    url: str
    final_url: str
    status: int
    content_type: str
    charset: str | None
    body: bytes

    def text(self) -> str:
        return self.body.decode(self.charset or "utf-8", errors="replace")


class _OverrideResolver(AbstractResolver):
    """Answers for the hosts in the `resolve` setting; asks the system for all others."""

    def __init__(self, overrides: tuple[HostOverride, ...]) -> None:
        self._overrides = overrides
        self._default = aiohttp.ThreadedResolver()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        for item in self._overrides:
            if item.host == host.lower() and item.port in (None, port):
                fam = socket.AF_INET6 if ":" in item.address else socket.AF_INET
                return [ResolveResult(hostname=host, host=item.address, port=port, family=fam,
                                      proto=0, flags=socket.AI_NUMERICHOST)]
        return await self._default.resolve(host, port, family)

    async def close(self) -> None:
        await self._default.close()


def make_session(settings: Settings) -> aiohttp.ClientSession:
    """A session carrying the settings' limits, resolver, proxy use and User-Agent."""
    connector = aiohttp.TCPConnector(
        limit=settings.concurrency,
        limit_per_host=settings.per_host,
        resolver=_OverrideResolver(settings.resolve),
    )
    return aiohttp.ClientSession(
        connector=connector,
        trust_env=True,
        headers={"User-Agent": settings.effective_user_agent()},
        timeout=aiohttp.ClientTimeout(total=settings.timeout, sock_connect=settings.connect_timeout),
    )


async def get(
    session: aiohttp.ClientSession, url: str, settings: Settings, accept: str = "*/*"
) -> Fetched:
    """GET `url` within the total deadline, reading at most `max_body_bytes`."""
    try:
        async with asyncio.timeout(settings.timeout):
            async with session.get(
                url, headers={"Accept": accept}, max_redirects=settings.max_redirects
            ) as response:
                body = bytearray()
                async for chunk in response.content.iter_chunked(65536):
                    body.extend(chunk)
                    if len(body) > settings.max_body_bytes:
                        raise FetchError(url, "too_large",
                                         f"body larger than {settings.max_body_bytes} bytes")
                return Fetched(
                    url=url,
                    final_url=str(response.url),
                    status=response.status,
                    content_type=response.content_type,
                    charset=response.charset,
                    body=bytes(body),
                )
    except TimeoutError:
        raise FetchError(url, "timeout", f"no complete answer within {settings.timeout:g} s") from None
    except aiohttp.TooManyRedirects:
        raise FetchError(url, "redirect_loop", "too many redirects") from None
    except aiohttp.ClientConnectorDNSError as exc:
        raise FetchError(url, "dns_error", f"cannot resolve host: {exc.os_error}") from None
    except aiohttp.ClientSSLError as exc:
        raise FetchError(url, "tls_error", f"TLS failed: {exc}") from None
    except aiohttp.InvalidURL:
        raise FetchError(url, "invalid_url", "not a valid URL") from None
    except (aiohttp.ClientError, OSError) as exc:
        raise FetchError(url, "connection_error", f"connection failed: {exc}") from None


def fetch_one(url: str, settings: Settings, accept: str = "*/*") -> Fetched:
    """Fetch a single URL from synchronous code."""

    async def run() -> Fetched:
        async with make_session(settings) as session:
            return await get(session, url, settings, accept)

    return asyncio.run(run())
