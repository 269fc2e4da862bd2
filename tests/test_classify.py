"""Fetch outcome -> CheckStatus. Pages named SYNTHETIC_* were written for these tests, after
the real pages they imitate; REAL_* pages are verbatim excerpts of files in shared/corpus."""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from dataclasses import dataclass

import pytest

import verifier.classify
import verifier.pages
from verifier.classify import Classification, classify, probe_path, status_table_markdown
from verifier.models import CheckStatus, Evidence
from verifier.urls import host

S = CheckStatus
URL = "https://example.org/news/2019/05/story.html"


@dataclass(frozen=True)
class Hop:
    url: str
    status: int


@dataclass(frozen=True)
class Result:
    """The shape of fetch.FetchResult, which classify reads through its protocol."""

    url: str
    method: str
    status: int | None
    final_url: str
    redirects: tuple[Hop, ...]
    headers: Mapping[str, str]
    body: bytes
    failure: str | None
    detail: str
    attempts: int


def fetched(
    status: int | None = 200,
    body: bytes | str = b"",
    *,
    url: str = URL,
    final_url: str | None = None,
    redirects: tuple[Hop, ...] = (),
    headers: Mapping[str, str] | None = None,
    failure: str | None = None,
    detail: str = "",
    attempts: int = 1,
) -> Result:
    data = body.encode("utf-8") if isinstance(body, str) else body
    if headers is None:
        headers = {"content-type": "text/html; charset=utf-8"} if data else {}
    return Result(url, "GET", status, final_url or url, redirects, headers, data, failure, detail,
                  attempts)


def page(title: str, body: str = "", h1: str | None = None) -> str:
    heading = f"<h1>{h1}</h1>" if h1 is not None else ""
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}</title></head>"
            f"<body>{heading}{body}</body></html>")


# --- real pages (verbatim excerpts; see shared/corpus/README.md for their sources) ---------------

# oscanweb_HTML_2026.html lines 1, 3-5, 805 and 1087 ("HTML", Wikipedia, rev 1351082234).
REAL_WIKIPEDIA_HTML = """<!DOCTYPE html>
<head>
<meta charset="UTF-8">
<title>HTML - Wikipedia</title>
<body>
\t\t\t\t\t<h1 id="firstHeading" class="firstHeading mw-first-heading"><span lang="en" dir="ltr"><span class="mw-page-title-main">HTML</span></span></h1>
<p><b>Hypertext Markup Language</b> (<b>HTML</b>) is the standard <a href="/wiki/Markup_language" title="Markup language">markup language</a><sup id="cite&#95;ref-3" class="reference"><a href="#cite_note-3"><span class="cite-bracket">&#91;</span>a<span class="cite-bracket">&#93;</span></a></sup> for documents designed to be displayed in a <a href="/wiki/Web_browser" title="Web browser">web browser</a>. It defines the content and structure of <a href="/wiki/Web_content" title="Web content">web content</a>. It is often assisted by technologies such as <a href="/wiki/Cascading_Style_Sheets" class="mw-redirect" title="Cascading Style Sheets">Cascading Style Sheets</a> (CSS) and <a href="/wiki/Scripting_language" title="Scripting language">scripting languages</a> such as <a href="/wiki/JavaScript" title="JavaScript">JavaScript</a>.
"""  # noqa: E501

# mobileapps_Dog_parsoid_2018.html: its <title> and a sentence of paragraph mw8A that says
# "not found" ("Dog", Wikipedia, rev 845493773).
REAL_DOG_NOT_FOUND_IN_TEXT = """<!DOCTYPE html>
<html><head><meta charset="utf-8"/><title>Dog</title></head><body>
<p id="mw8A">The paws of a dog are half the size of those of a wolf, and their tails tend to curl upwards, another trait not found in wolves<sup about="#mwt907" class="mw-ref" id="cite_ref-Lopez_76-0" rel="dc:references" typeof="mw:Extension/ref" data-mw='{"name":"ref","body":{"id":"mw-reference-text-cite_note-Lopez-76"},"attrs":{"name":"Lopez"}}'><a href="./Dog#cite_note-Lopez-76" style="counter-reset: mw-Ref 75;"><span class="mw-reflink-text">[75]</span></a></sup></p>
</body></html>"""  # noqa: E501


