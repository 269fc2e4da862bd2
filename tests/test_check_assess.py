"""`verifier check` judging each claim against the text of its source, end to end: real-shaped
pages served on loopback, a real database, text read in real worker processes.

The pages are synthetic (tests/fixtures/text_sources/README.md): a news page with boilerplate, a
PDF, a windows-1251 page and an ISO-8859-1 page without any charset, and a Spanish page with a
date in words written here. Every "supported" case has negative controls: the same claim with
its date, number or name changed must not come out supported.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from servers import Reply, serve
from verifier.cli import cli
from verifier.store import Store

SOURCES = Path(__file__).parent / "fixtures" / "text_sources"
NEWS = (SOURCES / "synthetic_news_article.html").read_bytes()
PDF = (SOURCES / "synthetic_report.pdf").read_bytes()
RUSSIAN = (SOURCES / "synthetic_ru_windows1251.html").read_bytes()
# Synthetic, written for this test: a Spanish page with its date in words, no charset anywhere.
SPANISH = ("<html><head><title>Noticias</title></head><body><h1>Noticias de la región</h1>"
           "<p>La cooperativa Nueva Esperanza inauguró su planta de Maracay el 4 de febrero de "
           "1997, con ciento veinte trabajadores.</p><p>Según la directiva, la planta produce "
           "piezas de maquinaria agrícola para toda la región.</p></body></html>"
           ).encode("iso-8859-1")

CLAIMS = """version: 1
references:
  news: {url: "http://news.test:PORT/deal", title: "Minsk and Caracas sign machinery deal"}
  quoted:
    url: "http://news.test:PORT/deal"
    quote: "extends a partnership that began in 2007"
  misquoted:
    url: "http://news.test:PORT/deal"
    quote: "the agreement was cancelled a year later"
  report: {url: "http://reports.test:PORT/annual.pdf"}
  ru: {url: "http://ru.test:PORT/culture"}
  es: {url: "http://es.test:PORT/noticias"}
  blocked: {url: "http://blocked.test:PORT/story"}
  gone: {url: "http://news.test:PORT/gone"}
  photo: {url: "http://news.test:PORT/photo.png"}
  book: {title: "A printed book with no URL"}
claims:
  - id: signed
    text: Belarus and Venezuela signed an agreement under which Minsk will supply tractors,
      lorries and road-building machinery to Caracas.
    sources: [news]
  - id: began-2009
    text: The partnership between Belarus and Venezuela began in 2009, when the two countries
      created a joint commission to coordinate trade and investment.
    sources: [news]
  - id: worth-3.5
    text: The machinery agreement between Belarus and Venezuela was worth an estimated 3.5
      billion dollars.
    sources: [news]
  - id: port-riga
    text: Part of the payment would be made in crude oil shipped through the port of Riga.
    sources: [news]
  - id: began-2007
    text: The partnership between Belarus and Venezuela began in 2007.
    sources: [quoted]
  - id: cancelled
    text: The machinery agreement between Belarus and Venezuela was cancelled.
    sources: [misquoted]
  - id: trade
    text: Bilateral trade between Belarus and Venezuela reached 1.2 billion dollars in 2010.
    sources: [report]
  - id: trade-2011
    text: Bilateral trade between Belarus and Venezuela reached 1.2 billion dollars in 2011.
    sources: [report]
  - id: exhibition-ru
    text: В Минске открылась выставка современного искусства, на которой представлены работы
      художников из двенадцати стран.
    sources: [ru]
  - id: exhibition-en
    text: An exhibition of contemporary art opened in Minsk.
    sources: [ru]
  - id: plant
    text: The Nueva Esperanza cooperative opened its Maracay plant on 4 February 1997.
    sources: [es]
  - id: plant-5-feb
    text: The Nueva Esperanza cooperative opened its Maracay plant on 5 February 1997.
    sources: [es]
  - id: plant-caracas
    text: The Nueva Esperanza cooperative opened its Caracas plant on 4 February 1997.
    sources: [es]
  - id: blocked
    text: A claim resting on a page that turns robots away.
    sources: [blocked]
  - id: gone
    text: A claim resting on a page that is gone.
    sources: [gone]
  - id: photo
    text: A claim resting on a photograph.
    sources: [photo]
  - id: book
    text: A claim resting on a book.
    sources: [book]
