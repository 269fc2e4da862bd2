"""The history database's schema: its migrations, and a description of every table and column.

Migrations are frozen once released: a change to the schema is a new migration appended to
`_ORDER`, never an edit of an old one, so every database reaches the same schema whatever
version created it. `DESCRIPTIONS` describes the schema as it is after the last migration;
tests keep the two in step, and `schema_doc` renders `describe()` for the README.

Conventions, for anyone reading the file with sqlite-utils or Datasette: plural snake_case
tables, `<table>_id` foreign keys declared with REFERENCES, timestamps as ISO 8601 UTC text
("2024-05-01T12:00:00.000Z"), dates as "YYYY-MM-DD", lists and mappings as JSON text.
Statuses are plain text checked by the closed enums in `store_rows`, not CHECK constraints,
so that adding a state later does not force a table rebuild under foreign keys.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from sqlite_utils import Database, Migrations
from sqlite_utils.db import Table, View

MIGRATIONS = Migrations("verifier")


def _run_all(db: Database, statements: tuple[str, ...]) -> None:
    for statement in statements:
        db.execute(statement)


_M001 = (
    """CREATE TABLE claim_versions (
   id INTEGER PRIMARY KEY,
   document TEXT NOT NULL,
   claim_id TEXT NOT NULL,
   text TEXT NOT NULL,
   section TEXT,
   sources TEXT NOT NULL,
   citation_needed INTEGER NOT NULL,
   tags TEXT NOT NULL,
   hash TEXT NOT NULL UNIQUE
)""",
    "CREATE INDEX idx_claim_versions_document_claim_id ON claim_versions (document, claim_id)",
    """CREATE TABLE reference_versions (
   id INTEGER PRIMARY KEY,
   document TEXT NOT NULL,
   ref_key TEXT NOT NULL,
   title TEXT,
   publisher TEXT,
   work TEXT,
   date TEXT,
   url TEXT,
   archive_url TEXT,
   archive_date TEXT,
   access_date TEXT,
   quote TEXT,
   doi TEXT,
   url_access TEXT,
   url_status TEXT,
   tags TEXT NOT NULL,
   hash TEXT NOT NULL UNIQUE
)""",
    "CREATE INDEX idx_reference_versions_url ON reference_versions (url)",
    """CREATE TABLE claim_sets (
   id INTEGER PRIMARY KEY,
   hash TEXT NOT NULL UNIQUE,
   claim_count INTEGER NOT NULL,
   reference_count INTEGER NOT NULL,
   created_at TEXT NOT NULL
)""",
    # WITHOUT ROWID: a changed claims file adds one member row per claim, so no second b-tree.
    """CREATE TABLE claim_set_claims (
   claim_set_id INTEGER NOT NULL REFERENCES claim_sets(id),
   position INTEGER NOT NULL,
   claim_version_id INTEGER NOT NULL REFERENCES claim_versions(id),
   PRIMARY KEY (claim_set_id, position)
) WITHOUT ROWID""",
    "CREATE INDEX idx_claim_set_claims_claim_version_id ON claim_set_claims (claim_version_id)",
    """CREATE TABLE claim_set_references (
   claim_set_id INTEGER NOT NULL REFERENCES claim_sets(id),
   position INTEGER NOT NULL,
   reference_version_id INTEGER NOT NULL REFERENCES reference_versions(id),
   PRIMARY KEY (claim_set_id, position)
) WITHOUT ROWID""",
    "CREATE INDEX idx_claim_set_references_reference_version_id"
    " ON claim_set_references (reference_version_id)",
    """CREATE TABLE runs (
   id INTEGER PRIMARY KEY,
   started_at TEXT NOT NULL,
   finished_at TEXT,
   status TEXT NOT NULL,
   command TEXT NOT NULL,
   claims_path TEXT,
   verifier_version TEXT NOT NULL,
   settings TEXT NOT NULL,
   counts TEXT,
   claim_set_id INTEGER REFERENCES claim_sets(id)
)""",
    """CREATE TABLE urls (
   id INTEGER PRIMARY KEY,
   url TEXT NOT NULL UNIQUE,
   host TEXT NOT NULL,
   first_seen_at TEXT NOT NULL,
   last_checked_at TEXT,
   state TEXT NOT NULL DEFAULT 'unknown',
   state_since TEXT,
   strikes INTEGER NOT NULL DEFAULT 0,
   last_alive_at TEXT,
   first_failure_at TEXT
)""",
    "CREATE INDEX idx_urls_host ON urls (host)",
    # A check belongs to its run: pruning a run takes its checks with it.
    """CREATE TABLE checks (
   id INTEGER PRIMARY KEY,
   run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
   url_id INTEGER NOT NULL REFERENCES urls(id),
   checked_at TEXT NOT NULL,
   status TEXT NOT NULL,
   http_status INTEGER,
   final_url TEXT,
   redirects TEXT NOT NULL DEFAULT '[]',
   elapsed_ms INTEGER,
   error TEXT,
   content_type TEXT,
   body_bytes INTEGER,
   body_sha256 TEXT,
   UNIQUE (run_id, url_id)
)""",
    "CREATE INDEX idx_checks_url_id_checked_at ON checks (url_id, checked_at)",
)


def m001_initial(db: Database) -> None:
    """Runs, content-addressed claim and reference versions, claim sets, URLs and checks."""
    _run_all(db, _M001)


_M002 = (
    # A snapshot outlives the run that found it.
    """CREATE TABLE snapshots (
   id INTEGER PRIMARY KEY,
   url_id INTEGER NOT NULL REFERENCES urls(id),
   archive TEXT NOT NULL,
   captured_at TEXT,
   snapshot_url TEXT NOT NULL,
   raw_url TEXT,
   http_status INTEGER,
   found_at TEXT NOT NULL,
   found_in_run_id INTEGER REFERENCES runs(id) ON DELETE SET NULL,
   reason TEXT,
   UNIQUE (url_id, snapshot_url)
)""",
    "CREATE INDEX idx_snapshots_url_id_captured_at ON snapshots (url_id, captured_at)",
    """CREATE TABLE assessments (
   id INTEGER PRIMARY KEY,
   run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
   claim_version_id INTEGER NOT NULL REFERENCES claim_versions(id),
   url_id INTEGER NOT NULL REFERENCES urls(id),
   snapshot_id INTEGER REFERENCES snapshots(id),
   verdict TEXT NOT NULL,
   score REAL,
   evidence TEXT,
   evidence_start INTEGER,
   evidence_end INTEGER,
   facts TEXT,
   drift TEXT
)""",
    "CREATE INDEX idx_assessments_run_id_claim_version_id"
    " ON assessments (run_id, claim_version_id)",
    "CREATE INDEX idx_assessments_claim_version_id ON assessments (claim_version_id)",
    "CREATE INDEX idx_assessments_url_id ON assessments (url_id)",
    # The correlated subquery walks idx_checks_url_id_checked_at backwards: one seek per URL.
    """CREATE VIEW latest_checks AS