def test_real_pages_are_ok() -> None:
    for body in (REAL_WIKIPEDIA_HTML, REAL_DOG_NOT_FOUND_IN_TEXT):
        result = classify(fetched(200, body))
        assert result == Classification(S.OK, "HTTP 200", None)


# --- failures and statuses -----------------------------------------------------------------------

@pytest.mark.parametrize(("failure", "status"), [
    ("timeout", S.TIMEOUT),
    ("dns_error", S.DNS_ERROR),
    ("connection_error", S.CONNECTION_ERROR),
    ("tls_error", S.TLS_ERROR),
    ("redirect_loop", S.REDIRECT_LOOP),
    ("invalid_url", S.INVALID_URL),
    ("too_large", S.TOO_LARGE),
])
def test_failures_map_directly(failure: str, status: CheckStatus) -> None:
    bare = classify(fetched(None, failure=failure))
    assert bare.status is status
    assert bare.reason and bare.reason != failure  # a sentence, when fetch gave no detail
    with_detail = classify(fetched(None, failure=failure, detail="what fetch said", attempts=3))
    assert with_detail.reason == "what fetch said"  # fetch's detail already counts attempts


def test_a_failure_wins_over_a_status_and_body() -> None:
    result = fetched(200, page("Fine"), failure="timeout", detail="body stalled after 20 s")
    assert classify(result) == Classification(S.TIMEOUT, "body stalled after 20 s", None)


def test_too_large() -> None:
    assert classify(fetched(200, failure="too_large")).status is S.TOO_LARGE
    assert classify(fetched(404, failure="too_large")).status is S.NOT_FOUND
    assert classify(fetched(503, failure="too_large", attempts=3)).status is S.SERVER_ERROR
    to_root = fetched(200, failure="too_large", final_url="https://example.org/",
                      redirects=(Hop(URL, 301),))
    assert classify(to_root).status is S.REDIRECT_TO_ROOT  # known dead without the body


def test_contract_violations_raise() -> None:
    with pytest.raises(ValueError, match="unknown fetch failure 'gremlins'"):
        classify(fetched(None, failure="gremlins"))
    with pytest.raises(ValueError, match="needs a status or a failure"):
        classify(fetched(None))


@pytest.mark.parametrize(("code", "status"), [
    (200, S.OK), (203, S.OK), (204, S.OK),
    (404, S.NOT_FOUND), (410, S.NOT_FOUND),
    (401, S.BLOCKED), (403, S.BLOCKED), (407, S.BLOCKED), (451, S.BLOCKED),
    (400, S.BLOCKED), (405, S.BLOCKED), (406, S.BLOCKED), (418, S.BLOCKED), (999, S.BLOCKED),
    (429, S.RATE_LIMITED),
    (500, S.SERVER_ERROR), (502, S.SERVER_ERROR), (503, S.SERVER_ERROR), (522, S.SERVER_ERROR),
    (302, S.SERVER_ERROR), (304, S.SERVER_ERROR),
])
def test_by_status(code: int, status: CheckStatus) -> None:
    assert classify(fetched(code)).status is status


def test_status_reasons() -> None:
    assert classify(fetched(404)).reason == "HTTP 404 Not Found"
    assert classify(fetched(429, attempts=3)).reason == "HTTP 429 Too Many Requests"
    assert classify(fetched(999)).reason == "HTTP 999 (non-standard; usually a bot filter)"
    assert classify(fetched(302)).reason == "HTTP 302: a redirect with no usable Location"


def test_accept() -> None:
    assert classify(fetched(403), accept=(403,)) == Classification(
        S.OK, "HTTP 403, accepted for this domain", None)
    assert classify(fetched(404), accept=(403,)).status is S.NOT_FOUND
    # 200 in `accept` turns the soft-404 checks off for a domain.
    assert classify(fetched(200, page("Page not found")), accept=(200,)).status is S.OK
    # The setting is the user's word on that domain, so it wins over challenge detection too.
    assert classify(fetched(403, SYNTHETIC_CLOUDFLARE_CAPTCHA), accept=(403,)).status is S.OK


