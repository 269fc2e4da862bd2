"""Wikipedia HTML -> claims and references: desktop skins, Parsoid/REST, mobile and action=parse.

Footnote markers (`sup.reference`, Parsoid `sup.mw-ref`) are read first, anywhere on the page, to
learn the label the reader sees for each reference-list item ("5", "a", "note 1"). The list items
(`ol.references li#cite_note-...`) become `Reference`s under that label, and the body is walked in
reading order into a `ClaimBuilder`. A marker whose list item is missing still names its label as
a claim source, and the label gets a bare `Reference(key)` stub so that every source resolves.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, unquote

import lxml.etree
import lxml.html
from lxml.html import HtmlElement

from verifier.errors import ExtractError
from verifier.extract.common import ClaimBuilder, normalize_space, parse_date
from verifier.models import DEAD_LINK, FAILED_VERIFICATION, Article, Document, Reference, Tag
from verifier.models import is_inline_url

_HEADINGS = {"h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_BLOCKS = frozenset(
    "html body main article section div p li ul ol dl dd dt blockquote center pre h1 "
    "header footer aside nav form".split()
)
_SKIP_TAGS = frozenset(
    "style script noscript table figure figcaption caption img link meta annotation audio video "
    "map input button textarea select".split()
)
# Page furniture, not prose: boxes, hatnotes, edit links, captions, the lists of references
_SKIP_CLASSES = frozenset(
    "navbox vertical-navbox navbox-styles infobox sidebar hatnote dablink rellink mw-editsection "
    "toc references mw-references reflist refbegin mw-references-wrap thumb thumbinner "
    "thumbcaption gallery metadata ambox mbox-small noprint shortdescription sistersitebox "
    "portal catlinks printfooter authority-control mw-authority-control side-box mw-empty-elt "
    "mw-cite-backlink reference mw-ref Inline-Template Template-Fact Z3988 tmulti mw-jump-link "
    "mwe-math-fallback-image-inline mwe-math-fallback-image-display sortkey".split()
)
_SKIP_IDS = frozenset("toc catlinks siteSub contentSub jump-to-nav coordinates".split())
# Appendix sections list sources and links, never claims
_APPENDICES = frozenset(
    "see also|references|notes|external links|further reading|bibliography|sources|"
    "notes and references|references and notes|footnotes|citations|works cited".split("|")
)
# Older names that cleanup templates have rendered with
_TAG_ALIASES = {"permanent dead link": DEAD_LINK, "not in citation given": FAILED_VERIFICATION}
_TAG_DATE = re.compile(r"([A-Z][a-z]+ \d{4})\)?\s*$")
_ARCHIVE = re.compile(
    r"^(?:https?:)?//(?:[a-z0-9-]+\.)*(?:web\.archive\.org|archive\.org/web|webcitation\.org|"
    r"archive\.(?:today|is|ph|li|md|fo|vn)|wayback\.archive-it\.org|webarchive\.loc\.gov|"
    r"webarchive\.nationalarchives\.gov\.uk|ghostarchive\.org|perma\.cc)/",
    re.IGNORECASE,
)
# Resolvers CS1 links identifiers to: a reference's own url is preferred over them
_IDENTIFIER = re.compile(
    r"^(?:https?:)?//(?:[a-z0-9-]+\.)*(?:doi\.org|hdl\.handle\.net|ncbi\.nlm\.nih\.gov|"
    r"worldcat\.org|jstor\.org/stable|arxiv\.org/abs|adsabs\.harvard\.edu|semanticscholar\.org|"
    r"zbmath\.org|osti\.gov|openlibrary\.org|lccn\.loc\.gov|europepmc\.org|ssrn\.com)",
    re.IGNORECASE,
)
_DOI = re.compile(r"doi\.org/(10\.[^?#]+)", re.IGNORECASE)
_ARCHIVED = re.compile(
    r"Archived (?P<original>from the original )?on (?P<on>.+?)(?=\.\s|\.$|$)"
    r"|Archived (?P<at>.+?) at (?:the )?[A-Z]"
)
_RETRIEVED = re.compile(r"Retrieved(?: on)?:? (.+?)(?=\.\s|\.$|$)", re.IGNORECASE)
_LOCK = re.compile(r"\b(?:cs1|id)-lock-(subscription|registration|limited)\b")
_LOCK_TEXT = re.compile(r"\((subscription|registration) required")
_TITLE_SUFFIX = re.compile(r"\s+[-–—]\s+(?:Wikipedia|Википедия)\b.*$", re.IGNORECASE)
# How footnote groups ({{efn-la}}, {{efn-lr}}...) number their markers
_LETTERS = {
    "lower-alpha": "abcdefghijklmnopqrstuvwxyz",
    "upper-alpha": "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "lower-greek": "αβγδεζηθικλμνξοπρστυφχψω",
}
_ROMAN_VALUES = (1000, 900, 500, 400, 100, 90, 50, 40, 10, 9, 5, 4, 1)
_ROMAN = tuple(zip(_ROMAN_VALUES, "m cm d cd c xc l xl x ix v iv i".split(), strict=True))


def extract(text: str) -> Document:
    """Extract the claims and references of one Wikipedia page given as HTML."""
    root = _parse(text)
    keys = _footnote_keys(root)
    references = _references(root, keys)
    walker = _Walker(keys)
    walker.walk(_content_root(root))
    for key in walker.cited:
        if not is_inline_url(key):  # a bare [http://...] link is its own source, not a reference
            references.setdefault(key, Reference(key))
    return Document(claims=walker.builder.build(), references=references, article=_article(root))


def _parse(text: str) -> HtmlElement:
    """The page as an lxml tree; ExtractError when there is nothing to parse."""
    # bytes with an explicit encoding: lxml refuses str input that declares its own encoding;
    # huge_tree lifts libxml2's 256-level nesting cap, past which malformed pages lose their text
    parser = lxml.html.HTMLParser(
        encoding="utf-8", remove_comments=True, no_network=True, huge_tree=True
    )
    try:
        root = lxml.html.document_fromstring(text.encode("utf-8", "replace"), parser=parser)
    except (lxml.etree.ParserError, ValueError) as exc:
        raise ExtractError(f"could not read the HTML: {exc}") from exc
    # Past its limits (2,048 levels of nesting even with huge_tree) libxml2 stops reading and
    # returns what it has: the rest of the page, its claims and references, would be lost.
    for entry in parser.error_log:
        if entry.type_name == "ERR_RESOURCE_LIMIT":
            raise ExtractError(f"could not read the HTML past line {entry.line}: "
                               f"{entry.message.split(',')[0]} (the parser's limit)")
    return root


def _classes(el: HtmlElement) -> list[str]:
    """The element's class tokens."""
    return (el.get("class") or "").split()


