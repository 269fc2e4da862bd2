"""What every extractor shares: claim assembly, stable claim ids, date parsing.

An extractor walks its article in reading order and tells a `ClaimBuilder` what it sees:
section headings, runs of prose, citations and maintenance tags, paragraph ends. The builder
applies the one rule for what a claim is: all the text since the previous citation (or the
start of the paragraph) up to the citation or citation-needed mark that closes it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field, replace

from verifier.models import CITATION_NEEDED, Claim, Tag

_SPACE = re.compile(r"\s+")
# ...but not before a word that starts with one: "files ending in .html" keeps its space.
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([.,;:!?)\]])(?![\w])")
_SPACE_AFTER_OPEN = re.compile(r"([(\[])\s+")
_LEADING_PUNCT = re.compile(r"^\s*([.,;:!?)]+)")
# Tags that question a word inside a sentence ("...recently[when?] said..."): they mark the claim
# being written without closing it. Every other mark closes the claim before it.
INLINE_TAGS = frozenset({
    "when?", "who?", "which?", "where?", "why?", "how?", "according to whom?", "by whom?",
    "clarification needed", "vague", "specify", "definition needed", "examples needed",
    "by how much?", "compared to?", "in what way?", "year needed", "pronunciation?",
})


def normalize_space(text: str) -> str:
    """Collapse runs of white space (non-breaking included) and trim the ends."""
    return _SPACE.sub(" ", text.replace("\u00a0", " ")).strip()


def clean_claim_text(text: str) -> str:
    """Normalise a claim's text: single spaces, no space before closing punctuation."""
    text = normalize_space(text)
    text = _SPACE_BEFORE_PUNCT.sub(r"\1", text)
    return _SPACE_AFTER_OPEN.sub(r"\1", text)


_STOPWORDS = frozenset(
    "a an the of in on at to for and or by with from as is was were be been are this that "
    "its it his her their".split()
)


