"""One fetch outcome -> a CheckStatus and a short reason a person can act on. Pure: no I/O.

The fetch engine's result is read through the `FetchOutcome` protocol, so this module does not
import fetch.py. `accept` is the domain's setting; `probe` is the fetch of a made-up sibling
path on the same host (`probe_path`). The rules, first match wins:

    input                                                                   status
    failure timeout, dns_error, connection_error, tls_error,                TIMEOUT, DNS_ERROR,
        redirect_loop, invalid_url (the detail from fetch is the reason)    CONNECTION_ERROR,
                                                                            TLS_ERROR, INVALID_URL,
                                                                            REDIRECT_LOOP
    failure too_large with a non-2xx status                                 by status, below
    status listed in the domain's `accept`                                  OK
    a bot challenge, any status: `cf-mitigated: challenge`; a challenge
        title ("Just a moment...", "Attention Required! | Cloudflare",
        "DDoS-Guard", "Access Denied", "Pardon Our Interruption"...); a
        block-page marker of Cloudflare, DDoS-Guard, Sucuri, Akamai,
        Imperva, PerimeterX or DataDome                                     BLOCKED
    403 or 503 with a softer sign ("enable JavaScript and cookies",
        "checking your browser", captcha, a challenge script)               BLOCKED
    404, 410                                                                NOT_FOUND
    401, 403, 407, 451, any other 4xx; codes from 600 (LinkedIn's 999)      BLOCKED
    429                                                                     RATE_LIMITED
    5xx; a final 1xx or 3xx (a redirect with no usable Location)            SERVER_ERROR
    2xx redirected to a new path segment named like an error page
        (404, not-found, notfound, error...) or to ?aspxerrorpath=          SOFT_404
    2xx redirected to a login page (login, signin, sso) or a consent host   BLOCKED
    2xx, a deep link redirected to a root or landing page (/, /en/,
        /index.html, /home, /default.aspx; a tracking query at most)        REDIRECT_TO_ROOT
    failure too_large with a 2xx status, or none                            TOO_LARGE
    2xx whose title (any part between " | ", " - "...) or first h1 is an
        error message in English, Russian or Spanish ("Page not found",
        "Error 404", "Страница не найдена", "Página no encontrada")         SOFT_404
    2xx parked domain ("This domain is for sale", sedo, bodis, dan.com...)  SOFT_404
    2xx, and the probe answered 2xx with the same page (the same final
        URL, or the same title and >= 0.9 similar visible text)             SOFT_404
    2xx redirected beyond an https upgrade and/or an added trailing slash   REDIRECTED
    any other 2xx                                                           OK

Other 4xx are BLOCKED, not NOT_FOUND: a server says a page is gone with 404 or 410, while 400,
405, 406, 418 and the like mostly say "not this client" (bot filters, header checks), and a false
dead strike costs more than a missed one. A 200 in a domain's `accept` turns the soft-404 checks
off for that domain (a site whose app shell answers every path alike). Only the first 64 KiB of a
body is read, by string search rather than a parser, in time linear in the body even for hostile
markup: about 15,000 small pages a second.
"""

from __future__ import annotations

import html
import http
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Protocol
from urllib.parse import parse_qsl, quote

from verifier.models import CheckStatus
from verifier.urls import InvalidUrl, NormalizedUrl, is_trivial_redirect, normalize

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


@dataclass(frozen=True)
class Classification:
    """The status of one check, why, and whether its redirects (if any) were all permanent."""

    status: CheckStatus
    reason: str
    permanent_redirect: bool | None = None  # None when there was no redirect