def _skipped(el: HtmlElement) -> bool:
    """True for elements that hold no article prose."""
    if not isinstance(el.tag, str) or el.tag in _SKIP_TAGS or el.get("id") in _SKIP_IDS:
        return True
    if el.get("role") == "navigation" or "mw:Extension/references" in (el.get("typeof") or ""):
        return True
    return not _SKIP_CLASSES.isdisjoint(_classes(el))


def _plain(el: HtmlElement) -> str:
    """The visible prose of an element, without markers, tags, edit links or hidden furniture."""
    parts: list[str] = []
    events = lxml.etree.iterwalk(el, events=("start", "end"))
    for event, node in events:
        if event == "start" and node is not el and _skipped(node):
            events.skip_subtree()
        elif event == "start":
            parts += [" " if node.tag in _BLOCKS or node.tag == "br" else "", node.text or ""]
        else:
            parts += [" " if node.tag in _BLOCKS else "", node.tail or "" if node is not el else ""]
    return normalize_space("".join(parts))


def _is_marker(el: HtmlElement) -> bool:
    """True for a footnote marker: desktop `sup.reference` or Parsoid `sup.mw-ref`."""
    if el.tag != "sup":
        return False
    tokens = {*_classes(el), *(el.get("typeof") or "").split()}
    if not tokens & {"reference", "mw-ref", "mw:Extension/ref"}:
        return False
    # {{rp}} page numbers are `sup.reference` too, but link nowhere
    return any("#" in (a.get("href") or "") for a in el.iter("a"))


