"""Load, validate and dump claims files (the claims.yaml contract, documented in the README).

Loading validates the whole input and reports every problem at once, each with its file, line
and field (`claims.yaml:14: claims[3].sources[0]: unknown reference '7'`). Downstream code
trusts a `Document`: it never sees raw YAML.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from verifier import __version__, claims_cache, collector, yaml_stream
from verifier.errors import ClaimsError, Problem
from verifier.extract.common import claim_id
from verifier.models import (
    SCHEMA_VERSION,
    Article,
    Claim,
    ClaimSet,
    Document,
    Reference,
    Tag,
    is_inline_url,
)

try:  # the C parser is several times faster on large files
    from yaml import CSafeDumper as _Dumper
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeDumper as _Dumper  # type: ignore[assignment]
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

CLAIMS_SUFFIXES = (".yaml", ".yml")

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"

_TOP_KEYS = ("version", "article", "references", "claims")
_ARTICLE_KEYS = ("title", "url")
_CLAIM_KEYS = ("id", "text", "section", "sources", "citation_needed", "tags")
_TAG_KEYS = ("name", "date")
_REF_TEXT_KEYS = ("title", "publisher", "url", "archive_url", "quote", "work", "doi")
_REF_DATE_KEYS = ("date", "archive_date", "access_date")
_REF_CHOICES = {
    "url_access": ("free", "registration", "limited", "subscription"),
    "url_status": ("live", "dead", "unfit", "usurped", "deviated"),
}
_REF_KEYS = (*_REF_TEXT_KEYS[:4], *_REF_DATE_KEYS, "quote", "work", "doi", *_REF_CHOICES, "tags")


class _Checker:
    """Walks a composed YAML node tree, collecting problems while building models."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.problems: list[Problem] = []

    def problem(self, node: yaml.Node | None, field: str, message: str) -> None:
        line = node.start_mark.line + 1 if node is not None else None
        self.problems.append(Problem(self.path, line, field, message))

    def mapping(
        self, node: yaml.Node, field: str, allowed: tuple[str, ...] | None
    ) -> dict[str, tuple[yaml.Node, yaml.Node]]:
        """A mapping's entries by key (key node, value node); flags duplicates and unknown keys."""
        if not isinstance(node, yaml.MappingNode):
            self.problem(node, field, f"expected a mapping, got {_kind(node)}")
            return {}
        entries: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self.problem(key_node, field, "keys must be plain text")
                continue
            key = key_node.value
            where = f"{field}.{key}" if field else key
            if key in entries:
                self.problem(key_node, where, "duplicate key")
                continue
            if allowed is not None and key not in allowed:
                hint = difflib.get_close_matches(key, allowed, n=1)
                suffix = f" (did you mean '{hint[0]}'?)" if hint else ""
                expected = ", ".join(allowed)
                self.problem(key_node, where, f"unknown key '{key}'{suffix}; expected: {expected}")
                continue
            entries[key] = (key_node, value_node)
        return entries

    def text(self, node: yaml.Node, field: str, *, required: bool = False) -> str | None:
        if isinstance(node, yaml.ScalarNode) and node.tag == _NULL:
            if required:
                self.problem(node, field, "must not be empty")
            return None
        if not isinstance(node, yaml.ScalarNode) or node.tag not in (_STR, _INT, _TIMESTAMP):
            self.problem(node, field, f"expected text, got {_kind(node)}")
            return None
        value: str = node.value
        if required and not value.strip():
            self.problem(node, field, "must not be empty")
            return None
        return value

    def date(self, node: yaml.Node, field: str) -> dt.date | None:
        if isinstance(node, yaml.ScalarNode) and node.tag == _NULL:
            return None
        value = node.value if isinstance(node, yaml.ScalarNode) else None
        if isinstance(value, str) and node.tag in (_TIMESTAMP, _STR):
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                pass
        shown = value if isinstance(value, str) else _kind(node)
        self.problem(node, field, f"not a date: '{shown}' (write dates as YYYY-MM-DD)")
        return None

    def boolean(self, node: yaml.Node, field: str) -> bool:
        if isinstance(node, yaml.ScalarNode) and node.tag == _BOOL:
            return bool(yaml.load(node.value, Loader=_Loader))
        self.problem(node, field, f"expected true or false, got {_kind(node)}")
        return False

    def sequence(self, node: yaml.Node, field: str) -> list[yaml.Node]:
        if isinstance(node, yaml.ScalarNode) and node.tag == _NULL:
            return []
        if not isinstance(node, yaml.SequenceNode):
            self.problem(node, field, f"expected a list, got {_kind(node)}")
            return []
        return list(node.value)

    def tags(self, node: yaml.Node, field: str) -> tuple[Tag, ...]:
        tags: list[Tag] = []
        for index, item in enumerate(self.sequence(node, field)):
            where = f"{field}[{index}]"
            if isinstance(item, yaml.ScalarNode):
                name = self.text(item, where, required=True)
                if name:
                    tags.append(Tag(name))
                continue
            entries = self.mapping(item, where, _TAG_KEYS)
            if "name" not in entries:
                self.problem(item, where, "a tag needs a name")
                continue
            name = self.text(entries["name"][1], f"{where}.name", required=True)
            date = self.text(entries["date"][1], f"{where}.date") if "date" in entries else None
            if name:
                tags.append(Tag(name, date))
        return tuple(tags)


