"""Acting on the history: writing reports, acknowledging findings, proposing wikitext fixes.
No network.

Each report is written atomically (a temporary file beside it, then a rename): a reader never
sees half a report, and a render killed midway leaves the previous report intact.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from verifier import collector
from verifier.errors import ExitCode, InputError
from verifier.files import write_atomic
from verifier.models import CheckStatus, UrlState, Verdict
from verifier.report import formats
from verifier.report.model import (
    DEFAULT_FAIL_ON,
    Change,
    FailOn,
    Finding,
    Report,
    Row,
    build,
    fingerprint,
    matching,
)
from verifier.settings import Settings
from verifier.store import Store
from verifier.urls import key as url_key


def parse_fail_on(text: str | None) -> tuple[FailOn, ...]:
    """`--fail-on` as given ("new-dead,unsupported", or "none"); the default when not given."""
    if text is None:
        return DEFAULT_FAIL_ON
    names = [part.strip() for part in text.split(",") if part.strip()]
    if names == ["none"]:
        return ()
    known = {f.value: f for f in FailOn}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise InputError(f"--fail-on: unknown {', '.join(map(repr, unknown))}; expected "
                         f"a comma-separated list of {', '.join(known)}, or none")
    return tuple(dict.fromkeys(known[n] for n in names))


def parse_formats(names: tuple[str, ...]) -> tuple[str, ...]:
    known = formats()
    chosen = tuple(dict.fromkeys(n for name in names for n in name.split(",") if n))
    unknown = [n for n in chosen if n not in known]
    if unknown:
        raise InputError(f"--format: unknown {', '.join(map(repr, unknown))}; expected "
                         f"{', '.join(known)}")
    return chosen or tuple(known)


def parse_statuses(names: tuple[str, ...]) -> tuple[CheckStatus | UrlState, ...]:
    """`--status` values: check statuses and URL states, spelled as the history spells them."""
    known: dict[str, CheckStatus | UrlState] = {s.value: s for s in CheckStatus}
    known.update({s.value: s for s in UrlState})
    expected = (f"a check status ({', '.join(s.value for s in CheckStatus)}) or a URL state "
                f"({', '.join(s.value for s in UrlState)})")
    return tuple(known[n] for n in _known_names("--status", names, known, expected))


def parse_verdicts(names: tuple[str, ...]) -> tuple[Verdict, ...]:
    """`--verdict` values, spelled as the history spells them."""
    known = {v.value: v for v in Verdict}
    return tuple(known[n] for n in _known_names("--verdict", names, known, ", ".join(known)))


def _known_names(option: str, names: tuple[str, ...], known: Collection[str],
                 expected: str) -> tuple[str, ...]:
    unknown = [n for n in names if n not in known]
    if unknown:
        hint = difflib.get_close_matches(unknown[0], known, n=1)
        suffix = f" (did you mean {hint[0]!r}?)" if hint else ""
        raise InputError(f"{option}: unknown {', '.join(map(repr, unknown))}{suffix}; expected "
                         f"{expected}")
    return tuple(dict.fromkeys(names))


@dataclass(frozen=True)
class ReportRequest:
    run_id: int | None = None  # None: the latest run
    formats: tuple[str, ...] = ()  # () for every format
    output: Path | None = None  # the folder; default: the reports-dir setting
    fail_on: tuple[FailOn, ...] = DEFAULT_FAIL_ON


@dataclass(frozen=True)
class ReportResult:
    run_id: int
    written: tuple[str, ...]
    findings: int
    acknowledged: int
    failures: tuple[str, ...]  # one line each: what makes the run fail

    @property
    def exit_code(self) -> ExitCode:
        return ExitCode.FINDINGS if self.failures else ExitCode.OK

    def as_dict(self) -> dict[str, object]:
        return {"run_id": self.run_id, "written": list(self.written), "findings": self.findings,
                "acknowledged": self.acknowledged, "failures": list(self.failures),
                "exit_code": int(self.exit_code)}

    def as_text(self) -> str:
        lines = [f"run {self.run_id}: {self.findings} findings ({self.acknowledged} "
                 f"acknowledged); reports: {', '.join(self.written) or 'none'}"]
        if self.failures:
            lines.append(f"FAILING THE RUN ({len(self.failures)}), by --fail-on:")
            lines.extend(f"  {line}" for line in self.failures)
        return "\n".join(lines)


def _failure_line(item: Finding | Change) -> str:
    if isinstance(item, Change):
        return f"{item.kind.value}: {item.url}"
    row = item.row
    where = f" {row.url}" if row.url else ""
    return f"{item.kind.value}: {row.claim_id}{where}: {item.detail}"


def _open(settings: Settings) -> Store:
    return Store.open_existing(settings.db_path())


def _run_id(store: Store, wanted: int | None) -> int:
    runs = store.runs(limit=1)
    if not runs:
        raise InputError(f"{store.path} has no runs yet; run `verifier check` first")
    if wanted is not None and store.find_run(wanted) is None:
        raise InputError(f"{store.path} has no run {wanted}; its latest is run {runs[0].id} "
                         "(`verifier runs` lists them)")
    return runs[0].id if wanted is None else wanted


def load_report(settings: Settings, run_id: int | None = None,
                fail_on: tuple[FailOn, ...] = DEFAULT_FAIL_ON) -> Report:
    with _open(settings) as store, collector.paused():
        return build(store, _run_id(store, run_id), settings, fail_on)


def write_reports(request: ReportRequest, settings: Settings) -> ReportResult:
    """Render the chosen formats of one run's report into the reports folder."""
    names = request.formats or tuple(formats())
    report = load_report(settings, request.run_id, request.fail_on)
    folder = request.output or settings.reports_path()
    written = []
    for name in names:
        fmt = formats()[name]
        path = folder / f"report.{fmt.extension}"
        with collector.paused():  # rendering 100,000 rows makes millions of short strings
            write_atomic(path, fmt.pieces(report))
        written.append(str(path))
    return ReportResult(
        run_id=report.run_id, written=tuple(written), findings=len(report.findings),
        acknowledged=sum(f.acknowledged for f in report.findings),
        failures=tuple(_failure_line(item) for item in report.failures()))