def _styled(group: str | None, number: int) -> str:
    """The label the reader sees for footnote `number` of a group ("lower-alpha", 2 -> "b")."""
    if not group:
        return str(number)
    if group in _LETTERS:
        letters, label = _LETTERS[group], ""
        while number > 0:
            number, rest = divmod(number - 1, len(letters))
            label = letters[rest] + label
        return label
    if group in ("lower-roman", "upper-roman"):
        label = ""
        for value, numeral in _ROMAN:
            count, number = divmod(number, value)
            label += numeral * count
        return label.upper() if group == "upper-roman" else label
    return f"{group} {number}"


def _marker(sup: HtmlElement) -> tuple[str | None, str]:
    """The list-item id a marker points to, and the label it shows ("5", "a", "note 1")."""
    link = next(sup.iter("a"), None)
    note, group, number = None, sup.get("data-mw-group"), sup.get("data-mw-footnote-number")
    if link is not None:
        note = unquote((link.get("href") or "").partition("#")[2]) or None
        group = link.get("data-mw-group") or group
        number = link.get("data-mw-footnote-number") or number
    label = normalize_space(sup.text_content()).strip("[] ")
    # Parsoid writes "[lower-alpha 1]" and leaves the styling to CSS counters
    if group and label.startswith(group + " ") and label[len(group) + 1 :].isdigit():
        label = _styled(group, int(label[len(group) + 1 :]))
    if not label and number and number.isdigit():
        label = _styled(group, int(number))
    return note, label


def _footnote_keys(root: HtmlElement) -> dict[str, str]:
    """List-item id -> the label its first marker shows (the id itself if the label is taken)."""
    keys: dict[str, str] = {}
    used: set[str] = set()
    for sup in root.iter("sup"):
        if _is_marker(sup):
            note, label = _marker(sup)
            if note and note not in keys:
                keys[note] = label if label and label not in used else note
                used.add(keys[note])
    return keys


def _inline_tag(el: HtmlElement) -> Tag | None:
    """The maintenance tag an inline cleanup template (`sup.Inline-Template`) renders, if any."""
    if el.tag != "sup" or not {"Inline-Template", "Template-Fact"} & set(_classes(el)):
        return None
    text = normalize_space(el.text_content()).strip("[] ").lower()
    # "dubious – discuss", "failed verification – see discussion": the tail is a talk-page link
    name = re.split(r"\s+[–—-]\s+", text)[0].strip()
    if not name:
        return None
    titled = next((s for s in el.iter("span") if s.get("title")), None)
    match = _TAG_DATE.search(titled.get("title")) if titled is not None else None
    return Tag(_TAG_ALIASES.get(name, name), match.group(1) if match else None)


def _absolute(href: str) -> str:
    """A protocol-relative link made absolute."""
    return "https:" + href if href.startswith("//") else href


def _references(root: HtmlElement, keys: dict[str, str]) -> dict[str, Reference]:
    """Every item of every reference list, in footnote order, keyed by its label."""
    cites = {c.get("id"): c for c in root.iter("cite") if c.get("id")}
    references: dict[str, Reference] = {}
    for ol in root.iter("ol"):
        if not {"references", "mw-references"} & set(_classes(ol)):
            continue
        for position, li in enumerate(ol.iterchildren("li"), start=1):
            note = li.get("id") or ""
            key = keys.get(note) or _styled(ol.get("data-mw-group"), position)
            if key in references:
                key = note or f"{key} ({position})"
            references[key] = _reference(key, li, cites)
    return references