# --- bot challenges -------------------------------------------------------------------------------

SYNTHETIC_CLOUDFLARE_CHALLENGE = """<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title>
<meta http-equiv="refresh" content="390"></head><body><div class="main-wrapper" role="main">
<div class="main-content"><h1 class="zone-name-title h1">example.org</h1>
<h2 class="h2" id="challenge-running">Checking if the site connection is secure</h2>
<noscript><div class="h2"><span id="challenge-error-text">Enable JavaScript and cookies to continue</span></div></noscript>
</div></div><script>(function(){window._cf_chl_opt={cvId: '3',cZone: "example.org",cType: 'managed'};
var cpo = document.createElement('script');cpo.src = '/cdn-cgi/challenge-platform/h/g/orchestrate/chl_page/v1?ray=8a1b2c3d4e5f6789';
document.getElementsByTagName('head')[0].appendChild(cpo);}());</script></body></html>"""  # noqa: E501

SYNTHETIC_CLOUDFLARE_CAPTCHA = page(
    "Attention Required! | Cloudflare",
    '<div id="cf-wrapper"><div id="cf-error-details" class="cf-error-details-wrapper">'
    "<h2>Please complete the security check to access example.org</h2></div></div>",
    h1="One more step",
)
SYNTHETIC_CLOUDFLARE_1020 = page(
    "Access denied | example.org used Cloudflare to restrict access",
    '<div id="cf-error-details"><h1>Error 1020</h1><h2>Access denied</h2></div>',
)
SYNTHETIC_DDOS_GUARD = page("DDoS-Guard", '<script src="https://check.ddos-guard.net/check.js">'
                            "</script><p>Checking your browser before accessing</p>")
SYNTHETIC_SUCURI_BLOCK = page(
    "Sucuri WebSite Firewall - Access Denied",
    "<h2>Access Denied - Sucuri Website Firewall</h2><p>If you are the site owner, "
    '<a href="mailto:cloudproxy@sucuri.net">contact us</a>.</p>',
)
SYNTHETIC_SUCURI_JS = (
    "<html><title>You are being redirected...</title><noscript>Javascript is required. Please "
    "enable javascript before you are allowed to see this page.</noscript><script>var s={},u,c,"
    "U,r,i,l=0,a,e=eval,w=String.fromCharCode,sucuri_cloudproxy_js='',S='cz0iMSI7';</script>"
    "</html>"
)
SYNTHETIC_AKAMAI = (
    "<HTML><HEAD>\n<TITLE>Access Denied</TITLE>\n</HEAD><BODY>\n<H1>Access Denied</H1>\n \n"
    'You don\'t have permission to access "http&#58;&#47;&#47;www&#46;example&#46;org&#47;news'
    '&#47;" on this server.<P>\nReference&#32;&#35;18&#46;2d351ab8&#46;1557333295&#46;a4e16ab\n'
    "<P>https&#58;&#47;&#47;errors&#46;edgesuite&#46;net&#47;18&#46;2d351ab8&#46;1557333295"
    "&#46;a4e16ab</P>\n</BODY>\n</HTML>\n"
)
SYNTHETIC_IMPERVA = (
    '<html style="height:100%"><head><META NAME="ROBOTS" CONTENT="NOINDEX, NOFOLLOW"></head>'
    '<body style="margin:0px;height:100%"><iframe id="main-iframe" src="/_Incapsula_Resource?'
    'CWUDNSAI=24&xinfo=8-1234567-0%200NNN" frameborder=0 width="100%" height="100%">Request '
    "unsuccessful. Incapsula incident ID: 123000450012345678-901234567890123456</iframe></body>"
    "</html>"
)
SYNTHETIC_PERIMETERX = page("Access to this page has been denied.",
                            '<div id="px-captcha"></div><p>Press &amp; Hold to confirm you are '
                            "a human (and not a bot).</p>")
