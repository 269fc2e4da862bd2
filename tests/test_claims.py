"""Loading claims files: every problem listed with its line and field, nothing half-loaded."""

from __future__ import annotations

import datetime as dt
import tracemalloc
from pathlib import Path

import pytest

from verifier.claims import dump_document, load_claims
from verifier.errors import ClaimsError, ExitCode
from verifier.models import Claim, Document, Reference, Tag

GOOD = """\
version: 1
article:
  title: Example
references:
  "5":
    title: A source
    date: 2019-11-11
    url: https://example.org/a
claims:
  - id: one
    text: First claim.
    sources: ["5"]
  - id: two
    text: Second claim.
    sources: ["https://example.org/inline"]
    citation_needed: false
"""


def write(tmp_path: Path, text: str | bytes, name: str = "claims.yaml") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def problems(path: Path) -> list[str]:
    with pytest.raises(ClaimsError) as caught:
        load_claims(path)
    assert caught.value.exit_code == ExitCode.BAD_INPUT
    return [str(p) for p in caught.value.problems]


def test_good_file_loads(tmp_path: Path) -> None:
    (document,) = load_claims(write(tmp_path, GOOD)).documents
    assert [c.id for c in document.claims] == ["one", "two"]
    assert document.references["5"].date == dt.date(2019, 11, 11)
    assert document.claims[1].inline_urls() == ("https://example.org/inline",)
    assert document.claims[0].reference_keys() == ("5",)


def test_problem_format_names_file_line_and_field(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace('sources: ["5"]', 'sources: ["7"]'))
    assert problems(path) == [f"{path}:12: claims[0].sources[0]: unknown reference '7'"]


def test_every_problem_is_listed_at_once(tmp_path: Path) -> None:
    text = """\
version: 1
references:
  "1":
    title: T
    date: 11 ноября 2019
claims:
  - id: a
    text: One.
    sorces: ["1"]
  - id: a
    text: Two.
  - sources: ["1"]
  - id: b
    text: "   "
"""
    found = problems(write(tmp_path, text))
    path = tmp_path / "claims.yaml"
    assert found == [
        f"{path}:5: references.1.date: not a date: '11 ноября 2019' (write dates as YYYY-MM-DD)",
        f"{path}:9: claims[0].sorces: unknown key 'sorces' (did you mean 'sources'?); "
        "expected: id, text, section, sources, citation_needed, tags",
        f"{path}:10: claims[1].id: duplicate claim id 'a' (first at line 7)",
        f"{path}:12: claims[2]: a claim needs text",
        f"{path}:14: claims[3].text: must not be empty",
    ]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "the file is empty"),
        (b"  \n\n", "the file is empty"),
        (b"version: 1\nclaims: [\n", "invalid YAML"),
        (b"version: 1\nclaims:\n  - text: caf\xe9\n", "not UTF-8 text"),
        (b"- just\n- a list\n", "expected a mapping with version, article, references, claims"),
        (b"version: 2\nclaims: []\n", "unsupported version '2'"),
        (b"claims: []\n", "version: missing"),
        (b"version: 1\n", "claims: missing"),
        (b"version: 1\nclaims:\n  - text: x\n    text: y\n", "duplicate key"),
        (b"version: 1\nclaims:\n  - text: x\n    citation_needed: maybe\n", "expected true or false"),
        (b"version: 1\nclaims: {a: 1}\n", "claims: expected a list"),
        (b"version: 1\nreferences:\n  '1': {date: 2020-01-01T10:00:00}\nclaims: []\n",
         "not a date"),
        (b"version: 1\nreferences:\n  '1': {url_access: paid}\nclaims: []\n",
         "'paid' is not one of"),
    ],
)
def test_bad_input(tmp_path: Path, content: bytes, expected: str) -> None:
    found = problems(write(tmp_path, content))
    assert any(expected in p for p in found), found


def test_not_utf8_reports_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, b"version: 1\nclaims:\n  - text: caf\xe9\n")
    assert problems(path) == [f"{path}:3: not UTF-8 text (byte 32)"]


