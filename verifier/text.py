"""Fetched bytes -> readable text: the main text of HTML, the text of PDFs, decoded plain text.

Parsing hostile or broken documents cannot be bounded inside a Python thread, so every document
is read in a worker process with a time limit (the parent kills it) and a memory cap
(RLIMIT_AS, set in the worker). A document that passes either is UNREADABLE, never a crash; the
killed worker is replaced and the next document goes on. Workers are started once and reused:
the per-document cost is a pipe round trip, not a process start. Closing the extractor kills
every worker, busy ones too, so a run that stops waits for no document; a worker whose parent
dies exits at once and quietly, even mid-document.

HTML: trafilatura, falling back to BeautifulSoup when it finds nothing or runs out of time.
Measured on the three real Wikipedia pages in tests/fixtures/text_sources (recall = share of the
words of the article's <p> elements found in the output; chrome = share of the words that occur
only outside #mw-content-text, i.e. menus, sidebars and footer, that leak into the output;
size = output words / paragraph words):

    page               bs4 recall chrome size   trafilatura recall chrome size
    Mozilla 2016           1.000  100%   1.79               1.000     0%   1.46
    HTML 2026 (Vector)     1.000   11%   2.59               0.998     0%   2.17
    Dog 2018 (Parsoid)     1.000    --   2.16               1.000     --   1.02

trafilatura keeps the article and drops the chrome and navboxes at a cost of 0.2% of the
paragraph words; BeautifulSoup keeps whatever an old skin does not mark as <nav>/<footer>. Its
default balance is used: favor_precision changed nothing measurable here and favor_recall put
the navboxes back (size 1.85 on Dog), text that could "support" a claim it has nothing to do with.
"""

from __future__ import annotations

import codecs
import enum
import hashlib
import io
import logging
import multiprocessing
import os
import queue
import re
import resource
import signal
import threading
import zlib
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from types import TracebackType
from typing import Any

from verifier.errors import VerifierError
from verifier.fetch_body import codec_for, declared_charset


class TextStatus(enum.Enum):
    """Whether a body gave readable text."""

    OK = "ok"
    EMPTY = "empty"  # read, and no text in it (a scanned PDF, a page of scripts)
    UNREADABLE = "unreadable"  # timed out, too big, crashed the reader, not parseable
    UNSUPPORTED = "unsupported"  # a type we do not read: images, archives, office files

    def is_readable(self) -> bool:
        return self is TextStatus.OK


@dataclass(frozen=True)
class SourceText:
    """The readable text of one body, and how it was obtained."""

    status: TextStatus
    text: str
    content_type: str  # the media type read as: declared, else sniffed from the bytes
    charset: str | None  # the codec the bytes were decoded with (None for PDF and binary)
    method: str  # "trafilatura", "bs4", "pypdf", "xml", "plain", or "" when nothing was read
    language: str | None  # ISO 639-1 code by py3langid, None when unsure or too little text
    detail: str  # why the status, or how the text was found, for people
    sha256: str  # of the text (UTF-8): the store keeps each distinct text once


def compress(text: str) -> bytes:
    """Text for storage, zlib-compressed (about a third of its size; fast both ways)."""
    return zlib.compress(text.encode("utf-8"), 9)


def decompress(data: bytes) -> str:
    """The text `compress` stored."""
    return zlib.decompress(data).decode("utf-8")


class WorkerStartError(VerifierError):
    """A text worker process could not be started (a broken install, a memory cap too low)."""


# --- what a body is ------------------------------------------------------------------------------

_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_PDF_TYPES = frozenset({"application/pdf", "application/x-pdf"})
_XML_TYPES = frozenset({"application/xml", "text/xml"})
# JSON is text a reader can search for a figure or a name: it passes through like text/plain.
_PLAIN_TYPES = frozenset({"application/json", "application/ld+json", "application/javascript"})
_BINARY_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"PK\x03\x04", b"\x1f\x8b", b"RIFF",
                 b"\x00\x00\x01\x00", b"BM", b"II*\x00", b"MM\x00*", b"\xd0\xcf\x11\xe0",
                 b"7z\xbc\xaf")
_HTML_START = re.compile(
    rb"^\s*(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body|meta|title|div|p)\b",
    re.IGNORECASE | re.DOTALL)


def media_type(content_type: str | None) -> str:
    """The media type of a Content-Type value, lower-case, without parameters ("" if none)."""
    return (content_type or "").split(";", 1)[0].strip().lower()