SYNTHETIC_DATADOME = (
    "<html><head><title>example.org</title></head><body><script>var dd={'rt':'c','cid':'AHrlqA',"
    "'hsh':'2211F5','t':'fe','host':'geo.captcha-delivery.com'}</script><script "
    'src="https://ct.captcha-delivery.com/c.js"></script></body></html>'
)


@pytest.mark.parametrize(("code", "body", "vendor"), [
    (403, SYNTHETIC_CLOUDFLARE_CHALLENGE, "Cloudflare"),
    (503, SYNTHETIC_CLOUDFLARE_CHALLENGE, "Cloudflare"),
    (200, SYNTHETIC_CLOUDFLARE_CHALLENGE, "Cloudflare"),
    (403, SYNTHETIC_CLOUDFLARE_CAPTCHA, "Cloudflare"),
    (403, SYNTHETIC_CLOUDFLARE_1020, "Cloudflare"),
    (404, SYNTHETIC_CLOUDFLARE_1020, "Cloudflare"),  # a block page's 404 says nothing
    (403, SYNTHETIC_DDOS_GUARD, "DDoS-Guard"),
    (200, SYNTHETIC_DDOS_GUARD, "DDoS-Guard"),
    (403, SYNTHETIC_SUCURI_BLOCK, "Sucuri"),
    (200, SYNTHETIC_SUCURI_JS, "Sucuri"),
    (403, SYNTHETIC_AKAMAI, "Akamai"),
    (200, SYNTHETIC_IMPERVA, "Imperva"),
    (403, SYNTHETIC_PERIMETERX, "PerimeterX"),
    (403, SYNTHETIC_DATADOME, "DataDome"),
    (200, page("Robot Check", "<p>Enter the characters you see below</p>"), "captcha"),
])
def test_bot_challenges_are_blocked(code: int, body: str, vendor: str) -> None:
    result = classify(fetched(code, body, headers={"content-type": "text/html"}))
    assert result.status is S.BLOCKED
    assert vendor in result.reason and f"HTTP {code}" in result.reason


def test_the_cf_mitigated_header_alone_is_a_challenge() -> None:
    result = classify(fetched(200, headers={"cf-mitigated": "challenge", "server": "cloudflare"}))
    assert result == Classification(S.BLOCKED, "a Cloudflare challenge (HTTP 200)", None)


def test_soft_challenge_signs_count_on_403_and_503_only() -> None:
    sign = page("example.org", "<p>Please enable JavaScript and cookies to continue.</p>")
    headers = {"content-type": "text/html", "server": "cloudflare"}
    assert classify(fetched(503, sign, headers=headers)).status is S.BLOCKED
    assert classify(fetched(503, page("Down for maintenance"), headers=headers)).status \
        is S.SERVER_ERROR
    # Bot managers inject their script into ordinary 404s and articles too.
    injected = '<script src="/cdn-cgi/challenge-platform/scripts/jsd/main.js"></script>'
    assert classify(fetched(404, page("Missing", injected))).status is S.NOT_FOUND
    article = page("Why captcha puzzles are getting harder - Example News",
                   "<p>A captcha is a test that tells humans from bots.</p>" + injected)
    assert classify(fetched(200, article)).status is S.OK


def test_a_real_article_titled_access_denied_is_not_a_block_page() -> None:
    title = "Access Denied: The Practice and Policy of Global Internet Filtering - Example Press"
    assert classify(fetched(200, page(title, "<p>A book.</p>"))).status is S.OK


# --- redirects ------------------------------------------------------------------------------------

def redirected(final_url: str, *statuses: int, url: str = URL, body: str = "") -> Result:
    hops = tuple(Hop(url, s) for s in statuses)
    return fetched(200, body or page("An article", "<p>text</p>"), url=url, final_url=final_url,
                   redirects=hops)


@pytest.mark.parametrize(("url", "final_url"), [
    ("http://example.org/a", "https://example.org/a"),
    ("https://example.org/a", "https://example.org/a/"),
    ("http://Example.org:80/a", "https://example.org/a/"),
])
def test_an_https_or_trailing_slash_redirect_is_ok(url: str, final_url: str) -> None:
    result = classify(redirected(final_url, 301, url=url))
    assert result == Classification(S.OK, "HTTP 200 after an https/slash redirect", True)


