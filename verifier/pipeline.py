"""Where the stages are wired together. Commands call one function here each."""

from __future__ import annotations

import sys
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TextIO

from verifier.claims import dump_document, load_claims
from verifier.errors import ExtractError, OutputExistsError
from verifier.extract import extract_article
from verifier.extract.merge import merge
from verifier.files import write_atomic
from verifier.models import Article, ClaimSet, Document
from verifier.settings import Settings


@dataclass(frozen=True)
class ExtractRequest:
    article: str  # a path, "-" for standard input, or a Wikipedia page URL
    output: Path | None = None
    fmt: str | None = None
    force: bool = False
    merge: bool = False
    title: str | None = None
    url: str | None = None


def _read_article(source: str, stdin: TextIO) -> str:
    if source == "-":
        return stdin.read()
    path = Path(source)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ExtractError(f"{source}: no such file") from None
    except IsADirectoryError:
        raise ExtractError(f"{source}: is a directory, not an article") from None
    except OSError as exc:
        raise ExtractError(f"{source}: cannot read: {exc.strerror}") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ExtractError(f"{source}:{line}: not UTF-8 text (byte {exc.start})") from None


def run_extract(request: ExtractRequest, settings: Settings, stdout: TextIO = sys.stdout) -> str:
    """Extract an article's claims and write them; returns a one-line summary."""
    if request.output and request.output.exists() and not (request.force or request.merge):
        raise OutputExistsError(
            f"{request.output} exists; use --merge to update it or --force to replace it"
        )
    if request.article.startswith(("http://", "https://")):
        from verifier.extract.remote import extract_url

        document = extract_url(request.article, settings)
    else:
        document = extract_article(_read_article(request.article, sys.stdin), request.fmt)
    if request.title or request.url:
        old = document.article or Article()
        document = replace(document, article=Article(request.title or old.title, request.url or old.url))

    note = ""
    if request.merge and request.output and request.output.exists():
        existing = load_claims(request.output).documents[0]  # invalid -> ClaimsError, nothing written
        document, stats = merge(existing, document)
        note = f" (merged: {stats.kept} kept, {stats.added} added, {stats.removed} removed)"
    text = dump_document(document)
    if request.output:
        write_atomic(request.output, text)
    else:
        stdout.write(text)
    flagged = sum(c.citation_needed for c in document.claims)
    where = request.output or "standard output"
    return (f"extracted {len(document.claims)} claims ({flagged} citation needed) and "
            f"{len(document.references)} references to {where}{note}")


@dataclass(frozen=True)
class ClaimsSummary:
    files: int
    claims: int
    citation_needed: int
    references: int
    references_with_url: int
    references_without_url: int
    inline_urls: int
    unique_urls: int
    tags: dict[str, int]

    def as_dict(self) -> dict[str, object]:
        return dict(self.__dict__)

    def as_text(self, name: str) -> str:
        lines = [
            f"{name}: valid ({self.files} file{'s' if self.files != 1 else ''})",
            f"  claims:          {self.claims} ({self.citation_needed} marked citation needed)",
            f"  references:      {self.references} ({self.references_with_url} with a URL, "
            f"{self.references_without_url} without)",
            f"  inline URLs:     {self.inline_urls}",
            f"  URLs to check:   {self.unique_urls}",
        ]
        if self.tags:
            shown = ", ".join(f"{name} {count}" for name, count in sorted(self.tags.items()))
            lines.append(f"  maintenance tags: {shown}")
        return "\n".join(lines)


def _document_urls(document: Document) -> set[str]:
    urls = {u for c in document.claims for u in c.inline_urls()}
    for ref in document.references.values():
        urls.update(u for u in (ref.url, ref.archive_url) if u)
    return urls


def summarise(claim_set: ClaimSet) -> ClaimsSummary:
    """Counts that tell an editor what a claims file holds."""
    refs = [r for d in claim_set.documents for r in d.references.values()]
    tags: Counter[str] = Counter()
    for claim in claim_set.claims:
        tags.update(t.name for t in claim.tags)
    for ref in refs:
        tags.update(t.name for t in ref.tags)
    urls: set[str] = set()
    for document in claim_set.documents:
        urls |= _document_urls(document)
    return ClaimsSummary(
        files=len(claim_set.documents),
        claims=len(claim_set.claims),
        citation_needed=sum(c.citation_needed for c in claim_set.claims),
        references=len(refs),
        references_with_url=sum(1 for r in refs if r.url),
        references_without_url=sum(1 for r in refs if not r.url),
        inline_urls=sum(len(c.inline_urls()) for c in claim_set.claims),
        unique_urls=len(urls),
        tags=dict(tags),
    )