def _sniff(body: bytes) -> str:
    """The kind the bytes themselves show: "pdf", "html", "binary" or "plain"."""
    head = body[:1024].lstrip(b"\xef\xbb\xbf")
    if b"%PDF-" in head:  # the spec tolerates junk before the header, and so do readers
        return "pdf"
    if _HTML_START.match(head):
        return "html"
    if head.startswith(_BINARY_MAGIC) or b"\x00" in head[:512]:
        return "binary"
    return "plain"


def _kind(mtype: str, body: bytes) -> str:
    """How to read the body: "html", "pdf", "xml", "plain" or "unsupported"."""
    sniffed = _sniff(body)
    if mtype in _PDF_TYPES:
        return "html" if sniffed == "html" else "pdf"  # a login or error page served as PDF
    if mtype in _HTML_TYPES:
        return "pdf" if sniffed == "pdf" else "html"
    if mtype in _XML_TYPES or mtype.endswith("+xml"):
        return "xml"
    if mtype.startswith("text/") or mtype in _PLAIN_TYPES or mtype.endswith("+json"):
        return "plain"
    # No type, a generic one, or a binary one: only the bytes can say (octet-stream PDFs abound).
    return {"pdf": "pdf", "html": "html"}.get(sniffed) or (
        "plain" if sniffed == "plain" and mtype in ("", "application/octet-stream")
        else "unsupported")


_SNIFFED_TYPE = {"html": "text/html", "pdf": "application/pdf", "plain": "text/plain"}


# --- charsets ------------------------------------------------------------------------------------

_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([\w.:-]+)""")
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16"))
# The detector ranks equally likely single-byte tables in no useful order (Spanish comes out as
# cp1250, turning ñ into ń); a tie goes to the table the web uses most.
_TIE_ORDER = ("utf_8", "cp1252", "cp1251", "iso8859_15", "koi8_r", "cp1250", "iso8859_2",
              "shift_jis", "euc_jp", "gb18030", "big5", "euc_kr", "cp1256", "cp1253", "cp1254")


def _detect(body: bytes) -> str | None:
    """The charset charset-normalizer finds most likely, ties broken by web usage."""
    import charset_normalizer

    results = charset_normalizer.from_bytes(body)
    best = results.best()
    if best is None:
        return None
    tied = {name for match in results
            if (match.chaos, match.coherence) == (best.chaos, best.coherence)
            for name in match.could_be_from_charset}
    return next((name for name in _TIE_ORDER if name in tied), best.encoding)


def decode(body: bytes, content_type: str | None, kind: str = "html") -> tuple[str, str]:
    """The body as text and the codec used: BOM, HTTP charset, <meta>/XML declaration, detection,
    else UTF-8 with replacement characters."""
    charset = next((name for bom, name in _BOMS if body.startswith(bom)), None)
    if charset is None:
        charset = declared_charset(body, content_type, html=kind == "html")
    if charset is None and kind == "xml" and (declared := _XML_ENCODING.match(body[:4096])):
        charset = codec_for(declared.group(1), in_document=True)
    if charset is None:
        try:
            return body.decode("utf-8"), "utf-8"  # valid UTF-8 is UTF-8: no guessing needed
        except UnicodeDecodeError:
            detected = _detect(body)
            charset = codec_for(detected) if detected else None
    charset = charset or "utf-8"
    return body.decode(charset, errors="replace"), charset


# --- the readers (run in the worker) -------------------------------------------------------------

_BLANKS = re.compile(r"\n{3,}")
_SPACES = re.compile(r"[ \t\f\v\u00a0]+")


def _tidy(text: str) -> str:
    """Lines without runs of blanks, at most one empty line between paragraphs."""
    lines = (_SPACES.sub(" ", line).strip() for line in text.replace("\r\n", "\n").split("\n"))
    return _BLANKS.sub("\n\n", "\n".join(lines)).strip()


def _bs4_text(html: str) -> str:
    """Everything in <body> but scripts, styles, navigation, header and footer."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "lxml")
    root = soup.body or soup
    for tag in root(["script", "style", "noscript", "template", "svg", "nav", "header", "footer"]):
        tag.decompose()
    return root.get_text("\n")


def _trafilatura_text(html: str, url: str | None) -> str:
    """The main text as trafilatura finds it: no comments, tables kept (they carry figures)."""
    import trafilatura

    return trafilatura.extract(html, url=url, include_comments=False, include_tables=True,
                               deduplicate=False, with_metadata=False) or ""


def _xml_text(body: bytes) -> str:
    """The text nodes of an XML document (feeds, sitemaps), entities left unresolved."""
    from lxml import etree

    # resolve_entities=False: an external entity would read local files into the stored text.
    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=True)
    root = etree.fromstring(body, parser)
    return "" if root is None else "\n".join(t for t in root.itertext())


