"""Control and bidi characters from claims files, servers and pages never reach a terminal or a
report raw: the one convention (`<U+XXXX>`) on its own, then a real `verifier audit` against a
loopback server that sends them in every place it can. The pages are synthetic."""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

from click.testing import CliRunner, Result
from hostile import Conn, hostile

from verifier.cli import cli
from verifier.printable import json_text, printable, table, url

# What must never be written raw: C0 controls but tab and newline, DEL, C1, the bidi controls.
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# ANSI colour, the one-byte CSI that clears a screen, DEL, an override that reverses a file
# name, an isolate: one of each kind, as a hostile page or claims file would send them.
BAD = "\x1b[31mred\x1b[0m \x9b2J del\x7f \u202egnp.exe\u202c \u2066iso\u2069"
BAD_SHOWN = ("<U+001B>[31mred<U+001B>[0m <U+009B>2J del<U+007F> <U+202E>gnp.exe<U+202C> "
             "<U+2066>iso<U+2069>")
# The same characters as YAML escapes, for the claims file.
BAD_YAML = "\\e[31mred\\e[0m \\x9b2J del\\x7f \\u202egnp.exe\\u202c \\u2066iso\\u2069"


def test_every_hidden_character_is_shown_by_its_code_point() -> None:
    assert printable(BAD) == BAD_SHOWN
    assert printable("nul\x00 bs\x08 cr\r vt\x0b ff\x0c us\x1f c1\x80\x85 lre\u202a pdi\u2069") \
        == ("nul<U+0000> bs<U+0008> cr<U+000D> vt<U+000B> ff<U+000C> us<U+001F> "
            "c1<U+0080><U+0085> lre<U+202A> pdi<U+2069>")
    assert RAW.search(printable("".join(map(chr, range(0x2070))))) is None


def test_tab_newline_and_other_text_are_left_alone() -> None:
    text = "tab\there\nnew line; Минск, “quoted”, no\u00a0break, zero\u200bwidth, é, 🙂"
    assert printable(text) == text
    assert printable("<U+001B> as typed") == "<U+001B> as typed"  # idempotent


def test_a_format_writes_the_visible_form_in_its_own_escapes() -> None:
    entities = table(lambda shown: shown.replace("<", "&lt;").replace(">", "&gt;"))
    assert "a\u202eb".translate(entities) == "a&lt;U+202E&gt;b"
    assert "\x1b".translate(table()) == "<U+001B>"
    assert ord("\t") not in entities and ord("\n") not in entities


def test_json_keeps_the_data_and_writes_no_raw_character() -> None:
    data = {"claim": BAD, "plain": "Минск"}
    text = json_text(json.dumps(data, ensure_ascii=False))
    assert RAW.search(text) is None
    assert "\\u202egnp.exe\\u202c" in text and "\\u007f" in text and "Минск" in text
    assert json.loads(text) == data
    assert json_text('"plain ascii"') == '"plain ascii"'


def test_a_url_percent_encodes_them() -> None:
    assert url("https://a.test/\u202egnp.exe?q=\x1b") == "https://a.test/%E2%80%AEgnp.exe?q=%1B"
    assert url("https://a.test/Минск") == "https://a.test/Минск"


# -- end to end --

def head(status: str, headers: dict[str, bytes], body: bytes = b"") -> bytes:
    """A response whose status line and headers carry raw bytes, as hostile servers send."""
    fields = [name.encode() + b": " + value for name, value in headers.items()]
    lines = [f"HTTP/1.1 {status}".encode(), *fields, f"Content-Length: {len(body)}".encode(),
             b"Connection: close"]
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


async def play(conn: Conn) -> None:
    request = await conn.request()
    base = f"http://evil.test:{conn.server.port}"
    if request.path == "/page":  # plain text is stored as sent: the evidence holds them all
        body = (f"The harbour lighthouse {BAD} was first lit in 1890 by the town council.\n"
                "The town council still keeps the harbour light.\n").encode()
        await conn.send(head(f"200 OK {BAD}", {"Content-Type": b"text/plain; charset=utf-8"},
                             body))
    elif request.path == "/moved":
        await conn.send(head(f"301 {BAD}", {"Location": f"{base}/land{BAD}".encode()}))
    elif request.path == "/odd":  # a Location that cannot be followed: the reason quotes it
        await conn.send(head(f"302 {BAD}", {"Location": f"javascript:{BAD}".encode()}))
    elif request.path == "/soft":
        body = (f"<html><head><title>Page not found {BAD}</title></head><body>"
                f"<h1>Page not found {BAD}</h1></body></html>").encode()
        await conn.send(head("200 OK", {"Content-Type": b"text/html; charset=utf-8"}, body))
    else:
        await conn.send(head(f"404 {BAD}", {"Content-Type": b"text/plain"}, BAD.encode()))


CLAIMS = f"""version: 1
references:
  "page\\e[1m":
    url: "http://evil.test:PORT/page"
    title: "Title {BAD_YAML}"
    publisher: "Publisher {BAD_YAML}"
  moved: {{url: "http://evil.test:PORT/moved", title: "Moved"}}
  odd: {{url: "http://evil.test:PORT/odd", title: "Odd"}}
  soft: {{url: "http://evil.test:PORT/soft", title: "Soft"}}
  gone: {{url: "http://evil.test:PORT/gone", title: "Gone {BAD_YAML}"}}
claims:
  - id: "light\\e[2K\\u202e"
    text: "The harbour lighthouse {BAD_YAML} was first lit in 1890 by the town council."
    section: "Harbour {BAD_YAML}"
    sources: ["page\\e[1m", moved, odd, soft, gone]
  - id: wrong-year
    text: "The harbour lighthouse was first lit in 1895 by the town council."
    sources: ["page\\e[1m"]
  - id: unsourced
    text: "An unsourced claim {BAD_YAML}."
    citation_needed: true
"""
CLAIM_ID_SHOWN = "light<U+001B>[2K<U+202E>"


