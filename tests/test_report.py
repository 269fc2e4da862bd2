"""`verifier report`, `audit` and `ack` end to end: a history of several runs (settings clock)
against a local server whose pages die, recover and change between runs; reports rendered from
the database, validated, and acted on. The pages are synthetic."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner, Result

from servers import Reply, serve
from verifier.cli import cli
from verifier.models import CheckStatus, UrlState, Verdict

SCHEMA = json.loads((Path(__file__).parent.parent / "verifier" / "report" /
                     "report.schema.json").read_text(encoding="utf-8"))
HTML = {"Content-Type": "text/html; charset=utf-8"}


def page(title: str, text: str) -> Reply:
    return Reply(200, f"<html><head><title>{title}</title></head><body><h1>{title}</h1>"
                      f"<p>{text}</p></body></html>".encode(), HTML)


GONE = Reply(404, b"<html><head><title>Not found</title></head><body>No such page</body></html>",
             HTML)
BRIDGE = page("Synthetic city news: the bridge",
              "The river bridge opened on 3 June 1961 after four years of building work.")
BRIDGE_EDITED = page("Synthetic city news: the bridge",
                     "The river bridge opened on 3 June 1964 after four years of building work.")
CLAIMS = """version: 1
references:
  bridge: {url: "http://city.test:PORT/bridge", title: "The bridge"}
  flaky: {url: "http://city.test:PORT/flaky", title: "A page that comes and goes"}
  gone: {url: "http://city.test:PORT/gone", title: "A page that is gone"}
  book: {title: "A printed book"}
claims:
  - id: bridge
    text: The river bridge opened on 3 June 1961 after four years of building work.
    sources: [bridge]
  - id: flaky
    text: The night ferry ran for forty years.
    sources: [flaky]
  - id: gone
    text: The old market hall burned down.
    sources: [gone]
  - id: book
    text: The town was founded by fishermen.
    sources: [book]
  - id: unsourced
    text: The town has the oldest lighthouse in the region.
    citation_needed: true
"""


def invoke(*args: str, env: dict[str, str]) -> Result:
    return CliRunner().invoke(cli, list(args), env=env)


@pytest.fixture()
def town(tmp_path: Path) -> Any:
    """A claims file, a server whose routes the test changes, and the environment for a day."""
    routes: dict[str, Any] = {"/bridge": BRIDGE, "/flaky": page("Ferry", "The night ferry "
                                                                 "ran for forty years."),
                              "/gone": GONE}
    with serve(routes) as site:
        claims = tmp_path / "claims.yaml"
        claims.write_text(CLAIMS.replace("PORT", str(site.port)), encoding="utf-8")

        def env(day: int) -> dict[str, str]:
            return {"VERIFIER_RESOLVE": f"city.test:{site.port}:127.0.0.1",
                    "VERIFIER_NOW": f"2026-01-{day:02d}T00:00:00Z", "VERIFIER_TIMEOUT": "5s",
                    "VERIFIER_RETRIES": "0", "VERIFIER_HOST_INTERVAL": "0",
                    "VERIFIER_DEAD_STRIKES": "2", "VERIFIER_DEAD_AFTER": "1d",
                    "VERIFIER_ARCHIVE_DEADLINE": "2s"}

        yield claims, routes, env, f"http://city.test:{site.port}"


def report_json(claims: Path, env: dict[str, str], *args: str) -> tuple[int, dict[str, Any]]:
    result = invoke("report", "--claims", str(claims), "--format", "json", "--json", *args,
                    env=env)
    assert result.exit_code in (0, 1), result.output
    data = json.loads((claims.parent / "reports" / "report.json").read_text(encoding="utf-8"))
    jsonschema.validate(data, SCHEMA)
    return result.exit_code, data


def urls_of(data: dict[str, Any], kind: str) -> list[str]:
    return [c["url"] for c in data["changes"] if c["kind"] == kind]


def worklist(data: dict[str, Any], kind: str) -> list[str]:
    return [data["rows"][f["row"]]["claim_id"] for f in data["worklist"] if f["kind"] == kind]


def finding_rows(data: dict[str, Any], kind: str) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(worklist item, its row) for each finding of a kind."""
    return [(f, data["rows"][f["row"]]) for f in data["worklist"] if f["kind"] == kind]