def _reference(key: str, li: HtmlElement, cites: dict[str, HtmlElement]) -> Reference:
    """One reference-list item read into a `Reference`, from its CS1 citation where it has one."""
    body = next(iter(li.find_class("reference-text") or li.find_class("mw-reference-text")), li)
    cite = next((c for c in body.iter("cite") if "citation" in _classes(c)), None)
    scope = body
    if cite is None:  # a short footnote ({{sfn}}): the full citation sits in the bibliography
        fragments = ((a.get("href") or "").partition("#")[2] for a in body.iter("a"))
        cite = next((cites[f] for f in fragments if f.startswith("CITEREF") and f in cites), None)
        if cite is not None:
            parent = cite.getparent()
            scope = parent if parent is not None and parent.tag == "li" else cite
    coins = next(iter(scope.find_class("Z3988")), None)
    fields = parse_qs(coins.get("title") or "") if coins is not None else {}

    def field(name: str) -> str | None:
        return fields[name][0] if name in fields else None

    text = _plain(scope)
    url_link, url, archive_url, url_status = _links(scope, text)
    if url is None:  # CS1 keeps an unfit or usurped original only in its COinS metadata
        url = next((u for u in fields.get("rft_id", []) if u.startswith(("http", "//"))), None)
        url = _absolute(url) if url and not _ARCHIVE.match(url) else None
    dois = [unquote(m.group(1)) for a in scope.iter("a") if (m := _DOI.search(a.get("href") or ""))]
    dois += [u[len("info:doi/") :] for u in fields.get("rft_id", []) if u.startswith("info:doi/")]
    title = field("rft.atitle") or field("rft.btitle")
    if title is None and cite is None and url_link is not None:  # a hand-written [url title]
        link_text = normalize_space(url_link.text_content())
        title = link_text if link_text and not link_text.startswith(("http", "www.")) else None
    if title is None and cite is None and not fields:
        # A footnote written by hand ("Jones 1925, p. 4") or an explanatory note: its text is
        # all there is, and it is what the editor sees, as the other formats keep it.
        title = normalize_space(text)[:500] or None
    archived = _ARCHIVED.search(text)
    accessed = next(iter(scope.find_class("reference-accessdate")), None)
    retrieved = _RETRIEVED.search(_plain(accessed) if accessed is not None else text)
    quote = next((cite if cite is not None else scope).iter("q"), None)
    return Reference(
        key=key,
        title=title,
        publisher=field("rft.pub"),
        date=parse_date(field("rft.date")),
        url=url,
        archive_url=archive_url,
        archive_date=parse_date(archived and (archived.group("on") or archived.group("at"))),
        access_date=parse_date(retrieved.group(1) if retrieved else None),
        quote=_plain(quote) if quote is not None else None,
        work=field("rft.jtitle") or (field("rft.btitle") if field("rft.atitle") else None),
        doi=dois[0] if dois else None,
        url_access=_url_access(url_link, scope, text),
        url_status=url_status,
        tags=tuple(t for sup in li.iter("sup") if (t := _inline_tag(sup)) is not None),
    )


def _links(
    scope: HtmlElement, text: str
) -> tuple[HtmlElement | None, str | None, str | None, str | None]:
    """The reference's own link and URL, its archive URL, and the url-status CS1 implies."""
    links = [
        (a, _absolute(a.get("href") or ""))
        for a in scope.iter("a")
        if "external" in _classes(a) or "mw:ExtLink" in (a.get("rel") or "")
    ]
    plain = [(a, h) for a, h in links if not _ARCHIVE.match(h)]
    own = [(a, h) for a, h in plain if not _IDENTIFIER.match(h)] or plain
    link, url = own[0] if own else (None, None)
    archive_url = next((h for _, h in links if _ARCHIVE.match(h)), None)
    status = None
    archived = _ARCHIVED.search(text)
    if archive_url and archived and archived.group("original"):
        # CS1 links the title to the archive once the original is dead, and drops the link to
        # the original altogether when it is unfit or usurped (the two look alike in HTML)
        status = "live" if links[0][1] == url else "dead" if url else "unfit"
    return link, url, archive_url, status