SELECT urls.id AS url_id, urls.url, urls.host, urls.state,
       checks.id AS check_id, checks.run_id, checks.checked_at, checks.status,
       checks.http_status, checks.final_url, checks.error
FROM urls
JOIN checks ON checks.id = (
    SELECT c.id FROM checks AS c WHERE c.url_id = urls.id
    ORDER BY c.checked_at DESC, c.id DESC LIMIT 1
)""",
)


def m002_archives_and_assessments(db: Database) -> None:
    """Archived snapshots, claim assessments, and the `latest_checks` view."""
    _run_all(db, _M002)


_M003 = tuple(
    f"ALTER TABLE checks ADD COLUMN {column}"
    for column in (
        "reason TEXT", "method TEXT", "attempts INTEGER", "permanent_redirect INTEGER",
        "tls_ok_unverified INTEGER", "url_state TEXT", "strikes INTEGER",
    )
)


def m003_check_outcomes(db: Database) -> None:
    """What the link checker says of each check: its reason, and the URL's state after it."""
    _run_all(db, _M003)


_M004 = (
    # Every time the archives were asked about a URL, and what came of it. Only "found" is
    # final; "no_snapshot" and "failed" are asked again once they are old enough.
    """CREATE TABLE archive_lookups (
   id INTEGER PRIMARY KEY,
   url_id INTEGER NOT NULL REFERENCES urls(id),
   run_id INTEGER REFERENCES runs(id) ON DELETE SET NULL,
   looked_up_at TEXT NOT NULL,
   outcome TEXT NOT NULL,
   anchor_date TEXT,
   snapshot_id INTEGER REFERENCES snapshots(id),
   why TEXT,
   notes TEXT NOT NULL DEFAULT '[]'
)""",
    "CREATE INDEX idx_archive_lookups_url_id ON archive_lookups (url_id, looked_up_at)",
)