_FAILURES: dict[str, tuple[CheckStatus, str]] = {
    "timeout": (CheckStatus.TIMEOUT, "no complete answer in time"),
    "dns_error": (CheckStatus.DNS_ERROR, "the host name does not resolve"),
    "connection_error": (CheckStatus.CONNECTION_ERROR, "could not connect"),
    "tls_error": (CheckStatus.TLS_ERROR, "the TLS handshake or certificate failed"),
    "redirect_loop": (CheckStatus.REDIRECT_LOOP, "a redirect loop, or too many redirects"),
    "invalid_url": (CheckStatus.INVALID_URL, "not a valid http(s) URL"),
    "too_large": (CheckStatus.TOO_LARGE, "the body is larger than the cap"),
}


def classify(
    result: FetchOutcome, *, probe: FetchOutcome | None = None, accept: tuple[int, ...] = ()
) -> Classification:
    """The CheckStatus of one fetch; `probe` is the same host's made-up sibling path, if fetched."""
    hops = result.redirects
    permanent = all(h.status in (301, 308) for h in hops) if hops else None

    def verdict(status: CheckStatus, reason: str) -> Classification:
        return Classification(status, reason, permanent)

    code = result.status
    if result.failure is not None:
        if result.failure not in _FAILURES:  # a new kind in fetch.py must be mapped here
            raise ValueError(f"unknown fetch failure {result.failure!r}")
        status, default = _FAILURES[result.failure]
        reason = result.detail or default  # fetch's detail already says how many attempts
        if status is not CheckStatus.TOO_LARGE:
            return verdict(status, reason)
        if code is None or 200 <= code < 300:
            found = _where_it_went(result)[1]  # the URL alone can still say the link is dead
            return verdict(*found) if found else verdict(status, reason)
        # else: a non-2xx answer too large to read; its status says more
    if code is None:
        raise ValueError("a fetch result needs a status or a failure")
    if code in accept:
        return verdict(CheckStatus.OK, f"HTTP {code}, accepted for this domain")
    page = _Page(result)
    vendor = _challenge(page, code)
    if vendor:
        return verdict(CheckStatus.BLOCKED, f"{vendor} (HTTP {code})")
    if not 200 <= code < 300:
        return verdict(_status_for(code), f"HTTP {code}{_phrase(code)}")
    moved, found = _where_it_went(result)
    if found:
        return verdict(*found)
    error = page.error_heading()
    if error:
        return verdict(CheckStatus.SOFT_404, f"the page says {error!r}")
    parked = page.parked()
    if parked:
        return verdict(CheckStatus.SOFT_404, f"a parked domain ({parked})")
    if probe is not None and _same_page(result, page, probe):
        return verdict(CheckStatus.SOFT_404, "the host answers a made-up path with the same page")
    if moved:
        kind = " (permanent)" if permanent else ""
        return verdict(CheckStatus.REDIRECTED, f"redirected to {result.final_url}{kind}")
    trivial = " after an https/slash redirect" if hops else ""
    return verdict(CheckStatus.OK, f"HTTP {code}{trivial}")


def probe_path(url: str, token: str) -> str:
    """A made-up sibling of `url`: same directory, last segment `verifier-probe-<token>`."""
    normal = normalize(url)
    if isinstance(normal, InvalidUrl):
        raise ValueError(str(normal))
    head, _, last = normal.path.rstrip("/").rpartition("/")
    # Keep the shape (extension, trailing slash) so the probe meets the same route as the link.
    extension = re.search(r"\.[A-Za-z0-9]{1,5}$", last)
    name = "verifier-probe-" + quote(token, safe="") + (extension.group(0) if extension else "")
    slash = "/" if normal.path.endswith("/") and normal.path != "/" else ""
    origin = normal.url[: normal.url.index("/", len(normal.scheme) + 3)]  # the path's first "/"
    return f"{origin}{head}/{name}{slash}"


# --- statuses ------------------------------------------------------------------------------------

def _status_for(code: int) -> CheckStatus:
    if code in (404, 410):
        return CheckStatus.NOT_FOUND
    if code == 429:
        return CheckStatus.RATE_LIMITED
    if 500 <= code < 600 or code < 200 or 300 <= code < 400:
        return CheckStatus.SERVER_ERROR
    return CheckStatus.BLOCKED  # 401, 403, 407, 451, other 4xx, and 999-style codes


