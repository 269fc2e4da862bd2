"""Misbehaving HTTP servers on loopback for the fetch tests (each 127.x address is another host).

A server is a coroutine `play(conn)` run for every connection on an asyncio loop in a background
thread. It reads the request when it wants to (`await conn.request()`), then answers, trickles,
stalls or resets as the test needs; the server logs every request with its arrival time and
counts requests in flight, so tests check the client's behaviour from the server's side.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import struct
import threading
import time
import zlib
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str]  # lower-case names
    at: float  # time.monotonic() when it had arrived


@dataclass
class Server:
    host: str
    port: int
    scheme: str = "http"
    log: list[Request] = field(default_factory=list)
    connections: int = 0  # accepted, whether or not a request followed
    in_flight: int = 0
    peak: int = 0  # most requests in flight at once

    @property
    def base(self) -> str:
        return f"{self.scheme}://{self.host}:{self.port}"

    def starts(self) -> list[float]:
        return [r.at for r in self.log]


class Conn:
    """One accepted connection, as a `play` coroutine sees it."""

    def __init__(self, server: Server, reader: asyncio.StreamReader,
                 writer: asyncio.StreamWriter) -> None:
        self.server, self.reader, self.writer = server, reader, writer
        self._counted = False

    async def request(self) -> Request:
        """Read the request line and headers; counts the request as in flight until `play` ends."""
        head = await self.reader.readuntil(b"\r\n\r\n")
        line, *fields = head.decode("latin-1").split("\r\n")
        method, path, _ = line.split(" ", 2)
        headers = {}
        for item in fields:
            if ":" in item:
                name, value = item.split(":", 1)
                headers[name.strip().lower()] = value.strip()
        request = Request(method, path, headers, time.monotonic())
        self.server.log.append(request)
        self.server.in_flight += 1
        self.server.peak = max(self.server.peak, self.server.in_flight)
        self._counted = True
        return request

    async def send(self, data: bytes) -> None:
        self.writer.write(data)
        await self.writer.drain()

    async def respond(self, status: int = 200, body: bytes = b"",
                      headers: dict[str, str] | None = None, *, head: bool = False) -> None:
        """A whole response; `head` leaves out the body (an answer to HEAD)."""
        lines = [f"HTTP/1.1 {status} X", f"Content-Length: {len(body)}", "Connection: close"]
        lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
        await self.send(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
                        + (b"" if head else body))

    def reset(self) -> None:
        """Abort with a TCP RST (SO_LINGER 0), as a crashing server or middlebox does."""
        sock = self.writer.get_extra_info("socket")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.writer.transport.abort()

    def finished(self) -> None:
        if self._counted:
            self.server.in_flight -= 1
            self._counted = False


Play = Callable[[Conn], Awaitable[None]]


@contextmanager
def hostile(play: Play, host: str = "127.0.0.1",
            tls: ssl.SSLContext | None = None) -> Iterator[Server]:
    """Run a server that plays `play` on every connection until the block ends."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    server = Server(host, 0, "https" if tls else "http")
    tasks: set[asyncio.Task[None]] = set()

    async def on_connect(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        tasks.add(task)
        server.connections += 1
        conn = Conn(server, reader, writer)
        try:
            await play(conn)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass  # the client gave up: that is what many of these tests are about
        except asyncio.CancelledError:
            pass  # the block ended while this connection still stalled: end it quietly
        finally:
            conn.finished()
            writer.close()
            tasks.discard(task)

    async def start() -> asyncio.Server:
        return await asyncio.start_server(on_connect, host, 0, ssl=tls)

    listener = asyncio.run_coroutine_threadsafe(start(), loop).result(5)
    server.port = listener.sockets[0].getsockname()[1]

    async def stop() -> None:
        listener.close()
        for task in list(tasks):
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    try:
        yield server
    finally:
        asyncio.run_coroutine_threadsafe(stop(), loop).result(5)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)
        loop.close()


def closed_port(host: str = "127.0.0.1") -> int:
    """A port nothing listens on: connecting to it is refused."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def gzip_bomb(megabytes: int) -> bytes:
    """A valid gzip stream of `megabytes` MB of zeros, about 1 KB per MB, built in milliseconds."""
    zeros = bytes(1 << 20)
    deflate = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    # A full flush forgets the history, so every 1 MB segment compresses to the same bytes.
    segment = deflate.compress(zeros) + deflate.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(megabytes):
        crc = zlib.crc32(zeros, crc)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
    trailer = struct.pack("<II", crc, (megabytes << 20) & 0xFFFFFFFF)
    return header + segment * megabytes + deflate.flush() + trailer