def m004_archive_lookups(db: Database) -> None:
    """Archive lookups with their outcome, so failures and absences are asked again later."""
    _run_all(db, _M004)


_M005 = (
    """CREATE TABLE archive_link_checks (
   id INTEGER PRIMARY KEY,
   run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
   archive_url TEXT NOT NULL,
   checked_at TEXT NOT NULL,
   ok INTEGER NOT NULL,
   inconclusive INTEGER NOT NULL DEFAULT 0,
   captured_at TEXT,
   problem TEXT,
   UNIQUE (run_id, archive_url)
)""",
)


def m005_archive_link_checks(db: Database) -> None:
    """Checks of the archive links references already give."""
    _run_all(db, _M005)


_M006 = (
    # Each distinct extracted text once, compressed: nightly runs over unchanged pages add none.
    """CREATE TABLE texts (
   sha256 TEXT PRIMARY KEY,
   chars INTEGER NOT NULL,
   language TEXT,
   method TEXT,
   first_seen_at TEXT NOT NULL,
   compressed BLOB NOT NULL
)""",
)


def m006_texts(db: Database) -> None:
    """Extracted source texts, stored once per distinct content."""
    _run_all(db, _M006)


_M007 = (
    # What reading a fetched body gave, keyed by the body's hash: the same bytes are never read
    # twice, and a run whose pages did not change reads nothing.
    """CREATE TABLE readings (
   body_sha256 TEXT PRIMARY KEY,
   status TEXT NOT NULL,
   content_type TEXT,
   charset TEXT,
   method TEXT,
   language TEXT,
   detail TEXT,
   text_sha256 TEXT REFERENCES texts(sha256),
   read_at TEXT NOT NULL
)""",
    # An archived copy never changes: once its bytes are read, they need not be fetched again.
    "ALTER TABLE snapshots ADD COLUMN body_sha256 TEXT",
    *(f"ALTER TABLE assessments ADD COLUMN {column}" for column in (
        "assessed_at TEXT", "source TEXT", "text_sha256 TEXT", "reason TEXT", "languages TEXT",
        "inputs TEXT")),
    "CREATE INDEX idx_assessments_url_id_claim_version_id"
    " ON assessments (url_id, claim_version_id)",
)


def m007_readings_and_assessments(db: Database) -> None:
    """What reading each fetched body gave; assessments with their source text and reason."""
    _run_all(db, _M007)


_M008 = (
    # A finding someone has seen: it stays in reports, marked, but no longer fails a run, until
    # it changes (its fingerprint covers what the finding says).
    """CREATE TABLE acks (
   id INTEGER PRIMARY KEY,
   target TEXT NOT NULL,
   kind TEXT NOT NULL,
   fingerprint TEXT NOT NULL,
   reason TEXT NOT NULL,
   acked_at TEXT NOT NULL,
   run_id INTEGER REFERENCES runs(id) ON DELETE SET NULL
)""",
    "CREATE INDEX idx_acks_fingerprint ON acks (fingerprint)",
)


