"""Which addresses verifier may connect to: the rule against fetching internal addresses. Pure.

verifier copies what it fetches into reports, so a claims file (or a public page, through a
redirect) must not make it read a private network or a cloud metadata service and publish what
it got. Written policy:

- Every address a socket is about to connect to is judged, however it was obtained (DNS, an
  address written in the URL in any notation, any redirect hop). Refused: every address that is
  not globally routable (the tables below, from the IANA special-purpose registries).
- An IPv4 address carried inside IPv6 (mapped `::ffff:0:0/96`, compatible `::/96`, NAT64
  `64:ff9b::/96`, 6to4 `2002::/16`, Teredo `2001::/32`) is judged as that IPv4 address.
- A host written as a number is read the way the socket layer (inet_aton) and browsers read it:
  `127.1`, `0x7f.1`, `0177.0.0.1` and `2130706433` are all 127.0.0.1.
- `localhost` and names under `.localhost` are loopback by definition (RFC 6761): refused
  without asking DNS.
- Allowed all the same: everything, with `allow-private`; the hosts of the `resolve` setting
  (the user's explicit choice); and the configured endpoints (archives, wayback-url,
  doi-resolver, wikipedia-api, spn-url), each for its own host and port only.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_V4_REFUSED: tuple[tuple[str, str], ...] = (
    ("0.0.0.0/8", "'this network'"),
    ("10.0.0.0/8", "private"),
    ("100.64.0.0/10", "carrier-grade NAT"),
    ("127.0.0.0/8", "loopback"),
    ("169.254.0.0/16", "link-local"),
    ("172.16.0.0/12", "private"),
    ("192.0.0.0/24", "IETF protocol assignments"),
    ("192.0.2.0/24", "documentation"),
    ("192.88.99.0/24", "6to4 relay anycast"),
    ("192.168.0.0/16", "private"),
    ("198.18.0.0/15", "benchmarking"),
    ("198.51.100.0/24", "documentation"),
    ("203.0.113.0/24", "documentation"),
    ("224.0.0.0/4", "multicast"),
    ("240.0.0.0/4", "reserved"),
)
_V6_REFUSED: tuple[tuple[str, str], ...] = (
    ("::/128", "unspecified"),
    ("::1/128", "loopback"),
    ("100::/64", "discard-only"),
    ("2001:db8::/32", "documentation"),
    ("fc00::/7", "unique local (private)"),
    ("fe80::/10", "link-local"),
    ("fec0::/10", "site-local"),
    ("ff00::/8", "multicast"),
)
_V4_NETS = tuple((ipaddress.IPv4Network(net), why) for net, why in _V4_REFUSED)
_V6_NETS = tuple((ipaddress.IPv6Network(net), why) for net, why in _V6_REFUSED)
_COMPATIBLE = ipaddress.IPv6Network("::/96")
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")

# One part of a numeric IPv4 host: decimal, 0x-hex or 0-octal (inet_aton and the WHATWG URL
# standard read all three).
_NUMBER = re.compile(r"^(?:0[xX][0-9a-fA-F]*|0[0-7]*|[1-9][0-9]*)$")


def _number(part: str) -> int | None:
    if not _NUMBER.match(part):
        return None
    if part[:2] in ("0x", "0X"):
        return int(part[2:] or "0", 16)
    if len(part) > 1 and part.startswith("0"):
        return int(part, 8)
    return int(part)


def _numeric_ipv4(host: str) -> ipaddress.IPv4Address | None:
    """`127.1`, `0x7f.1`, `0177.0.0.1`, `2130706433`: the address inet_aton reads, if any."""
    parts = host.rstrip(".").split(".")
    if not 1 <= len(parts) <= 4:
        return None
    numbers = [_number(p) for p in parts]
    if any(n is None for n in numbers):
        return None
    values = [n for n in numbers if n is not None]
    *head, last = values
    # a.b.c.d: bytes; a.b.c: c fills 16 bits; a.b: b fills 24; a: 32 (inet_aton(3)).
    if any(n > 255 for n in head) or last >= 1 << (8 * (5 - len(values))):
        return None
    value = last
    for i, n in enumerate(head):
        value |= n << (8 * (3 - i))
    return ipaddress.IPv4Address(value)


def host_address(host: str) -> IPAddress | None:
    """The address a host written in a URL stands for, when it is written as an address."""
    text = host.strip()
    if text.startswith("[") and text.endswith("]"):
        try:
            return ipaddress.IPv6Address(text[1:-1].split("%", 1)[0])
        except ValueError:
            return None
    return _numeric_ipv4(text)


def embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries (mapped, compatible, NAT64, 6to4, Teredo)."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]  # the client, where the packets finally go
    if address in _NAT64 or (address in _COMPATIBLE and int(address) > 1):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def refusal(address: IPAddress | str) -> str | None:
    """Why verifier will not connect to `address`; None when it is globally routable."""
    ip = ipaddress.ip_address(address) if isinstance(address, str) else address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.scope_id:
            return f"{ip} is a scoped (link-local) address"
        inner = embedded_ipv4(ip)
        if inner is not None:
            why = refusal(inner)
            return f"{ip} carries {inner}: {why}" if why else None
        for net, kind in _V6_NETS:
            if ip in net:
                return f"{ip} is a {kind} address ({net})"
        return None
    for net4, kind in _V4_NETS:
        if ip in net4:
            return f"{ip} is a {kind} address ({net4})"
    if ip == ipaddress.IPv4Address("255.255.255.255"):
        return f"{ip} is the broadcast address"
    return None


def is_localhost_name(host: str) -> bool:
    """`localhost`, `localhost.` and names under it: loopback without asking DNS (RFC 6761)."""
    name = host.lower().rstrip(".")
    return name == "localhost" or name.endswith(".localhost")


@dataclass(frozen=True)
class AddressPolicy:
    """The rule in force for one run: off with `allow_private`, else with its allowances.

    `allowed` holds (host, port) pairs the user named (port None: any port of that host); a
    host pattern `*.example.org` allows every name one label below it (the wikipedia-api
    setting's `{lang}`).
    """

    allow_private: bool = False
    allowed: frozenset[tuple[str, int | None]] = frozenset()

    def judges(self, host: str, port: int) -> bool:
        """Whether the addresses behind (host, port) are judged at all."""
        if self.allow_private:
            return False
        name = host.lower().rstrip(".").strip("[]")
        for pattern, allowed_port in self.allowed:
            if allowed_port not in (None, port):
                continue
            if pattern == name or (pattern.startswith("*.") and name.endswith(pattern[1:])
                                   and "." not in name[: -len(pattern) + 1]):
                return False
        return True

    def refuse_host(self, host: str, port: int) -> str | None:
        """Why a URL's host is refused before any lookup or connection; None when not yet."""
        if not self.judges(host, port):
            return None
        if is_localhost_name(host):
            return f"{host} is a loopback name"
        address = host_address(host)
        return refusal(address) if address is not None else None

    def refuse_address(self, address: str) -> str | None:
        """Why a socket may not connect to `address` (what DNS or a literal gave)."""
        return None if self.allow_private else refusal(address)


def endpoint(url: str) -> tuple[str, int | None] | None:
    """The (host, port) of a configured endpoint URL; `{lang}.` as the host's first label is
    any one label. None when the text is not an http(s) URL."""
    match = re.match(r"^(https?)://(?:[^@/?#]*@)?(\[[^\]]*\]|[^/:?#]*)(?::(\d*))?", url.strip(),
                     re.IGNORECASE)
    if not match:
        return None
    scheme, host, port = match.group(1).lower(), match.group(2).lower(), match.group(3)
    host = host.strip("[]").rstrip(".")
    host = re.sub(r"^\{[a-z_]+\}\.", "*.", host)
    if not host:
        return None
    return host, int(port) if port else (443 if scheme == "https" else 80)


def policy_for(allow_private: bool, endpoints: Iterable[str],
               resolved: Iterable[tuple[str, int | None]]) -> AddressPolicy:
    """The policy: `endpoints` are configured URLs, `resolved` the `resolve` setting's hosts."""
    allowed = {found for url in endpoints if (found := endpoint(url)) is not None}
    allowed |= {(host.lower().rstrip("."), port) for host, port in resolved}
    return AddressPolicy(allow_private, frozenset(allowed))