def acknowledge(target: str, reason: str, settings: Settings) -> str:
    """Acknowledge the latest report's findings about a claim id or a URL; one line back."""
    if not reason.strip():
        raise InputError("--reason must say why the finding is acknowledged")
    key = url_key(target)
    with _open(settings) as store:
        report = build(store, _run_id(store, None), settings)
        found = matching(report, key) or matching(report, target)
        if not found:
            raise InputError(f"{target}: no finding about it in run {report.run_id}")
        store.record_acks(target, [(f.kind.value, fingerprint(f)) for f in found], reason,
                          settings.current_time(), report.run_id)
    kinds = ", ".join(sorted({f.kind.value for f in found}))
    return f"acknowledged {len(found)} finding{'s' if len(found) != 1 else ''} ({kinds}) " \
           f"about {target} in run {report.run_id}"


def list_claims(settings: Settings, statuses: tuple[CheckStatus | UrlState, ...],
                verdicts: tuple[Verdict, ...], run_id: int | None = None) -> list[Row]:
    """The latest run's claim-source rows whose status (or URL state) and verdict match."""
    wanted_statuses = {s.value for s in statuses}
    wanted_verdicts = {v.value for v in verdicts}
    report = load_report(settings, run_id)
    return [row for row in report.rows
            if (not statuses or not wanted_statuses.isdisjoint(_statuses(row)))
            and (not verdicts or _verdict(row) in wanted_verdicts)]


def _statuses(row: Row) -> tuple[str | None, ...]:
    # A reference without a URL is never fetched, so it has no check row: its status is
    # no_url, as the report's "References without a URL" says.
    if row.url is None and row.ref_key is not None:
        return (CheckStatus.NO_URL.value,)
    return row.status, row.url_state


def _verdict(row: Row) -> str | None:
    # As the report counts verdicts: nothing can be read from a reference without a URL.
    if row.verdict is None and row.url is None and row.ref_key is not None:
        return Verdict.UNVERIFIABLE.value
    return row.verdict


def prune(settings: Settings, keep: float) -> str:
    """Drop check rows older than `keep` seconds (each URL's latest stays); one line back."""
    before = settings.current_time() - dt.timedelta(seconds=keep)
    with _open(settings) as store, store.lock():
        dropped = store.prune_checks(before)
        if dropped:
            store.vacuum()
    return f"dropped {dropped} check row{'s' if dropped != 1 else ''} from before " \
           f"{before.date().isoformat()}; every URL keeps its state and latest check"


@dataclass(frozen=True)
class FixOutcome:
    diff: str  # unified diff of the proposed edits ("" when none)
    summary: str  # one line per change or skip, then a count


def fix_article(article: Path, settings: Settings, write: bool) -> FixOutcome:
    """Propose (or, with `write`, make) the edits that mark an article's confirmed-dead
    citations: archive parameters where a copy is known, {{dead link}} where none is."""
    from verifier.fix import SourceFate, propose, unified_diff

    try:
        original = article.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise InputError(f"{article}: no such file") from None
    except UnicodeDecodeError as exc:
        raise InputError(f"{article}: not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise InputError(f"{article}: cannot read: {exc.strerror}") from None
    with _open(settings) as store:
        fates: dict[str, SourceFate | None] = {}

        def fate(url: str) -> SourceFate | None:
            if url not in fates:
                row = store.url(url_key(url))
                if row is None:
                    fates[url] = None
                else:
                    lookup = store.latest_lookups([row.id]).get(row.id)
                    snapshot = lookup.snapshot if lookup is not None else None
                    fates[url] = SourceFate(
                        row.state.is_dead(), snapshot.replay_url if snapshot else None,
                        snapshot.captured_at.date() if snapshot else None)
            return fates[url]

        result = propose(original, fate, settings.current_time().date())
    if result.blocked_by:
        return FixOutcome("", f"{article}: left alone: {result.blocked_by}")
    lines = [f"{article}:{c.line}: {c.kind.value}: {c.url}" for c in result.changes]
    lines += [f"{article}:{s.line}: skipped ({s.reason.value}): {s.url}" for s in result.skipped]
    verb = "made" if write and result.changed else "proposed"
    lines.append(f"{len(result.changes)} edit{'s' if len(result.changes) != 1 else ''} {verb}, "
                 f"{len(result.skipped)} skipped")
    if write and result.changed:
        write_atomic(article, result.text)
    return FixOutcome(unified_diff(str(article), original, result.text), "\n".join(lines))
