"""A Wikipedia page URL -> its HTML through the REST API (`wikipedia_api` setting) -> claims."""

from __future__ import annotations

import re
from dataclasses import replace
from urllib.parse import parse_qs, quote, unquote, urlsplit

from verifier.errors import ExtractError
from verifier.extract.html import extract as extract_html
from verifier.fetch import FetchError, fetch_one
from verifier.models import Article, Document
from verifier.settings import Settings

_REVISION = re.compile(r"[0-9]+")
_WIKI_HOST = re.compile(r"^(?P<lang>[a-z][a-z0-9-]*)\.(?:m\.)?wikipedia\.org$")


def page_title(url: str) -> tuple[str, str]:
    """(language code, page title) of a Wikipedia page URL, or ExtractError."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    match = _WIKI_HOST.match(host)
    if not match:
        raise ExtractError(f"{url}: not a Wikipedia page URL (expected https://LANG.wikipedia.org/wiki/TITLE)")
    if parts.path.startswith("/wiki/") and len(parts.path) > len("/wiki/"):
        title = unquote(parts.path[len("/wiki/"):])
    else:
        title = (parse_qs(parts.query).get("title") or [""])[0]
    if not title:
        raise ExtractError(f"{url}: no page title in the URL")
    return match.group("lang"), title.replace(" ", "_")


def revision(url: str) -> str | None:
    """The revision a page URL names (`oldid=`), or None for the current one."""
    query = parse_qs(urlsplit(url).query, keep_blank_values=True)
    if "diff" in query:
        raise ExtractError(f"{url}: a diff names two revisions; give one as "
                           "...?title=TITLE&oldid=REVISION")
    found = query.get("oldid")
    if found is None:
        return None
    if not _REVISION.fullmatch(found[0]):
        raise ExtractError(f"{url}: oldid must be a revision number, not {found[0]!r}")
    return found[0]


def api_url(url: str, settings: Settings) -> str:
    """The REST API address of the page's HTML, of the revision the URL names if it does."""
    lang, title = page_title(url)
    base = settings.wikipedia_api.replace("{lang}", lang).rstrip("/")
    rev = revision(url)
    return f"{base}/page/html/{quote(title, safe='')}" + (f"/{rev}" if rev else "")


def extract_url(url: str, settings: Settings) -> Document:
    """Fetch a Wikipedia page's HTML and extract its claims."""
    lang, title = page_title(url)
    address = api_url(url, settings)
    try:
        fetched = fetch_one(address, settings, accept="text/html")
    except FetchError as exc:
        raise ExtractError(f"cannot fetch {address}: {exc}") from None
    if fetched.status != 200:
        raise ExtractError(f"cannot fetch {address}: HTTP {fetched.status}")
    document = extract_html(fetched.text())
    canonical = f"https://{lang}.wikipedia.org/wiki/{quote(title, safe=':/()_,')}"
    return replace(document, article=Article(title=title.replace("_", " "), url=canonical))