"""


def routes() -> dict[str, Any]:
    html = {"Content-Type": "text/html"}  # no charset: the reader must find it
    return {
        "/deal": Reply(200, NEWS, {"Content-Type": "text/html; charset=utf-8"}),
        "/photo.png": Reply(200, b"\x89PNG\r\n\x1a\n" + bytes(200), {"Content-Type": "image/png"}),
        "/annual.pdf": Reply(200, PDF, {"Content-Type": "application/pdf"}),
        "/culture": Reply(200, RUSSIAN, html),
        "/noticias": Reply(200, SPANISH, html),
        "/story": Reply(403, b"<html><head><title>Access denied</title></head>"
                             b"<body>Access denied</body></html>", html),
    }


def env(port: int, now: str = "2026-01-01T00:00:00Z") -> dict[str, str]:
    hosts = ["news.test", "reports.test", "ru.test", "es.test", "blocked.test"]
    return {
        "VERIFIER_RESOLVE": ",".join(f"{h}:{port}:127.0.0.1" for h in hosts),
        "VERIFIER_NOW": now, "VERIFIER_TIMEOUT": "5s", "VERIFIER_RETRIES": "0",
        "VERIFIER_HOST_INTERVAL": "0", "VERIFIER_ARCHIVE_DEADLINE": "2s",
    }


def check(claims: Path, environ: dict[str, str], *args: str) -> dict[str, Any]:
    result = CliRunner().invoke(cli, ["check", str(claims), "--json", "--quiet", *args],
                                env=environ)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def verdicts(db: Path) -> dict[str, Any]:
    """Each claim's latest verdict, by claim id."""
    with Store.open(db) as store:
        url_ids = [row[0] for row in store._db.execute("SELECT id FROM urls").fetchall()]
        return {row.claim_id: row for row in store.latest_judgements(url_ids).values()}


def test_check_judges_every_claim_against_the_text_of_its_source(tmp_path: Path) -> None:
    claims = tmp_path / "claims.yaml"
    with serve(routes()) as site:
        claims.write_text(CLAIMS.replace("PORT", str(site.port)), encoding="utf-8")
        summary = check(claims, env(site.port))
        judged = verdicts(tmp_path / "verifier.db")
        text_of = {}
        with Store.open(tmp_path / "verifier.db") as store:
            for claim_id, row in judged.items():
                if row.judgement.text_sha256:
                    text_of[claim_id] = store.text(row.judgement.text_sha256)

    def verdict(claim_id: str) -> str:
        return str(judged[claim_id].judgement.assessment.verdict.value)

    # HTML with boilerplate: supported, with the passage quoted at its offsets in the stored text
    signed = judged["signed"].judgement
    assert verdict("signed") == "supported"
    assert signed.source.value == "live"
    evidence = signed.assessment.evidence
    assert evidence is not None and "signed an agreement on Monday" in evidence.text
    assert text_of["signed"][evidence.start:evidence.end] == evidence.text
    assert "cookies" not in text_of["signed"]  # the banner, menus and comments were dropped
    # negative controls: the date, the number, the name changed
    assert verdict("began-2009") == "not_supported"
    assert judged["began-2009"].judgement.assessment.contradicted == ("2009",)
    assert verdict("worth-3.5") != "supported"
    assert "3.5 billion" in judged["worth-3.5"].judgement.assessment.missing
    assert verdict("port-riga") != "supported"
    assert "Riga" in judged["port-riga"].judgement.assessment.missing
    # the reference's quote: found (it is the evidence), or not there
    assert verdict("began-2007") == "supported"
    quoted = judged["began-2007"].judgement.assessment.evidence
    assert quoted is not None and quoted.text == "extends a partnership that began in 2007"
    assert verdict("cancelled") == "quote_mismatch"
    # a PDF, and its negative control
    assert verdict("trade") == "supported"
    assert verdict("trade-2011") == "not_supported"
    # windows-1251 without a charset: read right, so a Russian claim is supported; an English
    # claim on the Russian page is at most partially supported, and says the languages differ
    assert verdict("exhibition-ru") == "supported"
    assert verdict("exhibition-en") in ("partially_supported", "inconclusive")
    assert "languages differ" in judged["exhibition-en"].judgement.assessment.reason
    # a Spanish date in words matches the English date; a changed date or name does not
    assert verdict("plant") == "partially_supported"
    assert judged["plant"].judgement.assessment.matched == ("4 February 1997", "Nueva",
                                                            "Esperanza", "Maracay")
    assert verdict("plant-5-feb") == "not_supported"
    assert verdict("plant-caracas") != "supported"
    # nothing readable: blocked, and gone without a copy
    assert verdict("blocked") == "unverifiable"
    assert judged["blocked"].judgement.assessment.reason.startswith("the source is blocked: ")
    assert verdict("gone") == "unverifiable"
    assert "not_found" in judged["gone"].judgement.assessment.reason
    assert verdict("photo") == "unverifiable"
    assert "unsupported: image/png is not read as text" in judged["photo"].judgement.assessment.reason

    # the run summary counts the verdicts and lists the findings with their evidence
    assert sum(summary["by_verdict"].values()) == 17  # the book, with no URL, is unverifiable too
    assert summary["by_verdict"]["unverifiable"] == 4
    assert summary["by_verdict"]["supported"] == 4
    flagged = {line["claim"]: line for line in summary["unsupported"]}
    assert set(flagged) == {"began-2009", "cancelled", "trade-2011", "plant-5-feb"}
    assert "2007" in flagged["began-2009"]["evidence"]["text"]
    assert flagged["began-2009"]["url"] == f"http://news.test:{site.port}/deal"


