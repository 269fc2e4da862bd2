"""The validated data that travels between stages: frozen dataclasses, never dicts.

A `Document` is what one claims file holds (or what extraction produces from one article):
an optional `Article`, `Reference`s keyed by the article's own reference id, and `Claim`s
whose `sources` name those ids or carry absolute URLs inline.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from dataclasses import dataclass, field
from pathlib import Path

SCHEMA_VERSION = 1  # the claims.yaml `version` this code reads and writes

# An entry of `Claim.sources` that starts with a URL scheme is an inline URL; anything else is
# a reference id.
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def is_inline_url(source: str) -> bool:
    """True when a `sources` entry is an inline URL rather than a reference id."""
    return bool(_SCHEME.match(source))


@dataclass(frozen=True, slots=True)
class Tag:
    """A maintenance tag the article puts on a claim or reference ("citation needed", "dead link").

    `date` is the tag's own `date=` value as written (usually a month, "March 2020").
    """

    name: str
    date: str | None = None


CITATION_NEEDED = "citation needed"
DEAD_LINK = "dead link"
FAILED_VERIFICATION = "failed verification"


@dataclass(frozen=True, slots=True)
class Article:
    title: str | None = None
    url: str | None = None


@dataclass(frozen=True, slots=True)
class Reference:
    """One entry of the article's reference list, keyed by `key` (the article's own id)."""

    key: str
    title: str | None = None
    publisher: str | None = None
    date: dt.date | None = None  # publication date
    url: str | None = None
    archive_url: str | None = None
    archive_date: dt.date | None = None
    access_date: dt.date | None = None
    quote: str | None = None  # text the source is expected to contain
    work: str | None = None  # the newspaper, website or journal
    doi: str | None = None
    url_access: str | None = None  # CS1 url-access: subscription, registration, limited
    url_status: str | None = None  # CS1 url-status: live, dead, unfit, usurped
    tags: tuple[Tag, ...] = ()

    @property
    def anchor_date(self) -> dt.date | None:
        """The date the reference is tied to: when it was accessed, else when it was published."""
        return self.access_date or self.date


@dataclass(frozen=True, slots=True)
class Claim:
    """A span of article text and the sources that are meant to support it."""

    id: str
    text: str
    section: str | None = None
    sources: tuple[str, ...] = ()
    citation_needed: bool = False
    tags: tuple[Tag, ...] = ()

    def reference_keys(self) -> tuple[str, ...]:
        return tuple(s for s in self.sources if not is_inline_url(s))

    def inline_urls(self) -> tuple[str, ...]:
        return tuple(s for s in self.sources if is_inline_url(s))


@dataclass(frozen=True, slots=True)
class Document:
    """The claims of one article (one claims file), validated."""

    claims: tuple[Claim, ...]
    references: dict[str, Reference] = field(default_factory=dict)
    article: Article | None = None
    path: Path | None = None  # the file it was loaded from, if any
    version: int = SCHEMA_VERSION

    @property
    def name(self) -> str:
        """A stable name for the document: its article URL, else its title, else its file name."""
        if self.article and (self.article.url or self.article.title):
            return self.article.url or self.article.title or ""
        return self.path.name if self.path else "(unnamed)"

    def citing(self, key: str) -> tuple[Claim, ...]:
        """The claims that cite reference `key`."""
        return tuple(c for c in self.claims if key in c.sources)


@dataclass(frozen=True, slots=True)
class ClaimSet:
    """Everything one run works on: one or more documents (a file, or a directory of files)."""

    documents: tuple[Document, ...]
    # SHA-256 of the files read (paths, bytes, document names) and of how they are read
    # (claims.SOURCE_FORMAT); "" when the set was not read from files. Equal sources hold
    # equal content.
    source: str = ""

    @property
    def claims(self) -> tuple[Claim, ...]:
        return tuple(c for d in self.documents for c in d.claims)


# --- link checking -------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Redirect:
    """One redirecting response of a chain: the URL asked for and the status that sent us on."""

    url: str
    status: int


class Evidence(enum.Enum):
    """What one check says about whether a source is gone."""

    ALIVE = "alive"
    DEAD = "dead"  # counts as a strike towards confirmed_dead
    INCONCLUSIVE = "inconclusive"  # neither counts nor resets


class CheckStatus(enum.Enum):
    """The outcome of checking one URL once. `evidence` is the documented table (README)."""

    OK = "ok"
    REDIRECTED = "redirected"  # to a different page answering 2xx
    REDIRECT_TO_ROOT = "redirect_to_root"  # a deep link sent to the home or a landing page
    SOFT_404 = "soft_404"  # answers 200, but is an error page
    NOT_FOUND = "not_found"  # 404, 410
    BLOCKED = "blocked"  # 401, 403, 451, bot challenges
    RATE_LIMITED = "rate_limited"  # 429 after retries
    SERVER_ERROR = "server_error"  # 5xx after retries
    TIMEOUT = "timeout"
    DNS_ERROR = "dns_error"
    CONNECTION_ERROR = "connection_error"
    TLS_ERROR = "tls_error"
    REDIRECT_LOOP = "redirect_loop"  # a loop, or more redirects than allowed
    TOO_LARGE = "too_large"  # body over the cap: something is there
    INVALID_URL = "invalid_url"  # malformed, or not http(s)
    NO_URL = "no_url"  # the reference gives nothing to check
    SKIPPED = "skipped"  # ignored by a setting
    REFUSED_ADDRESS = "refused_address"  # an internal address, not fetched (allow-private)
    INTERNAL_ERROR = "internal_error"  # verifier itself failed on this URL: a bug, no evidence

    @property
    def evidence(self) -> Evidence:
        return _EVIDENCE[self]

    def is_dead_evidence(self) -> bool:
        return self.evidence is Evidence.DEAD

    def is_alive(self) -> bool:
        return self.evidence is Evidence.ALIVE

    def is_inconclusive(self) -> bool:
        return self.evidence is Evidence.INCONCLUSIVE


_EVIDENCE: dict[CheckStatus, Evidence] = {
    CheckStatus.OK: Evidence.ALIVE,
    CheckStatus.REDIRECTED: Evidence.ALIVE,
    CheckStatus.TOO_LARGE: Evidence.ALIVE,
    CheckStatus.REDIRECT_TO_ROOT: Evidence.DEAD,
    CheckStatus.SOFT_404: Evidence.DEAD,
    CheckStatus.NOT_FOUND: Evidence.DEAD,
    CheckStatus.SERVER_ERROR: Evidence.DEAD,
    CheckStatus.TIMEOUT: Evidence.DEAD,
    CheckStatus.DNS_ERROR: Evidence.DEAD,
    CheckStatus.CONNECTION_ERROR: Evidence.DEAD,
    CheckStatus.REDIRECT_LOOP: Evidence.DEAD,
    CheckStatus.INVALID_URL: Evidence.DEAD,
    # A certificate problem says nothing about whether the page is there.
    CheckStatus.TLS_ERROR: Evidence.INCONCLUSIVE,
    CheckStatus.BLOCKED: Evidence.INCONCLUSIVE,
    CheckStatus.RATE_LIMITED: Evidence.INCONCLUSIVE,
    CheckStatus.NO_URL: Evidence.INCONCLUSIVE,
    CheckStatus.SKIPPED: Evidence.INCONCLUSIVE,
    # Neither says anything about the page: verifier did not (or could not) ask for it.
    CheckStatus.REFUSED_ADDRESS: Evidence.INCONCLUSIVE,
    CheckStatus.INTERNAL_ERROR: Evidence.INCONCLUSIVE,
}


class UrlState(enum.Enum):
    """Where a URL stands across runs."""

    UNKNOWN = "unknown"
    ALIVE = "alive"
    FAILING = "failing"  # one or more strikes, not yet confirmed
    CONFIRMED_DEAD = "confirmed_dead"
    RECOVERED = "recovered"  # answered again after failing; alive at its next alive check

    def is_dead(self) -> bool:
        return self is UrlState.CONFIRMED_DEAD

    def needs_attention(self) -> bool:
        return self in (UrlState.FAILING, UrlState.CONFIRMED_DEAD)


# --- archives ------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Snapshot:
    """One archived copy of a URL, as an archive lists it."""

    archive: str  # the archive's name in settings
    url: str  # the original URL, as the archive indexed it
    captured_at: dt.datetime  # UTC
    status: int | None  # HTTP status of the capture, when the archive says
    replay_url: str  # the copy as people view it (with the archive's banner)
    raw_url: str | None  # the original bytes, for reading (Wayback's id_ form); None if unknown
    mimetype: str | None = None


class LookupOutcome(enum.Enum):
    """What asking the archives for a URL came to."""

    FOUND = "found"  # a verified snapshot was chosen
    NO_SNAPSHOT = "no_snapshot"  # every archive answered, none holds a usable capture
    FAILED = "failed"  # an archive could not be asked (down, hanging): no proof of absence

    def expires(self) -> bool:
        """Only "no snapshot" and "lookup failed" are asked again later."""
        return self is not LookupOutcome.FOUND


# --- support assessment --------------------------------------------------------------------------

class Verdict(enum.Enum):
    """Whether a source's text supports a claim."""

    SUPPORTED = "supported"
    PARTIALLY_SUPPORTED = "partially_supported"
    NOT_SUPPORTED = "not_supported"  # readable, and a key fact is contradicted or clearly absent
    INCONCLUSIVE = "inconclusive"  # readable, too little evidence either way
    QUOTE_MISMATCH = "quote_mismatch"  # the reference's quote is not in the source
    UNVERIFIABLE = "unverifiable"  # no readable text: dead without a copy, blocked, binary

    def is_finding(self) -> bool:
        """An editor should look at the claim."""
        return self in (Verdict.NOT_SUPPORTED, Verdict.QUOTE_MISMATCH)

    def supports(self) -> bool:
        """The source says (at least part of) what the claim says."""
        return self in (Verdict.SUPPORTED, Verdict.PARTIALLY_SUPPORTED)

    def is_readable(self) -> bool:
        """A text was read: every verdict but unverifiable."""
        return self is not Verdict.UNVERIFIABLE


