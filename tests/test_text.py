"""Fetched bytes -> readable text: main text, charsets, PDFs, types, and the worker's limits."""

from __future__ import annotations

import hashlib
import io
import os
import re
import signal
import subprocess
import sys
import threading
import time
import zipfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from verifier.text import TextExtractor, TextStatus, compress, decode, decompress

FIXTURES = Path(__file__).parent / "fixtures" / "text_sources"
PAGES = Path(__file__).parent / "fixtures" / "html"  # the real Wikipedia pages, kept once
WIKIPEDIA = ["readability_Mozilla_2016.html", "oscanweb_HTML_2026.html",
             "mobileapps_Dog_parsoid_2018.html"]


@pytest.fixture(scope="module")
def extractor() -> Iterator[TextExtractor]:
    with TextExtractor() as shared:
        yield shared


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def slow_html(paragraphs: int) -> bytes:
    """A plain long page: trafilatura's time grows with the square of its paragraphs."""
    body = "".join(f"<p>Paragraph {i} is about <b>the weather</b> in the city.</p>"
                   for i in range(paragraphs))
    return f"<html><body><article>{body}</article></body></html>".encode()


# --- HTML main text ------------------------------------------------------------------------------

def test_news_page_keeps_the_article_and_drops_the_boilerplate(extractor: TextExtractor) -> None:
    result = extractor.extract(fixture("synthetic_news_article.html"), "text/html; charset=utf-8")
    assert result.status is TextStatus.OK and result.method == "trafilatura"
    for sentence in ("Minsk will supply tractors", "worth an estimated 1.2 billion dollars",
                     "shipped through the port of Odessa", "dependence\non a single supplier"):
        assert " ".join(sentence.split()) in " ".join(result.text.split())
    for boilerplate in ("cookies", "Subscribe", "Share on Facebook", "Sign up now", "Reader1984",
                        "Most read", "moon", "Advertisement", "All rights reserved", "Privacy"):
        assert boilerplate not in result.text
    assert result.language == "en" and result.charset == "utf-8"


def _words(text: str) -> Counter[str]:
    return Counter(w.lower() for w in re.findall(r"\w+", text))


@pytest.mark.parametrize("name", WIKIPEDIA)
def test_wikipedia_article_text_without_the_chrome(extractor: TextExtractor, name: str) -> None:
    html = (PAGES / name).read_bytes()
    soup = BeautifulSoup(html, "lxml")
    for tag in soup(["script", "style"]):
        tag.decompose()
    article = soup.find(id="mw-content-text") or soup.body
    assert article is not None and soup.body is not None
    paragraphs = _words(" ".join(p.get_text(" ") for p in article.find_all("p")))
    chrome = set(_words(soup.body.get_text(" "))) - set(_words(article.get_text(" ")))

    result = extractor.extract(html, "text/html")

    assert result.status is TextStatus.OK and result.method == "trafilatura"
    out = _words(result.text)
    assert sum((out & paragraphs).values()) / sum(paragraphs.values()) >= 0.99
    assert not set(out) & chrome  # "Navigation menu", "Donate", "Log in": none of it
    assert "Text is available under the Creative Commons" not in result.text
    assert result.language == "en"


def test_html_without_main_text_falls_back_to_beautifulsoup(extractor: TextExtractor) -> None:
    # trafilatura takes anything marked "footer" for boilerplate, and finds nothing else here.
    page = b'<html><body><div id="footer-info"><span>Tbilisi, 2011.</span></div></body></html>'
    result = extractor.extract(page, None)
    assert result.status is TextStatus.OK and result.detail == "trafilatura found nothing"
    assert (result.method, result.text, result.content_type) == ("bs4", "Tbilisi, 2011.",
                                                                 "text/html")


def test_a_page_of_scripts_is_empty(extractor: TextExtractor) -> None:
    result = extractor.extract(b"<html><body><script>var a = 1;</script></body></html>",
                               "text/html")
    assert result.status is TextStatus.EMPTY and result.text == ""


# --- charsets ------------------------------------------------------------------------------------

def test_windows_1251_page_without_any_charset_is_detected(extractor: TextExtractor) -> None:
    result = extractor.extract(fixture("synthetic_ru_windows1251.html"), "text/html")
    assert result.charset == "cp1251" and result.language == "ru"
    assert "Вчера в Минске открылась выставка современного искусства" in result.text


def test_iso_8859_1_page_without_any_charset_is_detected(extractor: TextExtractor) -> None:
    result = extractor.extract(fixture("synthetic_es_iso88591.html"), "text/html")
    # Browsers read ISO-8859-1 as its superset windows-1252: the same letters here.
    assert result.charset == "cp1252" and result.language == "es"
    assert "maquinaria agrícola. Según el ministerio" in " ".join(result.text.split())
    assert "pequeñas compañías de la región" in " ".join(result.text.split())