def _url_access(link: HtmlElement | None, scope: HtmlElement, text: str) -> str | None:
    """CS1's access lock on the reference's own link, or its older "(subscription required)"."""
    if link is not None:
        for ancestor in link.iterancestors():
            if (match := _LOCK.search(ancestor.get("class") or "")) is not None:
                return match.group(1)
            if ancestor is scope:
                break
    match = _LOCK_TEXT.search(text)
    return match.group(1) if match else None


def _content_root(root: HtmlElement) -> HtmlElement:
    """The article body: `#mw-content-text` on desktop pages, else the whole body."""
    found = root.xpath('//*[@id="mw-content-text"]')
    if found:
        return found[0]
    body = root.find("body")
    return body if body is not None else root


def _article(root: HtmlElement) -> Article | None:
    """The page's title and canonical URL, when the page says."""
    heading = root.xpath('//h1[@id="firstHeading"]')
    title = _plain(heading[0]) if heading else None
    if not title:
        page_title = root.find(".//title")
        text = normalize_space(page_title.text_content()) if page_title is not None else ""
        title = _TITLE_SUFFIX.sub("", text) or None
    url = None
    for rel in ("canonical", "dc:isVersionOf"):  # Parsoid names the page it renders this way
        link = root.xpath("//link[@rel=$rel][@href]", rel=rel)
        if link:
            url = _absolute(link[0].get("href"))
            break
    base = root.xpath("//base[@href]")
    if url is None and base and title:
        url = _absolute(base[0].get("href")) + title.replace(" ", "_")
    return Article(title=title, url=url) if title or url else None


class _Walker:
    """Feeds an article body to a `ClaimBuilder` in reading order."""

    def __init__(self, keys: dict[str, str]) -> None:
        self.builder = ClaimBuilder()
        self.keys = keys
        self.cited: list[str] = []
        self._appendix: int | None = None  # heading level of the appendix section we are in

    def walk(self, root: HtmlElement) -> None:
        """Walk the body in reading order; iteratively, as malformed pages can nest very deep."""
        entered: list[bool] = []
        events = lxml.etree.iterwalk(root, events=("start", "end"))
        for event, el in events:
            if event == "start":
                entered.append(self._enter(el))
                if not entered[-1]:
                    events.skip_subtree()
                continue
            if entered.pop() and el.tag in _BLOCKS:
                self.builder.end_paragraph()
            if el is not root:
                self._text(el.tail)

    def _enter(self, el: HtmlElement) -> bool:
        """Act on an element as it opens; False when its content is not prose to walk into."""
        if not isinstance(el.tag, str):
            return False
        if el.tag in _HEADINGS:
            self._heading(el)
        elif _is_marker(el):
            note, label = _marker(el)
            self._cite((self.keys.get(note) if note else None) or label or note)
        elif (tag := _inline_tag(el)) is not None:
            self._tag(tag)
        elif el.tag == "a" and {"external", "autonumber"} <= set(_classes(el)):
            self._cite(_absolute(el.get("href") or ""))  # a bare [http://...] link cites inline
        elif not _skipped(el):
            if el.tag in _BLOCKS:
                self.builder.end_paragraph()
            self._text(" " if el.tag == "br" else el.text)
            return True
        return False

    def _heading(self, el: HtmlElement) -> None:
        level, title = _HEADINGS[el.tag], _plain(el)
        if self._appendix is not None and level > self._appendix:
            return  # a subsection of an appendix
        self.builder.end_paragraph()
        if title.lower() in _APPENDICES:
            self._appendix = level
        else:
            self._appendix = None
            self.builder.section(title or None)

    def _text(self, text: str | None) -> None:
        if text and self._appendix is None:
            self.builder.text(text)

    def _cite(self, key: str | None) -> None:
        if key and self._appendix is None:
            self.builder.cite(key)
            self.cited.append(key)

    def _tag(self, tag: Tag) -> None:
        if self._appendix is None:
            self.builder.tag(tag)  # the builder knows which tags end a claim and which do not
