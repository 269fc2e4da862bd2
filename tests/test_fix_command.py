"""`verifier fix` end to end, as an editor runs it: extract the article's claims, check them on
two days until a source is confirmed dead, then propose the wikitext edit. The article and its
pages are synthetic; the rules themselves are tested on the real corpus in test_fix.py."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from servers import Reply, serve
from verifier.cli import cli

ARTICLE = """{{Use dmy dates|date=January 2026}}
'''Synthetic town''' is a town.<ref>{{cite web |url=http://town.test:PORT/harbour |title=The harbour |access-date=2 January 2025}}</ref>
Its market hall burned down.<ref>{{cite web |url=http://town.test:PORT/market |title=The market hall |access-date=2 January 2025}}</ref>

== References ==
{{reflist}}
"""


def test_fix_proposes_a_dead_link_tag_for_the_confirmed_dead_source(tmp_path: Path) -> None:
    harbour = Reply(200, b"<html><head><title>The harbour</title></head><body><p>The harbour"
                         b" is old.</p></body></html>", {"Content-Type": "text/html"})
    with serve({"/harbour": harbour}) as site:  # /market answers 404
        article = tmp_path / "Town.wiki"
        article.write_bytes(ARTICLE.replace("PORT", str(site.port)).encode())
        original = article.read_bytes()
        claims = tmp_path / "claims.yaml"
        runner = CliRunner()
        assert runner.invoke(cli, ["extract", str(article), "-o", str(claims)]).exit_code == 0
        for day in ("2026-01-01", "2026-01-02"):
            env = {"VERIFIER_RESOLVE": f"town.test:{site.port}:127.0.0.1",
                   "VERIFIER_NOW": f"{day}T00:00:00Z", "VERIFIER_RETRIES": "0",
                   "VERIFIER_DEAD_STRIKES": "2", "VERIFIER_DEAD_AFTER": "1d",
                   "VERIFIER_HOST_INTERVAL": "0"}
            checked = runner.invoke(cli, ["check", str(claims), "--quiet", "--json"], env=env)
            assert checked.exit_code == 0, checked.output

    proposed = runner.invoke(cli, ["fix", str(article), "--claims", str(claims)], env=env)
    assert proposed.exit_code == 0, proposed.output
    market = f"http://town.test:{site.port}/market"
    assert f"+Its market hall burned down.<ref>{{{{cite web |url={market} |title=The market " \
           "hall |access-date=2 January 2025}}{{dead link|date=January 2026|bot=verifier}}</ref>" \
           in proposed.stdout
    added = [line for line in proposed.stdout.splitlines()
             if line.startswith("+") and not line.startswith("+++")]
    assert len(added) == 1  # one line changed: the harbour is alive
    assert f"Town.wiki:3: {{{{dead link}}}} added: {market}" in proposed.stderr
    assert article.read_bytes() == original  # a diff only, until --write

    written = runner.invoke(cli, ["fix", str(article), "--claims", str(claims), "--write"],
                            env=env)
    assert written.exit_code == 0 and "1 edit made, 0 skipped" in written.stderr
    new = article.read_bytes().decode()
    assert new.count("{{dead link|") == 1
    assert new.replace("{{dead link|date=January 2026|bot=verifier}}", "") == original.decode()
    again = runner.invoke(cli, ["fix", str(article), "--claims", str(claims)], env=env)
    assert again.stdout == "" and "0 edits proposed, 1 skipped" in again.stderr


def test_fix_needs_a_readable_article(tmp_path: Path) -> None:
    (tmp_path / "verifier.db").write_bytes(b"")
    missing = CliRunner().invoke(cli, ["fix", str(tmp_path / "nope.wiki"), "--claims",
                                       str(tmp_path / "claims.yaml")])
    assert missing.exit_code == 2 and "nope.wiki: no such file" in missing.output
    binary = tmp_path / "binary.wiki"
    binary.write_bytes(b"\xff\xfe text")
    bad = CliRunner().invoke(cli, ["fix", str(binary), "--claims", str(tmp_path / "claims.yaml")])
    assert bad.exit_code == 2 and "binary.wiki: not UTF-8 text (byte 0)" in bad.output
