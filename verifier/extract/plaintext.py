"""Claims from text copied out of a rendered Wikipedia page or a mirror of one.

What the copy looks like: paragraphs one per line, reference markers as `[1]`, maintenance tags
as `[ citation needed ]`, interlanguage links as `[ be ]`, headings alone on their line, infobox
rows as runs of short lines, and a numbered References list (`5. 1 2 Title // Publisher, date`,
where `1 2` are the backlinks of a reference used twice).
"""

from __future__ import annotations

import re

from verifier.extract.common import ClaimBuilder, normalize_space, parse_date
from verifier.models import CITATION_NEEDED, Article, Document, Reference, Tag

# Sections that hold no claims of the article; "Related Research Articles" is a mirror's tail.
_NO_CLAIMS = {
    "see also", "notes", "external links", "further reading", "bibliography", "sources",
    "related research articles", "contents", "footnotes", "citations", "works cited",
    "notes and references", "literature", "references",
}
_REFERENCE_HEADINGS = {"references", "notes", "footnotes", "citations", "notes and references"}

# [1], [ 12 ], [note 3], [a]: a reference marker; the key is what the reader sees.
_MARKER = re.compile(
    r"\[\s*(?:(?P<num>\d+)|(?P<group>[a-z]+ \d+)|(?P<alpha>[a-z]))\s*\]"
    r"|\[\s*(?P<tag>[A-Za-z][A-Za-z ?'–—-]*[A-Za-z?])\s*\]"
)
_LANG_CODE = re.compile(r"^[a-z]{2,3}(?:-[a-z]+)?$")  # [ be ], [ es ], [ zh-yue ]
_KNOWN_TAGS = {
    "citation needed", "better source needed", "failed verification", "dubious",
    "dubious – discuss",
    "clarification needed", "when?", "who?", "which?", "according to whom?", "by whom?",
    "dead link", "unreliable source?", "verification needed", "page needed", "full citation needed",
    "original research?", "non-primary source needed", "permanent dead link", "needs update",
}
_EDIT_LINK = re.compile(r"\s*\[\s*edit\s*\]\s*$", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?:;\"'”»)\]]\s*$")

_REF_ITEM = re.compile(r"^\s*(?:(?P<num>\d+)\.|\^)\s*(?P<body>.*\S)\s*$")
_ARCHIVED = re.compile(
    r"\s*Archived\s+(?:from the original\s+)?(?:on\s+)?(?P<date>[^.]*?)\s+at the Wayback Machine\.?"
    r"|\s*Archived from the original on (?P<date2>[^.]+)\.",
    re.IGNORECASE,
)
_RETRIEVED = re.compile(r"\s*Retrieved(?: on)?\s+(?P<date>[^.]+?)\.?\s*$", re.IGNORECASE)
_QUOTED_TITLE = re.compile(r"[\"“«](?P<title>[^\"”»]+)[\"”»]")
_PAREN_DATE = re.compile(r"\((?P<date>[^()]+)\)")


def _marker_key(match: re.Match[str]) -> str | None:
    return match.group("num") or match.group("group") or match.group("alpha")


def _feed_paragraph(builder: ClaimBuilder, line: str) -> None:
    """Split one paragraph at its markers and feed the pieces to the builder in order."""
    position = 0
    for match in _MARKER.finditer(line):
        builder.text(line[position:match.start()])
        position = match.end()
        key = _marker_key(match)
        if key is not None:
            builder.cite(key)
            continue
        tag = normalize_space(match.group("tag")).lower()
        if _LANG_CODE.match(tag) or tag == "edit":
            continue  # an interlanguage link or an edit link: not a mark on the claim
        if tag in _KNOWN_TAGS or tag.endswith("needed") or tag.endswith("?"):
            builder.tag(Tag(CITATION_NEEDED if tag == CITATION_NEEDED else tag))
        else:
            builder.text(match.group(0))  # brackets that are part of the prose
    builder.text(line[position:])
    builder.end_paragraph()


def _has_marker(line: str) -> bool:
    """A reference marker or a known maintenance tag (not an interlanguage [ be ])."""
    for match in _MARKER.finditer(line):
        tag = match.group("tag")
        if tag is None or not _LANG_CODE.match(normalize_space(tag).lower()):
            return True
    return False


