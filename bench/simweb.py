"""A simulated web for benchmarks: one asyncio server answering for many loopback hosts.

Every host 127.0.0.2 .. 127.0.0.(hosts+1) listens on the same port (every 127.x address reaches
this machine); each request is answered after a fixed latency (default 50 ms). The first part
of the path says how to answer; each behaviour has one truth class, which a link checker should
report (`BEHAVIOURS`, the one place they are written down):

    /ok/page-N        200, a small HTML page                            alive
    /redirect/page-N  301 to /ok/page-N on the same host                alive
    /slow/page-N      200, after the latency plus --slow-extra (0.2 s)  alive
    /404/page-N       404                                               dead
    /gone/page-N      410                                               dead
    /error/page-N     500                                               dead
    /reset/page-N     the connection is closed with no answer           dead
    anything else     404 (so soft-404 probes and robots.txt are answered honestly)

Every response carries a `LinkChecker: yes` header: that is how a site tells LinkChecker it may
go above 10 requests/s per host (without it LinkChecker ignores a higher maxrequestspersecond);
other clients ignore it.

The server keeps a log of every request (host, path, method, start and end times, status) and
the most requests it had in flight per host. Run as a script it reads commands on stdin, one a
line, and answers on stdout: `reset` (clear the log), `dump PATH` (write the log as JSON to
PATH, then clear it), `latency SECONDS [SLOW_EXTRA]`; end of input stops it. It starts by printing
`ready PORT` (with --port 0, the default, one port free on every host address is chosen).

    python bench/simweb.py serve --hosts 200 --latency 0.05
    python bench/simweb.py load --hosts 200 --port PORT --urls 3000 --concurrency 128

`load` is a minimal client (raw asyncio, keep-alive, reading no more than the status line,
Location and Content-Length) that GETs the same URLs the benchmarks give the link checkers
(`url_set`): the server's ceiling on this machine, with next to no client work.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import os
import random
import re
import select
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PAGE = (b"<html><head><title>A page</title></head><body>" + b"Some text. " * 200
        + b"</body></html>")


@dataclass(frozen=True)
class Behaviour:
    name: str  # the first part of the path
    truth: str  # "alive" or "dead": what a link checker should report
    status: int  # HTTP status answered; 0: the connection is closed with no answer
    share: float  # of the URLs in the default mix
    what: str


BEHAVIOURS: dict[str, Behaviour] = {b.name: b for b in (
    Behaviour("ok", "alive", 200, 0.86, "200, a small HTML page"),
    Behaviour("redirect", "alive", 301, 0.05, "301 to /ok/page-N on the same host"),
    Behaviour("slow", "alive", 200, 0.01, "200 after the latency plus --slow-extra"),
    Behaviour("404", "dead", 404, 0.05, "404 Not Found"),
    Behaviour("gone", "dead", 410, 0.01, "410 Gone"),
    Behaviour("error", "dead", 500, 0.01, "500 Internal Server Error"),
    Behaviour("reset", "dead", 0, 0.01, "the connection is closed with no answer"),
)}
REASONS = {200: "OK", 301: "Moved Permanently", 404: "Not Found", 410: "Gone",
           500: "Internal Server Error"}
FIRST_HOST = 2  # 127.0.0.2; 127.0.0.1 is left to everything else on the machine
MAX_HOSTS = 249  # up to 127.0.0.250


def host_address(n: int) -> str:
    """The address of host n (0-based)."""
    return f"127.0.0.{FIRST_HOST + n}"


def url_set(urls: int, hosts: int, port: int, seed: int = 1) -> list[tuple[str, str]]:
    """`urls` (URL, behaviour) pairs: the default mix, spread evenly over `hosts` hosts.

    The behaviours are dealt by exact shares (rounded), then shuffled with a fixed seed, so the
    same arguments give the same URLs; URL i is on host i % hosts, so consecutive URLs are on
    different hosts, as in a real document's reference list.
    """
    if not 1 <= hosts <= MAX_HOSTS:
        raise ValueError(f"hosts must be 1..{MAX_HOSTS}")
    kinds: list[str] = []
    for b in BEHAVIOURS.values():
        kinds += [b.name] * round(b.share * urls)
    kinds = (kinds + ["ok"] * urls)[:urls]
    random.Random(seed).shuffle(kinds)
    return [(f"http://{host_address(i % hosts)}:{port}/{kind}/page-{i}", kind)
            for i, kind in enumerate(kinds)]


_PATH = re.compile(r"/([a-z0-9]+)/page-([0-9]+)")


def behaviour_of(path: str) -> Behaviour | None:
    """The behaviour of /KIND/page-N; None for any other path (answered 404: soft-404 probes,
    robots.txt, /ok/anything-else)."""
    match = _PATH.fullmatch(path)
    return BEHAVIOURS.get(match.group(1)) if match else None


# --- the server ----------------------------------------------------------------------------------

class Web:
    """The state every connection shares: settings, the request log, per-host counts."""

    def __init__(self, latency: float, slow_extra: float) -> None:
        self.latency = latency
        self.slow_extra = slow_extra
        self.clock = time.monotonic
        self.log: list[tuple[str, str, str, float, float, int]] = []
        self.in_flight: collections.Counter[str] = collections.Counter()
        self.max_in_flight: collections.Counter[str] = collections.Counter()

    def reset(self) -> None:
        self.log = []
        self.max_in_flight = collections.Counter(self.in_flight)

    def snapshot(self) -> dict[str, Any]:
        return {"fields": ["host", "path", "method", "start", "end", "status"],
                "log": self.log, "max_in_flight": dict(self.max_in_flight)}


class Connection(asyncio.Protocol):
    """One client connection: HTTP/1.1 with keep-alive, requests answered one at a time."""

    def __init__(self, web: Web) -> None:
        self.web = web
        self.transport: asyncio.Transport | None = None
        self.host = "?"
        self.buffer = b""
        self.pending: collections.deque[tuple[str, str, bool]] = collections.deque()
        self.busy = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self.host = str(transport.get_extra_info("sockname")[0])

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while b"\r\n\r\n" in self.buffer:
            head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
            lines = head.split(b"\r\n")
            try:
                method, path, version = lines[0].decode("latin-1").split(" ", 2)
            except ValueError:
                self.close()
                return
            lowered = head.lower()
            close = (b"\r\nconnection: close" in lowered
                     or (version == "HTTP/1.0" and b"\r\nconnection: keep-alive" not in lowered))
            self.pending.append((method, path, close))
        self.next()

    def next(self) -> None:
        if self.busy or not self.pending or self.transport is None:
            return
        self.busy = True
        method, path, close = self.pending.popleft()
        web = self.web
        started = web.clock()
        web.in_flight[self.host] += 1
        if web.in_flight[self.host] > web.max_in_flight[self.host]:
            web.max_in_flight[self.host] = web.in_flight[self.host]
        behaviour = behaviour_of(path)
        slow = behaviour is not None and behaviour.name == "slow"
        delay = web.latency + (web.slow_extra if slow else 0.0)
        asyncio.get_running_loop().call_later(delay, self.answer, method, path, close, started)

    def answer(self, method: str, path: str, close: bool, started: float) -> None:
        web = self.web
        web.in_flight[self.host] -= 1
        self.busy = False
        behaviour = behaviour_of(path)
        status = behaviour.status if behaviour else 404
        web.log.append((self.host, path, method, started, web.clock(), status))
        if self.transport is None:
            return
        if status == 0:
            self.transport.abort()
            return
        extra = b""
        if status == 200:
            body = PAGE
        else:
            body = b"<html><body>%d</body></html>" % status
            if status == 301:
                extra = b"Location: /ok/" + path.split("/", 2)[2].encode() + b"\r\n"
        self.transport.write(
            b"HTTP/1.1 %d %s\r\nContent-Type: text/html; charset=utf-8\r\n"
            b"Content-Length: %d\r\nLinkChecker: yes\r\n%s%s\r\n"
            % (status, REASONS[status].encode(), len(body), extra,
               b"Connection: close\r\n" if close else b"")
            + (b"" if method == "HEAD" else body))
        if close:
            self.close()
        else:
            self.next()

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()
            self.transport = None


async def start(web: Web, hosts: int, port: int) -> tuple[list[asyncio.Server], int]:
    """Listen on every host's address, on `port`, or on one free port shared by all when 0."""
    loop = asyncio.get_running_loop()
    for _ in range(20):
        servers: list[asyncio.Server] = []
        try:
            first = await loop.create_server(lambda: Connection(web), host_address(0), port,
                                             backlog=4096, reuse_address=True)
            servers.append(first)
            chosen = int(first.sockets[0].getsockname()[1])
            for n in range(1, hosts):
                servers.append(await loop.create_server(
                    lambda: Connection(web), host_address(n), chosen, backlog=4096,
                    reuse_address=True))
            return servers, chosen
        except OSError:
            for server in servers:
                server.close()
            if port:
                raise
    raise OSError("no port free on every host address")


