"""The command line as a user runs it: help, exit codes, one-line errors, nothing half-written."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from servers import Reply, serve
from verifier import __version__
from verifier.claims import load_claims
from verifier.cli import cli

FIXTURES = Path(__file__).parent / "fixtures"
SEED = FIXTURES / "text" / "belarus-venezuela-relations.txt"
DOG = FIXTURES / "html" / "mobileapps_Dog_parsoid_2018.html"


def run(*args: str, input: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), input=input, env={"VERIFIER_DEBUG": ""})
    return result.exit_code, result.stdout, result.stderr


def test_version() -> None:
    code, out, _ = run("--version")
    assert code == 0 and __version__ in out


@pytest.mark.parametrize("command", sorted(cli.commands))
def test_every_command_has_help_with_an_example(command: str) -> None:
    code, out, _ = run(command, "-h")
    assert code == 0
    assert "Example:" in out
    assert f"verifier {command}" in out


def test_extract_writes_a_valid_claims_file(tmp_path: Path) -> None:
    output = tmp_path / "claims.yaml"
    code, _, err = run("extract", str(SEED), "-o", str(output))
    assert code == 0
    assert "extracted 12 claims (4 citation needed) and 6 references" in err
    (document,) = load_claims(output).documents
    assert len(document.claims) == 12


def test_extract_to_stdout_and_from_stdin() -> None:
    code, out, _ = run("extract", "-", input=SEED.read_text(encoding="utf-8"))
    assert code == 0
    assert out.startswith("version: 1\n")
    assert "The first ten military consultants arrived in Venezuela in 2008." in out


def test_extract_never_overwrites_without_force(tmp_path: Path) -> None:
    output = tmp_path / "claims.yaml"
    output.write_text("hand-written\n", encoding="utf-8")
    code, out, err = run("extract", str(SEED), "-o", str(output))
    assert code == 2
    assert err.strip() == f"Error: {output} exists; use --merge to update it or --force to replace it"
    assert output.read_text(encoding="utf-8") == "hand-written\n"
    code, _, _ = run("extract", str(SEED), "-o", str(output), "--force")
    assert code == 0
    assert output.read_text(encoding="utf-8").startswith("version: 1")


def test_merge_keeps_ids_and_hand_added_fields(tmp_path: Path) -> None:
    output = tmp_path / "claims.yaml"
    assert run("extract", str(SEED), "-o", str(output))[0] == 0
    text = output.read_text(encoding="utf-8")
    (before,) = load_claims(output).documents
    consultants = next(c for c in before.claims if c.text.startswith("The first ten"))
    text = text.replace(consultants.id, "consultants-arrive")
    # an editor adds a quote to reference 5 and an inline URL to a claim
    text = text.replace(
        "archive_date: 2020-09-24\n    access_date: null\n    quote: null",
        "archive_date: 2020-09-24\n    access_date: null\n    quote: Первые десять",
    )
    text = text.replace("sources: ['5']\n", "sources: ['5', 'https://example.org/extra']\n", 1)
    # ... and a URL to reference 2, which the copied text does not give
    text = text.replace("publisher: БЕЛТА\n    date: 2019-02-22\n    url: null",
                        "publisher: БЕЛТА\n    date: 2019-02-22\n    url: https://example.org/belta")
    output.write_text(text, encoding="utf-8")

    code, _, err = run("extract", str(SEED), "-o", str(output), "--merge")
    assert code == 0
    assert "merged: 12 kept, 0 added, 0 removed" in err
    (after,) = load_claims(output).documents
    kept = next(c for c in after.claims if c.text.startswith("The first ten"))
    assert kept.id == "consultants-arrive"
    assert kept.sources == ("5", "https://example.org/extra")
    assert after.references["5"].quote == "Первые десять"
    assert after.references["2"].url == "https://example.org/belta"


def test_merge_into_an_invalid_file_writes_nothing(tmp_path: Path) -> None:
    output = tmp_path / "claims.yaml"
    output.write_text("version: 1\nclaims:\n  - sorces: []\n", encoding="utf-8")
    code, _, err = run("extract", str(SEED), "-o", str(output), "--merge")
    assert code == 2
    assert f"{output}:3: claims[0].sorces: unknown key 'sorces'" in err
    assert "Traceback" not in err
    assert output.read_text(encoding="utf-8") == "version: 1\nclaims:\n  - sorces: []\n"


def test_extract_missing_or_undecodable_article(tmp_path: Path) -> None:
    code, _, err = run("extract", str(tmp_path / "nope.txt"))
    assert code == 2 and err.strip() == f"Error: {tmp_path / 'nope.txt'}: no such file"
    bad = tmp_path / "latin1.txt"
    bad.write_bytes(b"Title\n\nCaf\xe9 opened in 1901.[1]\n")
    code, _, err = run("extract", str(bad))
    assert code == 2 and f"{bad}:3: not UTF-8 text" in err
    empty = tmp_path / "empty.txt"
    empty.write_text("\n", encoding="utf-8")
    assert run("extract", str(empty))[0] == 2


def test_validate_summary_and_json() -> None:
    repo_claims = str(Path(__file__).parent.parent / "claims.yaml")
    code, out, _ = run("validate", repo_claims, "--no-json")
    assert code == 0
    assert "claims:          12 (4 marked citation needed)" in out
    assert "references:      6 (0 with a URL, 6 without)" in out
    code, out, _ = run("validate", repo_claims)  # not a terminal: JSON
    assert code == 0
    assert '"claims": 12' in out and '"citation_needed": 4' in out


def test_validate_bad_file_exit_2_and_every_problem(tmp_path: Path) -> None:
    path = tmp_path / "claims.yaml"
    path.write_text('version: 1\nclaims:\n  - text: A.\n    sources: ["7"]\n  - sorces: []\n',
                    encoding="utf-8")
    code, out, err = run("validate", str(path))
    assert code == 2 and out == ""
    assert err.splitlines() == [
        "Error: 3 problems in claims:",
        f"  {path}:4: claims[0].sources[0]: unknown reference '7'",
        f"  {path}:5: claims[1].sorces: unknown key 'sorces' (did you mean 'sources'?); "
        "expected: id, text, section, sources, citation_needed, tags",
        f"  {path}:5: claims[1]: a claim needs text",
    ]


def test_bad_setting_is_a_usage_error(tmp_path: Path) -> None:
    code, _, err = run("extract", str(SEED), "--timeout", "soon")
    assert code == 2
    assert "timeout: not a duration: 'soon'" in err


def test_unknown_command_exit_2() -> None:
    assert run("frobnicate")[0] == 2


def test_extract_wikipedia_url_through_the_rest_api(tmp_path: Path) -> None:
    """A page URL is fetched from the configured REST base; --resolve sends a real name to loopback."""
    page = DOG.read_bytes()
    routes = {"/en/page/html/Dog": Reply(200, page, {"Content-Type": "text/html; charset=utf-8"})}
    with serve(routes, host="127.0.0.1") as server:
        output = tmp_path / "dog.yaml"
        code, _, err = run(
            "extract", "https://en.wikipedia.org/wiki/Dog", "-o", str(output),
            "--wikipedia-api", f"http://rest.wiki.test:{server.port}/{{lang}}",
            "--resolve", f"rest.wiki.test:{server.port}:127.0.0.1",
        )
        assert code == 0, err
        assert server.log == [("GET", "/en/page/html/Dog")]
    (document,) = load_claims(output).documents
    assert document.article is not None
    assert document.article.url == "https://en.wikipedia.org/wiki/Dog"
    assert document.article.title == "Dog"
    assert len(document.claims) > 50
    assert any(r.url for r in document.references.values())


def test_extract_a_revision_of_a_wikipedia_page(tmp_path: Path) -> None:
    """oldid= names a revision: that revision's HTML is fetched, not the current page's."""
    page = DOG.read_bytes()
    routes = {"/en/page/html/Dog/1000": Reply(200, page, {"Content-Type": "text/html"})}
    with serve(routes, host="127.0.0.1") as server:
        for url in ("https://en.wikipedia.org/w/index.php?title=Dog&oldid=1000",
                    "https://en.wikipedia.org/wiki/Dog?oldid=1000"):
            output = tmp_path / "dog.yaml"
            code, _, err = run("extract", url, "-o", str(output), "--force",
                               "--wikipedia-api", f"{server.base}/{{lang}}")
            assert code == 0, err
            (document,) = load_claims(output).documents
            assert document.article is not None
            # the article keeps its own URL: the history follows the page across revisions
            assert document.article.url == "https://en.wikipedia.org/wiki/Dog"
            assert len(document.claims) > 50
        assert server.log == [("GET", "/en/page/html/Dog/1000")] * 2
    code, _, err = run("extract", "https://en.wikipedia.org/w/index.php?title=Dog&oldid=tip")
    assert code == 2 and "oldid must be a revision number, not 'tip'" in err
    code, _, err = run("extract", "https://en.wikipedia.org/w/index.php?oldid=1000")
    assert code == 2 and "no page title in the URL" in err
    for bad in ("\u00b2", ""):  # a superscript two is a digit to str.isdigit
        code, _, err = run("extract", f"https://en.wikipedia.org/wiki/Dog?oldid={bad}")
        assert code == 2 and f"oldid must be a revision number, not {bad!r}" in err
    code, _, err = run("extract", "https://en.wikipedia.org/w/index.php?title=Dog&diff=2&oldid=1")
    assert code == 2 and "a diff names two revisions" in err


def test_extract_url_errors_are_clear(tmp_path: Path) -> None:
    with serve({}) as server:
        code, _, err = run("extract", "https://en.wikipedia.org/wiki/Missing_page",
                           "--wikipedia-api", f"{server.base}/{{lang}}")
    assert code == 2
    assert err.strip() == f"Error: cannot fetch {server.base}/en/page/html/Missing_page: HTTP 404"
    code, _, err = run("extract", "https://example.org/not-a-wiki")
    assert code == 2 and "not a Wikipedia page URL" in err


def test_force_and_merge_are_alternatives(tmp_path: Path) -> None:
    code, _, err = run("extract", str(SEED), "-o", str(tmp_path / "c.yaml"), "--force", "--merge")
    assert code == 2 and "choose one" in err
    code, _, err = run("extract", str(SEED), "--merge")
    assert code == 2 and "-o" in err
    assert not (tmp_path / "c.yaml").exists()


def test_files_written_keep_the_users_permissions(tmp_path: Path) -> None:
    output = tmp_path / "claims.yaml"
    assert run("extract", str(SEED), "-o", str(output))[0] == 0
    umask = os.umask(0)
    os.umask(umask)
    assert output.stat().st_mode & 0o777 == 0o666 & ~umask
    output.chmod(0o640)
    assert run("extract", str(SEED), "-o", str(output), "--force")[0] == 0
    assert output.stat().st_mode & 0o777 == 0o640


def test_hostile_input_is_bad_input_not_an_internal_error(tmp_path: Path) -> None:
    version = tmp_path / "v.yaml"
    version.write_text("version: 0x1\nclaims: []\n", encoding="utf-8")
    code, _, err = run("validate", str(version))
    assert code == 2 and "unsupported version" in err
    result = CliRunner().invoke(cli, ["extract", "-"], input=b"T\n\nCaf\xe9 opened. [1]\n")
    assert result.exit_code == 2 and "-:3: not UTF-8 text" in result.stderr
    not_db = tmp_path / "notes.yaml"
    not_db.write_text("just text\n", encoding="utf-8")
    code, _, err = run("runs", "--db", str(not_db))
    assert code == 2 and "is not a verifier database" in err


def test_a_format_that_finds_nothing_says_what_the_article_looks_like() -> None:
    wikitext = FIXTURES / "wikitext" / "Bodmin.txt"
    code, _, err = run("extract", str(wikitext), "--format", "html")
    assert code == 0
    assert "no claims: read as html, but it looks like wikitext" in err
