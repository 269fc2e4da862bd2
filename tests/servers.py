"""Real HTTP servers on loopback addresses for the tests (each 127.x address is another host)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


Route = Callable[[BaseHTTPRequestHandler], Reply]


@dataclass
class Server:
    host: str
    port: int
    log: list[tuple[str, str]]  # (method, path) of every request, in order

    @property
    def base(self) -> str:
        return f"http://{self.host}:{self.port}"


@contextmanager
def serve(routes: dict[str, Route | Reply], host: str = "127.0.0.1") -> Iterator[Server]:
    """Serve `routes` (path -> Reply, or a function of the request) until the block ends.

    The path "*" answers every path that has no route of its own.
    """
    log: list[tuple[str, str]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
            log.append(("GET", self.path))
            route = routes.get(self.path) or routes.get("*")  # "*": every other path
            reply = Reply(404, b"not found") if route is None else (
                route if isinstance(route, Reply) else route(self)
            )
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            self.wfile.write(reply.body)

        def log_message(self, format: str, *args: object) -> None:
            pass  # the tests read `log` instead

    server = ThreadingHTTPServer((host, 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Server(host, server.server_address[1], log)
    finally:
        server.shutdown()
        server.server_close()
