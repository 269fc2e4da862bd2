"""Dead links in an article's wikitext -> archive parameters, {{dead link}} and {{webarchive}}.

The pure core of `verifier fix`: no I/O. `propose(wikitext, fate, today)` asks `fate(url)` what
the history knows of each cited URL (the URL exactly as written; the caller normalises it) and
edits only the citations whose URL is confirmed dead:
  * a cite template ({{cite ...}}, {{citation}}) with a snapshot gets the archive URL, the
    snapshot's date and the dead status, each written into the alias the template already has
    (`archive-url`/`archiveurl`, `archive-date`/`archivedate`, `url-status=dead`/`deadurl=yes`/
    `dead-url=yes`); a template with none gets the spelling its other parameters use;
  * a cite template without a snapshot gets {{dead link|date=Month YYYY|bot=...}} after it;
  * a bare link alone in a <ref> gets {{webarchive|url=...|date=...}} (or {{dead link}}).
Dates follow {{Use dmy dates}} / {{Use mdy dates}} (a template's own |df= wins), else ISO.
{{cbignore}} after a citation leaves it alone; {{nobots}} or a {{bots}} that excludes the bot
leaves the whole article alone. Already archived or tagged citations are reported, not touched,
which also makes a second run on the output change nothing.

Edits are splices of the original string at the spans of the nodes mwparserfromhell found, so
every byte outside a changed template (or a link and the template added after it) is kept.
"""

from __future__ import annotations

import datetime as dt
import difflib
import enum
import re
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import mwparserfromhell
from mwparserfromhell.nodes import Comment, ExternalLink, Node, Tag, Template, Text
from mwparserfromhell.nodes.extras import Parameter
from mwparserfromhell.wikicode import Wikicode

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")

# Template names (normalised by _name) that matter here; redirects as listed on Wikipedia.
_DEAD_LINK = frozenset({"dead link", "deadlink", "404", "dead url", "broken link", "link broken"})
_WEBARCHIVE = frozenset({"webarchive", "web archive", "wayback", "webcite", "archive.is"})
_CBIGNORE = frozenset({"cbignore", "cbignore-a"})
_MARKERS = _DEAD_LINK | _WEBARCHIVE | _CBIGNORE
_DMY = frozenset({"use dmy dates", "use dmy", "dmy", "usedmy", "use dmy date"})
_MDY = frozenset({"use mdy dates", "use mdy", "mdy", "usemdy", "use mdy date"})
_REF_TEMPLATES = frozenset({"refn", "efn", "#tag:ref"})

# CS1 aliases, the hyphenated spelling first. A template that spells any of these the old way
# gets the old spelling for the parameters it lacks, to match its own style.
_ARCHIVE_URL = ("archive-url", "archiveurl")
_ARCHIVE_DATE = ("archive-date", "archivedate")
_STATUS = ("url-status", "deadurl", "dead-url")
_OLD_STYLE = frozenset({"accessdate", "archiveurl", "archivedate", "deadurl"})
_WAYBACK_STAMP = re.compile(r"/web/(\d{4})(\d{2})(\d{2})")


class ChangeKind(enum.Enum):
    ARCHIVE_ADDED = "archive parameters set"
    DEAD_LINK_TAGGED = "{{dead link}} added"
    WEBARCHIVE_ADDED = "{{webarchive}} added"


class SkipReason(enum.Enum):
    CBIGNORE = "{{cbignore}} asks bots to leave it"
    ALREADY_ARCHIVED = "already archived"
    ALREADY_TAGGED = "already tagged {{dead link}}"
    NO_SNAPSHOT_DATE = "snapshot has no date"


@dataclass(frozen=True)
class SourceFate:
    """What the check history knows of one URL."""

    confirmed_dead: bool
    snapshot_url: str | None = None
    snapshot_date: dt.date | None = None


@dataclass(frozen=True)
class Change:
    kind: ChangeKind
    url: str
    before: str  # the template (or bare link) as it was
    after: str  # what replaces it, including any template added after it
    line: int  # 1-based line of `before` in the original text
    offset: int  # character offset of `before` in the original text


@dataclass(frozen=True)
class Skipped:
    reason: SkipReason
    url: str
    line: int