def _phrase(code: int) -> str:
    if 300 <= code < 400:
        return ": a redirect with no usable Location"
    try:
        return " " + http.HTTPStatus(code).phrase
    except ValueError:
        return " (non-standard; usually a bot filter)" if code >= 600 else ""


# --- redirects -----------------------------------------------------------------------------------

_EXTENSION = re.compile(r"\.(?:s?html?|php\d?|aspx?|jsp|cfm|cgi)$")
_ERROR_SEGMENT = re.compile(
    r"(?:404|410|errors?|error[-_]?404|404[-_]?(?:error|page)|page[-_]?404"
    r"|(?:page[-_]?)?not[-_]?found(?:[-_]?page)?)"
)
_LOGIN_SEGMENT = re.compile(r"(?:log[-_]?in|sign[-_]?in|servicelogin|sso)")
_LANDING_SEGMENT = re.compile(r"(?:index|default|home|homepage|main|start|welcome|portal|inicio)")
_LANGUAGE_SEGMENT = re.compile(r"[a-z]{2}(?:[-_][a-z]{2,4})?")
_TRACKING_KEYS = frozenset({"lang", "hl", "locale", "ref", "from", "source", "src"})
_CONSENT_HOSTS = ("consent.", "guce.")  # consent.google.com, consent.yahoo.com, guce.yahoo.com


def _where_it_went(result: FetchOutcome) -> tuple[bool, tuple[CheckStatus, str] | None]:
    """Whether a fetch ended beyond an https/slash variant of its URL, and what the place says."""
    if result.final_url == result.url:
        return False, None
    start, end = normalize(result.url), normalize(result.final_url)
    if isinstance(start, InvalidUrl) or isinstance(end, InvalidUrl):
        return True, None  # fetch does not follow a Location it cannot parse; nothing to read
    if is_trivial_redirect(start, end):
        return False, None
    return True, _redirect_verdict(start, end)


def _redirect_verdict(start: NormalizedUrl, end: NormalizedUrl) -> tuple[CheckStatus, str] | None:
    """A dead or blocked verdict read from where a deep link was redirected, if any."""
    before = set(_stems(start.path))
    new = [s for s in _stems(end.path) if s not in before]  # "/errors/x" -> "/errors/y" is fine
    target = end.url
    asp_error = "aspxerrorpath=" in (end.query or "").lower()  # ASP.NET's customErrors page
    if asp_error or any(_ERROR_SEGMENT.fullmatch(s) for s in new):
        return CheckStatus.SOFT_404, f"redirected to an error page {target}"
    if any(_LOGIN_SEGMENT.fullmatch(s) for s in new) or end.host.startswith(_CONSENT_HOSTS):
        return CheckStatus.BLOCKED, f"redirected to a login or consent page {target}"
    if _is_landing(end) and not _is_landing(start):
        return CheckStatus.REDIRECT_TO_ROOT, f"a deep link redirected to {target}"
    return None


def _stems(path: str) -> list[str]:
    return [_EXTENSION.sub("", s.lower()) for s in path.split("/") if s]


def _is_landing(url: NormalizedUrl) -> bool:
    """A site root or home page: "/", "/en/", "/index.html", "/en/home", tracking query at most."""
    stems = _stems(url.path)
    if stems and _LANGUAGE_SEGMENT.fullmatch(stems[0]):
        stems = stems[1:]
    if len(stems) > 1 or (stems and not _LANDING_SEGMENT.fullmatch(stems[0])):
        return False
    keys = [k.lower() for k, _ in parse_qsl(url.query or "", keep_blank_values=True)]
    return all(k in _TRACKING_KEYS or k.startswith("utm_") for k in keys)


# --- page content --------------------------------------------------------------------------------