def _is_prose(line: str) -> bool:
    return _has_marker(line) or (bool(_SENTENCE_END.search(line)) and len(line) > 25)


def _is_heading(block: list[str]) -> bool:
    """A lone short line with no marker and no closing punctuation."""
    line = block[0]
    return (len(block) == 1 and len(line) <= 80 and not _has_marker(line)
            and not _SENTENCE_END.search(line))


def _strip_backlinks(body: str) -> str:
    """Drop the backlink labels of a reused reference: `1 2 Title` or `^ a b Title`."""
    tokens = body.lstrip("^ ").split(" ")
    count = 0
    while count < len(tokens) and tokens[count] in (str(count + 1), chr(ord("a") + count)):
        count += 1
    if count >= 2:
        return " ".join(tokens[count:])
    return body.lstrip("^ ")


def parse_reference(key: str, body: str) -> Reference:
    """A reference from its rendered text: CS1 style (`"Title". Publisher. Date.`) or `//` style."""
    text = normalize_space(_strip_backlinks(body))
    archive_date = access_date = date = None
    archived = _ARCHIVED.search(text)
    if archived:
        archive_date = parse_date(archived.group("date") or archived.group("date2"))
        text = normalize_space(text[:archived.start()] + " " + text[archived.end():])
    retrieved = _RETRIEVED.search(text)
    if retrieved:
        access_date = parse_date(retrieved.group("date"))
        text = text[:retrieved.start()].strip()
    title = publisher = None
    if " // " in text:  # Russian bibliographic style: Title // Publisher, date
        title, _, rest = text.partition(" // ")
        publisher, _, tail = rest.rpartition(", ")
        date = parse_date(tail)
        if date is None:
            publisher = rest
    else:
        quoted = _QUOTED_TITLE.search(text)
        if quoted:
            title = quoted.group("title").strip().rstrip(".")
            before, after = text[:quoted.start()], text[quoted.end():]
            paren = _PAREN_DATE.search(before)
            date = parse_date(paren.group("date")) if paren else None
            for part in (p.strip() for p in after.strip(" .").split(". ")):
                if not part:
                    continue
                part_date = parse_date(part)
                if part_date and date is None:
                    date = part_date
                elif publisher is None and not part_date:
                    publisher = part
        else:
            title = text
    return Reference(
        key=key,
        title=(title or "").strip(" .") or None,
        publisher=(publisher or "").strip(" .") or None,
        date=date,
        archive_date=archive_date,
        access_date=access_date,
    )


def _blocks(text: str) -> list[list[str]]:
    blocks: list[list[str]] = [[]]
    for raw in text.splitlines():
        line = raw.rstrip()
        if line.strip():
            blocks[-1].append(line)
        elif blocks[-1]:
            blocks.append([])
    return [b for b in blocks if b]


def extract(text: str) -> Document:
    """Claims and references from text copied from a Wikipedia page or mirror."""
    builder = ClaimBuilder()
    references: dict[str, Reference] = {}
    blocks = _blocks(text)
    # The first line is the title when it looks like one; text pasted from the lead on is not.
    title = normalize_space(blocks[0][0]) if blocks and _is_heading(blocks[0]) else None
    mode = "body"  # body -> skip (a section without claims) -> refs (the references list)
    next_number = 1
    for index, block in enumerate(blocks):
        if index == 0 and title is not None:
            continue
        if _is_heading(block):
            heading = _EDIT_LINK.sub("", normalize_space(block[0]))
            name = heading.lower()
            if name in _REFERENCE_HEADINGS:
                mode = "refs"
                continue
            if name in _NO_CLAIMS:
                mode = "skip" if name != "contents" else mode
                continue
            if mode == "body" or mode == "refs":
                mode = "body" if mode == "body" else "skip"
                builder.section(heading)
                continue
        for line in block:
            if mode == "refs":
                item = _REF_ITEM.match(line)
                if item:
                    key = item.group("num") or str(next_number)
                    next_number = int(key) + 1
                    references[key] = parse_reference(key, item.group("body"))
            elif mode == "body" and _is_prose(line):
                _feed_paragraph(builder, line)
    claims = builder.build()
    for claim in claims:  # markers whose list entry is missing still name a reference
        for key in claim.reference_keys():
            references.setdefault(key, Reference(key=key))
    return Document(claims=claims, references=references, article=Article(title=title))