@dataclass(frozen=True)
class FixResult:
    text: str
    changes: tuple[Change, ...] = ()
    skipped: tuple[Skipped, ...] = ()
    blocked_by: str | None = None  # the {{bots}}/{{nobots}} that excludes the bot, if any

    @property
    def changed(self) -> bool:
        return bool(self.changes)


def propose(wikitext: str, fate: Callable[[str], SourceFate | None], today: dt.date,
            bot_name: str = "verifier") -> FixResult:
    """The article with its confirmed-dead citations fixed, and what was done or skipped."""
    spots = list(_spots(mwparserfromhell.parse(wikitext), wikitext, 0, None))
    templates = [spot.node for spot in spots if isinstance(spot.node, Template)]
    blocker = _blocker(templates, bot_name)
    if blocker is not None:
        return FixResult(wikitext, blocked_by=blocker)
    fixer = _Fixer(wikitext, fate, today, bot_name, _article_style(templates))
    for spot in spots:
        if isinstance(spot.node, Template) and _is_cite(spot.node):
            fixer.cite(spot, spot.node)
        elif isinstance(spot.node, ExternalLink) and _is_bare_ref_link(spot):
            fixer.bare_link(spot, spot.node)
    return fixer.result()


def unified_diff(path_label: str, old: str, new: str) -> str:
    """A git-style unified diff of the article, empty when nothing changed."""
    lines = difflib.unified_diff(_lines(old), _lines(new), fromfile=f"a/{path_label}",
                                 tofile=f"b/{path_label}")
    # A last line without a newline must not run into the next diff line.
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"
                   for line in lines)


def _lines(text: str) -> list[str]:
    # Not str.splitlines: wikitext holds U+2028 and form feeds, which are not line ends to diff.
    return [line for line in re.split(r"(?<=\n)", text) if line]


def format_date(day: dt.date, style: str) -> str:
    """`day` as CS1 wants it in an article of `style` ("dmy", "mdy" or "iso")."""
    month = _MONTHS[day.month - 1]
    if style == "dmy":
        return f"{day.day} {month} {day.year}"
    if style == "mdy":
        return f"{month} {day.day}, {day.year}"
    return day.isoformat()


@dataclass(frozen=True)
class _Spot:
    """A node with its place: offset in the text, the node list it sits in, its parent node."""

    node: Node
    start: int
    end: int
    siblings: Sequence[Node]
    index: int
    parent: _Spot | None


def _spots(code: Wikicode, text: str, start: int, parent: _Spot | None) -> Iterator[_Spot]:
    """Every node in document order with its span; parsing round-trips, so spans add up."""
    pos = start
    for index, node in enumerate(code.nodes):
        end = pos + len(str(node))
        spot = _Spot(node, pos, end, code.nodes, index, parent)
        yield spot
        # A node's children are substrings of it, in order; find each after the previous one.
        cursor = pos
        for child in node.__children__():
            child_text = str(child)
            at = text.find(child_text, cursor, end)
            if at < 0:  # cannot happen for parsed text; stop rather than misplace an edit
                break
            yield from _spots(child, text, at, spot)
            cursor = at + len(child_text)
        pos = end


def _name(template: Template) -> str:
    name = " ".join(str(template.name).replace("_", " ").split()).lower()
    return name.removeprefix("template:").strip()


def _is_cite(template: Template) -> bool:
    name = _name(template)
    return name.startswith("cite ") or name == "citation"


def _value(template: Template, name: str) -> str:
    """A parameter's value without comments or surrounding space; "" when absent."""
    if not template.has(name):
        return ""
    nodes = template.get(name).value.nodes
    return "".join(str(node) for node in nodes if not isinstance(node, Comment)).strip()


def _plain_url(text: str) -> str | None:
    # A URL built by a template ({{Allmusic|...|pure_url=yes}}) cannot be matched to history.
    return text if text and "{{" not in text and not any(c.isspace() for c in text) else None


def _blocker(templates: list[Template], bot_name: str) -> str | None:
    bot = bot_name.lower()
    for template in templates:
        name = _name(template)
        if name == "nobots":
            return str(template)
        if name != "bots":
            continue
        deny = {item.strip().lower() for item in _value(template, "deny").split(",")}
        if "all" in deny or bot in deny:
            return str(template)
        if template.has("allow"):
            allow = {item.strip().lower() for item in _value(template, "allow").split(",")}
            if "all" not in allow and bot not in allow:
                return str(template)
    return None