def m008_acks(db: Database) -> None:
    """Acknowledged findings."""
    _run_all(db, _M008)


_M009 = (
    # Many inputs may hold one content (a file renamed, a directory regrouped): many to one.
    """CREATE TABLE claim_set_sources (
   source TEXT PRIMARY KEY,
   claim_set_id INTEGER NOT NULL REFERENCES claim_sets(id)
) WITHOUT ROWID""",
)


def m009_claim_set_sources(db: Database) -> None:
    """The claim set each input (its files' paths and bytes) was read as."""
    _run_all(db, _M009)


_M010 = (
    # A failed lookup is asked again at the next run, not after the expiry, when an archive it
    # could not ask was given up as unreachable by its run: the outage decided it, not the URL.
    "ALTER TABLE archive_lookups ADD COLUMN unanswered TEXT NOT NULL DEFAULT '[]'",
    """CREATE TABLE archive_outages (
   run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
   archive TEXT NOT NULL,
   noticed_at TEXT NOT NULL,
   reason TEXT NOT NULL,
   PRIMARY KEY (run_id, archive)
)""",
)


def m010_archive_outages(db: Database) -> None:
    """The archives each run gave up on as unreachable, and the archives each lookup missed."""
    _run_all(db, _M010)


_M011 = (
    # A run that does not complete says why: the error that failed it, or what stopped it.
    "ALTER TABLE runs ADD COLUMN reason TEXT",
)


def m011_run_reasons(db: Database) -> None:
    """Why each run that did not complete ended."""
    _run_all(db, _M011)


_ORDER: tuple[Callable[[Database], None], ...] = (
    m001_initial, m002_archives_and_assessments, m003_check_outcomes, m004_archive_lookups,
    m005_archive_link_checks, m006_texts, m007_readings_and_assessments, m008_acks,
    m009_claim_set_sources, m010_archive_outages, m011_run_reasons,
)
for _migration in _ORDER:
    MIGRATIONS()(_migration)

# Every migration this code knows, in order: a database that applied another one is newer.
MIGRATION_NAMES: tuple[str, ...] = tuple(m.__name__ for m in _ORDER)


@dataclass(frozen=True)
class TableDoc:
    """What a table (or view) holds and what each of its columns means."""

    description: str
    columns: dict[str, str]


def _doc(description: str, **columns: str) -> TableDoc:
    return TableDoc(description, columns)


