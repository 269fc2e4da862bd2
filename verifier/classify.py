"""One fetch outcome -> a CheckStatus and a short reason a person can act on. Pure: no I/O.

The fetch engine's result is read through the `FetchOutcome` protocol, so this module does not
import fetch.py. `accept` is the domain's setting; `probe` is the fetch of a made-up sibling
path on the same host (`probe_path`). The rules, first match wins:

    input                                                                   status
    failure timeout, dns_error, connection_error, tls_error,                TIMEOUT, DNS_ERROR,
        redirect_loop, invalid_url, refused_address (the detail from        CONNECTION_ERROR,
        fetch is the reason)                                                TLS_ERROR, INVALID_URL,
                                                                            REDIRECT_LOOP,
                                                                            REFUSED_ADDRESS
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

import http
import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote

from verifier.models import CheckStatus
from verifier.pages import FetchOutcome, Page, challenge, same_page
from verifier.urls import InvalidUrl, NormalizedUrl, is_trivial_redirect, normalize



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
    "refused_address": (CheckStatus.REFUSED_ADDRESS, "an internal address: not fetched"),
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
    page = Page(result)
    vendor = challenge(page, code)
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
    if probe is not None and same_page(result, page, probe):
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
    CheckStatus.REFUSED_ADDRESS: "Not fetched: the host is, or resolves to, an internal address "
    "(loopback, private, link-local...); see the `allow-private` setting.",
    CheckStatus.INTERNAL_ERROR: "verifier itself failed on this URL (a bug, with the error as "
    "the reason); says nothing of the source.",
}


def status_table_markdown() -> str:
    """The README's table of check statuses: value, evidence, meaning."""
    rows = ["| status | evidence | meaning |", "| --- | --- | --- |"]
    rows += [f"| `{s.value}` | {s.evidence.value} | {_MEANING[s]} |" for s in CheckStatus]
    return "\n".join(rows) + "\n"