def _article_style(templates: list[Template]) -> str:
    for template in templates:
        if _name(template) in _DMY:
            return "dmy"
        if _name(template) in _MDY:
            return "mdy"
    return "iso"


def _template_style(template: Template, article_style: str) -> str:
    # |df= overrides the article's format for this citation's dates (CS1 accepts "dmy-all"...).
    df = _value(template, "df").lower()
    for prefix, style in (("dmy", "dmy"), ("mdy", "mdy"), ("ymd", "iso")):
        if df.startswith(prefix):
            return style
    return article_style


def _in_ref(spot: _Spot) -> bool:
    parent = spot.parent
    if parent is None:
        return False
    if isinstance(parent.node, Tag):
        return str(parent.node.tag).strip().lower() == "ref"
    return isinstance(parent.node, Template) and _name(parent.node) in _REF_TEMPLATES


def _is_source(node: Node) -> bool:
    return isinstance(node, ExternalLink) or (isinstance(node, Template) and _is_cite(node))


def _markers_after(spot: _Spot) -> set[str]:
    """Names of {{dead link}}/{{webarchive}}/{{cbignore}} that belong to the citation at spot.

    Inside a ref: any up to the next source in the ref, then those right after the ref.
    Elsewhere: only those right after it (space between allowed, no line break).
    """
    in_ref = _in_ref(spot)
    found, reached_end = _markers_in(spot.siblings[spot.index + 1:], in_ref)
    if in_ref and reached_end and spot.parent is not None:
        parent = spot.parent
        found |= _markers_in(parent.siblings[parent.index + 1:], False)[0]
    return found


def _markers_in(nodes: Sequence[Node], in_ref: bool) -> tuple[set[str], bool]:
    found: set[str] = set()
    for node in nodes:
        if isinstance(node, Template) and _name(node) in _MARKERS:
            found.add(_name(node))
        elif in_ref and not _is_source(node):
            continue
        elif not (isinstance(node, Text) and node.value.strip(" \t") == ""):
            return found, False
    return found, True


def _is_bare_ref_link(spot: _Spot) -> bool:
    """A link that is the only source in its <ref> (a link inside a cite is that cite's)."""
    if not _in_ref(spot):
        return False
    return sum(1 for node in spot.siblings if _is_source(node)) == 1


def _snapshot_day(fate: SourceFate) -> dt.date | None:
    if fate.snapshot_date is not None:
        return fate.snapshot_date
    match = _WAYBACK_STAMP.search(fate.snapshot_url or "")
    if match is None:
        return None
    try:
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def _set_each(template: Template, aliases: tuple[str, ...], default: str,
              value: Callable[[str], str]) -> None:
    """Write every alias already present (empty ones too), or add `default` when none is."""
    present = [name for name in aliases if template.has(name)] or [default]
    for name in present:
        template.add(name, value(name), preserve_spacing=True)


def _with_archive(text: str, snapshot: str, date_text: str) -> str:
    """The template `text` with its archive parameters set, formatting kept."""
    template = mwparserfromhell.parse(text).nodes[0]
    assert isinstance(template, Template)
    old = any(str(param.name).strip() in _OLD_STYLE for param in template.params)
    originals = list(template.params)
    _set_each(template, _ARCHIVE_URL, _ARCHIVE_URL[old], lambda _: snapshot)
    _set_each(template, _ARCHIVE_DATE, _ARCHIVE_DATE[old], lambda _: date_text)
    _set_each(template, _STATUS, _STATUS[old], lambda name: "dead" if name == "url-status"
              else "yes")
    _respace_tail(template, originals)
    return str(template)


