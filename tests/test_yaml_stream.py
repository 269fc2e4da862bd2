"""The streaming composer builds what yaml.compose builds, and hands big collections over item
by item; claims validation on top of it keeps every rule (see test_claims.py for the rules)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from verifier.claims import parse_document
from verifier.yaml_stream import ALIAS_ALLOWANCE, Refused, compose

SAMPLES = [
    "version: 1\nclaims: []\n",
    "a: 1\nb: '1'\nc: 1.5\nd: 2024-01-02\ne: yes\nf: null\ng: ~\nh: \"x\"\ni: !!str 3\n",
    "refs: &r {x: [1, 2, {y: z}]}\nother: *r\nlist:\n  - one\n  - {k: v}\n  - [a, b]\n",
    "text: |\n  several\n  lines\nfolded: >\n  one\n  two\nempty:\nplain: a b c\n",
    "- top\n- level\n- list\n",
    "scalar at the top\n",
]


def same(a: yaml.Node, b: yaml.Node) -> bool:
    if type(a) is not type(b) or a.tag != b.tag or a.start_mark.line != b.start_mark.line:
        return False
    if isinstance(a, yaml.ScalarNode):
        return bool(a.value == b.value)
    if isinstance(a, yaml.MappingNode):
        return len(a.value) == len(b.value) and all(
            same(k1, k2) and same(v1, v2) for (k1, v1), (k2, v2) in zip(a.value, b.value, strict=True))
    return len(a.value) == len(b.value) and all(same(x, y) for x, y in zip(a.value, b.value, strict=True))


@pytest.mark.parametrize("text", SAMPLES)
def test_the_same_nodes_as_yaml_compose(text: str) -> None:
    expected = yaml.compose(text, Loader=yaml.SafeLoader)
    got = compose(text, {})
    assert got is not None and expected is not None and same(got, expected)


def test_items_of_named_top_level_collections_are_handed_over_not_kept() -> None:
    seen: list[tuple[str | None, str]] = []
    root = compose("refs:\n  a: {url: x}\n  b: {url: y}\nclaims:\n  - one\n  - {text: two}\n"
                   "other: [kept]\n",
                   {"refs": lambda k, v: seen.append((k.value if k else None, v.tag)),
                    "claims": lambda k, v: seen.append((None, v.tag))})
    assert seen == [("a", "tag:yaml.org,2002:map"), ("b", "tag:yaml.org,2002:map"),
                    (None, "tag:yaml.org,2002:str"), (None, "tag:yaml.org,2002:map")]
    assert isinstance(root, yaml.MappingNode)
    kept = {k.value: v for k, v in root.value}
    assert kept["refs"].value == [] and kept["claims"].value == []
    assert [n.value for n in kept["other"].value] == ["kept"]


def test_yaml_errors_are_raised_with_their_line() -> None:
    with pytest.raises(yaml.MarkedYAMLError) as caught:
        compose("a: [1, 2\nb: 3\n", {})
    mark = caught.value.problem_mark or caught.value.context_mark
    assert mark is not None and mark.line >= 1
    with pytest.raises(yaml.YAMLError, match="undefined alias"):
        compose("a: *nowhere\n", {})


def test_claims_may_come_before_their_references() -> None:
    text = ('version: 1\nclaims:\n  - {id: a, text: "A claim.", sources: ["1", "9"]}\n'
            'references:\n  "1": {url: "https://example.org/"}\n')
    document, problems = parse_document(text.encode(), Path("c.yaml"))
    assert document is None
    assert [(p.line, p.field, p.message) for p in problems] == [
        (3, "claims[0].sources[1]", "unknown reference '9'")]
    fixed, problems = parse_document(text.replace(', "9"', "").encode(), Path("c.yaml"))
    assert problems == [] and fixed is not None
    assert fixed.claims[0].sources == ("1",) and "1" in fixed.references


def test_containers_of_the_wrong_shape_are_reported_once() -> None:
    text = 'version: 1\nreferences: [a, b]\nclaims: {a: 1}\n'
    _, problems = parse_document(text.encode(), Path("c.yaml"))
    assert [(p.line, p.field, p.message) for p in problems] == [
        (2, "references", "expected a mapping, got a list"),
        (3, "claims", "expected a list, got a mapping")]


def laughs(levels: int, width: int = 10) -> str:
    """A synthetic "billion laughs" file: each level is `width` aliases of the one below."""
    lines = [f"l0: &l0 [{', '.join(['lol'] * width)}]"]
    lines += [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * width)}]" for i in range(1, levels)]
    return "\n".join([*lines, f"top: *l{levels - 1}"]) + "\n"


def expanded(node: yaml.Node) -> int:
    """The nodes a walker visits below `node` when it follows every alias."""
    if isinstance(node, yaml.ScalarNode):
        return 1
    children = [n for pair in node.value for n in pair] if isinstance(
        node, yaml.MappingNode) else node.value
    return 1 + sum(expanded(child) for child in children)


def test_a_second_document_is_refused_at_its_dashes() -> None:
    with pytest.raises(Refused) as caught:
        compose("version: 99\nclaims: []\n---\nversion: 1\nclaims: []\n", {})
    assert caught.value.line + 1 == 3
    assert "second YAML document" in str(caught.value.problem)
    # One document, opened and closed with markers, is one document.
    root = compose("---\nversion: 1\n...\n", {})
    assert isinstance(root, yaml.MappingNode)


def test_an_alias_bomb_is_refused_before_it_expands() -> None:
    """Ten levels of ten: 10^10 nodes for a walker. The composer stops at the first level
    whose aliases take the total past what the text spells out plus the allowance: l3, ten
    aliases of l2's 1,111 nodes."""
    with pytest.raises(Refused) as caught:
        compose(laughs(10), {})
    assert caught.value.line + 1 == 4
    assert "alias *l2 expands the file past the limit" in str(caught.value.problem)
    # Within the allowance the same shape composes, and walks to what it expands to.
    root = compose(laughs(3), {})
    assert root is not None and expanded(root) > ALIAS_ALLOWANCE // 10


def test_repeated_parts_through_aliases_are_fine() -> None:
    """Aliases that add less than each item spells out scale with the file: here they add
    five nodes a claim, 25,000 in all, past the allowance."""
    count = ALIAS_ALLOWANCE // 2
    claims = "".join(f"  - {{id: c{i}, text: Claim {i}., tags: *t, sources: *s}}\n"
                     for i in range(count))
    text = ("version: 1\nreferences:\n  a: {url: 'https://example.org/a'}\n"
            "  b: {url: 'https://example.org/b'}\n"
            "shared: {tags: &t ['citation needed'], sources: &s [a, b]}\n"
            f"claims:\n{claims}")
    seen: list[yaml.Node] = []
    compose(text, {"claims": lambda _, item: seen.append(item)})
    assert len(seen) == count


def test_an_alias_inside_its_own_anchor_is_refused() -> None:
    with pytest.raises(Refused) as caught:
        compose("a: 1\nloop: &x\n  - one\n  - *x\n", {})
    assert caught.value.line + 1 == 4
    assert "*x stands for a collection that holds it" in str(caught.value.problem)