def test_an_unchanged_source_is_not_read_or_assessed_again(tmp_path: Path) -> None:
    claims = tmp_path / "claims.yaml"
    db = tmp_path / "verifier.db"

    def rows(table: str) -> int:
        with sqlite3.connect(db) as conn:
            return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])

    with serve(routes()) as site:
        port = str(site.port)
        claims.write_text(CLAIMS.replace("PORT", port), encoding="utf-8")
        first = check(claims, env(site.port))
        counts = rows("assessments"), rows("texts"), rows("readings")
        second = check(claims, env(site.port, "2026-01-02T00:00:00Z"))
        assert (rows("assessments"), rows("texts"), rows("readings")) == counts
        assert second["by_verdict"] == first["by_verdict"]
        assert second["unsupported"] == first["unsupported"]

        # a changed claim is assessed again; the others are not
        claims.write_text(CLAIMS.replace("PORT", port).replace(
            "reached 1.2 billion dollars in 2011", "reached 1.2 billion dollars in 2010"),
            encoding="utf-8")
        third = check(claims, env(site.port, "2026-01-03T00:00:00Z"))
        assert rows("assessments") == counts[0] + 1
        assert "trade-2011" not in {line["claim"] for line in third["unsupported"]}

        # --no-assess assesses nothing; the summary shows the latest verdicts known
        fourth = check(claims, env(site.port, "2026-01-04T00:00:00Z"), "--no-assess")
        assert rows("assessments") == counts[0] + 1
        assert fourth["by_verdict"] == third["by_verdict"]

    deal = f"http://news.test:{port}/deal"
    history = CliRunner().invoke(cli, ["history", deal, "--claims", str(claims), "--json"])
    timeline = json.loads(history.stdout)
    by_claim = {a["claim"]: a for a in timeline["assessments"]}
    assert by_claim["began-2009"]["verdict"] == "not_supported"
    assert by_claim["began-2009"]["evidence"]["text"].startswith("The agreement, worth")
    text = CliRunner().invoke(cli, ["history", deal, "--claims", str(claims),
                                    "--no-json"]).stdout
    assert "began-2009  not_supported" in text
    assert "the claim says 2009; the source states it otherwise" in text


def test_the_summary_shows_findings_with_their_evidence(tmp_path: Path) -> None:
    claims = tmp_path / "claims.yaml"
    with serve(routes()) as site:
        claims.write_text(CLAIMS.replace("PORT", str(site.port)), encoding="utf-8")
        result = CliRunner().invoke(cli, ["check", str(claims), "--quiet", "--no-json"],
                                    env=env(site.port))
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "  support:  " in out and "supported 4" in out
    assert "NOT SUPPORTED (4)" in out
    assert f"  began-2009  not_supported  http://news.test:{site.port}/deal" in out
    assert "the claim says 2009; the source states it otherwise" in out
    assert "evidence (live page) chars " in out
    assert "the quote is not in the source" in out


def test_a_document_too_slow_to_read_is_unverifiable_and_the_run_goes_on(tmp_path: Path) -> None:
    from test_text import slow_html

    claims = tmp_path / "claims.yaml"
    with serve({"/deal": Reply(200, NEWS, {"Content-Type": "text/html; charset=utf-8"}),
                "/slow": Reply(200, slow_html(60_000), {"Content-Type": "text/html"})}) as site:
        claims.write_text(f"""version: 1
references:
  news: {{url: "http://news.test:{site.port}/deal"}}
  slow: {{url: "http://news.test:{site.port}/slow"}}
claims:
  - {{id: slow, text: "A claim on a page no reader gets through in time.", sources: [slow]}}
  - id: signed
    text: Belarus and Venezuela signed an agreement under which Minsk will supply tractors.
    sources: [news]
""", encoding="utf-8")
        check(claims, {**env(site.port), "VERIFIER_TEXT_TIMEOUT": "0.3s"})
    judged = verdicts(tmp_path / "verifier.db")
    slow = judged["slow"].judgement.assessment
    assert slow.verdict.value == "unverifiable"
    assert slow.reason == "the page has no readable text (unreadable: took longer than 0.3 s)"
    assert judged["signed"].judgement.assessment.verdict.value == "supported"