DESCRIPTIONS: dict[str, TableDoc] = {
    "runs": _doc(
        "One row per verifier run: when, what it read, how it ended.",
        id="Run number, increasing.",
        started_at="When the run started (UTC).",
        finished_at="When the run ended (UTC); empty while running, or until the next run "
                    "finds it killed.",
        status="running, completed, interrupted (a signal stopped it, or it was killed), "
               "deadline (its run deadline stopped it) or failed (an error ended it).",
        command="The command line that started the run.",
        claims_path="The claims file or directory the run read.",
        verifier_version="The verifier version that made the run.",
        settings="The settings in force (JSON object).",
        counts="Summary counts at the end of the run (JSON object of integers); for a run "
               "that was killed, its checks by status.",
        claim_set_id="The claims and references the run worked on.",
        reason="Why a run that did not complete ended, in one line: the error, the signal, "
               "the deadline; empty for a completed run.",
    ),
    "claim_sets": _doc(
        "A distinct content of the claims input; runs over an unchanged input share one.",
        id="Claim set number.",
        hash="SHA-256 of the ordered claim and reference version hashes.",
        claim_count="How many claims the set holds.",
        reference_count="How many references the set holds.",
        created_at="When a run first recorded this content (UTC).",
    ),
    "claim_set_sources": _doc(
        "The claim set an input was read as: a run over the same files, unchanged, finds its "
        "set here without hashing every claim again.",
        source="SHA-256 of the verifier version and each claims file's path and bytes.",
        claim_set_id="The claim set those files hold.",
    ),
    "claim_set_claims": _doc(
        "Which claim versions a claim set holds, in document order.",
        claim_set_id="The claim set.",
        position="Order of the claim in the input (0-based).",
        claim_version_id="The claim, as it was.",
    ),
    "claim_set_references": _doc(
        "Which reference versions a claim set holds, in document order.",
        claim_set_id="The claim set.",
        position="Order of the reference in the input (0-based).",
        reference_version_id="The reference, as it was.",
    ),
    "claim_versions": _doc(
        "Each distinct content a claim has had; stored once, shared by every claim set.",
        id="Claim version number.",
        document="The document (article URL, title or file name) the claim belongs to.",
        claim_id="The claim's id within its document.",
        text="The claim's text.",
        section="The article section the claim is in.",
        sources="Reference keys and inline URLs that should support it (JSON list).",
        citation_needed="1 if the article marks the claim [citation needed].",
        tags="Maintenance tags on the claim (JSON list of {name, date}).",
        hash="SHA-256 of the content above: equal content, same row.",
    ),
    "reference_versions": _doc(
        "Each distinct content a reference has had; stored once, shared by every claim set.",
        id="Reference version number.",
        document="The document the reference belongs to.",
        ref_key="The reference's key within its document.",
        title="Title of the cited work.",
        publisher="Publisher of the cited work.",
        work="The newspaper, website or journal.",
        date="Publication date (YYYY-MM-DD).",
        url="The cited URL, as written.",
        archive_url="Archived copy named by the reference.",
        archive_date="Date of that archived copy (YYYY-MM-DD).",
        access_date="When the editor accessed the source (YYYY-MM-DD).",
        quote="Text the source is expected to contain.",
        doi="DOI of the cited work.",
        url_access="CS1 url-access: subscription, registration or limited.",
        url_status="CS1 url-status: live, dead, unfit or usurped.",
        tags="Maintenance tags on the reference (JSON list of {name, date}).",
        hash="SHA-256 of the content above: equal content, same row.",
    ),
    "urls": _doc(
        "Every URL ever checked, normalized, with its liveness state across runs.",
        id="URL number.",
        url="The normalized URL.",
        host="Its host name.",
        first_seen_at="When a run first met the URL (UTC).",
        last_checked_at="When it was last checked (UTC).",
        state="unknown, alive, failing, confirmed_dead or recovered.",
        state_since="When the URL entered its current state (UTC).",
        strikes="Consecutive failed checks.",
        last_alive_at="When a check last found it alive (UTC).",
        first_failure_at="When the current run of failures began (UTC).",
    ),
    "checks": _doc(
        "One row per URL checked in a run: what the live fetch returned.",
        id="Check number.",
        run_id="The run that made the check.",
        url_id="The URL checked.",
        checked_at="When the check finished (UTC).",
        status="Classified outcome of the check.",
        http_status="Final HTTP status code, if a response arrived.",
        final_url="URL after redirects.",
        redirects="Redirect chain (JSON list of {url, status}).",
        elapsed_ms="Time the check took, in milliseconds.",
        error="Network or protocol error, if any.",
        content_type="Content-Type of the final response.",
        body_bytes="Size of the response body in bytes.",
        body_sha256="SHA-256 of the response body.",
        reason="Why the check got its status, in words.",
        method="The request method that gave the answer: HEAD or GET.",
        attempts="Requests made for this check, retries included.",
        permanent_redirect="1 when every redirect was permanent (301/308), 0 when one was not.",
        tls_ok_unverified="For tls_error: 1 when the page loads without certificate checks.",
        url_state="The URL's state after this check (see `urls.state`).",
        strikes="The URL's strikes after this check.",
    ),
    "snapshots": _doc(
        "Archived copies of URLs found in web archives.",
        id="Snapshot number.",
        url_id="The URL archived.",
        archive="The archive holding the copy (for example wayback).",
        captured_at="When the archive captured the page (UTC).",
        snapshot_url="The archived copy's address.",
        raw_url="Address of the unmodified archived bytes.",
        http_status="HTTP status the archive recorded at capture.",
        found_at="When verifier found the snapshot (UTC).",
        found_in_run_id="The run that found it.",
        reason="Why this snapshot was looked up or chosen.",
        body_sha256="SHA-256 of the archived bytes, once they were read (a `readings` key).",
    ),
    "archive_lookups": _doc(
        "Each time the archives were asked about a URL, and what came of it.",
        id="Lookup number.",
        url_id="The URL looked up.",
        run_id="The run that asked.",
        looked_up_at="When (UTC).",
        outcome="found, no_snapshot (every archive answered, none has a usable copy) or "
                "failed (an archive could not be asked: not proof that no copy exists).",
        anchor_date="The date the copy should be close to: the access date, else the "
                    "publication date (`YYYY-MM-DD`).",
        snapshot_id="The snapshot chosen, when found.",
        why="Why that snapshot was chosen, in words.",
        notes="What each archive answered (JSON list of text).",
        unanswered="The archives that could not be asked fully (JSON list of names). A failed "
                   "lookup is asked again next run when one of them is among the archives its "
                   "run gave up on (`archive_outages`).",
    ),
    "archive_outages": _doc(
        "The archives a run gave up on as unreachable: its host did not resolve or refused "
        "connections, or lookups failed several times in a row. The run asked them nothing "
        "more; the next run asks them again.",
        run_id="The run that gave the archive up.",
        archive="The archive's name; the host, for an archive link to an archive not "
                "configured; Save Page Now.",
        noticed_at="When (UTC).",
        reason="What made the run give it up, in words.",
    ),
    "archive_link_checks": _doc(
        "Each run's check of the archive links that references already give.",
        id="Check number.",
        run_id="The run that checked.",
        archive_url="The archive link, as the reference writes it.",
        checked_at="When (UTC).",
        ok="1 when the link leads to a real capture taken near the access date.",
        inconclusive="1 when the archive could not be asked: nothing is known of the link.",
        captured_at="When the capture the link leads to was taken (UTC).",
        problem="What is wrong with the link, in words.",
    ),
    "texts": _doc(
        "Readable text extracted from fetched sources, once per distinct content.",
        sha256="SHA-256 of the text (UTF-8): its key.",
        chars="Length of the text in characters.",
        language="ISO 639-1 language of the text, when detected.",
        method="How it was extracted: trafilatura, bs4, pypdf, xml or plain.",
        first_seen_at="When a run first stored this text (UTC).",
        compressed="The text, zlib-compressed (UTF-8).",
    ),
    "acks": _doc(
        "Findings someone acknowledged with `verifier ack`: still reported, marked, but no "
        "longer failing a run until they change.",
        id="Acknowledgement number.",
        target="The claim id or URL named on the command line.",
        kind="The kind of finding acknowledged (dead, unsupported, drifted, ...).",
        fingerprint="Hash of what the finding said; a changed finding no longer matches.",
        reason="Why, as given with --reason.",
        acked_at="When (UTC).",
        run_id="The run whose report showed the finding.",
    ),
    "readings": _doc(
        "What reading each distinct fetched body gave: its text, or why there was none.",
        body_sha256="SHA-256 of the body as fetched (decompressed): its key.",
        status="ok, empty (no text in it), unreadable (too slow, too big, broken) or "
               "unsupported (a type not read: images, archives).",
        content_type="The media type it was read as: declared, else sniffed from the bytes.",
        charset="The codec the bytes were decoded with; empty for PDF and binary.",
        method="How the text was extracted: trafilatura, bs4, pypdf, xml or plain.",
        language="ISO 639-1 language of the text, when detected.",
        detail="Why the status, for people.",
        text_sha256="The text read (a `texts` key); empty when there was none.",
        read_at="When it was read (UTC).",
    ),
    "assessments": _doc(
        "How well one source supports one claim in one run.",
        id="Assessment number.",
        run_id="The run that made the assessment.",
        claim_version_id="The claim assessed.",
        url_id="The source URL assessed.",
        snapshot_id="The archived copy read: instead of the live page, or to compare with it.",
        verdict="The support verdict.",
        score="Support score between 0 and 1.",
        evidence="The passage of the source that best matches the claim.",
        evidence_start="Start offset of the evidence in the source text.",
        evidence_end="End offset of the evidence in the source text.",
        facts="Facts of the claim (numbers, dates, names) found or missing (JSON).",
        drift="How the source changed since the reference's date (JSON): the archived "
              "copy supported the claim and the live page does not.",
        assessed_at="When (UTC).",
        source="The copy read: live (the page as fetched) or archive (the snapshot); empty "
               "when there was nothing to read.",
        text_sha256="The text assessed (a `texts` key).",
        reason="Why the verdict, for people.",
        languages="The claim's and the source's languages, when detected (JSON array).",
        inputs="Hash of everything the verdict rests on; an unchanged pair is not assessed "
               "again.",
    ),
    "latest_checks": _doc(
        "View: each URL's most recent check.",
        url_id="The URL.",
        url="The normalized URL.",
        host="Its host name.",
        state="Its liveness state.",
        check_id="Its most recent check.",
        run_id="The run that made that check.",
        checked_at="When that check finished (UTC).",
        status="Classified outcome of that check.",
        http_status="Final HTTP status code of that check.",
        final_url="URL after redirects.",
        error="Network or protocol error, if any.",
    ),
}