def test_charset_order_header_then_meta_then_detection() -> None:
    spanish = "<p>El niño comió una piña en la montaña.</p>"
    meta_utf8 = f'<html><head><meta charset="utf-8"></head><body>{spanish}</body></html>'
    # The header wins over a <meta> that contradicts it.
    text, charset = decode(meta_utf8.encode("latin-1"), "text/html; charset=ISO-8859-1")
    assert charset == "cp1252" and "niño comió una piña" in text
    # Without a header, <meta> (either form) names it.
    http_equiv = ('<meta http-equiv="Content-Type" content="text/html; charset=windows-1251">'
                  "<p>Посольство в Каракасе</p>")
    text, charset = decode(http_equiv.encode("cp1251"), "text/html")
    assert charset == "cp1251" and "Посольство в Каракасе" in text
    # Neither: valid UTF-8 is taken as such, without guessing.
    assert decode(spanish.encode("utf-8"), None) == (spanish, "utf-8")


def test_a_charset_label_that_is_no_text_encoding_is_ignored() -> None:
    text, charset = decode("Caracas – Minsk".encode(), "text/html; charset=hex")
    assert (text, charset) == ("Caracas – Minsk", "utf-8")


def test_undecodable_bytes_become_replacement_characters() -> None:
    text, charset = decode(b"Minsk \xff\xfe\xfa", "text/plain; charset=utf-8")
    assert charset == "utf-8" and text.startswith("Minsk ") and "\ufffd" in text


# --- PDF, plain text, XML, binary ----------------------------------------------------------------

def test_pdf_text(extractor: TextExtractor) -> None:
    result = extractor.extract(fixture("synthetic_report.pdf"), "application/pdf")
    assert result.status is TextStatus.OK and result.method == "pypdf"
    assert "Bilateral trade reached 1.2 billion dollars in 2010." in result.text
    assert result.charset is None


def test_pdf_served_as_octet_stream_is_sniffed(extractor: TextExtractor) -> None:
    result = extractor.extract(fixture("synthetic_report.pdf"), "application/octet-stream")
    assert result.method == "pypdf" and result.content_type == "application/octet-stream"
    assert "The commission met in Caracas and in Minsk." in result.text


def test_pdf_without_a_text_layer_is_empty(extractor: TextExtractor) -> None:
    pdf = fixture("synthetic_report.pdf")
    blank = re.sub(rb"\(.*?\) Tj T\*", lambda m: b" " * len(m.group()), pdf)  # offsets unchanged
    result = extractor.extract(blank, "application/pdf")
    assert result.status is TextStatus.EMPTY and result.method == "pypdf"


def test_a_broken_pdf_is_unreadable(extractor: TextExtractor) -> None:
    result = extractor.extract(b"%PDF-1.4\n1 0 obj << /Type /Catalog", "application/pdf")
    assert result.status is TextStatus.UNREADABLE and result.detail.startswith("could not be read")


def test_plain_text_and_json_pass_through(extractor: TextExtractor) -> None:
    plain = extractor.extract("Ámbito: 1.2 billion\r\n\r\n\r\nsecond  line".encode("cp1252"),
                              "text/plain; charset=windows-1252")
    assert (plain.status, plain.method, plain.text) == (
        TextStatus.OK, "plain", "Ámbito: 1.2 billion\n\nsecond line")
    data = extractor.extract(b'{"trade": "1.2 billion"}', "application/json")
    assert data.method == "plain" and data.text == '{"trade": "1.2 billion"}'


def test_xml_is_read_without_resolving_entities(extractor: TextExtractor,
                                                tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("local secret")
    feed = (f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "file://{secret}">]>'
            "<rss><channel><item><title>Embassy opens in Caracas</title>"
            "<description>&x;</description></item></channel></rss>")
    result = extractor.extract(feed.encode(), "application/rss+xml")
    assert result.method == "xml" and "Embassy opens in Caracas" in result.text
    assert "local secret" not in result.text


def test_images_and_archives_are_unsupported(extractor: TextExtractor) -> None:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("report.txt", "text inside a zip")
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
    for body, content_type in ((png, "image/png"), (archive.getvalue(), "application/zip"),
                               (archive.getvalue(), None), (png, "application/octet-stream")):
        result = extractor.extract(body, content_type)
        assert result.status is TextStatus.UNSUPPORTED and result.text == ""


def test_sha256_is_of_the_text_and_compression_round_trips(extractor: TextExtractor) -> None:
    result = extractor.extract(fixture("synthetic_news_article.html"), "text/html")
    assert result.sha256 == hashlib.sha256(result.text.encode()).hexdigest()
    stored = compress(result.text)
    assert len(stored) < len(result.text.encode()) and decompress(stored) == result.text


# --- limits and the worker pool ------------------------------------------------------------------

def test_a_page_too_slow_for_trafilatura_is_read_by_beautifulsoup() -> None:
    # trafilatura needs about 8 s for this page here, BeautifulSoup about 1 s: a 4 s limit
    # leaves BeautifulSoup room on a loaded machine, and trafilatura none.
    with TextExtractor(time_limit=4.0) as bounded:
        bounded.extract(b"warm up", "text/plain")
        start = time.monotonic()
        result = bounded.extract(slow_html(20_000), "text/html")
        took = time.monotonic() - start
    assert result.status is TextStatus.OK and result.method == "bs4"
    assert result.detail == "trafilatura timed out" and "Paragraph 19999 is about" in result.text
    assert took < 4.0 * 2 + 4.0  # two limits at most, and a worker start between them


