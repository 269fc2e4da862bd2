"""URLs as the link checker sees them: validated and normalised once, at the boundary.

`normalize(text)` returns a `NormalizedUrl` (the form used as the request target, the cache key
and the history key) or an `InvalidUrl` that says why the text is not a checkable URL.

Normalisation (RFC 3986 section 6.2.2, plus the http(s) scheme rules of 6.2.3):
  * surrounding whitespace is ignored (copy-paste residue); scheme and host are lower-cased;
  * a non-ASCII host is IDNA-encoded (UTS 46, falling back to IDNA 2003: what yarl, and so
    aiohttp, sends on the wire);
  * a default port (:80 for http, :443 for https) and an empty port are dropped;
  * percent-escapes get upper-case hex, escapes of unreserved characters are decoded, and
    characters that may not appear raw (non-ASCII as UTF-8, `"<>\\^`{|}`, a `%` that starts
    no escape) are encoded; reserved escapes such as `%2F` are kept, since they mean something
    else decoded;
  * dot segments are removed, an empty path becomes "/", the fragment is dropped, an empty
    query ("?" alone) is dropped; the query keeps its order.
  * `user:password@` is kept apart (`NormalizedUrl.userinfo`), never in the normal form: the
    history and the reports never hold credentials.
Rejected, with the reason: not http(s) (javascript:, file:, mailto:, ftp:, no scheme), no host,
a bad host (an `xn--` label that is not valid punycode included) or port, whitespace or control
characters inside the URL, text that is not Unicode.
"""

from __future__ import annotations

import ipaddress
import re
import string
import urllib.parse
from dataclasses import dataclass

import idna  # a dependency of yarl, so always present with aiohttp

_UNRESERVED = frozenset(string.ascii_letters + string.digits + "-._~")
_SUB_DELIMS = "!$&'()*+,;="
# Characters each part may hold raw, beyond the unreserved ones (RFC 3986 section 3).
_PATH_SAFE = _SUB_DELIMS + ":@/"
_QUERY_SAFE = _PATH_SAFE + "?"
_USERINFO_SAFE = _SUB_DELIMS + ":"
_DEFAULT_PORTS = {"http": 80, "https": 443}

# RFC 3986 appendix B: splits any string into scheme, authority, path, query, fragment.
_URI = re.compile(r"^(?:([^:/?#]+):)?(?://([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#.*)?$", re.DOTALL)
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*$")
_LABEL = re.compile(r"^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$")  # '_' occurs in real hosts
_PORT = re.compile(r"^[0-9]{1,5}$")
_BAD_CHAR = re.compile(r"[\x00-\x1f\x7f-\x9f\s]")  # controls (C0, DEL, C1) and any whitespace
_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")
# A part made only of these needs no percent-encoding work: the common case, kept fast.
_PLAIN = {safe: re.compile(r"[\w.~\-" + re.escape(safe) + "]*", re.ASCII)
          for safe in (_PATH_SAFE, _QUERY_SAFE, _USERINFO_SAFE)}
_LONE_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")


@dataclass(frozen=True)
class NormalizedUrl:
    """An http(s) URL in normal form; `url` is the whole of it."""

    url: str
    scheme: str
    host: str  # lower-case, IDNA-encoded; an IPv6 address keeps its brackets
    port: int | None  # None for the scheme's default port
    path: str  # never empty
    query: str | None  # without the "?"; None when there is none
    # `user:password` as written (percent-encoded), never part of `url`: credentials are sent
    # to this URL's own origin only, and never stored or shown (see fetch.py).
    userinfo: str = ""

    def __str__(self) -> str:
        return self.url

    @property
    def origin(self) -> tuple[str, str, int | None]:
        """Scheme, host and port: what credentials and a domain's headers are tied to."""
        return self.scheme, self.host.rstrip("."), self.port


@dataclass(frozen=True)
class InvalidUrl:
    """Text that is not a checkable URL, and why."""

    raw: str
    reason: str

    def __str__(self) -> str:
        return f"{self.raw!r}: {self.reason}"