def test_invalid_yaml_reports_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, "version: 1\nclaims:\n  - text: 'open\n    sources: [\n")
    (found,) = problems(path)
    assert found.startswith(f"{path}:") and "invalid YAML" in found


def test_malformed_urls_are_kept_for_the_checker(tmp_path: Path) -> None:
    text = """\
version: 1
references:
  "1": {url: "javascript:alert(1)"}
  "2": {url: "file:///etc/passwd"}
  "3": {url: "http://exa mple.org/with space"}
claims:
  - text: A claim.
    sources: ["1", "2", "3", "mailto:someone@example.org"]
"""
    (document,) = load_claims(write(tmp_path, text)).documents
    assert document.references["1"].url == "javascript:alert(1)"
    assert document.references["3"].url == "http://exa mple.org/with space"
    assert document.claims[0].inline_urls() == ("mailto:someone@example.org",)


def test_missing_id_is_derived_from_the_text(tmp_path: Path) -> None:
    text = "version: 1\nclaims:\n  - text: The bridge opened in 1901.\n"
    (document,) = load_claims(write(tmp_path, text)).documents
    assert document.claims[0].id.startswith("bridge-opened-1901-")


def test_integer_reference_keys_are_text(tmp_path: Path) -> None:
    text = "version: 1\nreferences:\n  5: {title: T}\nclaims:\n  - text: X.\n    sources: [5]\n"
    (document,) = load_claims(write(tmp_path, text)).documents
    assert document.claims[0].sources == ("5",)
    assert "5" in document.references


def test_directory_of_claims_files(tmp_path: Path) -> None:
    write(tmp_path, GOOD, "a.yaml")
    (tmp_path / "sub").mkdir()
    write(tmp_path / "sub", GOOD.replace("Example", "Other"), "b.yml")
    write(tmp_path, "not: claims", "notes.txt")
    claim_set = load_claims(tmp_path)
    assert [d.article.title for d in claim_set.documents if d.article] == ["Example", "Other"]
    assert len(claim_set.claims) == 4


def test_directory_problems_from_every_file(tmp_path: Path) -> None:
    write(tmp_path, GOOD, "a.yaml")
    write(tmp_path, "version: 1\nclaims:\n  - id: x\n", "b.yaml")
    write(tmp_path, "", "c.yaml")
    found = problems(tmp_path)
    assert found == [
        f"{tmp_path / 'b.yaml'}:3: claims[0]: a claim needs text",
        f"{tmp_path / 'c.yaml'}: the file is empty",
    ]


def test_files_that_share_an_article_may_not_share_ids(tmp_path: Path) -> None:
    """The history keys claims by (document, id): two files under one article title whose ids
    overlap would stand for each other's claims."""
    write(tmp_path, GOOD, "a.yaml")
    write(tmp_path, GOOD.replace("First claim.", "Another first claim."), "b.yaml")
    assert problems(tmp_path) == [
        f"{tmp_path / 'b.yaml'}: claim ids 'one', 'two' also in {tmp_path / 'a.yaml'}, under "
        "the same document name (Example): give each file its own article title or URL, or "
        "claim ids unique across them",
        f"{tmp_path / 'b.yaml'}: reference keys '5' also in {tmp_path / 'a.yaml'}, under the "
        "same document name (Example): give each file its own article title or URL, or "
        "reference keys unique across them",
    ]
    # One article split over two files with ids of their own is fine.
    write(tmp_path, GOOD.replace("id: one", "id: three").replace("id: two", "id: four")
          .replace('"5"', '"6"').replace("[\"5\"]", "[\"6\"]"), "b.yaml")
    claim_set = load_claims(tmp_path)
    assert [c.id for c in claim_set.claims] == ["one", "two", "three", "four"]


def test_empty_directory_and_missing_path(tmp_path: Path) -> None:
    assert problems(tmp_path) == [f"{tmp_path}: no claims files (*.yaml, *.yml) here"]
    assert problems(tmp_path / "nope.yaml") == [f"{tmp_path / 'nope.yaml'}: no such file or directory"]