def _pdf_text(body: bytes) -> str:
    """The text layer of every page."""
    import pypdf

    reader = pypdf.PdfReader(io.BytesIO(body))
    if reader.is_encrypted:
        # Most "encrypted" PDFs only restrict printing: their user password is empty.
        reader.decrypt("")
    return "\n\n".join(page.extract_text() or "" for page in reader.pages)


class _Reader:
    """What a worker holds: the language model, loaded once per process."""

    def __init__(self) -> None:
        from py3langid.langid import MODEL_FILE, LanguageIdentifier

        import trafilatura  # noqa: F401 - imported now so that the first document does not pay

        self._languages = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)

    def read(self, kind: str, body: bytes, content_type: str | None,
             url: str | None) -> tuple[str, str, str | None, str, str | None]:
        """(text, method, charset, detail, language) of one body."""
        charset: str | None = None
        detail = ""
        if kind == "pdf":
            text, method = _pdf_text(body), "pypdf"
        elif kind == "xml":
            text, method = _xml_text(body), "xml"
        else:
            decoded, charset = decode(body, content_type, "html" if kind == "html-bs4" else kind)
            if kind == "plain":
                text, method = decoded, "plain"
            elif kind == "html" and (text := _trafilatura_text(decoded, url)).strip():
                method = "trafilatura"
            else:
                text, method = _bs4_text(decoded), "bs4"
                detail = ("trafilatura timed out" if kind == "html-bs4"
                          else "trafilatura found nothing")
        text = _tidy(text)
        return text, method, charset, detail, self._language(text)

    def _language(self, text: str) -> str | None:
        if len(text) < 40:  # too little to tell a language by
            return None
        code, confidence = self._languages.classify(text[:5000])
        return str(code) if confidence >= 0.5 else None


def _exit_with_parent() -> None:
    """End this worker the moment its parent ends, mid-document too: nobody is left to kill a
    reader that runs past its time limit, or to read what it would answer."""
    parent = multiprocessing.parent_process()
    if parent is None:
        return
    sentinel = parent.sentinel  # readable once the parent's end of it is closed: at its death

    def watch() -> None:
        wait([sentinel])
        os._exit(0)

    threading.Thread(target=watch, name="verifier-parent-watch", daemon=True).start()


def _answer(conn: Connection, answer: object) -> bool:
    """Send an answer; False when the parent is gone."""
    try:
        conn.send(answer)
    except OSError:  # BrokenPipeError: the parent died while the body was read
        return False
    return True


def _serve(conn: Connection, memory_limit: int) -> None:
    """A worker's life: load the readers, cap memory, then read bodies until told to stop or
    until the parent is gone."""
    # Ctrl-C at a terminal reaches the whole process group: the parent stops its workers itself,
    # and a KeyboardInterrupt here would only print a traceback under the parent's message.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _exit_with_parent()
    os.environ["OPENBLAS_NUM_THREADS"] = "1"  # OpenBLAS threads reserve address space per core
    for name in ("trafilatura", "pypdf", "htmldate", "charset_normalizer"):
        logging.getLogger(name).setLevel(logging.CRITICAL)  # their warnings are our UNREADABLE
    reader = _Reader()
    resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))
    if not _answer(conn, "ready"):
        return
    while True:
        answer: tuple[str, Any] | None = None
        received = False
        try:
            job = conn.recv()  # receiving a large body may already exhaust the cap
            received = True
            if job is None:
                return
            answer = ("ok", reader.read(*job))
        except MemoryError:
            pass  # answered below, once the exception has let go of what it held
        except Exception as exc:  # noqa: BLE001 - any failure of a reader is an unreadable body
            if not received and isinstance(exc, (EOFError, OSError)):
                return  # the parent is gone: nobody waits for an answer
            answer = ("error", f"{type(exc).__name__}: {exc}"[:300])
        if answer is None:
            # Memory ran out somewhere inside a library: answer, then let a fresh worker take over.
            _answer(conn, ("memory", None))
            os._exit(0)
        if not _answer(conn, answer):
            return


