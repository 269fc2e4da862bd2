"""Raw Wikipedia wikitext -> claims and references, read with mwparserfromhell.

Reference keys are the footnote labels a reader sees on the rendered page. Refs without a group
are "1", "2"... in order of first use (a named ref keeps the number of its first use, even when
it is defined later or in {{reflist|refs=}} / <references>; list entries never used are dropped).
A group is numbered on its own: group="note" gives "note 1", "note 2" (shown [note 1]); the
groups Wikipedia labels with letters or numerals ({{efn}} uses lower-alpha) give "a".."z", "aa";
"A"; "i", "ii"; "I"; "α".."ω". Refs in infoboxes, tables, captions and skipped sections are
numbered and listed but cite no claim. {{efn}}, {{refn}}, {{#tag:ref}}, {{r}}, {{sfn}} are refs.

Prose is rendered as a reader sees it: links give their text, bold and italic marks go, a few
inline templates give their text ({{convert|19000|sqft|m2}} -> "19000 sqft", number and unit as
written; {{lang|fr|x}} -> "x"; {{nowrap}}, dashes, quote blocks); every other template is dropped.
Inline maintenance templates ({{cn}}, {{failed verification}}, {{when}}...) tag the claim they
close, named by the label the page shows ("citation needed", "clarification needed", "when?");
{{dead link}} inside a ref or right after one tags that reference.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace

import mwparserfromhell
from mwparserfromhell.nodes import Comment, ExternalLink, Heading, HTMLEntity, Node, Template
from mwparserfromhell.nodes import Tag as WikiTag
from mwparserfromhell.nodes import Text, Wikilink
from mwparserfromhell.parser import ParserError
from mwparserfromhell.wikicode import Wikicode

from verifier.errors import ExtractError
from verifier.extract.common import ClaimBuilder, normalize_space, parse_date
from verifier.models import CITATION_NEEDED, DEAD_LINK, FAILED_VERIFICATION
from verifier.models import Article, Document, Reference, Tag

# Sections that list sources or links rather than make claims (their subsections too).
_SKIP_SECTIONS = frozenset(
    "see also|references|notes|external links|further reading|bibliography|sources|footnotes|"
    "citations|works cited|notes and references|references and notes|explanatory notes|"
    "general references|gallery".split("|")
)

# Inline maintenance templates, keyed by the label the page shows (the plain-text extractor reads
# the same labels off a rendered page, so both give the same tags).
_TAG_ALIASES: dict[str, str] = {
    CITATION_NEEDED: "citation needed|cn|fact|citation needed span|cn span|fact span|"
    "citation-needed|cite needed|needs citation|source needed|refneeded|ref needed",
    FAILED_VERIFICATION: "failed verification|fv|verification failed|not in source|"
    "not in citation given|failed verification span",
    "better source needed": "better source needed|better source|bsn|better citation needed",
    "dubious – discuss": "dubious|dubious span|doubtful",
    "clarification needed": "clarify|clarify span|clarification needed",
    "verification needed": "verification needed|verify source",
    "unreliable source?": "unreliable source?|unreliable source|unreliable source inline",
    "page needed": "page needed|pn",
    "original research?": "original research inline|or inline",
    **{f"{name}?": name for name in ("when", "who", "which", "by whom", "according to whom")},
    **{name: name for name in ("vague", "specify", "year needed", "full citation needed")},
}
_TAGS = {alias: canon for canon, aliases in _TAG_ALIASES.items() for alias in aliases.split("|")}
_DEAD_LINK = frozenset({"dead link", "deadlink", "dead url", "404", "broken link", "link broken"})
_ACCESS = {"subscription required": "subscription", "subscription": "subscription",
           "paywall": "subscription", "registration required": "registration",
           "reg": "registration", "registration": "registration"}

# Templates that are footnotes, and the group they go to; reference lists and their groups.
_REF_TEMPLATES = {"refn": "", "#tag:ref": "", "efn": "lower-alpha", "efn-la": "lower-alpha",
                  "efn-ua": "upper-alpha", "efn-lr": "lower-roman", "efn-ur": "upper-roman",
                  "efn-lg": "lower-greek"}
_LIST_GROUPS = {"notelist": "lower-alpha", "notelist-ua": "upper-alpha",
                "notelist-lr": "lower-roman", "notelist-ur": "upper-roman",
                "notelist-lg": "lower-greek"}

# Inline templates a reader sees as text: literal output, or the parameters holding the text.
_SYMBOLS = {"ndash": "–", "snd": " – ", "spaced ndash": " – ", "mdash": "—", "emdash": "—",
            "spaced mdash": " — ", "nbsp": "\u00a0", "'": "'", "!": "|", "=": "=", "dot": "·",
            "middot": "·", "bull": "•"}
_TEXT_PARAMS: dict[str, tuple[str, ...]] = {
    **{name: ("1",) for name in ("nowrap", "nobr", "small", "smaller", "big", "larger", "em",
                                 "strong", "abbr", "not a typo", "proper name", "vanchor")},
    **{name: ("lt", "1") for name in ("ill", "interlanguage link", "interlanguage link multi")},
}
_QUOTES = {name: ("text", "quote", "1") for name in ("quote", "cquote", "blockquote",
                                                    "quotation", "quote box", "rquote")}
_RANGE_WORDS = frozenset({"to", "-", "–", "and", "or", "by", "x", "×", "+/-", "±"})

_HIDDEN_TAGS = frozenset({"gallery", "math", "timeline", "graph", "score", "syntaxhighlight",
                          "source", "templatestyles", "includeonly", "imagemap", "mapframe",
                          "maplink", "hiero", "chem", "ce", "inputbox", "categorytree", "table"})
_BLOCK_TAGS = frozenset({"blockquote", "div", "p", "center", "poem"})

_HIDDEN_LINK = re.compile(r"^\s*(?:file|image|media|category)\s*:", re.IGNORECASE)
_INTERWIKI = re.compile(r"^\s*[a-z]{2,3}(?:-[a-z]+)?\s*:")  # [[de:Bodmin]], not shown in text
_QUOTE_RUN = re.compile(r"'{2,}")
_MAGIC_WORD = re.compile(r"__[A-Z]+__")
_SCRIPT_PREFIX = re.compile(r"^[a-z]{2,3}:\s*")  # script-title=el:...
_WAYBACK_STAMP = re.compile(r"web\.archive\.org/web/(\d{4})(\d\d)(\d\d)")
_DISPLAYTITLE = re.compile(r"\{\{\s*DISPLAYTITLE\s*:\s*([^}|]+)", re.IGNORECASE)
_LABELLED = frozenset(_LIST_GROUPS.values())  # groups shown as letters or numerals, not "note 1"
_ROMAN = ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"), (50, "l"),
          (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"))


def extract(text: str) -> Document:
    """Turn raw Wikipedia wikitext into claims and the references they cite."""
    try:
        walker = _Walker()
        walker.walk(mwparserfromhell.parse(_strip_quotes(text), skip_style_tags=True), True)
    except (ParserError, RecursionError) as exc:
        raise ExtractError(f"could not read the wikitext: {exc}") from exc
    match = _DISPLAYTITLE.search(text)
    title = normalize_space(_plain(mwparserfromhell.parse(match.group(1)))) if match else ""
    return Document(
        claims=walker.builder.build(),
        references=walker.references(),
        # the page title is not in its wikitext unless the page overrides how it is displayed
        article=Article(title=title) if title else None,
    )


def _strip_quotes(text: str) -> str:
    """Drop ''italic'' and '''bold''' marks, reading each line as MediaWiki does."""
    return "\n".join(_strip_line_quotes(line) for line in text.split("\n"))


def _strip_line_quotes(line: str) -> str:
    """Runs of 2, 3 and 5 apostrophes are marks; 4 and 6+ keep their extra apostrophes."""
    runs = list(_QUOTE_RUN.finditer(line))
    if not runs:
        return line
    italics = sum(1 for m in runs if len(m.group()) == 2 or len(m.group()) >= 5)
    bolds = sum(1 for m in runs if len(m.group()) in (3, 4) or len(m.group()) >= 5)
    apostrophe = -1
    if italics % 2 and bolds % 2:
        # unbalanced: MediaWiki reads one ''' as an apostrophe then '' (''Star'''s -> Star's),
        # preferring one that follows a word
        threes = [m.start() for m in runs if len(m.group()) == 3]
        apostrophe = ([s for s in threes if s > 0 and line[s - 1] != " "] + threes + [-1])[0]

    def keep(m: re.Match[str]) -> str:
        n = len(m.group())
        return "'" * (1 if n == 4 or m.start() == apostrophe else max(n - 5, 0))

    return _QUOTE_RUN.sub(keep, line)


def _name(template: Template) -> str:
    """A template's name as a lookup key: lower case, single spaces, no "Template:"."""
    source = "".join(str(n) for n in template.name.nodes if not isinstance(n, Comment))
    return normalize_space(source.replace("_", " ")).lower().removeprefix("template:").strip()