def _kind(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    if node.tag == _NULL:
        return "nothing"
    return f"'{node.value}'"


def _reference(check: _Checker, key: str, node: yaml.Node, field: str) -> Reference:
    entries = check.mapping(node, field, _REF_KEYS)
    values: dict[str, Any] = {}
    for name, (_, value) in entries.items():
        where = f"{field}.{name}"
        if name in _REF_DATE_KEYS:
            values[name] = check.date(value, where)
        elif name == "tags":
            values[name] = check.tags(value, where)
        else:
            text = check.text(value, where)
            choices = _REF_CHOICES.get(name)
            if text is not None and choices and text not in choices:
                check.problem(value, where, f"'{text}' is not one of: {', '.join(choices)}")
                text = None
            values[name] = text
    return Reference(key=key, **values)


def _claim(
    check: _Checker, node: yaml.Node, field: str, known: Callable[[str, yaml.Node, str], None]
) -> Claim | None:
    entries = check.mapping(node, field, _CLAIM_KEYS)
    if not entries and not isinstance(node, yaml.MappingNode):
        return None
    if "text" not in entries:
        check.problem(node, field, "a claim needs text")
        text = None
    else:
        text = check.text(entries["text"][1], f"{field}.text", required=True)
    ident = None
    if "id" in entries:
        ident = check.text(entries["id"][1], f"{field}.id", required=True)
    sources: list[str] = []
    if "sources" in entries:
        for index, item in enumerate(check.sequence(entries["sources"][1], f"{field}.sources")):
            where = f"{field}.sources[{index}]"
            source = check.text(item, where, required=True)
            if source is None:
                continue
            source = source.strip()
            if source in sources:
                check.problem(item, where, f"'{source}' is listed twice")
            elif not is_inline_url(source):
                known(source, item, where)
            sources.append(source)
    citation_needed = False
    if "citation_needed" in entries:
        citation_needed = check.boolean(entries["citation_needed"][1], f"{field}.citation_needed")
    tags = check.tags(entries["tags"][1], f"{field}.tags") if "tags" in entries else ()
    section = None
    if "section" in entries:
        section = check.text(entries["section"][1], f"{field}.section")
    if text is None:
        return None
    return Claim(
        id=ident or claim_id(text),
        text=text,
        section=section,
        sources=tuple(dict.fromkeys(sources)),
        citation_needed=citation_needed,
        tags=tags,
    )


class _Builder:
    """Validates references and claims as the composer hands them over, one at a time."""

    def __init__(self, check: _Checker) -> None:
        self.check = check
        self.references: dict[str, Reference] = {}
        self.reference_keys: set[str] = set()
        self.claims: list[Claim] = []
        self.first_line: dict[str, int] = {}
        self.count = 0
        # Sources naming a reference not seen yet: the references may follow the claims.
        self.pending: list[tuple[str, yaml.Node, str]] = []

    def reference(self, key_node: yaml.Node | None, value: yaml.Node) -> None:
        if key_node is None:  # `references:` is a list: _document reports it
            return
        check = self.check
        if not isinstance(key_node, yaml.ScalarNode):
            check.problem(key_node, "references", "keys must be plain text")
            return
        key = key_node.value
        where = f"references.{key}"
        if key in self.reference_keys:
            check.problem(key_node, where, "duplicate key")
            return
        self.reference_keys.add(key)
        if is_inline_url(key):
            check.problem(key_node, where, "a reference id must not look like a URL")
            return
        self.references[key] = _reference(check, key, value, where)

    def known(self, source: str, node: yaml.Node, where: str) -> None:
        if source not in self.references:
            self.pending.append((source, node, where))

    def claim(self, key_node: yaml.Node | None, item: yaml.Node) -> None:
        if key_node is not None:  # `claims:` is a mapping: _document reports it
            return
        index = self.count
        self.count += 1
        claim = _claim(self.check, item, f"claims[{index}]", self.known)
        if claim is None:
            return
        line = item.start_mark.line + 1
        if claim.id in self.first_line:
            first = self.first_line[claim.id]
            self.check.problem(item, f"claims[{index}].id",
                               f"duplicate claim id '{claim.id}' (first at line {first})")
            return
        self.first_line[claim.id] = line
        self.claims.append(claim)

    def finish(self) -> None:
        for source, node, where in self.pending:
            if source not in self.references:
                self.check.problem(node, where, f"unknown reference '{source}'")


def _document(check: _Checker, root: yaml.Node, path: Path, built: _Builder) -> Document | None:
    entries = check.mapping(root, "", _TOP_KEYS)
    if not isinstance(root, yaml.MappingNode):
        return None
    version_node = entries.get("version", (None, None))[1]
    if version_node is None:
        check.problem(root, "version", f"missing: add `version: {SCHEMA_VERSION}`")
    elif not (isinstance(version_node, yaml.ScalarNode) and version_node.tag == _INT
              and version_node.value.strip() == str(SCHEMA_VERSION)):
        check.problem(version_node, "version",
                      f"unsupported version {_kind(version_node)}; this verifier reads version "
                      f"{SCHEMA_VERSION}")

    article = None
    if "article" in entries and not (
        isinstance(entries["article"][1], yaml.ScalarNode) and entries["article"][1].tag == _NULL
    ):
        fields = check.mapping(entries["article"][1], "article", _ARTICLE_KEYS)
        article = Article(
            title=check.text(fields["title"][1], "article.title") if "title" in fields else None,
            url=check.text(fields["url"][1], "article.url") if "url" in fields else None,
        )

    # The entries of `references` and the items of `claims` were validated as they were read
    # (by `built`); what is left here is their container's own shape.
    if "references" in entries:
        ref_node = entries["references"][1]
        if not (isinstance(ref_node, yaml.ScalarNode) and ref_node.tag == _NULL):
            check.mapping(ref_node, "references", None)
    if "claims" not in entries:
        check.problem(root, "claims", "missing: the file has no `claims:` list")
    else:
        check.sequence(entries["claims"][1], "claims")
    built.finish()
    return Document(claims=tuple(built.claims), references=built.references, article=article,
                    path=path)


def _one_line(message: str) -> str:
    return " ".join(message.split())


def _unacceptable(shown: str, text: str, character: int) -> Problem:
    """The character YAML refused (a NUL byte, a control character), at its line and column."""
    char = chr(character)
    name = "a NUL byte" if char == "\0" else f"character U+{character:04X}"
    rule = "not allowed in YAML (of the control characters, only tab and line breaks are)"
    # The reader stops at the first character it refuses, so that is this character's first
    # occurrence (its position counts bytes in one parser, characters in the other).
    index = text.find(char)
    if index < 0:
        return Problem(shown, None, "", f"{name}: {rule}")
    column = index - text.rfind("\n", 0, index)
    return Problem(shown, text.count("\n", 0, index) + 1, "", f"{name} (column {column}): {rule}")


def parse_document(
    data: bytes, path: Path, display: str | None = None
) -> tuple[Document | None, list[Problem]]:
    """Validate one claims file's bytes: the document (when valid) and every problem found."""
    shown = display or str(path)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return None, [Problem(shown, line, "", f"not UTF-8 text (byte {exc.start})")]
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip():
        return None, [Problem(shown, None, "", "the file is empty")]
    check = _Checker(shown)
    built = _Builder(check)
    try:
        with collector.paused():  # a large file makes a million objects and no cycles
            root = yaml_stream.compose(
                text, {"references": built.reference, "claims": built.claim})
    except yaml_stream.Refused as exc:
        return None, [Problem(shown, exc.line + 1, "", str(exc.problem))]
    except yaml.reader.ReaderError as exc:
        return None, [_unacceptable(shown, text, exc.character)]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = mark.line + 1 if mark else None
        return None, [Problem(shown, where, "",
                              f"invalid YAML: {_one_line(exc.problem or exc.context or '')}")]
    except yaml.YAMLError as exc:
        return None, [Problem(shown, None, "", f"invalid YAML: {_one_line(str(exc))}")]
    if root is None:
        return None, [Problem(shown, None, "", "the file holds no YAML document")]
    if not isinstance(root, yaml.MappingNode):
        expected = ", ".join(_TOP_KEYS)
        check.problem(root, "", f"expected a mapping with {expected}; got {_kind(root)}")
        return None, check.problems
    document = _document(check, root, path, built)
    problems = sorted(check.problems, key=lambda p: p.line or 0)
    return (None if problems else document), problems


# How a file's bytes become stored claim and reference versions: the parsing, the document's
# name, store_rows.claim_values and reference_values. Bump it when any of them changes, so that
# no run finds a claim set recorded the old way (see claim_set_sources).
SOURCE_FORMAT = 1
_SOURCE_SEED = (f"verifier {__version__}, claims schema {SCHEMA_VERSION}, "
                f"source format {SOURCE_FORMAT}\n").encode()


def claims_files(path: Path) -> list[Path]:
    """The claims files a path names: itself, or every *.yaml/*.yml below a directory."""
    if path.is_dir():
        return sorted(
            p for p in path.rglob("*")
            if p.suffix in CLAIMS_SUFFIXES and p.is_file()
            and not any(part.startswith(".") for part in p.relative_to(path).parts)
        )
    return [path]


def load_claims(path: Path, cache: Path | None = None) -> ClaimSet:
    """Load and validate a claims file or a directory of them; ClaimsError lists every problem.

    With `cache` (the disposable cache folder), large files that validated before are read
    back from there instead of being parsed again (see claims_cache)."""
    if not path.exists():
        raise ClaimsError([Problem(str(path), None, "", "no such file or directory")])
    files = claims_files(path)
    if not files:
        raise ClaimsError([Problem(str(path), None, "", "no claims files (*.yaml, *.yml) here")])
    documents: list[Document] = []
    problems: list[Problem] = []
    source = hashlib.sha256(_SOURCE_SEED)
    for file in files:
        try:
            data = file.read_bytes()
        except OSError as exc:
            problems.append(Problem(str(file), None, "", f"cannot read: {exc.strerror}"))
            continue
        digest = claims_cache.key(data)
        big = cache is not None and len(data) >= claims_cache.MIN_BYTES
        document = claims_cache.load(cache, digest, file) if cache and big else None
        if document is None:
            document, found = parse_document(data, file)
            problems.extend(found)
            if document is not None and cache is not None and big:
                claims_cache.store(cache, digest, document)
        if document is not None:
            documents.append(document)
            # The path as given, not resolved: a link's own name may be the document's name.
            source.update(f"{file.absolute()}\0{digest}\0{document.name}\n".encode(
                "utf-8", "surrogateescape"))
    problems.extend(_clashes(documents))
    if problems:
        raise ClaimsError(problems)
    return ClaimSet(tuple(documents), source.hexdigest())


def _clashes(documents: list[Document]) -> list[Problem]:
    """Claim ids and reference keys that two files give under one document name.

    The history keys claims and references by (document name, id): one would stand for the
    other, and its verdicts would be judged on the wrong text."""
    if len({d.name for d in documents}) == len(documents):
        return []
    first: dict[tuple[str, str, str], Path | None] = {}
    clashes: dict[tuple[Path | None, Path | None, str], list[str]] = {}
    for document in documents:
        named = [("claim", c.id) for c in document.claims]
        named += [("reference", key) for key in document.references]
        for kind, key in named:
            seen = first.setdefault((document.name, kind, key), document.path)
            if seen != document.path:
                clashes.setdefault((document.path, seen, kind), []).append(key)
    problems = []
    for (path, other, kind), keys in clashes.items():
        shown = ", ".join(repr(k) for k in keys[:5]) + (
            f" and {len(keys) - 5} more" if len(keys) > 5 else "")
        name = next(d.name for d in documents if d.path == path)
        problems.append(Problem(
            str(path), None, "",
            f"{kind} {'ids' if kind == 'claim' else 'keys'} {shown} also in {other}, under the "
            f"same document name ({name}): give each file its own article title or URL, or "
            f"{kind} {'ids' if kind == 'claim' else 'keys'} unique across them"))
    return problems


# --- dumping -------------------------------------------------------------------------------------

class _FlowList(list[object]):
    """A list written on one line (`sources: ['5', '2']`)."""


class _Writer(_Dumper):
    pass


_Writer.add_representer(
    _FlowList, lambda d, v: d.represent_sequence("tag:yaml.org,2002:seq", v, flow_style=True)
)

def _tags(tags: tuple[Tag, ...]) -> list[object]:
    return [{"name": t.name, "date": t.date} if t.date else t.name for t in tags]


def _reference_dict(ref: Reference) -> dict[str, object]:
    out: dict[str, object] = {
        "title": ref.title, "publisher": ref.publisher, "date": ref.date, "url": ref.url,
        "archive_url": ref.archive_url, "archive_date": ref.archive_date,
        "access_date": ref.access_date, "quote": ref.quote,
    }
    extras: dict[str, object] = {
        "work": ref.work, "doi": ref.doi, "url_access": ref.url_access,
        "url_status": ref.url_status, "tags": _tags(ref.tags),
    }
    out.update({k: v for k, v in extras.items() if v})  # optional extras only when set
    return out


def _claim_dict(claim: Claim) -> dict[str, object]:
    out: dict[str, object] = {
        "id": claim.id, "text": claim.text, "section": claim.section,
        "sources": _FlowList(claim.sources), "citation_needed": claim.citation_needed,
    }
    if claim.tags:
        out["tags"] = _tags(claim.tags)
    return out


def dump_document(document: Document) -> str:
    """The document as claims.yaml text; loading it back gives the same document."""
    data: dict[str, object] = {"version": SCHEMA_VERSION}
    if document.article and (document.article.title or document.article.url):
        data["article"] = {"title": document.article.title, "url": document.article.url}
    data["references"] = {k: _reference_dict(r) for k, r in document.references.items()}
    data["claims"] = [_claim_dict(c) for c in document.claims]
    dumped: str = yaml.dump(
        data, Dumper=_Writer, sort_keys=False, allow_unicode=True, width=100_000,
        default_flow_style=False,
    )
    return dumped


