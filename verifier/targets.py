"""Claims -> the unique URLs to check, each knowing which references and claims rest on it.

Each URL is checked once per run however many claims cite it. A reference's URL is used as
written after normalisation; a reference with no URL but a DOI is checked through the DOI
resolver; a reference with neither is reported as having no URL (there is nothing to fetch).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from verifier.models import ClaimSet, Document, Reference
from verifier.settings import DomainRule, Settings
from verifier.urls import InvalidUrl, NormalizedUrl, doi_url, keyed

PAYWALLED = frozenset({"subscription", "registration", "limited"})


@dataclass(frozen=True, slots=True)
class Citation:
    """One place a URL is cited: a reference of a document (None for inline URLs) and its claims."""

    document: str
    ref_key: str | None
    claim_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Target:
    """A URL to check, with why it may not be fetched and who cites it."""

    url: str  # normalised; the raw text when invalid; never with credentials
    host: str
    invalid: str | None = None  # why the URL cannot be fetched
    skip: str | None = None  # why a domain rule says not to fetch it
    paywalled: bool = False  # every citing reference marks it subscription/registration/limited
    via_doi: bool = False
    citations: tuple[Citation, ...] = ()
    # The URL to request when it carries `user:password@` (the first citation's); else None.
    request_url: str | None = None


@dataclass(frozen=True, slots=True)
class ArchiveLink:
    """An archived copy a reference already names: it must be a real capture from near the
    reference's access date."""

    url: str  # as written in the reference
    original: str | None  # the reference's own URL
    access_date: dt.date | None
    citation: Citation


@dataclass(frozen=True, slots=True)
class Targets:
    urls: tuple[Target, ...]
    no_url: tuple[Citation, ...]  # references that give nothing to check
    archive_links: tuple[ArchiveLink, ...] = ()


@dataclass
class _Builder:
    normal: NormalizedUrl | InvalidUrl
    raw: str
    citations: list[Citation] = field(default_factory=list)
    paywalled: list[bool] = field(default_factory=list)
    via_doi: bool = False


def _reference_url(ref: Reference, settings: Settings) -> tuple[str | None, bool]:
    if ref.url:
        return ref.url, False
    if ref.doi:
        try:
            return doi_url(ref.doi, settings.doi_resolver), True
        except ValueError:
            return f"doi:{ref.doi}", True  # kept as written: the checker reports it invalid
    return None, False


def _builder(found: dict[str, _Builder], raw: str) -> _Builder:
    """The URL's entry, by its key in the history."""
    url, normal = keyed(raw)
    builder = found.get(url)
    if builder is None:
        builder = found[url] = _Builder(normal, raw)
    return builder


def _document_targets(
    document: Document, settings: Settings, found: dict[str, _Builder], no_url: list[Citation],
    archive_links: list[ArchiveLink],
) -> None:
    name = document.name
    citing: dict[str, list[str]] = {}
    for claim in document.claims:
        for key in claim.reference_keys():
            citing.setdefault(key, []).append(claim.id)
    for key, ref in document.references.items():
        claims = tuple(citing.get(key, ()))
        raw, via_doi = _reference_url(ref, settings)
        citation = Citation(name, key, claims)
        if ref.archive_url:
            archive_links.append(ArchiveLink(ref.archive_url, ref.url, ref.access_date, citation))
        if raw is None:
            no_url.append(citation)
            continue
        builder = _builder(found, raw)
        builder.citations.append(citation)
        builder.paywalled.append(ref.url_access in PAYWALLED)
        builder.via_doi = builder.via_doi or via_doi
    for claim in document.claims:
        for raw in claim.inline_urls():
            builder = _builder(found, raw)
            builder.citations.append(Citation(name, None, (claim.id,)))
            builder.paywalled.append(False)


def collect(claim_set: ClaimSet, settings: Settings) -> Targets:
    """The unique URLs of a claim set, in the order they are first cited."""
    found: dict[str, _Builder] = {}
    no_url: list[Citation] = []
    archive_links: list[ArchiveLink] = []
    for document in claim_set.documents:
        _document_targets(document, settings, found, no_url, archive_links)
    targets = []
    rules: dict[str, DomainRule | None] = {}  # by host: most hosts carry many URLs
    for url, builder in found.items():
        normal = builder.normal
        if isinstance(normal, InvalidUrl):
            targets.append(Target(url=url, host="", invalid=normal.reason,
                                  citations=tuple(builder.citations)))
            continue
        if normal.host not in rules:
            rules[normal.host] = settings.rule_for(normal.host)
        rule = rules[normal.host]
        targets.append(Target(
            url=url,
            host=normal.host,
            skip=f"ignored by the rule for {rule.domain}: {rule.ignore}" if rule and rule.ignore
            else None,
            paywalled=all(builder.paywalled),
            via_doi=builder.via_doi,
            citations=tuple(builder.citations),
            request_url=builder.raw.strip() if normal.userinfo else None,
        ))
    return Targets(tuple(targets), tuple(no_url), tuple(archive_links))