async def serve(hosts: int, port: int, latency: float, slow_extra: float) -> None:
    """Serve until stdin closes, answering the commands read from it (see the module doc)."""
    web = Web(latency, slow_extra)
    servers, port = await start(web, hosts, port)
    loop = asyncio.get_running_loop()
    done = loop.create_future()

    def command(line: str) -> None:
        words = line.strip().split(maxsplit=1)
        if not words:
            return
        if words[0] == "reset":
            web.reset()
            reply = "ok"
        elif words[0] == "latency" and len(words) == 2:
            values = [float(v) for v in words[1].split()]
            web.latency = values[0]
            web.slow_extra = values[1] if len(values) > 1 else web.slow_extra
            reply = "ok"
        elif words[0] == "dump" and len(words) == 2:
            with open(words[1], "w", encoding="utf-8") as handle:
                json.dump(web.snapshot(), handle)
            reply = f"ok {len(web.log)}"
            web.reset()
        else:
            reply = f"error: unknown command {line.strip()!r}"
        print(reply, flush=True)

    def finish() -> None:
        if not done.done():
            done.set_result(None)

    def read_commands() -> None:
        for line in sys.stdin:
            loop.call_soon_threadsafe(command, line)
        loop.call_soon_threadsafe(finish)

    threading.Thread(target=read_commands, daemon=True).start()
    print(f"ready {port}", flush=True)
    await done
    for server in servers:
        server.close()