def normalize(text: str) -> NormalizedUrl | InvalidUrl:
    """The normal form of an http(s) URL, or the reason it is not one."""
    raw = text
    text = text.strip()
    if not text:
        return InvalidUrl(raw, "empty")
    bad = _BAD_CHAR.search(text)
    if bad:
        code = ord(bad.group(0))
        if code < 0x20 or 0x7F <= code < 0xA0:
            return InvalidUrl(raw, f"contains a control character (U+{code:04X})")
        return InvalidUrl(raw, "contains a space")
    match = _URI.match(text)
    assert match is not None  # the pattern matches every string
    scheme_text, authority, path, query = match.groups()
    if scheme_text is None or not _SCHEME.match(scheme_text):
        return InvalidUrl(raw, "not an http(s) URL: no scheme")
    scheme = scheme_text.lower()
    if scheme not in _DEFAULT_PORTS:
        return InvalidUrl(raw, f"not an http(s) URL ({scheme}:)")
    if not authority:
        return InvalidUrl(raw, "no host")
    userinfo, _, hostport = authority.rpartition("@")
    try:
        host, port = _host_and_port(hostport, scheme)
        path = _remove_dot_segments(_encode(path, _PATH_SAFE)) if path else "/"
        query = _encode(query, _QUERY_SAFE) if query else None
        userinfo = _encode(userinfo, _USERINFO_SAFE) if userinfo else ""
    except _Invalid as exc:
        return InvalidUrl(raw, str(exc))
    netloc = host + (f":{port}" if port is not None else "")
    url = f"{scheme}://{netloc}{path}" + (f"?{query}" if query is not None else "")
    return NormalizedUrl(url, scheme, host, port, path, query, userinfo)


# The userinfo of an authority (after the first "//", up to its last "@"), whatever comes before
# the "//": a scheme, a mistyped one, or nothing.
_USERINFO = re.compile(r"^([^/?#]*//)[^/?#]*@")


def redact(text: str) -> str:
    """`text` with the credentials of a URL's `user:password@` replaced by `***@`."""
    return _USERINFO.sub(r"\1***@", text, count=1) if "@" in text else text


def key(raw: str) -> str:
    """The URL as the history stores it: normalised, or as written (trimmed) when invalid;
    without credentials either way."""
    return keyed(raw)[0]


def keyed(raw: str) -> tuple[str, NormalizedUrl | InvalidUrl]:
    """The URL's key in the history (see `key`) and its normal form, normalising once."""
    normal = normalize(raw)
    return (redact(raw.strip()) if isinstance(normal, InvalidUrl) else normal.url), normal


def host(url: str) -> str:
    """The host of `url` in normal form, without a trailing dot; ValueError if `url` is invalid."""
    normal = normalize(url)
    if isinstance(normal, InvalidUrl):
        raise ValueError(str(normal))
    return normal.host.rstrip(".")


def is_trivial_redirect(from_url: str | NormalizedUrl, to_url: str | NormalizedUrl) -> bool:
    """True when `to_url` is `from_url` with at most an https upgrade and an added trailing slash.

    A change of host, "www." included, is not trivial: it is another name, often another server,
    and the citation may want updating; the page is alive either way (REDIRECTED).
    """
    a = from_url if isinstance(from_url, NormalizedUrl) else normalize(from_url)
    b = to_url if isinstance(to_url, NormalizedUrl) else normalize(to_url)
    if isinstance(a, InvalidUrl) or isinstance(b, InvalidUrl):
        return False
    if a.scheme != b.scheme and (a.scheme, b.scheme) != ("http", "https"):
        return False
    return (
        a.host.rstrip(".") == b.host.rstrip(".")
        and a.port == b.port
        and a.query == b.query
        and b.path in (a.path, a.path + "/")
    )


# --- DOIs ----------------------------------------------------------------------------------------

_DOI_PREFIX = re.compile(r"^(?:doi:\s*|info:doi/|(?:https?://)?(?:dx\.|www\.)?doi\.org/)", re.I)
_DOI = re.compile(r"^10\.[0-9]+(?:\.[0-9]+)*/\S+$")