@pytest.mark.parametrize(("statuses", "permanent"), [
    ((301,), True), ((308,), True), ((301, 308), True),
    ((302,), False), ((307,), False), ((303,), False), ((301, 302), False),
])
def test_a_legit_redirect_to_another_deep_page(statuses: tuple[int, ...], permanent: bool) -> None:
    target = "https://example.org/news/2019/05/14/story-renamed"
    result = classify(redirected(target, *statuses))
    assert result.status is S.REDIRECTED
    assert result.permanent_redirect is permanent
    assert target in result.reason


@pytest.mark.parametrize("final_url", [
    "https://www.example.org/news/2019/05/story.html",  # adding www. is another host name
    "https://example.org/news/2019/05/story.html?amp=1",
    "https://example.org/news/2019/05/",  # up one level, but not a landing page
])
def test_other_redirects_are_redirected(final_url: str) -> None:
    assert classify(redirected(final_url, 301)).status is S.REDIRECTED


@pytest.mark.parametrize("final_url", [
    "https://example.org/",
    "https://example.org/?utm_source=old-site&ref=redirect",
    "https://example.org/en/",
    "https://example.org/en-us/",
    "https://example.org/index.html",
    "https://example.org/default.aspx",
    "https://example.org/home",
    "https://example.org/en/home",
    "https://example.org/es/inicio.php",
    "https://new-owner.example/",  # another site's root is no better
])
def test_a_deep_link_sent_to_a_landing_page(final_url: str) -> None:
    result = classify(redirected(final_url, 301, 302))
    assert result.status is S.REDIRECT_TO_ROOT
    assert result.permanent_redirect is False
    assert final_url in result.reason


@pytest.mark.parametrize(("url", "final_url", "status"), [
    ("https://example.org/?p=123", "https://example.org/", S.REDIRECT_TO_ROOT),  # query content
    ("https://example.org/index.php?title=Foo", "https://example.org/", S.REDIRECT_TO_ROOT),
    ("https://example.org/about", "https://example.org/", S.REDIRECT_TO_ROOT),
    ("https://example.org/", "https://example.org/en/", S.REDIRECTED),  # not a deep link
    ("https://example.org/index.html", "https://example.org/home", S.REDIRECTED),
    ("https://example.org/?utm_source=x", "https://example.org/en/", S.REDIRECTED),
])
def test_what_counts_as_a_deep_link(url: str, final_url: str, status: CheckStatus) -> None:
    assert classify(redirected(final_url, 301, url=url)).status is status


@pytest.mark.parametrize("final_url", [
    "https://example.org/404",
    "https://example.org/404.html",
    "https://example.org/errors/404",
    "https://example.org/not-found",
    "https://example.org/en/page-not-found/",
    "https://example.org/PageNotFound.aspx",
    "https://example.org/error.aspx?aspxerrorpath=/news/2019/05/story.html",
    "https://example.org/Error.aspx",
])
def test_a_redirect_to_an_error_page_is_a_soft_404(final_url: str) -> None:
    result = classify(redirected(final_url, 302))
    assert result.status is S.SOFT_404
    assert "error page" in result.reason


def test_an_error_word_already_in_the_cited_path_does_not_count() -> None:
    url = "https://example.org/docs/errors/overview"
    assert classify(redirected("https://example.org/docs/errors/overview-v2", 301, url=url)
                    ).status is S.REDIRECTED


@pytest.mark.parametrize("final_url", [
    "https://www.facebook.com/login/?next=https%3A%2F%2Fwww.facebook.com%2Fexample%2Fposts%2F1",
    "https://example.org/account/sign-in?return=/news/2019/05/story.html",
    "https://consent.yahoo.com/v2/collectConsent?sessionId=3_cc-session_abc",
])
def test_a_redirect_to_a_login_or_consent_page_is_blocked(final_url: str) -> None:
    assert classify(redirected(final_url, 302)).status is S.BLOCKED


