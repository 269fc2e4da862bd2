"""A YAML composer that hands the items of a document's top-level lists and mappings to the
caller as each one is complete, and keeps none of them: claims files of 100,000 claims are
validated in the memory of one claim, not of the whole node tree.

It builds the same nodes as `yaml.compose` (tags resolved as the safe loader does, line marks)
from libyaml's event stream, so validation code written against `yaml.compose` works unchanged.
Only the line of each mark is kept: that is all the error messages use.

Two things YAML allows are refused (as `Refused`, with the line): a second document in the
stream, and aliases that multiply the document. An alias reuses its anchor's node rather than
copying it, so memory stays that of the text; but whoever walks the tree walks the anchor's
node once per alias, and ten nested levels of ten aliases ("billion laughs") are 10^10 nodes
from a few hundred bytes. So aliases may add at most as many nodes as the text itself spells
out, plus ALIAS_ALLOWANCE: repeated tags or sources are fine, a bomb fails at its first
levels.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import yaml
from yaml import events
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import Resolver

try:
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

_STR = "tag:yaml.org,2002:str"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"
_IMPLICIT: dict[str | None, list[tuple[str, Any]]] = Resolver.yaml_implicit_resolvers

ALIAS_ALLOWANCE = 10_000  # nodes that aliases may add beyond the nodes the text spells out


class Refused(yaml.composer.ComposerError):
    """Valid YAML that this composer will not build; `problem` says why, in words."""

    def __init__(self, problem: str, line: int) -> None:
        super().__init__(None, None, problem, _mark(line))
        self.line = line  # 0-based, as in marks


class Line:
    """A mark that keeps only the (0-based) line, like yaml.Mark.line."""

    __slots__ = ("line",)

    def __init__(self, line: int) -> None:
        self.line = line


def _mark(line: int) -> Any:
    """A Line where yaml's nodes expect a Mark (only `.line` is ever read)."""
    return Line(line)


def _resolve(value: str, implicit: tuple[bool, bool]) -> str:
    """The tag the safe loader gives an untagged scalar (YAML 1.1 implicit types)."""
    if not implicit[0]:  # quoted: always a string
        return _STR
    for tag, regexp in _IMPLICIT.get(value[0] if value else "", []):
        if regexp.match(value):
            return tag
    return _STR


def _tag(event: Any, default: str) -> str:
    tag = event.tag
    return default if tag in (None, "!") else str(tag)


# Called with (key node, value node) for a top-level mapping's entries, and (None, item node)
# for a top-level list's items.
Sink = Callable[[Node | None, Node], None]


def compose(text: str, sinks: dict[str, Sink]) -> Node | None:
    """The document's root node, with the children of `root[key]` for each key in `sinks`
    passed to `sinks[key]` as they complete instead of being kept (the streamed collection
    stays in the tree, empty). None for an empty stream. Raises yaml.YAMLError like compose,
    and Refused for a second document or aliases past the allowance (see above)."""
    # [node, pending mapping key, sink for its children, anchor, nodes below it with aliases
    # expanded]
    stack: list[list[Any]] = []
    anchors: dict[str, Node] = {}
    sizes: dict[str, int] = {}  # an anchor's node, expanded; absent while it is still open
    spelled = added = 0  # nodes the text spells out; nodes its aliases add
    documents = 0
    root: Node | None = None
    stream: Iterable[Any] = yaml.parse(text, Loader=_Loader)  # events, typed loosely in stubs
    for event in stream:
        kind = type(event)
        node: Node
        size = 1
        if kind is events.ScalarEvent:
            spelled += 1
            mark = _mark(event.start_mark.line)
            tag = _resolve(event.value, event.implicit) if event.tag is None else _tag(event, _STR)
            node = ScalarNode(tag, event.value, mark, mark, event.style)
            if event.anchor:
                anchors[event.anchor] = node
                sizes[event.anchor] = 1
        elif kind is events.MappingStartEvent or kind is events.SequenceStartEvent:
            spelled += 1
            mark = _mark(event.start_mark.line)
            if kind is events.MappingStartEvent:
                node = MappingNode(_tag(event, _MAP), [], mark, mark, event.flow_style)
            else:
                node = SequenceNode(_tag(event, _SEQ), [], mark, mark, event.flow_style)
            if event.anchor:
                anchors[event.anchor] = node
                sizes.pop(event.anchor, None)
            sink = None
            if len(stack) == 1 and isinstance(stack[0][0], MappingNode):
                key = stack[0][1]
                if isinstance(key, ScalarNode):
                    sink = sinks.get(key.value)
            stack.append([node, None, sink, event.anchor, 1])
            continue
        elif kind is events.MappingEndEvent or kind is events.SequenceEndEvent:
            node, _, _, anchor, size = stack.pop()
            if anchor:
                sizes[anchor] = size
        elif kind is events.AliasEvent:
            line = event.start_mark.line
            if event.anchor not in anchors:
                raise yaml.composer.ComposerError(
                    None, None, f"found undefined alias {event.anchor!r}", event.start_mark)
            if event.anchor not in sizes:
                raise Refused(f"alias *{event.anchor} stands for a collection that holds it: "
                              "a structure without end", line)
            node, size = anchors[event.anchor], sizes[event.anchor]
            added += size
            if added > spelled + ALIAS_ALLOWANCE:
                raise Refused(
                    f"alias *{event.anchor} expands the file past the limit: aliases may add as "
                    f"many nodes as the file spells out ({spelled:,} so far) plus "
                    f"{ALIAS_ALLOWANCE:,}, and these add {added:,}", line)
        elif kind is events.DocumentStartEvent:
            documents += 1
            if documents > 1:
                raise Refused("a second YAML document starts here; a claims file holds one "
                              "document", event.start_mark.line)
            continue
        else:
            continue
        if not stack:
            root = node
            continue
        top = stack[-1]
        top[4] += size
        parent, sink = top[0], top[2]
        if isinstance(parent, MappingNode):
            if top[1] is None:
                top[1] = node
                continue
            if sink is not None:
                sink(top[1], node)
            else:
                parent.value.append((top[1], node))
            top[1] = None
        elif sink is not None:
            sink(None, node)
        else:
            parent.value.append(node)
    return root
