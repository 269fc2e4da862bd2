"""A simulated web for benchmarks: one asyncio server answering for many loopback hosts.

Every host 127.0.0.2 .. 127.0.0.N listens on the same port; each request is answered after a
fixed latency. Paths say what to answer: /ok/page-N, /404/..., /redirect/page-N (to
/ok/page-N); anything else 404, so soft-404 probes are answered honestly.

    python bench/simweb.py --hosts 200 --port 8899 --latency 0.05
"""

from __future__ import annotations

import argparse
import asyncio

PAGE = b"<html><head><title>A page</title></head><body>" + b"Some text. " * 200 + b"</body></html>"


async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, latency: float,
                 counts: list[int]) -> None:
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            method, path, _ = head.split(b"\r\n", 1)[0].decode().split(" ", 2)
            counts[0] += 1
            await asyncio.sleep(latency)
            if path.startswith("/ok/page-"):
                status, body, extra = 200, PAGE, b""
            elif path.startswith("/redirect/"):
                status, body = 301, b""
                extra = b"Location: /ok/" + path[len("/redirect/"):].encode() + b"\r\n"
            else:
                status, body, extra = 404, b"not found", b""
            if method == "HEAD":
                body_out = b""
            else:
                body_out = body
            writer.write(b"HTTP/1.1 %d X\r\nContent-Type: text/html\r\nContent-Length: %d\r\n%s\r\n"
                         % (status, len(body), extra) + body_out)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def main(hosts: int, port: int, latency: float) -> None:
    counts = [0]
    servers = []
    for n in range(2, hosts + 2):
        servers.append(await asyncio.start_server(
            lambda r, w: handle(r, w, latency, counts), f"127.0.0.{n}", port, backlog=1024))
    print("ready", flush=True)
    await asyncio.gather(*(s.serve_forever() for s in servers))


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--hosts", type=int, default=200)
    parser.add_argument("--port", type=int, default=8899)
    parser.add_argument("--latency", type=float, default=0.05)
    args = parser.parse_args()
    asyncio.run(main(args.hosts, args.port, args.latency))
