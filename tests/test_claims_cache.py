"""Large claims files that validated are read back from cache/ by their hash; anything else is
parsed as usual."""

from __future__ import annotations

from pathlib import Path

import pytest

from verifier import __version__, claims_cache
from verifier.claims import load_claims
from verifier.errors import ClaimsError
from verifier.models import SCHEMA_VERSION


def big_claims(path: Path, count: int = 2500) -> Path:
    lines = ["version: 1", "article: {title: Synthetic, url: 'https://example.org/wiki/S'}",
             "references:"]
    for i in range(count):
        lines.append(f'  "r{i}": {{url: "https://example.org/{i}", title: "Page {i}", '
                     f'access_date: 2024-01-0{1 + i % 9}, tags: [{{name: dead link, '
                     f'date: March 2020}}]}}')
    lines.append("claims:")
    for i in range(count):
        lines.append(f'  - {{id: c{i}, text: "Claim {i}.", section: History, '
                     f'sources: ["r{i}"], citation_needed: {str(i % 7 == 0).lower()}}}')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_large_valid_file_is_read_back_from_the_cache(tmp_path: Path) -> None:
    claims = big_claims(tmp_path / "claims.yaml")
    cache = tmp_path / "cache"
    parsed = load_claims(claims, cache=cache)
    (entry,) = (cache / "claims").iterdir()
    cached = load_claims(claims, cache=cache)
    assert cached == parsed  # the same documents, field by field
    assert cached.documents[0].references["r3"].tags[0].date == "March 2020"

    # an entry that cannot be read is ignored, and the file parsed again
    entry.write_text("{not json", encoding="utf-8")
    assert load_claims(claims, cache=cache) == parsed

    # an edited file has another key
    claims.write_text(claims.read_text(encoding="utf-8").replace("Claim 5.", "Claim five."),
                      encoding="utf-8")
    edited = load_claims(claims, cache=cache)
    assert edited.claims[5].text == "Claim five."
    assert len(list((cache / "claims").iterdir())) == 2


def test_invalid_and_small_files_are_never_kept(tmp_path: Path) -> None:
    claims = big_claims(tmp_path / "claims.yaml")
    claims.write_text(claims.read_text(encoding="utf-8").replace('sources: ["r9"]',
                                                                 'sources: ["r99999"]'),
                      encoding="utf-8")
    cache = tmp_path / "cache"
    with pytest.raises(ClaimsError, match="unknown reference 'r99999'"):
        load_claims(claims, cache=cache)
    assert not (cache / "claims").exists()
    small = tmp_path / "small.yaml"
    small.write_text('version: 1\nclaims:\n  - {text: "A claim."}\n', encoding="utf-8")
    load_claims(small, cache=cache)
    assert not (cache / "claims").exists()


def test_an_entry_made_under_older_rules_is_not_read(tmp_path: Path) -> None:
    """A large file with a second document validated before that was refused, and its entry
    was kept; under the new rules the file is parsed again, and refused."""
    claims = big_claims(tmp_path / "claims.yaml")
    cache = tmp_path / "cache"
    load_claims(claims, cache=cache)
    (entry,) = (cache / "claims").iterdir()
    claims.write_text(claims.read_text(encoding="utf-8") + "---\nversion: 99\nclaims: []\n",
                      encoding="utf-8")
    old_name = f"{claims_cache.key(claims.read_bytes())}-v{SCHEMA_VERSION}-{__version__}.json"
    entry.rename(entry.with_name(old_name))  # as the verifier before these rules named it
    with pytest.raises(ClaimsError, match="a second YAML document starts here"):
        load_claims(claims, cache=cache)