def _respace_tail(template: Template, originals: list[Parameter]) -> None:
    """Keep the space before "}}" last and give appended parameters the usual separator.

    mwparserfromhell keeps whitespace inside values, so appending after a template written one
    parameter a line would otherwise give "|x = y\n| new = z }}".
    """
    params = template.params
    if not originals or not all(param.showkey for param in params):
        return
    first_new = next((i for i, param in enumerate(params)
                      if not any(param is orig for orig in originals)), len(params))
    if first_new in (0, len(params)):
        return
    final_tail = _split_tail(str(params[first_new - 1].value))[1]
    separators = Counter(_split_tail(str(param.value))[1] for param in params[:first_new - 1])
    # With one parameter, the space after the template's name is the best guess.
    fallback = _split_tail(str(template.name))[1] or final_tail
    separator = separators.most_common(1)[0][0] if separators else fallback
    for param in params[first_new - 1:]:
        param.value = _split_tail(str(param.value))[0] + separator
    params[-1].value = _split_tail(str(params[-1].value))[0] + final_tail


def _split_tail(value: str) -> tuple[str, str]:
    body = value.rstrip()
    return body, value[len(body):]


class _Fixer:
    """Collects the edits and skips of one article."""

    def __init__(self, text: str, fate: Callable[[str], SourceFate | None], today: dt.date,
                 bot_name: str, style: str) -> None:
        self.text = text
        self.fate = fate
        self.style = style
        self.dead_link = f"{{{{dead link|date={_MONTHS[today.month - 1]} {today.year}" \
                         f"|bot={bot_name}}}}}"
        self.changes: list[Change] = []
        self.skipped: list[Skipped] = []

    def cite(self, spot: _Spot, template: Template) -> None:
        style = _template_style(template, self.style)
        archived = bool(_value(template, "archive-url") or _value(template, "archiveurl"))
        self._fix(spot, _plain_url(_value(template, "url")), archived,
                  lambda snapshot, day: (ChangeKind.ARCHIVE_ADDED, _with_archive(
                      str(template), snapshot, format_date(day, style))))

    def bare_link(self, spot: _Spot, link: ExternalLink) -> None:
        def webarchive(snapshot: str, day: dt.date) -> tuple[ChangeKind, str]:
            added = f"{{{{webarchive|url={snapshot}|date={format_date(day, self.style)}}}}}"
            return ChangeKind.WEBARCHIVE_ADDED, str(link) + added

        self._fix(spot, _plain_url(str(link.url).strip()), False, webarchive)

    def _fix(self, spot: _Spot, url: str | None, archived: bool,
             archive: Callable[[str, dt.date], tuple[ChangeKind, str]]) -> None:
        fate = self.fate(url) if url is not None else None
        # Only a confirmed death counts: a failing check may be a blip or a block.
        if url is None or fate is None or not fate.confirmed_dead:
            return
        markers = _markers_after(spot)
        day = _snapshot_day(fate)
        if markers & _CBIGNORE:
            reason = SkipReason.CBIGNORE
        elif archived or markers & _WEBARCHIVE:
            reason = SkipReason.ALREADY_ARCHIVED
        elif fate.snapshot_url is None:
            if not markers & _DEAD_LINK:
                self._change(ChangeKind.DEAD_LINK_TAGGED, url, spot,
                             str(spot.node) + self.dead_link)
                return
            reason = SkipReason.ALREADY_TAGGED
        elif day is None:
            reason = SkipReason.NO_SNAPSHOT_DATE
        else:
            kind, after = archive(fate.snapshot_url, day)
            self._change(kind, url, spot, after)
            return
        self.skipped.append(Skipped(reason, url, self._line(spot)))

    def result(self) -> FixResult:
        pieces: list[str] = []
        done = 0
        for change in self.changes:  # in document order, none overlapping
            pieces += [self.text[done:change.offset], change.after]
            done = change.offset + len(change.before)
        pieces.append(self.text[done:])
        return FixResult("".join(pieces), tuple(self.changes), tuple(self.skipped))

    def _line(self, spot: _Spot) -> int:
        return self.text.count("\n", 0, spot.start) + 1

    def _change(self, kind: ChangeKind, url: str, spot: _Spot, after: str) -> None:
        before = self.text[spot.start:spot.end]
        # A citation nested in one already changed is part of that edit; the span check guards
        # the offset arithmetic (a mismatch would mean editing the wrong bytes).
        nested = bool(self.changes) and spot.start < self.changes[-1].offset + len(
            self.changes[-1].before)
        if nested or before != str(spot.node) or before == after:
            return
        self.changes.append(Change(kind, url, before, after, self._line(spot), spot.start))