def test_reports_follow_the_history_and_fail_on_what_is_asked(town: Any) -> None:
    claims, routes, env, base = town
    # day 1: the first audit; the gone page is failing, nothing is new yet
    first = invoke("audit", str(claims), "--quiet", "--format", "json", "--no-json", env=env(1))
    assert first.exit_code == 0, first.output
    assert "reports:" in first.stdout and "report.json" in first.stdout
    code, day1 = report_json(claims, env(1))
    assert code == 0 and day1["run"]["id"] == 1 and day1["changes"] == []
    assert worklist(day1, "citation_needed") == ["unsourced"]
    assert worklist(day1, "dead") == ["gone"]
    assert worklist(day1, "no_url") == ["book"]
    ((dead, dead_row),) = finding_rows(day1, "dead")
    assert dead["action"] == "no copy found" and dead_row["strikes"] == 1
    assert {r["claim_id"]: r["verdict"] for r in day1["rows"]}["bridge"] == "supported"

    # day 2: the flaky page fails, the gone page is confirmed dead, the bridge page is edited
    routes["/flaky"] = GONE
    routes["/bridge"] = BRIDGE_EDITED
    second = invoke("audit", str(claims), "--quiet", "--format", "json", "--no-json", env=env(2))
    assert second.exit_code == 1, second.output  # new-dead and unsupported, by default
    assert "FAILING THE RUN (2), by --fail-on:" in second.stdout
    assert f"new-dead: {base}/gone" not in second.stdout  # the change kind's own name is used
    assert f"newly_dead: {base}/gone" in second.stdout
    assert "unsupported: bridge " in second.stdout
    code, day2 = report_json(claims, env(2))
    assert code == 1 and day2["failed"] and day2["run"]["previous_run_id"] == 1
    assert urls_of(day2, "newly_dead") == [f"{base}/gone"]
    assert urls_of(day2, "newly_failing") == [f"{base}/flaky"]
    (changed,) = [c for c in day2["changes"] if c["kind"] == "verdict_changed"]
    assert (changed["claim_id"], changed["before"], changed["after"]) == (
        "bridge", "supported", "not_supported")
    ((unsupported, unsupported_row),) = finding_rows(day2, "unsupported")
    assert "3 June 1964" in unsupported_row["evidence"]  # the evidence is quoted
    assert unsupported["fails"] and not unsupported["acknowledged"]

    # --fail-on chooses; none never fails; an unknown name is bad input
    assert report_json(claims, env(2), "--fail-on", "none")[0] == 0
    assert report_json(claims, env(2), "--fail-on", "citation-needed")[0] == 1
    assert report_json(claims, env(2), "--fail-on", "new-failing")[0] == 1
    assert report_json(claims, env(2), "--fail-on", "drift,unarchived")[0] == 0
    bad = invoke("report", "--claims", str(claims), "--fail-on", "deadish", env=env(2))
    assert bad.exit_code == 2 and "--fail-on: unknown 'deadish'" in bad.output

    # day 3: the flaky page is back; an earlier run can still be reported on
    routes["/flaky"] = page("Ferry", "The night ferry ran for forty years.")
    invoke("check", str(claims), "--quiet", "--json", env=env(3))
    code, day3 = report_json(claims, env(3))
    assert urls_of(day3, "recovered") == [f"{base}/flaky"]
    assert urls_of(day3, "newly_dead") == []  # dead since day 2: not new
    code, again2 = report_json(claims, env(3), "--run", "2")
    assert urls_of(again2, "newly_dead") == [f"{base}/gone"]
    assert [p["run_id"] for p in day3["summary"]["history"]] == [1, 2, 3]
    assert day3["summary"]["history"][1]["states"] == {"alive": 1, "failing": 1,
                                                       "confirmed_dead": 1}