class _Worker:
    """One worker process and the parent's end of its pipe."""

    def __init__(self, context: Any, memory_limit: int, start_timeout: float) -> None:
        # Held while the pipe is in use: a close() from another thread kills the process, then
        # waits here, so that it never closes the pipe under a thread reading it.
        self._using = threading.Lock()
        self._stopped = False
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child, memory_limit), daemon=True)
        self.process.start()
        child.close()
        try:
            ready = self.conn.poll(start_timeout) and self.conn.recv() == "ready"
        except (EOFError, OSError):
            ready = False
        if not ready:
            self.stop()
            raise WorkerStartError("a text extraction worker did not start"
                                   f" (exit code {self.process.exitcode})")

    def run(self, job: tuple[Any, ...], time_limit: float) -> tuple[str, Any]:
        """The worker's answer, or ("timeout"|"crashed", None) after which it must be replaced."""
        with self._using:
            try:
                self.conn.send(job)
                if not self.conn.poll(time_limit):
                    return "timeout", None
                answer: tuple[str, Any] = self.conn.recv()
                return answer
            except (EOFError, OSError):  # the worker died: a crash in C code, the OOM killer
                return "crashed", None

    def stop(self) -> None:
        """Kill the process and close the pipe; safe from two threads at once, and twice."""
        self.process.kill()  # first, and unlocked: a busy run() returns once the process is dead
        with self._using:
            if self._stopped:
                return
            self._stopped = True
            self.process.join()
            self.conn.close()


class TextExtractor:
    """Reads bodies in worker processes, each bounded in time and memory; a context manager."""

    def __init__(self, time_limit: float = 20.0, memory_limit: int = 1 << 30,
                 workers: int = 1) -> None:
        self.time_limit = time_limit
        self.memory_limit = memory_limit
        # spawn, not fork: the parent may run threads (aiohttp, sqlite) that fork copies mid-use.
        self._context = multiprocessing.get_context("spawn")
        self._idle: queue.Queue[_Worker | None] = queue.Queue()
        for _ in range(workers):
            self._idle.put(None)  # started on first use
        self._lock = threading.Lock()
        self._running: set[_Worker] = set()  # idle and busy: what close() stops
        self._closed = False

    def __enter__(self) -> TextExtractor:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        """Stop every worker, busy ones too: the extractions in progress return at once as
        unreadable (a stopped run does not wait for a document), and no worker starts after."""
        with self._lock:
            self._closed = True
            workers, self._running = self._running, set()
        for worker in workers:
            worker.stop()

    def extract(self, body: bytes, content_type: str | None, url: str | None = None) -> SourceText:
        """The readable text of one fetched body; never raises for what the body holds."""
        mtype = media_type(content_type)
        kind = _kind(mtype, body)
        mtype = mtype or _SNIFFED_TYPE.get(_sniff(body), "application/octet-stream")
        if kind == "unsupported":
            return _result(TextStatus.UNSUPPORTED, mtype, detail=f"{mtype} is not read as text")
        outcome, answer = self._run((kind, body, content_type, url))
        if outcome == "timeout" and kind == "html":
            # trafilatura is quadratic in the paragraphs of a page; BeautifulSoup is linear.
            outcome, answer = self._run(("html-bs4", body, content_type, url))
        if outcome != "ok":
            why = {"timeout": f"took longer than {self.time_limit:g} s",
                   "memory": f"needed more than {self.memory_limit >> 20} MiB",
                   "crashed": "crashed the reader",
                   "stopped": "was not read: the extractor was closed"}.get(
                       outcome, f"could not be read ({answer})")
            return _result(TextStatus.UNREADABLE, mtype, detail=why)
        text, method, charset, detail, language = answer
        if not text:
            return _result(TextStatus.EMPTY, mtype, charset, method,
                           detail="no text layer (scanned?)" if kind == "pdf" else "no text")
        return _result(TextStatus.OK, mtype, charset, method, text, language, detail)

    def _run(self, job: tuple[Any, ...]) -> tuple[str, Any]:
        """Run one job on an idle worker, replacing the worker if it timed out, died or ran dry."""
        worker = self._idle.get()
        try:
            if worker is None or not worker.process.is_alive():
                self._forget(worker)
                worker = self._start()
                if worker is None:
                    return "stopped", None
            outcome, answer = worker.run(job, self.time_limit)
            if outcome in ("timeout", "crashed", "memory"):
                self._forget(worker)
                worker = None
            return outcome, answer
        finally:
            self._idle.put(worker)

    def _start(self) -> _Worker | None:
        """A new worker, or None once the extractor is closed."""
        worker = _Worker(self._context, self.memory_limit, start_timeout=120.0)
        with self._lock:
            if not self._closed:
                self._running.add(worker)
                return worker
        worker.stop()
        return None

    def _forget(self, worker: _Worker | None) -> None:
        """Stop a worker that is done for (timed out, dead, out of memory)."""
        if worker is None:
            return
        with self._lock:
            self._running.discard(worker)
        worker.stop()


def _result(status: TextStatus, content_type: str, charset: str | None = None, method: str = "",
            text: str = "", language: str | None = None, detail: str = "") -> SourceText:
    return SourceText(status=status, text=text, content_type=content_type, charset=charset,
                      method=method, language=language, detail=detail,
                      sha256=hashlib.sha256(text.encode("utf-8")).hexdigest())