def doi_url(doi: str, resolver: str) -> str:
    """The resolver URL of a DOI given bare, as `doi:...` or as a doi.org URL; else ValueError."""
    text = doi.strip()
    prefix = _DOI_PREFIX.match(text)
    if prefix:
        text = text[prefix.end():]
        if prefix.group(0).lower().endswith("doi.org/"):
            text = urllib.parse.unquote(text)  # a URL's path is already percent-encoded
    if not _DOI.match(text):
        raise ValueError(f"not a DOI: {doi!r}")
    # '/' separates prefix from suffix and the resolver expects it raw; '#', '?', '%', '<', '>'
    # and non-ASCII (all legal in DOIs, SICI ones especially) must be escaped.
    return resolver.rstrip("/") + "/" + urllib.parse.quote(text, safe=":@!$&'()*+,;=/")


# --- parts ---------------------------------------------------------------------------------------

class _Invalid(Exception):
    """Internal: why a part of a URL is invalid; becomes `InvalidUrl.reason`."""


def _host_and_port(hostport: str, scheme: str) -> tuple[str, int | None]:
    if hostport.startswith("["):
        end = hostport.find("]")
        if end < 0:
            raise _Invalid(f"bad host {hostport!r}")
        host, rest = _ipv6(hostport[1:end]), hostport[end + 1:]
        if rest and not rest.startswith(":"):
            raise _Invalid(f"bad host {hostport!r}")
        port_text = rest[1:]
    else:
        name, sep, port_text = hostport.rpartition(":")
        host = _reg_name(name if sep else port_text)
        port_text = port_text if sep else ""
    if not port_text:
        return host, None  # RFC 3986 6.2.3: an empty port means the default
    if not _PORT.match(port_text) or not 0 < int(port_text) <= 65535:
        raise _Invalid(f"bad port {port_text!r}")
    port = int(port_text)
    return host, None if port == _DEFAULT_PORTS[scheme] else port


def _ipv6(text: str) -> str:
    try:
        return f"[{ipaddress.IPv6Address(text).compressed}]"
    except ValueError:
        raise _Invalid(f"bad IPv6 address {text!r}") from None


def _reg_name(name: str) -> str:
    if not name:
        raise _Invalid("no host")
    if not name.isascii():
        try:
            name = idna.encode(name, uts46=True).decode("ascii")
        except UnicodeError:
            try:  # yarl falls back to IDNA 2003 too, so this is the name aiohttp would send
                name = name.encode("idna").decode("ascii")
            except UnicodeError:
                raise _Invalid(f"host {name!r} cannot be IDNA-encoded") from None
    name = name.lower()
    labels = name[:-1].split(".") if name.endswith(".") else name.split(".")
    if len(name) > 254 or not all(_LABEL.match(label) for label in labels):
        raise _Invalid(f"bad host {name!r}")
    for label in labels:
        if label.startswith("xn--") and not _is_a_label(label):
            raise _Invalid(f"host {name!r}: {label!r} is not valid punycode (IDNA)")
    return name


def _is_a_label(label: str) -> bool:
    """Whether an `xn--` label decodes: the check yarl (and so aiohttp) makes when sending."""
    try:
        idna.decode(label)
        return True
    except (UnicodeError, ValueError):
        pass
    try:
        label.encode("ascii").decode("idna")  # IDNA 2003, yarl's fallback
        return True
    except UnicodeError:
        return False


def _encode(text: str, safe: str) -> str:
    """`text` with normal percent-encoding: upper-case hex, unreserved decoded, unsafe encoded."""
    if _PLAIN[safe].fullmatch(text):
        return text
    text = _LONE_PERCENT.sub("%25", text)  # a '%' that starts no escape is a literal '%'
    text = _ESCAPE.sub(_normal_escape, text)
    try:
        return urllib.parse.quote(text, safe=safe + "%")  # non-ASCII as UTF-8, the rest as is
    except UnicodeEncodeError:  # a lone surrogate
        raise _Invalid("not valid Unicode text") from None


def _normal_escape(match: re.Match[str]) -> str:
    decoded = chr(int(match.group(0)[1:], 16))
    return decoded if decoded in _UNRESERVED else match.group(0).upper()


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 5.2.4 for an absolute path: "/a/./b/../c" -> "/a/c"."""
    if "." not in path:
        return path
    parts = path.split("/")[1:]
    out: list[str] = []
    for i, segment in enumerate(parts):
        if segment in (".", ".."):
            if segment == ".." and out:
                out.pop()
            if i == len(parts) - 1:
                out.append("")  # "/a/b/.." is the directory "/a/", slash kept
        else:
            out.append(segment)
    return "/" + "/".join(out)