def claim_id(text: str) -> str:
    """A readable id that depends only on the claim's text, so re-extraction gives it again.

    The first four content words, then eight hex digits of the text's SHA-256:
    "The first ten military consultants arrived..." -> "first-ten-military-consultants-1b2c...".
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = [w for w in re.findall(r"[a-z0-9]+", ascii_text.lower()) if w not in _STOPWORDS]
    slug = "-".join(words[:4]) or "claim"
    digest = hashlib.sha256(clean_claim_text(text).encode("utf-8")).hexdigest()[:8]
    return f"{slug}-{digest}"


@dataclass
class _Open:
    text: str
    section: str | None
    sources: list[str] = field(default_factory=list)
    tags: list[Tag] = field(default_factory=list)


class ClaimBuilder:
    """Turns a stream of prose, citations and tags into claims (see the module docstring)."""

    def __init__(self) -> None:
        self._claims: list[_Open] = []
        self._section: str | None = None
        self._parts: list[str] = []
        self._last: _Open | None = None  # the claim just closed, still taking adjacent marks
        self._pending_tags: list[Tag] = []  # inline tags inside the claim being written

    def section(self, title: str | None) -> None:
        self.end_paragraph()
        self._section = normalize_space(title) if title else None

    def text(self, text: str) -> None:
        if not text:
            return
        if self._last is not None and not self._parts:
            # "...claim[1]." or "[1], [2]": punctuation right after a mark belongs to that claim
            match = _LEADING_PUNCT.match(text)
            if match:
                punct = match.group(1)
                if not self._last.text.rstrip().endswith(punct):  # "meetings.<ref/>." keeps one
                    self._last.text += punct
                text = text[match.end():]
            if not text.strip():
                return
            self._last = None
        self._parts.append(text)

    def cite(self, source: str) -> None:
        target = self._close()
        if target is not None and source not in target.sources:
            target.sources.append(source)

    def tag(self, tag: Tag) -> None:
        if tag.name in INLINE_TAGS and "".join(self._parts).strip():
            self._pending_tags.append(tag)  # mid-sentence: the claim goes on
            return
        target = self._close()
        if target is not None and tag not in target.tags:
            target.tags.append(tag)

    def end_paragraph(self) -> None:
        if self._pending_tags:
            self._close()  # uncited, but tagged: the editor's worklist needs it
        self._parts = []  # other prose after the last mark of a paragraph is not a claim
        self._pending_tags = []
        self._last = None

    def build(self) -> tuple[Claim, ...]:
        self.end_paragraph()
        claims: list[Claim] = []
        seen: dict[str, int] = {}
        for item in self._claims:
            text = clean_claim_text(item.text)
            if not text:
                continue
            cid = claim_id(text)
            seen[cid] = seen.get(cid, 0) + 1
            if seen[cid] > 1:  # the same sentence twice in one article
                cid = f"{cid}-{seen[cid]}"
            claims.append(
                Claim(
                    id=cid,
                    text=text,
                    section=item.section,
                    sources=tuple(item.sources),
                    citation_needed=any(t.name == CITATION_NEEDED for t in item.tags),
                    # the flag says "citation needed"; the tag is kept only for its date
                    tags=tuple(t for t in item.tags if t.name != CITATION_NEEDED or t.date),
                )
            )
        return tuple(claims)

    def _close(self) -> _Open | None:
        """The claim a mark attaches to: the pending text, else the claim just closed."""
        pending = "".join(self._parts)
        if pending.strip():
            self._parts = []
            self._last = _Open(pending, self._section, tags=self._pending_tags)
            self._pending_tags = []
            self._claims.append(self._last)
        return self._last


def with_text(claim: Claim, text: str) -> Claim:
    return replace(claim, text=text)


# --- dates -------------------------------------------------------------------------------------

_MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    [
        "january jan enero ene января январь янв",
        "february feb febrero февраля февраль фев",
        "march mar marzo марта март",
        "april apr abril abr апреля апрель апр",
        "may mayo мая май",
        "june jun junio июня июнь",
        "july jul julio июля июль",
        "august aug agosto ago августа август авг",
        "september sep sept septiembre setiembre сентября сентябрь сен",
        "october oct octubre октября октябрь окт",
        "november nov noviembre ноября ноябрь ноя",
        "december dec diciembre dic декабря декабрь дек",
    ],
    start=1,
):
    for _name in _names.split():
        _MONTHS[_name] = _number

_MONTH = r"(?P<month>[^\W\d_]+)\.?"
_DATE_PATTERNS = [
    re.compile(r"^(?P<year>\d{4})-(?P<mnum>\d{1,2})-(?P<day>\d{1,2})$"),
    re.compile(r"^(?P<day>\d{1,2})\.(?P<mnum>\d{1,2})\.(?P<year>\d{4})$"),
    re.compile(rf"^{_MONTH}\s+(?P<day>\d{{1,2}}),?\s+(?P<year>\d{{4}})$"),
    re.compile(rf"^(?P<day>\d{{1,2}})\s+(?:de\s+)?{_MONTH}\s+(?:de\s+|del\s+)?(?P<year>\d{{4}})$"),
]


def parse_date(text: str | None) -> dt.date | None:
    """A full calendar date written in any common way, in English, Russian or Spanish.

    "2020-09-24", "April 2, 2021", "2 April 2021", "22 февраля 2019", "4 de febrero de 1997",
    "04.02.1997". Partial dates ("April 2021", "2019") and anything else give None.
    """
    if not text:
        return None
    value = normalize_space(text).rstrip(".").lower()
    value = re.sub(r"\s*(г|года)\.?$", "", value)  # "25 марта 2008 г."
    for pattern in _DATE_PATTERNS:
        match = pattern.match(value)
        if not match:
            continue
        parts = match.groupdict()
        month = int(parts["mnum"]) if parts.get("mnum") else _MONTHS.get(parts.get("month") or "")
        if not month:
            return None
        try:
            return dt.date(int(parts["year"]), month, int(parts["day"]))
        except ValueError:
            return None
    return None