class SimWeb:
    """The simulated web in its own process, driven through its stdin (a context manager)."""

    def __init__(self, hosts: int, latency: float, slow_extra: float = 0.2,
                 port: int = 0) -> None:
        self.hosts, self.latency = hosts, latency
        self.process = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "serve", "--hosts", str(hosts),
             "--port", str(port), "--latency", str(latency), "--slow-extra", str(slow_extra)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        try:
            words = self._reply(60).split()
            if words[:1] != ["ready"]:
                raise RuntimeError(f"the simulated web did not start: {words}")
            self.port = int(words[1])
        except BaseException:
            self.close()
            raise

    def _reply(self, timeout: float) -> str:
        assert self.process.stdout is not None
        ready, _, _ = select.select([self.process.stdout], [], [], timeout)
        if not ready:
            raise TimeoutError("the simulated web did not answer")
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"the simulated web stopped (exit {self.process.poll()})")
        return line.strip()

    def command(self, line: str, timeout: float = 60) -> str:
        assert self.process.stdin is not None
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()
        reply = self._reply(timeout)
        if not reply.startswith("ok"):
            raise RuntimeError(f"simulated web: {line!r}: {reply}")
        return reply

    def dump(self, path: Path) -> dict[str, Any]:
        """The log since the last reset or dump, which it clears."""
        self.command(f"dump {path}")
        with open(path, encoding="utf-8") as handle:
            data: dict[str, Any] = json.load(handle)
        return data

    def cpu_seconds(self) -> float:
        """User and system CPU time the server process has used so far."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def close(self) -> None:
        if self.process.stdin is not None and not self.process.stdin.closed:
            try:
                self.process.stdin.close()
            except OSError:
                pass
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()

    def __enter__(self) -> SimWeb:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# --- the minimal client that measures the server's ceiling ---------------------------------------

async def load(urls: list[str], concurrency: int) -> dict[str, Any]:
    """GET every URL with `concurrency` requests in flight over keep-alive connections, reading
    only the status line, Location and Content-Length; a redirect is followed once, a closed
    connection counts as an answer. Returns URLs/s."""
    idle: dict[tuple[str, int], list[tuple[asyncio.StreamReader, asyncio.StreamWriter]]] = (
        collections.defaultdict(list))
    work: Iterator[str] = iter(urls)
    errors = 0

    async def get(address: str, port: int, path: str) -> str | None:
        pool = idle[(address, port)]
        reader, writer = pool.pop() if pool else await asyncio.open_connection(address, port)
        writer.write(f"GET {path} HTTP/1.1\r\nHost: {address}:{port}\r\n\r\n".encode())
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()  # the /reset/ pages: closed with no answer
            return None
        length, location = 0, None
        for line in head.split(b"\r\n"):
            name = line[:16].lower()
            if name.startswith(b"content-length:"):
                length = int(line[15:])
            elif name.startswith(b"location:"):
                location = line[9:].strip().decode()
        await reader.readexactly(length)
        pool.append((reader, writer))
        return location

    async def worker() -> None:
        nonlocal errors
        for url in work:
            parts = urllib.parse.urlsplit(url)
            address, port = parts.hostname or "", parts.port or 80
            try:
                location = await get(address, port, parts.path)
                if location is not None:
                    await get(address, port, location)
            except (OSError, asyncio.IncompleteReadError):
                errors += 1

    started = time.monotonic()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    took = time.monotonic() - started
    for pool in idle.values():
        for _, writer in pool:
            writer.close()
    return {"urls": len(urls), "errors": errors, "seconds": round(took, 3),
            "urls_per_s": round(len(urls) / took, 1)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="The simulated web, or its load client.")
    sub = parser.add_subparsers(dest="command")
    for name in ("serve", "load"):
        p = sub.add_parser(name)
        p.add_argument("--hosts", type=int, default=200)
        p.add_argument("--port", type=int, default=0 if name == "serve" else 8899)
    serve_p = sub.choices["serve"]
    serve_p.add_argument("--latency", type=float, default=0.05)
    serve_p.add_argument("--slow-extra", type=float, default=0.2)
    load_p = sub.choices["load"]
    load_p.add_argument("--urls", type=int, default=3000)
    load_p.add_argument("--concurrency", type=int, default=128)
    args = parser.parse_args(argv if argv is not None else sys.argv[1:] or ["serve"])
    if args.command == "load":
        urls = [url for url, _ in url_set(args.urls, args.hosts, args.port)]
        print(json.dumps(asyncio.run(load(urls, args.concurrency))))
    else:
        asyncio.run(serve(args.hosts, args.port, args.latency, args.slow_extra))


if __name__ == "__main__":
    main()