def test_an_acknowledged_finding_stops_failing_until_it_changes(town: Any) -> None:
    claims, routes, env, base = town
    routes["/bridge"] = BRIDGE_EDITED
    invoke("check", str(claims), "--quiet", "--json", env=env(1))
    assert report_json(claims, env(1))[0] == 1  # the bridge claim is unsupported

    acked = invoke("ack", "bridge", "--claims", str(claims), "--reason",
                   "the 1964 date is a typo on the site, checked with the council", env=env(1))
    assert acked.exit_code == 0, acked.output
    assert acked.stdout.strip() == "acknowledged 1 finding (unsupported) about bridge in run 1"
    code, data = report_json(claims, env(1))
    assert code == 0
    (finding,) = [f for f in data["worklist"] if f["kind"] == "unsupported"]
    assert finding["acknowledged"] and not finding["fails"]  # still reported, marked

    # the claim changes: the finding is another one, and fails again
    claims.write_text(claims.read_text(encoding="utf-8").replace(
        "after four years of building work", "after five years of building work"),
        encoding="utf-8")
    invoke("check", str(claims), "--quiet", "--json", env=env(2))
    code, data = report_json(claims, env(2))
    assert code == 1
    assert [f["acknowledged"] for f in data["worklist"] if f["kind"] == "unsupported"] == [False]

    # a URL acknowledges the findings about that source; nothing known is an error
    dead = invoke("ack", f"{base}/gone", "--claims", str(claims), "--reason", "known", env=env(2))
    assert dead.exit_code == 0 and "(dead)" in dead.stdout
    none = invoke("ack", "no-such-claim", "--claims", str(claims), "--reason", "x", env=env(2))
    assert none.exit_code == 2 and "no-such-claim: no finding about it in run 2" in none.output


def test_a_report_that_fails_to_render_leaves_the_previous_one(town: Any,
                                                              monkeypatch: pytest.MonkeyPatch,
                                                              ) -> None:
    claims, routes, env, base = town
    invoke("check", str(claims), "--quiet", "--json", env=env(1))
    report_json(claims, env(1))
    target = claims.parent / "reports" / "report.json"
    before = target.read_bytes()

    from verifier.report import json as json_format

    def broken(report: Any) -> Iterator[str]:
        yield from itertools.islice(json_format.pieces(report), 5)  # written, then it dies
        raise MemoryError("killed midway")

    monkeypatch.setattr(json_format, "pieces", broken)
    from verifier.report import formats
    formats.cache_clear()
    try:
        result = invoke("report", "--claims", str(claims), "--format", "json", env=env(1))
    finally:
        formats.cache_clear()
    assert result.exit_code == 3
    assert target.read_bytes() == before
    assert sorted(p.name for p in target.parent.iterdir()) == ["report.json"]  # no temp files


def test_reporting_needs_a_history(tmp_path: Path) -> None:
    result = invoke("report", "--claims", str(tmp_path / "claims.yaml"), env={})
    assert result.exit_code == 2
    assert "no history database at" in result.output
    assert not (tmp_path / "reports").exists()


def test_claims_lists_for_scripts_and_prune_keeps_each_urls_state(town: Any) -> None:
    claims, routes, env, base = town
    routes["/bridge"] = BRIDGE_EDITED
    for day in (1, 2, 3):
        assert invoke("check", str(claims), "--quiet", "--json", env=env(day)).exit_code == 0

    listed = invoke("claims", "--claims", str(claims), "--status", "confirmed_dead", "--json",
                    env=env(3))
    assert [(r["claim_id"], r["url"]) for r in json.loads(listed.stdout)] == [
        ("gone", f"{base}/gone")]
    listed = invoke("claims", "--claims", str(claims), "--verdict", "not_supported",
                    "--verdict", "supported", "--no-json", env=env(3))
    assert listed.stdout.splitlines() == [
        f"bridge\tnot_supported\talive\t{base}/bridge",
        f"flaky\tsupported\talive\t{base}/flaky"]

    def checks(url: str) -> list[Any]:
        history = invoke("history", url, "--claims", str(claims), "--json", env=env(3))
        return json.loads(history.stdout)["checks"]  # type: ignore[no-any-return]

    assert len(checks(f"{base}/gone")) == 3
    pruned = invoke("prune", "--keep", "1d", "--claims", str(claims), env=env(3))
    assert pruned.exit_code == 0, pruned.output
    assert pruned.stdout.startswith("dropped 3 check rows from before 2026-01-02")
    gone = json.loads(invoke("history", f"{base}/gone", "--claims", str(claims), "--json",
                             env=env(3)).stdout)
    assert [c["run"] for c in gone["checks"]] == [2, 3]
    assert gone["state"] == "confirmed_dead" and gone["first_failure_at"].startswith("2026-01-01")
    bad = invoke("prune", "--keep", "soon", "--claims", str(claims), env=env(3))
    assert bad.exit_code == 2 and "--keep: not a duration" in bad.output