def _param(template: Template, *names: str) -> Wikicode | None:
    """The value of the first of `names` the template sets to something non-blank."""
    for name in names:
        if template.has(name) and template.get(name).value.strip():
            return template.get(name).value
    return None


def _text(template: Template, *names: str) -> str | None:
    """A parameter rendered as plain text; None when unset or blank."""
    value = _param(template, *names)
    return (normalize_space(_plain(value)) or None) if value is not None else None


def _positional(template: Template) -> list[Wikicode]:
    return [p.value for p in template.params if not p.showkey]


def _attr(tag: WikiTag, name: str) -> str:
    """An HTML attribute's value; "" when missing."""
    value = tag.get(name).value if tag.has(name) else None
    return normalize_space(str(value)) if value is not None else ""


def _yes(value: str | None) -> bool:
    return (value or "").lower() in ("yes", "y", "true")


def _inline(template: Template, name: str) -> str | Wikicode | None:
    """What an inline template shows: literal text, wikicode to render, or None (nothing)."""
    if name in _SYMBOLS:
        return _SYMBOLS[name]
    if name in ("convert", "cvt"):
        nums = [normalize_space(_plain(v)) for v in _positional(template)]
        return " ".join(nums[:4] if len(nums) >= 4 and nums[1] in _RANGE_WORDS else nums[:2])
    if name in _TEXT_PARAMS or name in _QUOTES:
        return _param(template, *(_TEXT_PARAMS.get(name) or _QUOTES[name]))
    if name in ("lang", "transl") or name.startswith("lang-"):
        texts = _positional(template)
        return texts[-1] if texts else None
    return None