# --- soft 404s by content -------------------------------------------------------------------------

@pytest.mark.parametrize("title", [
    "Page not found",
    "Page Not Found | Example News",
    "404 Not Found",
    "Not Found",
    "Error 404",
    "404",
    "Error 404 (Not Found)!!1",
    "404 - File or directory not found.",
    "Page not found – Example Blog",
    "Page not found (404) - Example",
    "The page you requested could not be found",
    "HTTP Error 404",
    "Страница не найдена",
    "Ошибка 404 — Пример",
    "404 Страница не найдена",
    "Página no encontrada",
    "PÁGINA NO ENCONTRADA",
    "No se encontró la página",
    "Error 404 - Página no encontrada",
    "Error 404: Página no encontrada",
])
def test_an_error_title_is_a_soft_404(title: str) -> None:
    result = classify(fetched(200, page(title, "<p>Try the search box.</p>")))
    assert result.status is S.SOFT_404
    assert title in result.reason


@pytest.mark.parametrize("title", [
    "404 (film) - Wikipedia",
    "HTTP 404 - Wikipedia",
    "How to fix error 404 | Example Blog",
    "Not Found: the lost films of 1920",
    "Lost and Found - Example Theatre",
    "Found Footage – Film review",
    "Errors and omissions excepted",
    "Страница автора",
    "Página principal",
])
def test_titles_that_only_mention_errors_are_ok(title: str) -> None:
    assert classify(fetched(200, page(title, "<p>An article.</p>"))).status is S.OK


def test_an_error_heading_is_a_soft_404() -> None:
    body = page("Example Blog", "<p>It looks like nothing was found at this location.</p>",
                h1="Oops! That page can&rsquo;t be found.")
    result = classify(fetched(200, body))
    assert result == Classification(S.SOFT_404, "the page says 'Oops! That page can’t be found.'",
                                    None)


def test_a_windows_1251_page_is_read_in_its_charset() -> None:
    body = page("Страница не найдена").replace("utf-8", "windows-1251").encode("windows-1251")
    assert classify(fetched(200, body, headers={"content-type": "text/html"})).status \
        is S.SOFT_404
    declared = {"content-type": "text/html; charset=windows-1251"}
    no_meta = "<html><title>Ошибка 404</title></html>".encode("windows-1251")
    assert classify(fetched(200, no_meta, headers=declared)).status is S.SOFT_404


@pytest.mark.parametrize("charset", ["no-such-charset", "hex", "zlib", "base64"])
def test_a_bad_charset_falls_back_to_utf8(charset: str) -> None:
    headers = {"content-type": f"text/html; charset={charset}"}
    assert classify(fetched(200, page("Page not found"), headers=headers)).status is S.SOFT_404
    in_meta = page("Page not found").replace("charset='utf-8'", f"charset='{charset}'")
    assert classify(fetched(200, in_meta, headers={"content-type": "text/html"})).status \
        is S.SOFT_404


def test_only_html_is_read() -> None:
    pdf = b"%PDF-1.7\n<title>Page not found</title>"
    assert classify(fetched(200, pdf, headers={"content-type": "application/pdf"})).status is S.OK
    sniffed = b"<!DOCTYPE html><html><title>Page not found</title></html>"
    assert classify(fetched(200, sniffed, headers={})).status is S.SOFT_404


def test_only_the_head_of_a_body_is_read() -> None:
    late = page("An article", "<p>" + "word " * 20_000 + "</p><h1>Page not found</h1>")
    assert len(late.encode()) > verifier.pages.HEAD_BYTES
    assert classify(fetched(200, late)).status is S.OK  # the h1 comes after 64 KiB