def test_every_format_tells_the_same_story(town: Any) -> None:
    import csv
    import xml.etree.ElementTree as ET

    from test_report_formats import section

    claims, routes, env, base = town
    invoke("check", str(claims), "--quiet", "--json", env=env(1))
    routes["/bridge"] = BRIDGE_EDITED
    result = invoke("audit", str(claims), "--quiet", "--no-json", env=env(2))
    assert result.exit_code == 1, result.output
    folder = claims.parent / "reports"
    assert sorted(p.name for p in folder.iterdir()) == [
        "report.csv", "report.html", "report.json", "report.md", "report.wiki", "report.xml"]
    gone, bridge = f"{base}/gone", f"{base}/bridge"

    md = (folder / "report.md").read_text(encoding="utf-8")
    assert gone in section(md, "### Newly confirmed dead")
    unsupported = section(md, "### Sources that do not support their claims")
    assert "3 June 1964" in unsupported and bridge in unsupported

    wiki = (folder / "report.wiki").read_text(encoding="utf-8")
    assert gone in section(wiki, "==== Newly confirmed dead")
    assert "3 June 1964" in section(wiki, "==== Sources that do not support their claims")

    html = (folder / "report.html").read_text(encoding="utf-8")
    newly_dead = html.split('id="changes-newly_dead"', 1)[1].split("</section>", 1)[0]
    assert f'href="{gone}"' in newly_dead
    assert "3 June 1964" in html.split('id="worklist-unsupported"', 1)[1].split("</section>")[0]

    with (folder / "report.csv").open(encoding="utf-8", newline="") as handle:
        rows = {r["claim_id"]: r for r in csv.DictReader(handle)}
    assert rows["bridge"]["verdict"] == "not_supported"
    assert "3 June 1964" in rows["bridge"]["evidence"]
    assert rows["gone"]["url_state"] == "confirmed_dead" and rows["gone"]["strikes"] == "2"

    suite = ET.parse(folder / "report.xml").getroot()
    cases = {case.get("name", "").split(":", 1)[0]: case for case in suite.iter("testcase")}
    assert cases["bridge"].find("failure") is not None  # unsupported, by default
    assert cases["gone"].find("failure") is not None  # newly confirmed dead
    assert cases["flaky"].find("failure") is None and cases["flaky"].find("skipped") is None


def test_the_json_report_of_every_kind_of_finding_fits_its_schema() -> None:
    from reports import sample_report

    from verifier.report import json as json_format

    for hostile in (False, True):
        report = sample_report(hostile)
        data = json.loads(json_format.render(report))
        jsonschema.validate(data, SCHEMA)
        assert [data["rows"][f["row"]]["claim_id"] for f in data["worklist"]] == [
            f.row.claim_id for f in report.findings]
        assert {c["kind"] for c in data["changes"]} == {c.kind.value for c in report.changes}
        # rendered row by row, the text is still the data's, key order included
        assert list(data) == list(json_format.data(report))
        assert data == json_format.data(report)