def _link_text(link: Wikilink) -> str:
    """What a wikilink shows: its label, else its target; nothing for files and categories."""
    title = str(link.title)
    if _HIDDEN_LINK.match(title) or (link.text is None and _INTERWIKI.match(title)):
        return ""
    return _plain(link.text) if link.text is not None else _plain(link.title).lstrip(":")


def _plain(code: Wikicode | None) -> str:
    """Wikicode rendered to the text a reader sees (refs and unknown templates dropped)."""
    return "".join(_plain_node(n) for n in code.nodes) if code is not None else ""


def _plain_node(node: Node) -> str:
    if isinstance(node, Text):
        return _MAGIC_WORD.sub("", node.value)
    if isinstance(node, HTMLEntity):
        return node.normalize()
    if isinstance(node, Wikilink):
        return _link_text(node)
    if isinstance(node, ExternalLink):  # a bracketed URL with no label shows only a counter
        if node.title is not None:
            return _plain(node.title)
        return "" if node.brackets else str(node.url)
    if isinstance(node, Template):
        shown = _inline(node, _name(node))
        return shown if isinstance(shown, str) else _plain(shown)
    if isinstance(node, WikiTag):
        name = str(node.tag).strip().lower()
        if name == "br":
            return " "
        if name in _HIDDEN_TAGS or name in ("ref", "references") or node.wiki_markup == "{|":
            return ""
        return _plain(node.contents)
    return ""