@dataclass(frozen=True, slots=True)
class Passage:
    """A passage of the source text, by character offsets into it."""

    text: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Assessment:
    """How well one source's text supports one claim, and why."""

    verdict: Verdict
    score: float  # 0..1: how strongly the text supports the claim
    evidence: Passage | None  # the best passage
    matched: tuple[str, ...] = ()  # key facts of the claim found in the text
    missing: tuple[str, ...] = ()  # key facts not found
    contradicted: tuple[str, ...] = ()  # key facts the text states otherwise
    languages: tuple[str | None, str | None] = (None, None)  # (claim, source), when known
    reason: str = ""


class SourceKind(enum.Enum):
    """Which copy of a source a verdict rests on."""

    LIVE = "live"  # the page as this run (or a recent one) fetched it
    ARCHIVE = "archive"  # an archived snapshot
    NONE = "none"  # nothing could be read


@dataclass(frozen=True, slots=True)
class Drift:
    """The archived copy from before the reference's date supported the claim; the live page
    does not any more."""

    snapshot: Snapshot
    archived: Assessment
    live: Assessment


@dataclass(frozen=True, slots=True)
class Judgement:
    """One claim against one source, as `check` stores it: the verdict and the copy it read."""

    assessment: Assessment
    source: SourceKind
    text_sha256: str | None = None  # the text assessed
    snapshot: Snapshot | None = None  # the archived copy read (the source, or for drift)
    drift: Drift | None = None
