"""Pure helpers of the HTTP layer: capped body decoding, frozen headers, Retry-After, charsets.

No I/O and no aiohttp here, so every rule can be tested on bytes alone.
"""

from __future__ import annotations

import codecs
import datetime as dt
import email.utils
import re
import zlib
from collections.abc import Iterable, Iterator, Mapping

ACCEPT_ENCODING = "gzip, deflate"  # the only codings BodyReader can bound; never br or zstd


class Headers(Mapping[str, str]):
    """Response headers with lower-case names: read-only, hashable and picklable."""

    __slots__ = ("_items", "_index")

    def __init__(self, items: Iterable[tuple[str, str]] = ()) -> None:
        index: dict[str, str] = {}
        for name, value in items:
            name = name.lower()
            # Repeated fields join with ", " (RFC 9110 5.3), so one name maps to one value.
            index[name] = f"{index[name]}, {value}" if name in index else value
        self._index = index
        self._items = tuple(index.items())

    def __getitem__(self, name: str) -> str:
        return self._index[name.lower()]

    def __iter__(self) -> Iterator[str]:
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._items)

    def __hash__(self) -> int:
        return hash(self._items)

    def __repr__(self) -> str:
        return f"Headers({dict(self._items)!r})"

    def __reduce__(self) -> tuple[type[Headers], tuple[tuple[tuple[str, str], ...]]]:
        return (Headers, (self._items,))


class BodyReader:
    """Collects a body up to `cap` bytes, counted both as received and once decompressed.

    Decompression goes through `max_length`, so a gzip bomb costs at most `cap` bytes of memory
    however far it would expand.
    """

    def __init__(self, content_encoding: str, cap: int) -> None:
        self.cap = cap
        self.received = 0
        self.too_large = False
        self.note = ""  # why the body is not what the server meant, if it is not
        self._body = bytearray()
        coding = content_encoding.strip().lower()
        self._coding = coding if coding in ("gzip", "x-gzip", "deflate") else ""
        if coding and coding != "identity" and not self._coding:
            self.note = f"body left encoded ({coding})"
        self._inflater: zlib._Decompress | None = None
        self._broken = False  # the compressed stream was corrupt: keep what came before

    def feed(self, chunk: bytes) -> bool:
        """Take the next chunk; False once nothing more should be read."""
        self.received += len(chunk)
        if not self._coding:
            self._body += chunk[: self.cap + 1 - len(self._body)]
        elif not self._broken:
            self._inflate(chunk)
        if len(self._body) > self.cap or self.received > self.cap:
            self.too_large = True
            del self._body[self.cap:]
        ended = self._broken or (self._inflater is not None and self._inflater.eof)
        return not (self.too_large or ended)

    def ended(self) -> None:
        """The stream ended: note a compressed body that stopped short of its end."""
        if self._inflater is not None and not (self._inflater.eof or self._broken):
            self.note = f"compressed body ({self._coding}) ended early"

    def body(self) -> bytes:
        """What was read, decompressed, never more than `cap` bytes."""
        return bytes(self._body)

    def _inflate(self, data: bytes) -> None:
        if self._inflater is None:
            self._inflater = zlib.decompressobj(self._wbits(data))
        try:
            while data and not self._inflater.eof and len(self._body) <= self.cap:
                room = self.cap + 1 - len(self._body)
                self._body += self._inflater.decompress(data, room)
                data = self._inflater.unconsumed_tail
        except zlib.error as exc:
            self._broken = True
            self.note = f"body could not be decompressed ({self._coding}: {exc})"

    def _wbits(self, first: bytes) -> int:
        if self._coding != "deflate":
            return 16 + zlib.MAX_WBITS  # gzip framing
        # "deflate" should be zlib-wrapped (RFC 9110 8.4.1.2), but many servers send it raw.
        wrapped = len(first) >= 2 and first[0] & 0x0F == 8 and (first[0] << 8 | first[1]) % 31 == 0
        return zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS


def retry_after_seconds(value: str | None, now: dt.datetime) -> float | None:
    """Seconds a Retry-After value (delay-seconds or HTTP-date) asks for; None if unreadable."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    return max(0.0, (when - now).total_seconds())


HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?([\w.:-]+)""", re.IGNORECASE)
META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([\w.:-]+)""", re.IGNORECASE)
# Browsers read latin-1 and ASCII labels as windows-1252 (WHATWG Encoding), and pages rely on it
# for curly quotes and dashes; a <meta> cannot truthfully declare UTF-16 on ASCII-compatible
# bytes.
_ALIASES = {"iso8859-1": "cp1252", "ascii": "cp1252"}
_META_ALIASES = {"utf-16": "utf-8", "utf-16-le": "utf-8", "utf-16-be": "utf-8"}


def codec_for(label: bytes | str, in_document: bool = False) -> str | None:
    """Python's codec for a charset label, None when unknown or not a text encoding."""
    name = label.decode("ascii", "replace") if isinstance(label, bytes) else label
    try:
        info = codecs.lookup(name.strip())
        b"a".decode(info.name)  # refuses bytes-to-bytes codecs ("hex", "zlib"): a hostile label
    except (LookupError, ValueError):
        return None
    name = _ALIASES.get(info.name, info.name)
    return _META_ALIASES.get(name, name) if in_document else name


def declared_charset(body: bytes, content_type: str | None, *, html: bool = True) -> str | None:
    """The codec the Content-Type names, else (for HTML) the page's <meta>; None if neither."""
    match = HEADER_CHARSET.search(content_type or "")
    if match and (codec := codec_for(match.group(1))):
        return codec
    meta = META_CHARSET.search(body[:4096]) if html else None
    return codec_for(meta.group(1), in_document=True) if meta else None


def decode_text(body: bytes, content_type: str | None) -> str:
    """The body as text in the charset it declares (UTF-8 when none or unknown)."""
    return body.decode(declared_charset(body, content_type) or "utf-8", errors="replace")