def _from_cite(cite: Template) -> Reference:
    """The fields of a CS1/CS2 citation template, under current or older parameter names."""
    title = _text(cite, "title") or _SCRIPT_PREFIX.sub("", _text(cite, "script-title") or "")
    status = (_text(cite, "url-status") or "").lower()
    dead = (_text(cite, "deadurl", "dead-url") or "").lower()
    if not status and dead:  # deadurl=yes is url-status=dead, deadurl=no is url-status=live
        status = "dead" if _yes(dead) else "live" if dead in ("no", "n", "false") else dead
    access = _text(cite, "url-access")
    if not access:  # the older subscription=yes / registration=yes
        access = next((k for k in ("subscription", "registration") if _yes(_text(cite, k))), None)
    return Reference(
        key="",
        title=title or None,
        publisher=_text(cite, "publisher"),
        date=parse_date(_text(cite, "date")),
        url=_text(cite, "url", "chapter-url", "chapterurl", "contribution-url"),
        archive_url=_text(cite, "archive-url", "archiveurl"),
        archive_date=parse_date(_text(cite, "archive-date", "archivedate")),
        access_date=parse_date(_text(cite, "access-date", "accessdate")),
        quote=_text(cite, "quote"),
        work=_text(cite, "work", "website", "newspaper", "journal", "magazine", "periodical",
                   "encyclopedia"),
        doi=_text(cite, "doi"),
        url_access=access,
        url_status=status or None,
    )


def _parse_ref(content: Wikicode) -> tuple[Reference, list[Tag]]:
    """A footnote's content: its citation template, else its first link, else its text."""
    ref: Reference | None = None
    tags: list[Tag] = []
    archive_url, archive_date, access = None, None, None
    for template in content.ifilter_templates(recursive=True):
        name = _name(template)
        if ref is None and (name.startswith("cite") or name == "citation"):
            ref = _from_cite(template)
        elif name == "webarchive":
            archive_url, archive_date = _text(template, "url"), parse_date(_text(template, "date"))
        elif name in _DEAD_LINK:
            tags.append(Tag(DEAD_LINK, _text(template, "date")))
        elif name in _ACCESS:
            access = _ACCESS[name]
    if ref is None:
        # a link of the footnote's own before one inside a template ({{webarchive|url=}})
        links = content.filter_external_links(recursive=False) or content.filter_external_links()
        link = links[0] if links else None
        if link is not None:  # <ref>http://x</ref>, <ref>[http://x Title]</ref>
            label = normalize_space(_plain(link.title)) if link.title is not None else ""
            ref = Reference(key="", url=str(link.url).strip(), title=label or None)
        else:  # a free-text footnote ("Wells, p. 6."): its text is all a reader gets
            ref = Reference(key="", title=normalize_space(_plain(content)) or None)
    archive_url = ref.archive_url or archive_url
    # {{webarchive}} without date= shows the capture date from its Wayback URL
    archive_date = ref.archive_date or archive_date or _wayback_date(archive_url)
    access = ref.url_access or access
    return replace(ref, archive_url=archive_url, archive_date=archive_date, url_access=access), tags


def _wayback_date(url: str | None) -> dt.date | None:
    """The capture date written into a Wayback Machine URL."""
    match = _WAYBACK_STAMP.search(url or "")
    return parse_date("-".join(match.groups())) if match else None


def _sfn_text(template: Template) -> str:
    """The short citation an {{sfn|Smith|2005|p=25}} shows: "Smith 2005, p. 25"."""
    where = next((prefix + value for key, prefix in (("p", "p. "), ("pp", "pp. "), ("loc", ""))
                  if (value := _text(template, key))), "")
    who = " ".join(normalize_space(_plain(v)) for v in _positional(template))
    return ", ".join(part for part in (who, where) if part)


