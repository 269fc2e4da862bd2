"""Validated claims files kept in `cache/`, keyed by the file's hash: a nightly run over an
unchanged 100,000-claim file reads JSON instead of parsing and validating YAML again.

Policy: only files that validated cleanly and are large enough for parsing to cost time are
kept; the key is the SHA-256 of the file's bytes with the schema and verifier versions and
the validation rules (RULES), so an edited file, or a new verifier, never sees a stale entry.
Like the rest of `cache/`, deleting it costs only time, and an entry that cannot be read is
ignored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import fields
from pathlib import Path
from typing import Any

from verifier import __version__, collector
from verifier.files import write_atomic
from verifier.models import SCHEMA_VERSION, Article, Claim, Document, Reference, Tag

MIN_BYTES = 256 * 1024  # smaller files parse in a few milliseconds: not worth an entry
# Bumped whenever validation starts refusing what it accepted (2: a second YAML document,
# aliases past their allowance): an entry made under older rules would let such a file by.
RULES = 2
_DATES = ("date", "archive_date", "access_date")
_REFERENCE_FIELDS = tuple(f.name for f in fields(Reference))


def key(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _entry(cache: Path, digest: str) -> Path:
    return cache / "claims" / f"{digest}-v{SCHEMA_VERSION}-{__version__}-r{RULES}.json"


def _tags(tags: tuple[Tag, ...]) -> list[Any]:
    return [[t.name, t.date] for t in tags]


def _reference(ref: Reference) -> dict[str, Any]:
    out = {name: value for name in _REFERENCE_FIELDS
           if (value := getattr(ref, name)) not in (None, ())}
    for name in _DATES:
        if name in out:
            out[name] = out[name].isoformat()
    if ref.tags:
        out["tags"] = _tags(ref.tags)
    return out


def _claim(claim: Claim) -> list[Any]:
    return [claim.id, claim.text, claim.section, list(claim.sources), claim.citation_needed,
            _tags(claim.tags)]


def store(cache: Path, digest: str, document: Document) -> None:
    """Keep a validated document (never raises: a cache that cannot be written is a miss)."""
    article = document.article
    data = {
        "article": [article.title, article.url] if article else None,
        "references": [_reference(r) for r in document.references.values()],
        "claims": [_claim(c) for c in document.claims],
    }
    try:
        write_atomic(_entry(cache, digest), json.dumps(data, ensure_ascii=False))
    except OSError:
        pass


def load(cache: Path, digest: str, path: Path) -> Document | None:
    """The document kept for these bytes, or None."""
    try:
        data = json.loads(_entry(cache, digest).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    try:
        with collector.paused():  # as when parsing: many objects, no cycles
            return _document(data, path)
    except (KeyError, TypeError, ValueError, IndexError):
        return None


def _document(data: dict[str, Any], path: Path) -> Document:
    references = {}
    for raw in data["references"]:
        for name in _DATES:
            if name in raw:
                raw[name] = dt.date.fromisoformat(raw[name])
        if "tags" in raw:
            raw["tags"] = tuple(Tag(n, d) for n, d in raw["tags"])
        references[raw["key"]] = Reference(**raw)
    claims = tuple(
        Claim(id=i, text=t, section=s, sources=tuple(src), citation_needed=bool(cn),
              tags=tuple(Tag(n, d) for n, d in tags))
        for i, t, s, src, cn, tags in data["claims"])
    article = Article(*data["article"]) if data["article"] else None
    return Document(claims=claims, references=references, article=article, path=path)