def test_a_document_over_the_time_limit_is_unreadable_and_the_pool_goes_on() -> None:
    with TextExtractor(time_limit=0.3) as bounded:
        bounded.extract(b"warm up", "text/plain")
        start = time.monotonic()
        result = bounded.extract(slow_html(60_000), "text/html")  # too slow for both readers
        took = time.monotonic() - start
        assert result.status is TextStatus.UNREADABLE
        assert result.detail == "took longer than 0.3 s"
        assert took < 0.3 * 2 + 4.0  # two tries, and a worker start between them
        after = bounded.extract(b"The next document is read.", "text/plain")
    assert after.status is TextStatus.OK and after.text == "The next document is read."


def test_a_document_over_the_memory_cap_is_unreadable_and_the_pool_goes_on() -> None:
    # A worker holds about 210 MiB of address space once loaded; 20 MB of short lines becomes
    # five million string objects, over 250 MiB, when the text is split into lines.
    with TextExtractor(time_limit=60.0, memory_limit=320 << 20) as bounded:
        result = bounded.extract(b"x y\n" * (5 << 20), "text/plain")
        assert result.status is TextStatus.UNREADABLE
        assert result.detail == "needed more than 320 MiB"
        after = bounded.extract(b"The next document is read.", "text/plain")
    assert after.status is TextStatus.OK and after.text == "The next document is read."


def test_a_worker_killed_from_outside_is_replaced() -> None:
    with TextExtractor() as pool:
        first = pool.extract(b"first", "text/plain")
        worker = pool._idle.queue[0]
        assert worker is not None
        os.kill(worker.process.pid or 0, signal.SIGKILL)
        worker.process.join()
        second = pool.extract(b"second", "text/plain")
    assert (first.text, second.text) == ("first", "second")


def test_workers_are_reused_across_documents() -> None:
    with TextExtractor(workers=2) as pool:
        pool.extract(b"warm up", "text/plain")
        start = time.monotonic()
        results = [pool.extract(f"document {i}".encode(), "text/plain") for i in range(100)]
        took = time.monotonic() - start
    # Starting a worker costs about a second: 100 documents in 5 s means no start per document.
    assert [r.text for r in results] == [f"document {i}" for i in range(100)]
    assert took < 5.0


def test_closing_the_extractor_stops_a_worker_mid_document() -> None:
    # A stopped run closes its extractor while a thread waits on a worker reading a document
    # that needs minutes: the thread gets its answer at once, not after the 900 s limit.
    pool = TextExtractor(time_limit=900.0)
    pool.extract(b"warm up", "text/plain")
    worker = pool._idle.queue[0]
    assert worker is not None
    results = []
    reading = threading.Thread(target=lambda: results.append(
        pool.extract(slow_html(60_000), "text/html")))
    reading.start()
    while cpu_seconds(worker.process.pid or 0) < 1.0:  # until it is deep in the document
        time.sleep(0.05)
    pool.close()
    reading.join(timeout=60)
    assert not reading.is_alive()
    assert results[0].status is TextStatus.UNREADABLE
    assert not worker.process.is_alive()
    after = pool.extract(b"nothing is read once closed", "text/plain")
    assert (after.status, after.detail) == (
        TextStatus.UNREADABLE, "was not read: the extractor was closed")


_PARENT = """
import sys
from verifier.text import TextExtractor
pool = TextExtractor(time_limit=900.0)
pool.extract(b"warm up", "text/plain")
print(pool._idle.queue[0].process.pid, flush=True)
if sys.argv[1] == "reading":
    paragraphs = "".join(f"<p>Paragraph {i} is about <b>the weather</b> in the city.</p>"
                         for i in range(60_000))
    pool.extract(f"<html><body><article>{paragraphs}</article></body></html>".encode(),
                 "text/html")
else:
    sys.stdin.read()
"""


def cpu_seconds(pid: int) -> float:
    """User and system time a process has used, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@pytest.mark.parametrize("doing", ["idle", "reading"])
def test_a_worker_whose_parent_dies_exits_at_once_and_quietly(doing: str) -> None:
    parent = subprocess.Popen(
        [sys.executable, "-c", _PARENT, doing], cwd=Path(__file__).parent.parent,
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert parent.stdout is not None
    worker = int(parent.stdout.readline())
    if doing == "reading":
        start = cpu_seconds(worker)
        while cpu_seconds(worker) < start + 1.0:  # deep in the document: minutes of it left
            time.sleep(0.05)
    parent.kill()
    # The worker shares its parent's stderr: reading that to its end waits for the worker.
    _, err = parent.communicate(timeout=60)
    assert err == ""  # no BrokenPipeError traceback, nothing at all
    state = Path(f"/proc/{worker}/stat")
    assert not state.exists() or state.read_text().rsplit(")", 1)[1].split()[0] == "Z"