def test_round_trip_of_every_field(tmp_path: Path) -> None:
    document = Document(
        claims=(
            Claim(id="c1", text="A: claim with 'quotes' and #hash", section="S",
                  sources=("r1", "https://x.example/"), citation_needed=True,
                  tags=(Tag("citation needed", "March 2020"), Tag("dubious"))),
        ),
        references={"r1": Reference(
            key="r1", title="T", publisher="P", date=dt.date(2020, 1, 2), url="https://x.example/a",
            archive_url="https://web.archive.org/web/2020/https://x.example/a",
            archive_date=dt.date(2020, 2, 3), access_date=dt.date(2020, 3, 4), quote="q: yes",
            work="W", doi="10.1000/182", url_access="subscription", url_status="dead",
            tags=(Tag("dead link", "May 2021"),),
        )},
    )
    path = write(tmp_path, dump_document(document))
    (loaded,) = load_claims(path).documents
    assert loaded.claims == document.claims
    assert loaded.references == document.references


def test_a_second_document_is_refused_at_its_dashes(tmp_path: Path) -> None:
    """Two documents were merged, and the first one's version went unchecked."""
    path = write(tmp_path, "version: 99\nclaims:\n  - text: One.\n---\nversion: 1\nclaims:\n"
                           "  - text: Two.\n")
    assert problems(path) == [
        f"{path}:4: a second YAML document starts here; a claims file holds one document"]


def test_a_nul_byte_is_named_with_its_line_on_one_line(tmp_path: Path) -> None:
    path = write(tmp_path, b"version: 1\nclaims:\n  - text: \"On\x00e.\"\n")
    with pytest.raises(ClaimsError) as caught:
        load_claims(path)
    assert str(caught.value) == (
        f"{path}:3: a NUL byte (column 14): not allowed in YAML (of the control characters, "
        "only tab and line breaks are)")
    # After a byte-order mark and non-ASCII text the line and column are the character's own.
    path = write(tmp_path, "\ufeffversion: 1\nclaims:\n  - text: Ünïcödé\x1b.\n".encode())
    assert problems(path) == [
        f"{path}:3: character U+001B (column 18): not allowed in YAML (of the control "
        "characters, only tab and line breaks are)"]


def test_at_most_fifty_problems_are_listed(tmp_path: Path) -> None:
    path = write(tmp_path, "version: 1\nclaims:\n" + "  - {id: x}\n" * 120)
    with pytest.raises(ClaimsError) as caught:
        load_claims(path)
    assert len(caught.value.problems) == 120
    lines = str(caught.value).splitlines()
    assert lines[0] == "120 problems in claims:"
    assert lines[1] == f"  {path}:3: claims[0]: a claim needs text"
    assert lines[50] == f"  {path}:52: claims[49]: a claim needs text"
    assert lines[51:] == ["  and 70 more"]


def test_aliases_that_multiply_the_claims_are_refused(tmp_path: Path) -> None:
    """The issue's file: one invalid claim, anchored, aliased 200 times; each copy named its
    1,000 unknown sources again (200,000 problems). Now the expansion itself is bounded."""
    sources = ", ".join(f"'k{i}'" for i in range(1000))
    path = write(tmp_path, f"version: 1\nclaims:\n  - &c {{text: Bad., sources: [{sources}]}}\n"
                 + "  - *c\n" * 200)
    (found,) = problems(path)
    assert found.startswith(f"{path}:14: alias *c expands the file past the limit")


def test_a_billion_laughs_fails_fast_in_little_memory(tmp_path: Path) -> None:
    """A synthetic alias bomb: ten levels of ten aliases, 10^10 nodes from 700 bytes."""
    levels = ["l0: &l0 [" + ", ".join(["lol"] * 10) + "]"]
    levels += [f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 10) + "]" for i in range(1, 10)]
    text = "\n".join(["version: 1", *levels, "claims:", "  - text: A.", "    sources: *l9",
                      "    tags: *l9"]) + "\n"
    path = write(tmp_path, text)
    tracemalloc.start()
    try:
        with pytest.raises(ClaimsError) as caught:
            load_claims(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert str(caught.value).startswith(f"{path}:5: alias *l2 expands the file past the limit")
    assert "\n" not in str(caught.value)
    assert peak < 5_000_000
