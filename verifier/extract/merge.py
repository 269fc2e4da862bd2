"""Re-extraction into an existing claims file: the article's new text wins, the editor's work stays.

Kept from the old file: claim ids (matched by id, by identical text, or by close text in the same
section, so a lightly edited sentence keeps its history), inline URLs added to a claim by hand, and
reference fields the extractor leaves empty (a hand-added `url` or `quote`). References are matched
by URL or title, not by number, since inserting a citation renumbers every later footnote.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, fields, replace

from verifier.models import Article, Claim, Document, Reference

SIMILAR = 0.85  # difflib ratio above which an edited sentence is taken as the same claim


@dataclass(frozen=True)
class MergeStats:
    kept: int
    added: int
    removed: int


def _norm(text: str | None) -> str | None:
    return " ".join(text.split()).lower() if text else None


def _merge_reference(old: Reference, new: Reference) -> Reference:
    filled = {
        f.name: getattr(old, f.name)
        for f in fields(Reference)
        if f.name != "key" and getattr(new, f.name) in (None, ()) and getattr(old, f.name)
    }
    return replace(new, **filled)


def _match_references(old: Document, new: Document) -> dict[str, Reference]:
    """Each new reference merged with the old one it is: same URL, else same title, else the
    same footnote number when that old reference had neither (so a URL added by hand still
    finds its reference)."""
    by_url = {_norm(r.url): r for r in old.references.values() if r.url}
    by_title = {_norm(r.title): r for r in old.references.values() if r.title}
    merged: dict[str, Reference] = {}
    for key, ref in new.references.items():
        previous = (by_url.get(_norm(ref.url)) if ref.url else None) or (
            by_title.get(_norm(ref.title)) if ref.title else None)
        if previous is None and key in old.references:
            candidate = old.references[key]
            if not ref.title or not candidate.title or _norm(candidate.title) == _norm(ref.title):
                previous = candidate
        merged[key] = _merge_reference(previous, ref) if previous else ref
    return merged


def _find_old(claim: Claim, candidates: dict[str, Claim]) -> Claim | None:
    if claim.id in candidates:
        return candidates[claim.id]
    for old in candidates.values():
        if old.text == claim.text:
            return old
    best, best_ratio = None, SIMILAR
    for old in candidates.values():
        if old.section != claim.section:
            continue
        ratio = difflib.SequenceMatcher(None, old.text, claim.text).ratio()
        if ratio > best_ratio:
            best, best_ratio = old, ratio
    return best


def _merge_article(old: Article | None, new: Article | None) -> Article | None:
    if old is None or new is None:
        return new or old
    return Article(title=new.title or old.title, url=new.url or old.url)


def merge(old: Document, new: Document) -> tuple[Document, MergeStats]:
    """`new` (a fresh extraction) with the ids and hand-added fields of `old`."""
    unmatched = {c.id: c for c in old.claims}
    taken = {c.id for c in new.claims}
    claims: list[Claim] = []
    kept = 0
    for claim in new.claims:
        previous = _find_old(claim, unmatched)
        if previous is None:
            claims.append(claim)
            continue
        del unmatched[previous.id]
        kept += 1
        ident = previous.id if previous.id == claim.id or previous.id not in taken else claim.id
        hand_urls = tuple(u for u in previous.inline_urls() if u not in claim.sources)
        claims.append(replace(claim, id=ident, sources=claim.sources + hand_urls))
    document = replace(
        new,
        claims=tuple(claims),
        references=_match_references(old, new),
        article=_merge_article(old.article, new.article),
        path=old.path,
    )
    return document, MergeStats(kept=kept, added=len(claims) - kept, removed=len(unmatched))