@pytest.mark.parametrize("body", [
    b"<title>" * 9000,
    b"<h1>" * 16000,
    b"<title>x</title>" + b"<script>" * 8000,
    b"<title>x</title>" + b"<!--" * 16000,
    b"<" * 65536,
    b"<a " * 22000,
])
def test_hostile_bodies_take_linear_time(body: bytes) -> None:
    # Each of these took 7 to 16 seconds with lazy `<title>(.*?)</title>`-style patterns.
    result = fetched(200, body, headers={"content-type": "text/html"})
    probe = fetched(200, body, url=probe_path(URL, "x"), headers={"content-type": "text/html"})
    started = time.perf_counter()
    assert classify(result, probe=probe).status is S.SOFT_404  # the same page both times
    assert time.perf_counter() - started < 0.5


def test_an_unclosed_title_is_no_title() -> None:
    assert classify(fetched(200, "<html><title>Page not found<body>text</body>")).status is S.OK


SYNTHETIC_SEDO_PARKED = page(
    "example-history.org - This domain may be for sale!",
    '<div class="container"><h1>example-history.org</h1><p>This domain may be for sale!</p>'
    '<a href="https://sedo.com/search/details/?domain=example-history.org&partnerid=324561">'
    "Buy this domain</a></div>",
)
SYNTHETIC_GODADDY_PARKED = page(
    "example-history.org", "<p>example-history.org is parked free, courtesy of GoDaddy.com.</p>")
SYNTHETIC_PARKINGCREW = (
    '<html><head><title>example-history.org</title><script type="text/javascript" '
    'src="https://www.parkingcrew.net/assets/scripts/js3.js"></script></head>'
    '<body><div id="target"></div></body></html>'
)
SYNTHETIC_EXPIRED = page("example-history.org", "<h2>This domain has expired.</h2><p>Renew it "
                         "now at your registrar.</p>")


@pytest.mark.parametrize("body", [SYNTHETIC_SEDO_PARKED, SYNTHETIC_GODADDY_PARKED,
                                  SYNTHETIC_PARKINGCREW, SYNTHETIC_EXPIRED])
def test_a_parked_domain_is_a_soft_404(body: str) -> None:
    result = classify(fetched(200, body))
    assert result.status is S.SOFT_404
    assert "parked domain" in result.reason


def test_an_article_about_parked_domains_is_ok() -> None:
    body = page("How domain parking works - Example News",
                "<p>Parked domains show ads; some owners say the domain is for sale. Jordan.com "
                "changed hands in 2009.</p>")
    assert classify(fetched(200, body)).status is S.OK


# --- the probe: a made-up sibling path of the same host ------------------------------------------

SYNTHETIC_CATCH_ALL = page("Example News", "<nav>Home News Sport Weather</nav><p>Sorry, we "
                           "moved things around. Try our front page for the latest news.</p>"
                           "<p>You asked for {path}.</p><footer>© Example News 2024</footer>")


def probe_of(result: Result, status: int, body: str, final_url: str | None = None) -> Result:
    made_up = probe_path(result.url, "7f3a9c")
    return fetched(status, body, url=made_up, final_url=final_url)


def test_a_host_that_answers_any_path_with_the_same_page() -> None:
    result = fetched(200, SYNTHETIC_CATCH_ALL.format(path="/news/2019/05/story.html"))
    probe = probe_of(result, 200, SYNTHETIC_CATCH_ALL.format(path="/news/2019/05/verifier-probe"))
    assert classify(result, probe=probe) == Classification(
        S.SOFT_404, "the host answers a made-up path with the same page", None)


def test_an_honest_host_answers_the_probe_with_404() -> None:
    result = fetched(200, SYNTHETIC_CATCH_ALL.format(path="/news"))
    probe = probe_of(result, 404, SYNTHETIC_CATCH_ALL.format(path="/news"))
    assert classify(result, probe=probe).status is S.OK


def test_a_probe_that_redirects_where_the_link_did() -> None:
    url = "https://example.org/a/old-story"
    result = redirected("https://example.org/search", 302, url=url)
    probe = fetched(200, page("Search"), url=probe_path(url, "x"),
                    final_url="https://example.org/search", redirects=(Hop(url, 302),))
    assert classify(result).status is S.REDIRECTED
    assert classify(result, probe=probe).status is S.SOFT_404