def _label(group: str, number: int) -> str:
    """The footnote label Wikipedia shows for the `number`th ref of `group`."""
    label, rest = "", number
    if group.endswith("-alpha"):
        while rest:  # a..z, then aa, ab...
            rest, digit = divmod(rest - 1, 26)
            label = chr(ord("a") + digit) + label
    elif group.endswith("-roman"):
        for value, numeral in _ROMAN:
            count, rest = divmod(rest, value)
            label += numeral * count
    elif group == "lower-greek" and number <= 24:
        label = "αβγδεζηθικλμνξοπρστυφχψω"[number - 1]
    if group not in _LABELLED or not label:
        return f"{group} {number}" if group else str(number)
    return label.upper() if group.startswith("upper") else label


@dataclass
class _Footnote:
    """A reference while the article is read: numbered at first use, filled when defined."""

    group: str
    number: int = 0  # 0 until first used
    ref: Reference | None = None
    tags: list[Tag] = field(default_factory=list)


class _Walker:
    """One pass over the article in reading order: feeds the claim builder, numbers the refs."""

    def __init__(self) -> None:
        self.builder = ClaimBuilder()
        self._named: dict[tuple[str, str], _Footnote] = {}
        self._used: list[_Footnote] = []  # in order of first use
        self._counts: dict[str, int] = {}
        self._newlines = 0  # since the last visible text: two make a paragraph break
        self._in_list = False  # a list item ends with its line
        self._last_ref: _Footnote | None = None  # a {{dead link}} right after a ref is about it
        self._skip_level: int | None = None  # inside a skipped section of this heading level

    def references(self) -> dict[str, Reference]:
        """Every used reference by key: the ungrouped list first, then each group in turn."""
        groups = list(dict.fromkeys(["", *(f.group for f in self._used)]))
        result: dict[str, Reference] = {}
        for note in sorted(self._used, key=lambda f: (groups.index(f.group), f.number)):
            key = _label(note.group, note.number)
            result[key] = replace(note.ref or Reference(key=""), key=key, tags=tuple(note.tags))
        return result

    def walk(self, code: Wikicode | None, prose: bool) -> None:
        """Read wikicode; with prose=False only collect refs (infoboxes, tables, captions)."""
        for node in code.nodes if code is not None else ():
            self._node(node, prose and self._skip_level is None)

    def _node(self, node: Node, prose: bool) -> None:
        if isinstance(node, Heading):
            self._heading(node)
        elif isinstance(node, Text):
            if prose:
                self._text(node.value)
            elif node.value.strip():
                self._last_ref = None
        elif isinstance(node, Wikilink):
            if prose:
                self._emit(_link_text(node))
            self.walk(node.text, prose=False)  # refs in image captions still count
        elif isinstance(node, (ExternalLink, HTMLEntity)):
            if prose:
                self._emit(_plain_node(node))
        elif isinstance(node, Template):
            self._template(node, prose)
        elif isinstance(node, WikiTag):
            self._tag(node, prose)

    def _heading(self, heading: Heading) -> None:
        title = normalize_space(_plain(heading.title))
        if self._skip_level is not None and heading.level <= self._skip_level:
            self._skip_level = None
        if self._skip_level is None and title.lower() in _SKIP_SECTIONS:
            self._skip_level = heading.level
        self.builder.section(title or None)
        self._newlines, self._in_list, self._last_ref = 0, False, None

    def _text(self, value: str) -> None:
        for piece in re.split(r"(\n)", _MAGIC_WORD.sub("", value)):
            if piece != "\n":
                self._emit(piece)
                continue
            self._newlines += 1
            if self._newlines >= 2 or self._in_list:
                self._block()
            self.builder.text(" ")  # a single newline inside a paragraph reads as a space

    def _emit(self, text: str) -> None:
        if text.strip():
            self._newlines, self._last_ref = 0, None
        self.builder.text(text)

    def _block(self) -> None:
        self.builder.end_paragraph()
        self._newlines, self._in_list = 0, False

    def _template(self, template: Template, prose: bool) -> None:
        name = _name(template)
        if name in _TAGS:
            if prose:
                if name.endswith(" span"):  # {{citation needed span|the text|date=}}
                    self.walk(_param(template, "text", "1"), prose)
                self.builder.tag(Tag(_TAGS[name], _text(template, "date")))
        elif name in _DEAD_LINK:
            if self._last_ref is not None:
                self._last_ref.tags.append(Tag(DEAD_LINK, _text(template, "date")))
        elif name in _REF_TEMPLATES:
            group = _text(template, "group") or _REF_TEMPLATES[name]
            self._ref(group, _text(template, "name") or "", _param(template, "1", "text"), prose)
        elif name == "r":  # {{r|a|b}}: reuses of named refs
            for ref_name in _positional(template):
                group = _text(template, "group") or ""
                self._ref(group, normalize_space(_plain(ref_name)), None, prose)
        elif name in ("sfn", "sfnp"):  # identical short citations share one footnote
            key = "FOOTNOTE" + "|".join(normalize_space(str(p)) for p in template.params)
            self._ref("", key, None, prose, Reference(key="", title=_sfn_text(template)))
        elif template.has("refs"):  # {{reflist|refs=<ref name="a">...</ref>}}
            group = _text(template, "group") or _LIST_GROUPS.get(name, "")
            self._define_all(template.get("refs").value, group)
        elif isinstance(shown := _inline(template, name), str):
            if prose:
                self._emit(shown)
        elif shown is not None and name in _QUOTES:  # a quote block is a paragraph of its own
            self._walk_block(shown, prose)
        elif shown is not None:
            self.walk(shown, prose)
        else:  # infoboxes, navboxes, hatnotes...: nothing to read, but their refs count
            for param in template.params:
                self.walk(param.value, prose=False)

    def _tag(self, tag: WikiTag, prose: bool) -> None:
        name = str(tag.tag).strip().lower()
        if name == "ref":
            content = None if tag.self_closing else tag.contents
            self._ref(_attr(tag, "group"), _attr(tag, "name"), content, prose)
        elif name == "references":
            self._define_all(tag.contents, _attr(tag, "group"))
        elif name in ("li", "dt", "dd"):  # "*", "#", ";", ":" lines
            if prose:
                self._block()
                self._in_list = True
            self.walk(tag.contents, prose)
        elif name == "br":
            if prose:
                self.builder.text(" ")
        elif name in _HIDDEN_TAGS or tag.wiki_markup == "{|":
            self.walk(tag.contents, prose=False)
        elif name in _BLOCK_TAGS:
            self._walk_block(tag.contents, prose)
        else:  # span, small, sup, s, u, nowiki...: their content is text
            self.walk(tag.contents, prose)

    def _walk_block(self, code: Wikicode | None, prose: bool) -> None:
        """Read a block (a quote, a div) as paragraphs of their own."""
        if prose:
            self._block()
        self.walk(code, prose)
        if prose:
            self._block()

    def _ref(self, group: str, name: str, content: Wikicode | None, prose: bool,
             made: Reference | None = None) -> None:
        """A ref used in the article: number it on first use, define it, cite it from prose."""
        note = self._footnote(group, name)
        if not note.number:
            self._counts[group] = note.number = self._counts.get(group, 0) + 1
            self._used.append(note)
        if made is not None and note.ref is None:
            note.ref = made
        elif content is not None and content.strip():
            self._define(note, content)
        if prose:
            self.builder.cite(_label(group, note.number))
        self._last_ref = note

    def _footnote(self, group: str, name: str) -> _Footnote:
        if not name:  # an unnamed ref is always a footnote of its own
            return _Footnote(group)
        return self._named.setdefault((group, name), _Footnote(group))

    def _define(self, note: _Footnote, content: Wikicode) -> None:
        if note.ref is None:  # the first definition wins, as on the rendered page
            note.ref, tags = _parse_ref(content)
            note.tags.extend(tags)

    def _define_all(self, code: Wikicode | None, group: str) -> None:
        """List-defined refs: give named refs their content without counting as a use."""
        for tag in code.ifilter_tags(recursive=True) if code is not None else ():
            name = _attr(tag, "name")
            if str(tag.tag).strip().lower() == "ref" and name and not tag.self_closing:
                self._define(self._footnote(_attr(tag, "group") or group, name), tag.contents)
