"""What a fetched page says about itself: its title and first heading, error messages, bot
challenges, parked domains, and whether it is the same page as another. Pure: no I/O.

Only the first HEAD_BYTES of a body are looked at, by string search rather than a parser, in
time linear in the body even for hostile markup.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from functools import cached_property
from typing import Protocol

from verifier.fetch_body import declared_charset
from verifier.urls import NormalizedUrl, normalize

HEAD_BYTES = 65536  # the part of a body that is looked at: titles, markers, probe text
SAME_TEXT = 0.9  # word-multiset similarity at which two pages count as the same page


class Hop(Protocol):
    """One redirect: the URL that answered, and its 3xx status."""

    @property
    def url(self) -> str: ...
    @property
    def status(self) -> int: ...


class FetchOutcome(Protocol):
    """What classify reads of a fetch result (fetch.FetchResult has this shape)."""

    @property
    def url(self) -> str: ...
    @property
    def status(self) -> int | None: ...
    @property
    def final_url(self) -> str: ...
    @property
    def redirects(self) -> Sequence[Hop]: ...
    @property
    def headers(self) -> Mapping[str, str]: ...  # lower-case names
    @property
    def body(self) -> bytes: ...
    @property
    def failure(self) -> str | None: ...
    @property
    def detail(self) -> str: ...
    @property
    def attempts(self) -> int: ...


# --- page content --------------------------------------------------------------------------------

# Every pattern here runs in linear time on hostile bodies ("<title>" * 9000, "<" * 65536):
# no pattern scans ahead from each of many starting points; closing tags are found with find().
_OPEN = {name: re.compile(rb"<" + name + rb"(?=[\s/>])") for name in (b"title", b"h1")}
_TAG = re.compile(rb"<[^<>]*>")
_HIDDEN = re.compile(rb"<(script|style|noscript|template)(?=[\s/>])|<!--")
_LONGEST_HEADING = 2048  # bytes; a longer title is no error message
_SEPARATOR = re.compile(r"\s[|\-\u2013\u2014\u00b7\u2022\u00bb]+\s|\s::\s")
_NOT_WORD = re.compile(r"[\W_]+")

# Matched against a whole title part or heading, reduced to lower-case words: "Error 404 (Not
# Found)!!1" -> "error 404 not found 1". Whole-part matching keeps "404 (film)", "HTTP 404" or
# "How to fix error 404" from counting.
_WHO = r"(?:(?:the|that|this|la|esta) )?"
_THING = r"(?:page|file|document|resource|content|file or directory|webpage|web page)"
_LOOKED = r"(?: (?:you|you re) (?:requested|are looking for|were looking for|looking for))?"
_SOFT_404_TEXT = re.compile(
    r"(?:(?:oops|whoops|sorry|uh oh|ups|error|http error|ошибка|упс|lo sentimos|vaya) )*(?:"
    r"404(?: error| page| not found| page not found| страница не найдена| p[aá]gina no encontrada)?"
    rf"|{_WHO}(?:{_THING} )?not found"
    rf"|{_WHO}{_THING}{_LOOKED} (?:cannot|can t|can not|could not|couldn t) be found"
    rf"|{_WHO}{_THING}{_LOOKED} (?:does not|doesn t|no longer) exists?"
    r"|(?:запрашиваемая )?страница не (?:найдена|существует)|не найдено"
    rf"|{_WHO}p[aá]gina(?: que buscas| solicitada)? no (?:encontrada|existe|se encuentra|"
    r"se ha encontrado|fue encontrada)"
    r"|no se (?:encontr[oó]|ha encontrado|pudo encontrar|puede encontrar) la p[aá]gina"
    r"(?: solicitada)?"
    r"|no encontrad[oa]"
    r")(?: (?:error|page|404|1|oops|ошибка))*"
)

_CHALLENGE_TITLE = re.compile(
    r"(?P<Cloudflare>just a moment\.*|attention required! \| cloudflare|checking your browser.*"
    r"|access denied \| .+ used cloudflare to restrict access)"
    r"|(?P<DDoS_Guard>ddos-guard)|(?P<Sucuri>sucuri website firewall.*)"
    r"|(?P<Imperva>pardon our interruption\.*)"
    r"|(?P<PerimeterX>access to this page has been denied\.?)"
    r"|(?P<Akamai>access denied)"
    r"|(?P<captcha>human verification|verify you are human|are you a robot\??|robot check"
    r"|security check|captcha)"
)
# Markers only block and challenge pages carry, as lower-case substrings: `in` is many times
# faster than a regex alternation, and each group is searched only when its anchor, a substring
# all its markers share, is present. The scripts bot managers also inject into normal pages
# (challenge-platform/jsd, _Incapsula_Resource) are soft signs, counted on 403 and 503 only.
_CHALLENGE_MARKERS: dict[bytes, tuple[bytes, ...]] = {
    b"cf-": (b"cf-browser-verification", b"cf-error-details"),
    b"_cf_chl_opt": (b"_cf_chl_opt",),
    b"ddos-guard": (b"check.ddos-guard.net",),
    b"sucuri": (b"sucuri_cloudproxy_js", b"cloudproxy@sucuri.net"),
    b"edgesuite": (b"errors.edgesuite.net", b"errors&#46;edgesuite&#46;net"),
    b"incapsula": (b"incapsula incident id",),
    b"px-captcha": (b"px-captcha",),
    b"captcha-delivery": (b"captcha-delivery.com",),
}
_VENDORS = {b"cf-": "Cloudflare", b"_cf_chl_opt": "Cloudflare", b"ddos-guard": "DDoS-Guard",
            b"sucuri": "Sucuri", b"edgesuite": "Akamai", b"incapsula": "Imperva",
            b"px-captcha": "PerimeterX", b"captcha-delivery": "DataDome"}
_SOFT_CHALLENGE_MARKERS = (
    b"enable javascript and cookies", b"checking your browser", b"captcha", b"ddos-guard",
    b"/cdn-cgi/challenge-platform/", b"_incapsula_resource", b"challenges.cloudflare.com",
)
_PARKED_MARKERS: dict[bytes, tuple[bytes, ...]] = {
    b"domain": (
        b"this domain is for sale", b"this domain name is for sale", b"domain may be for sale",
        b"domain name may be for sale", b"buy this domain", b"this domain has expired",
        b"this domain name has expired", b"dan.com/buy-domain", b"hugedomains.com/domain_profile",
    ),
    b"park": (b"is parked free", b"sedoparking.com", b"parkingcrew.net", b"parklogic.com"),
    b"bodis.com/": (b"bodis.com/",),
    b"sedo.com/": (b"sedo.com/search/details",),
    b"afternic.com/": (b"afternic.com/forsale",),
}


def _first_marker(text: bytes, groups: Mapping[bytes, tuple[bytes, ...]]
                  ) -> tuple[bytes, bytes] | None:
    """The anchor and marker of the first of `groups` found in `text`."""
    for anchor, markers in groups.items():
        if anchor in text:
            for marker in markers:
                if marker in text:
                    return anchor, marker
    return None


class Page:
    """The first HEAD_BYTES of a body, with its title and first heading.

    Markers are all ASCII, so they are searched in the ASCII-lower-cased bytes: lower-casing and
    searching a decoded str with one non-ASCII character in it costs several times more. Only
    the title, the heading and, for a probe comparison, the visible text are decoded.
    """

    def __init__(self, result: FetchOutcome) -> None:
        self.headers = result.headers
        content_type = result.headers.get("content-type", "").lower()
        head = result.body[:HEAD_BYTES]
        sniffed = head[:1024].lstrip().lower().startswith((b"<!doctype html", b"<html", b"<head"))
        self.is_html = bool(head) and ("html" in content_type or (not content_type and sniffed))
        self.head = head if self.is_html else b""
        self.lower = self.head.lower()
        self.charset = declared_charset(self.head, content_type) or "utf-8"

    @cached_property
    def title(self) -> str | None:
        return self._element(b"title")

    @cached_property
    def h1(self) -> str | None:
        return self._element(b"h1")

    @cached_property
    def words(self) -> Counter[str]:
        """The visible words; entities and punctuation stay on, the same on both sides."""
        parts, pos = [], 0
        while (hidden := _HIDDEN.search(self.lower, pos)) is not None:
            parts.append(self.lower[pos:hidden.start()])
            closer = b"-->" if hidden.group(1) is None else b"</" + hidden.group(1)
            pos = self.lower.find(closer, hidden.end())
            if pos < 0:
                break  # never closed: the rest is hidden
            pos += len(closer)
        else:
            parts.append(self.lower[pos:])
        visible = _TAG.sub(b" ", b" ".join(parts))
        return Counter(visible.decode(self.charset, errors="replace").split())

    def error_heading(self) -> str | None:
        """The title or first heading when it is an error message, else None."""
        for text in (self.title, self.h1):
            if text and any(_is_error_text(part) for part in _SEPARATOR.split(text)):
                return text
        return None

    def parked(self) -> str | None:
        found = _first_marker(self.lower, _PARKED_MARKERS)
        return found[1].decode() if found else None

    def _element(self, name: bytes) -> str | None:
        """The text of the first <name> element, tags and entities resolved."""
        start = _OPEN[name].search(self.lower)
        inside = self.lower.find(b">", start.end()) + 1 if start else 0
        end = self.lower.find(b"</" + name, inside) if inside else -1
        if end < 0:
            return None
        fragment = _TAG.sub(b" ", self.head[inside:min(end, inside + _LONGEST_HEADING)])
        return " ".join(html.unescape(fragment.decode(self.charset, errors="replace")).split())


def challenge(page: Page, code: int) -> str | None:
    """The name of the bot challenge or block page this is, if it is one."""
    if page.headers.get("cf-mitigated", "").lower() == "challenge":
        return "a Cloudflare challenge"
    if not page.is_html:
        return None
    title = _CHALLENGE_TITLE.fullmatch(" ".join((page.title or "").lower().split()))
    vendor = title.lastgroup.replace("_", "-") if title and title.lastgroup else None
    found = None if vendor else _first_marker(page.lower, _CHALLENGE_MARKERS)
    vendor = vendor or (_VENDORS[found[0]] if found else None)
    if vendor:
        article = "an" if vendor[:1].lower() in "aeiou" else "a"
        return f"{article} {vendor} challenge or block page"
    if code in (403, 503) and any(m in page.lower for m in _SOFT_CHALLENGE_MARKERS):
        return "a bot challenge"
    return None


def same_page(result: FetchOutcome, page: Page, probe: FetchOutcome) -> bool:
    """True when the probe's made-up path got this very page: the host answers any path."""
    if probe.failure is not None or probe.status is None or not 200 <= probe.status < 300:
        return False  # a 404 means the host is honest; anything else tells nothing
    if _normal(probe.final_url) == _normal(result.final_url):
        return True
    other = Page(probe)
    if not (page.is_html and other.is_html) or page.title != other.title:
        return False
    return _similarity(page.words, other.words) >= SAME_TEXT


def _similarity(a: Counter[str], b: Counter[str]) -> float:
    """Dice similarity of two word multisets: 1.0 for the same words, order ignored."""
    total = sum(a.values()) + sum(b.values())
    return 1.0 if total == 0 else 2 * sum((a & b).values()) / total


def _normal(url: str) -> str:
    normal = normalize(url)
    return normal.url if isinstance(normal, NormalizedUrl) else url


def _is_error_text(text: str) -> bool:
    return bool(_SOFT_404_TEXT.fullmatch(_NOT_WORD.sub(" ", text.lower()).strip()))