@dataclass(frozen=True)
class ColumnInfo:
    """One column of the schema, for documentation."""

    name: str
    type: str
    not_null: bool
    primary_key: bool
    references: str | None  # "table.column" for a foreign key
    description: str


@dataclass(frozen=True)
class TableInfo:
    """One table or view of the schema, for documentation."""

    name: str
    kind: Literal["table", "view"]
    description: str
    columns: tuple[ColumnInfo, ...]
    unique: tuple[tuple[str, ...], ...]  # column groups that must be unique, besides the key


def describe(db: Database) -> list[TableInfo]:
    """The tables and views of a database, with their descriptions, in `DESCRIPTIONS` order."""
    found: list[Table | View] = [*db.tables, *db.views]
    # sqlite-utils' bookkeeping (_sqlite_migrations) and SQLite's own tables are not ours.
    infos = [_table_info(t) for t in found if not t.name.startswith(("_", "sqlite_"))]
    order = list(DESCRIPTIONS)
    return sorted(infos, key=lambda t: order.index(t.name) if t.name in order else len(order))


def _table_info(table: Table | View) -> TableInfo:
    doc = DESCRIPTIONS.get(table.name, TableDoc("", {}))
    references: dict[str, str] = {}
    unique: tuple[tuple[str, ...], ...] = ()
    if isinstance(table, Table):
        for fk in table.foreign_keys:
            for column, other in zip(fk.columns, fk.other_columns, strict=True):
                references[column] = f"{fk.other_table}.{other}"
        unique = tuple(tuple(i.columns) for i in table.indexes if i.unique and i.origin != "pk")
    columns = tuple(
        ColumnInfo(
            name=c.name,
            type=c.type,
            not_null=bool(c.notnull),
            primary_key=bool(c.is_pk),
            references=references.get(c.name),
            description=doc.columns.get(c.name, ""),
        )
        for c in table.columns
    )
    kind: Literal["table", "view"] = "table" if isinstance(table, Table) else "view"
    return TableInfo(table.name, kind, doc.description, columns, unique)