# Every pattern here runs in linear time on hostile bodies ("<title>" * 9000, "<" * 65536):
# no pattern scans ahead from each of many starting points; closing tags are found with find().
_OPEN = {name: re.compile(rb"<" + name + rb"(?=[\s/>])") for name in (b"title", b"h1")}
_TAG = re.compile(rb"<[^<>]*>")
_HIDDEN = re.compile(rb"<(script|style|noscript|template)(?=[\s/>])|<!--")
_LONGEST_HEADING = 2048  # bytes; a longer title is no error message
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.I)
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?([\w.:-]+)", re.I)
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


class _Page:
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
        self.charset = _charset(self.head, content_type)

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


def _challenge(page: _Page, code: int) -> str | None:
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
        return f"a {vendor} challenge or block page"
    if code in (403, 503) and any(m in page.lower for m in _SOFT_CHALLENGE_MARKERS):
        return "a bot challenge"
    return None


def _same_page(result: FetchOutcome, page: _Page, probe: FetchOutcome) -> bool:
    """True when the probe's made-up path got this very page: the host answers any path."""
    if probe.failure is not None or probe.status is None or not 200 <= probe.status < 300:
        return False  # a 404 means the host is honest; anything else tells nothing
    if _normal(probe.final_url) == _normal(result.final_url):
        return True
    other = _Page(probe)
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


def _charset(head: bytes, content_type: str) -> str:
    """The charset the Content-Type or a <meta> names, if Python can decode it; else UTF-8."""
    match = _HEADER_CHARSET.search(content_type)
    meta = None if match else _META_CHARSET.search(head[:2048])
    charset = match.group(1) if match else meta.group(1).decode("ascii") if meta else "utf-8"
    try:
        b"a".decode(charset, "replace")  # also refuses bytes-to-bytes codecs: hex, zlib
    except LookupError:
        return "utf-8"
    return charset


# --- documentation -------------------------------------------------------------------------------

_MEANING: dict[CheckStatus, str] = {
    CheckStatus.OK: "Answered 2xx with the page (an https or trailing-slash redirect included).",
    CheckStatus.REDIRECTED: "Redirected to a different page that answers 2xx.",
    CheckStatus.REDIRECT_TO_ROOT: "A deep link sent to the site's home or a landing page.",
    CheckStatus.SOFT_404: "Answers 2xx, but is an error page, a parked domain, or what any path "
    "of the host gets.",
    CheckStatus.NOT_FOUND: "HTTP 404 or 410.",
    CheckStatus.BLOCKED: "Refused: 401, 403, 451, other 4xx, a bot challenge, a login wall.",
    CheckStatus.RATE_LIMITED: "HTTP 429, still after retries.",
    CheckStatus.SERVER_ERROR: "HTTP 5xx after retries, or a redirect with no usable Location.",
    CheckStatus.TIMEOUT: "No complete answer within the deadline.",
    CheckStatus.DNS_ERROR: "The host name does not resolve.",
    CheckStatus.CONNECTION_ERROR: "No connection could be made, or it broke.",
    CheckStatus.TLS_ERROR: "The TLS handshake or certificate failed.",
    CheckStatus.REDIRECT_LOOP: "A redirect loop, or more redirects than allowed.",
    CheckStatus.TOO_LARGE: "Answered 2xx with a body over the size cap: something is there.",
    CheckStatus.INVALID_URL: "Malformed, or not an http(s) URL.",
    CheckStatus.NO_URL: "The reference gives nothing to check.",
    CheckStatus.SKIPPED: "Not checked, by a setting.",
}


def status_table_markdown() -> str:
    """The README's table of check statuses: value, evidence, meaning."""
    rows = ["| status | evidence | meaning |", "| --- | --- | --- |"]
    rows += [f"| `{s.value}` | {s.evidence.value} | {_MEANING[s]} |" for s in CheckStatus]
    return "\n".join(rows) + "\n"