@pytest.mark.parametrize(("status", "body", "failure"), [
    (200, REAL_WIKIPEDIA_HTML, None),  # a different page
    (200, page("Example News", "<p>" + " ".join(f"w{i}" for i in range(40)) + "</p>"), None),
    (403, "", None),
    (None, "", "timeout"),
])
def test_a_probe_that_tells_nothing(status: int | None, body: str, failure: str | None) -> None:
    result = fetched(200, SYNTHETIC_CATCH_ALL.format(path="/a"))
    probe = fetched(status, body, url=probe_path(URL, "x"), failure=failure)
    assert classify(result, probe=probe).status is S.OK


def test_similar_is_not_the_same() -> None:
    words = [f"word{i}" for i in range(100)]
    result = fetched(200, page("Same title", " ".join(words)))
    close = probe_of(result, 200, page("Same title", " ".join(words[:95] + ["other"] * 5)))
    apart = probe_of(result, 200, page("Same title", " ".join(words[:85] + ["other"] * 15)))
    assert classify(result, probe=close).status is S.SOFT_404  # similarity 0.95
    assert classify(result, probe=apart).status is S.OK  # similarity 0.85
    other_title = probe_of(result, 200, page("Other title", " ".join(words)))
    assert classify(result, probe=other_title).status is S.OK


def test_empty_bodies_are_not_compared() -> None:
    head_like = fetched(200)  # no body, as after a HEAD request
    assert classify(head_like, probe=fetched(200, url=probe_path(URL, "x"))).status is S.OK


@pytest.mark.parametrize(("url", "expected"), [
    (URL, "https://example.org/news/2019/05/verifier-probe-7f3a9c.html"),
    ("https://example.org/news/story/", "https://example.org/news/verifier-probe-7f3a9c/"),
    ("https://example.org/news/story", "https://example.org/news/verifier-probe-7f3a9c"),
    ("https://example.org/", "https://example.org/verifier-probe-7f3a9c"),
    ("https://example.org", "https://example.org/verifier-probe-7f3a9c"),
    ("https://example.org/article.php?id=5#top", "https://example.org/verifier-probe-7f3a9c.php"),
    ("HTTP://Example.org:8080/a/b", "http://example.org:8080/a/verifier-probe-7f3a9c"),
    ("http://user@[::1]:8000/a/b", "http://[::1]:8000/a/verifier-probe-7f3a9c"),
])
def test_probe_path(url: str, expected: str) -> None:
    made_up = probe_path(url, "7f3a9c")
    assert made_up == expected
    assert host(made_up) == host(url)


def test_probe_path_escapes_the_token_and_refuses_invalid_urls() -> None:
    assert probe_path("https://example.org/a", "a/b c") == (
        "https://example.org/verifier-probe-a%2Fb%20c")
    with pytest.raises(ValueError, match="not an http"):
        probe_path("javascript:alert(1)", "x")


# --- documentation --------------------------------------------------------------------------------

def test_status_table_covers_every_status() -> None:
    table = status_table_markdown()
    lines = table.splitlines()
    assert lines[:2] == ["| status | evidence | meaning |", "| --- | --- | --- |"]
    assert len(lines) == 2 + len(CheckStatus)
    for status, line in zip(CheckStatus, lines[2:], strict=True):
        assert line.startswith(f"| `{status.value}` | {status.evidence.value} | ")
        assert len(line.split(" | ")[2]) > 10  # a meaning, not a placeholder
    assert {e.value for e in Evidence} <= set(re.findall(r"\| (\w+) \|", table))


def test_the_module_docstring_names_every_status_classify_returns() -> None:
    doc = verifier.classify.__doc__ or ""
    for status in CheckStatus:
        if status not in (S.NO_URL, S.SKIPPED, S.INTERNAL_ERROR):  # set by the pipeline
            assert re.search(rf"\b{status.name}\b", doc), status


def test_the_protocol_reads_only_fetch_result_fields() -> None:
    read = {n for n in dir(verifier.classify.FetchOutcome) if not n.startswith("_")}
    assert read == {"url", "status", "final_url", "redirects", "headers", "body", "failure",
                    "detail", "attempts"}
    assert read <= set(Result.__dataclass_fields__)