def test_a_run_that_is_not_there_is_bad_input(town: Any) -> None:
    claims, _, env, _ = town
    assert invoke("check", str(claims), "--no-archive", "--quiet", env=env(1)).exit_code == 0
    for command in ("report", "claims"):
        result = invoke(command, "--claims", str(claims), "--run", "99", env=env(1))
        assert result.exit_code == 2, result.output
        assert result.output == (f"Error: {claims.parent / 'verifier.db'} has no run 99; its "
                                 "latest is run 1 (`verifier runs` lists them)\n")
    assert not (claims.parent / "reports").exists()


def test_claims_refuses_a_status_or_verdict_it_does_not_know(town: Any) -> None:
    claims, _, env, _ = town
    assert invoke("check", str(claims), "--no-archive", "--quiet", env=env(1)).exit_code == 0
    result = invoke("claims", "--claims", str(claims), "--status", "bogus", env=env(1))
    assert result.exit_code == 2 and result.stdout == ""
    # Every value of both enums, whatever they hold today.
    assert result.output == (
        f"Error: --status: unknown 'bogus'; expected a check status "
        f"({', '.join(s.value for s in CheckStatus)}) or a URL state "
        f"({', '.join(s.value for s in UrlState)})\n")
    assert "(ok, redirected, " in result.output and "confirmed_dead, recovered)" in result.output
    dashed = invoke("claims", "--claims", str(claims), "--status", "confirmed-dead", env=env(1))
    assert dashed.exit_code == 2
    assert "unknown 'confirmed-dead' (did you mean 'confirmed_dead'?)" in dashed.output
    result = invoke("claims", "--claims", str(claims), "--verdict", "bogus", env=env(1))
    assert result.exit_code == 2
    assert result.output == (f"Error: --verdict: unknown 'bogus'; expected "
                             f"{', '.join(v.value for v in Verdict)}\n")


def test_claims_with_status_no_url_lists_the_references_without_one(town: Any) -> None:
    claims, _, env, _ = town
    assert invoke("check", str(claims), "--no-archive", "--quiet", env=env(1)).exit_code == 0
    listed = invoke("claims", "--claims", str(claims), "--status", "no_url", "--json", env=env(1))
    assert listed.exit_code == 0, listed.output
    assert [(r["claim_id"], r["ref_key"]) for r in json.loads(listed.stdout)] == [
        ("book", "book")]
    # The report counts what cannot be read from them as unverifiable; so does the listing.
    listed = invoke("claims", "--claims", str(claims), "--verdict", "unverifiable", "--json",
                    env=env(1))
    assert ("book", "book") in [(r["claim_id"], r["ref_key"]) for r in json.loads(listed.stdout)]


@pytest.mark.parametrize("command", [
    ["check", "CLAIMS", "--quiet"], ["audit", "CLAIMS", "--quiet"], ["report"], ["claims"],
    ["runs"], ["history", "https://example.org/"], ["ack", "book", "--reason", "checked"],
    ["prune", "--keep", "1d"], ["fix", "ARTICLE"],
])
def test_a_database_in_a_missing_folder_is_bad_input(tmp_path: Path, command: list[str]) -> None:
    claims = tmp_path / "claims.yaml"
    claims.write_text(CLAIMS.replace("PORT", "9"), encoding="utf-8")
    (tmp_path / "Article.wiki").write_text("Text.<ref>{{cite web |url=http://city.test:9/gone}}"
                                           "</ref>\n", encoding="utf-8")
    before = sorted(tmp_path.iterdir())
    db = tmp_path / "missing" / "history.db"
    args = [str(claims) if a == "CLAIMS" else str(tmp_path / "Article.wiki") if a == "ARTICLE"
            else a for a in command]
    if "CLAIMS" not in command:
        args += ["--claims", str(claims)]
    result = invoke(*args, "--db", str(db), env={"VERIFIER_RESOLVE": "city.test:9:127.0.0.1"})
    assert result.exit_code == 2, result.output
    assert result.output == f"Error: cannot open {db}: directory {db.parent} does not exist\n"
    assert sorted(tmp_path.iterdir()) == before  # no database, cache or reports made