def clean(result: Result) -> None:
    """Nothing raw on either stream."""
    for stream in (result.stdout, result.stderr):
        assert RAW.search(stream) is None, repr(RAW.findall(stream))


def test_an_audit_shows_every_control_and_writes_none_raw(tmp_path: Path) -> None:
    with hostile(play) as server:
        claims = tmp_path / "claims.yaml"
        claims.write_text(CLAIMS.replace("PORT", str(server.port)), encoding="utf-8")
        env = {"VERIFIER_RESOLVE": f"evil.test:{server.port}:127.0.0.1",
               "VERIFIER_TIMEOUT": "5s", "VERIFIER_RETRIES": "0", "VERIFIER_HOST_INTERVAL": "0",
               "VERIFIER_ARCHIVE_DEADLINE": "2s"}

        def invoke(*args: str) -> Result:
            result = CliRunner().invoke(cli, list(args), env=env)
            assert result.exit_code == 0, result.output
            clean(result)
            return result

        audit = invoke("audit", str(claims), "--quiet", "--no-json", "--fail-on", "none")
        assert f"cited by ref gone (Gone {BAD_SHOWN}): {CLAIM_ID_SHOWN}" in audit.stdout
        assert f"unsourced: An unsourced claim {BAD_SHOWN}." in audit.stdout
        # The page's own words, as evidence that it says otherwise.
        assert f"The harbour lighthouse {BAD_SHOWN} was first lit in 1890" in audit.stdout
        odd = re.search(r"invalid_url 302 .*/odd\n +(.*)", audit.stdout)
        assert odd is not None and "javascript:" in odd[1]  # the Location, quoted

        page = invoke("history", f"http://evil.test:{server.port}/page", "--claims",
                      str(claims), "--no-json")
        assert f"The harbour lighthouse {BAD_SHOWN} was first lit" in page.stdout  # evidence
        assert CLAIM_ID_SHOWN in page.stdout
        moved = invoke("history", f"http://evil.test:{server.port}/moved", "--claims",
                       str(claims), "--no-json")
        assert "/land" in moved.stdout and "gnp.exe" in moved.stdout  # where it was sent
        listed = invoke("claims", "--claims", str(claims), "--no-json")
        assert f"{CLAIM_ID_SHOWN}\tsupported\talive\t" in listed.stdout
        invoke("runs", "--claims", str(claims), "--no-json")
        valid = invoke("validate", str(claims), "--no-json")
        assert "valid (1 file)" in valid.stdout
        # Piped JSON keeps the data, and writes it with escapes.
        rows = json.loads(invoke("claims", "--claims", str(claims), "--json").stdout)
        assert rows[0]["claim_id"] == "light\x1b[2K\u202e"
        assert rows[0]["claim"] == f"The harbour lighthouse {BAD} was first lit in 1890 by " \
                                   "the town council."

    folder = tmp_path / "reports"
    texts = {p.suffix: p.read_text(encoding="utf-8") for p in folder.iterdir()}
    assert sorted(texts) == [".csv", ".html", ".json", ".md", ".wiki", ".xml"]
    for suffix, text in texts.items():
        raw = RAW.findall(text.replace("\r\n", "\n") if suffix == ".csv" else text)
        assert not raw, (suffix, raw)

    entities = BAD_SHOWN.replace("<", "&lt;").replace(">", "&gt;")
    assert "&lt;U+202E&gt;gnp.exe&lt;U+202C&gt;" in texts[".md"]
    assert f"Gone {entities.replace('[', '&#91;')}" in texts[".wiki"]
    assert f"Harbour {entities}" in texts[".html"]  # the claim's section, in the worklist
    assert "\\u202egnp.exe\\u202c" in texts[".html"].split('id="rows">', 1)[1]  # table data
    data = json.loads(texts[".json"])
    assert {r["ref_title"] for r in data["rows"]} >= {f"Title {BAD}", f"Gone {BAD}"}
    table_rows = list(csv.DictReader(io.StringIO(texts[".csv"], newline="")))
    assert {r["claim_id"] for r in table_rows} == {CLAIM_ID_SHOWN, "wrong-year", "unsourced"}
    assert f"Title {BAD_SHOWN}" in {r["ref_title"] for r in table_rows}
    suite = ET.fromstring(texts[".xml"])
    outs = [case.findtext("system-out") or "" for case in suite.iter("testcase")]
    assert f"Claim: An unsourced claim {BAD_SHOWN}." in {o.splitlines()[0] for o in outs}


def test_an_error_message_shows_them_too(tmp_path: Path) -> None:
    claims = tmp_path / "claims.yaml"
    claims.write_text('version: 1\nclaims:\n  - id: "a\\e[2J"\n    text: "A claim."\n'
                      '    sources: ["nowhere\\u202e\\x9b"]\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", str(claims), "--no-json"])
    assert result.exit_code == 2
    clean(result)
    assert "nowhere" in result.stderr and "claims[0].sources[0]" in result.stderr
