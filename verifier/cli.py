"""Thin click commands: parse options, call one library function, report errors as one line.

Every failure becomes `Error: ...` on stderr with the exit status from `errors.ExitCode`.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from verifier import __version__
from verifier.errors import ExitCode, VerifierError
from verifier.printable import json_text, printable


class _Failure(click.ClickException):
    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        # click declares exit_code per class; ours depends on the error, so set it per instance
        self.exit_code = code  # type: ignore[misc]


class _Group(click.Group):
    """Turns VerifierError (and any unexpected exception) into a one-line error and exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except VerifierError as exc:
            raise _Failure(printable(str(exc)), int(exc.exit_code)) from None
        except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except Exception as exc:  # a bug: say so plainly; VERIFIER_DEBUG=1 shows the traceback
            if os.environ.get("VERIFIER_DEBUG"):
                raise
            raise _Failure(
                printable(f"internal error: {type(exc).__name__}: {exc} "
                          "(set VERIFIER_DEBUG=1 for details)"),
                int(ExitCode.INTERNAL),
            ) from None


CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


@click.group(cls=_Group, context_settings=CONTEXT)
@click.version_option(__version__, "--version", prog_name="verifier")
def cli() -> None:
    """Check that the sources a document cites still exist and still support its claims.

    Example:

        verifier extract article.txt -o claims.yaml && verifier validate claims.yaml
    """


def json_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--json/--no-json", "as_json", default=None,
        help="Print JSON (the default when standard output is not a terminal).",
    )(func)


def network_options(func: Callable[..., Any]) -> Callable[..., Any]:
    for option in reversed([
        click.option("--timeout", metavar="DURATION",
                     help="Total deadline for one request, e.g. 20s, 500ms."),
        click.option("--resolve", multiple=True, metavar="HOST:PORT:ADDRESS",
                     help="Send requests for HOST:PORT to ADDRESS (repeatable), like curl."),
        click.option("--allow-private", is_flag=True, default=None,
                     help="Fetch internal addresses too (loopback, private, link-local...)."),
    ]):
        func = option(func)
    return func


def limit_options(func: Callable[..., Any]) -> Callable[..., Any]:
    for option in reversed([
        click.option("--concurrency", metavar="N",
                     help="Requests in flight at once, over all hosts."),
        click.option("--per-host", metavar="N", help="Requests in flight at once to one host."),
        click.option("--host-interval", metavar="DURATION",
                     help="Least time between two requests to one host."),
    ]):
        func = option(func)
    return func


def db_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--db", type=click.Path(dir_okay=False, path_type=Path),
                        help="History database (default: verifier.db beside the claims).")(func)


def _wants_json(flag: bool | None) -> bool:
    return flag if flag is not None else not sys.stdout.isatty()


def _echo(text: str, err: bool = False) -> None:
    """Text for a person: control and bidi characters from claims or the web shown, not sent."""
    click.echo(printable(text), err=err)


def _echo_json(data: object) -> None:
    """JSON for a program: strings as they are, control and bidi characters as escapes."""
    click.echo(json_text(json.dumps(data, ensure_ascii=False, indent=2)))


@cli.command()
@click.argument("article")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the claims file here (default: standard output).")
@click.option("--format", "fmt", type=click.Choice(["text", "html", "wikitext"]),
              help="Article format (default: detected from the content).")
@click.option("--force", is_flag=True, help="Overwrite an existing output file.")
@click.option("--merge", is_flag=True,
              help="Update an existing output file, keeping claim ids and hand-added fields.")
@click.option("--title", help="Article title to record (default: taken from the article).")
@click.option("--url", "article_url", help="Article URL to record.")
@click.option("--wikipedia-api", metavar="URL",
              help="Base of the Wikipedia REST API ({lang} is replaced).")
@network_options
def extract(article: str, output: Path | None, fmt: str | None, force: bool, merge: bool,
            title: str | None, article_url: str | None, **network: Any) -> None:
    """Extract claims and their sources from ARTICLE into a claims file.

    ARTICLE is a file (wikitext, Wikipedia HTML, or text copied from a page), `-` for
    standard input, or a Wikipedia page URL fetched through the REST API.

    Example:

        verifier extract ../shared/corpus/belarus-venezuela-relations.txt -o claims.yaml
    """
    from verifier.pipeline import ExtractRequest, run_extract
    from verifier.settings import load_settings

    if force and merge:
        raise click.UsageError("--force and --merge contradict each other: choose one")
    if merge and output is None:
        raise click.UsageError("--merge updates the file given with -o")

    settings = load_settings({**network, "resolve": network["resolve"] or None})
    summary = run_extract(ExtractRequest(
        article=article, output=output, fmt=fmt, force=force, merge=merge,
        title=title, url=article_url,
    ), settings)
    _echo(summary, err=True)


@cli.command()
@click.argument("claims", required=False, type=click.Path(path_type=Path))
@json_option
def validate(claims: Path | None, as_json: bool | None) -> None:
    """Check a claims file (or a directory of them) and summarise it.

    Lists every problem with its line and field and exits 2 when there is any.

    Example:

        verifier validate claims.yaml
    """
    from verifier.claims import load_claims
    from verifier.settings import load_settings
    from verifier.summary import summarise
    from verifier.targets import collect

    settings = load_settings({"claims": claims})
    claim_set = load_claims(settings.claims, cache=settings.cache_path())
    summary = summarise(claim_set, collect(claim_set, settings))
    if _wants_json(as_json):
        _echo_json(summary.as_dict())
    else:
        _echo(summary.as_text(str(settings.claims)))


def check_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """The options of `check`, which `audit` shares."""
    options: list[Callable[[Callable[..., Any]], Callable[..., Any]]] = [
        click.argument("claims", required=False, type=click.Path(path_type=Path)),
        db_option,
        click.option("--max-age", metavar="DURATION",
                     help="Skip URLs found alive more recently than this, e.g. 7d."),
        click.option("--no-assess", is_flag=True,
                     help="Only reachability: no bodies needed, so HEAD may answer before GET."),
        click.option("--no-archive", is_flag=True, help="Do not look for archived copies."),
        click.option("--save-live", is_flag=True,
                     help="Ask Save Page Now to capture live sources no archive holds (keys "
                          "from VERIFIER_IA_ACCESS_KEY and VERIFIER_IA_SECRET_KEY)."),
        click.option("--wait", is_flag=True,
                     help="Wait for another run on the database to finish."),
        click.option("--run-deadline", metavar="DURATION",
                     help="Stop the whole run after this long, e.g. 2h: what it finished is "
                          "recorded, and the summary and reports are still written."),
        click.option("-q", "--quiet", is_flag=True, help="No progress output (for cron)."),
        json_option,
        network_options,
        limit_options,
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _check_request(claims: Path | None, db: Path | None, max_age: str | None, no_assess: bool,
                   no_archive: bool, save_live: bool, wait: bool, quiet: bool,
                   options: dict[str, Any], extra: dict[str, Any] | None = None) -> Any:
    """The settings and the CheckRequest of `check` and `audit`."""
    from verifier.pipeline import CheckRequest
    from verifier.settings import load_settings

    settings = load_settings({"claims": claims, "db": db, "max_age": max_age, **options,
                              **(extra or {}), "resolve": options["resolve"] or None})
    keys = None
    if save_live:
        access, secret = (os.environ.get(f"VERIFIER_IA_{k}_KEY") for k in ("ACCESS", "SECRET"))
        if not (access and secret):
            raise click.UsageError(
                "--save-live needs archive.org keys in VERIFIER_IA_ACCESS_KEY and "
                "VERIFIER_IA_SECRET_KEY")
        keys = (access, secret)
    return settings, CheckRequest(
        command=" ".join(["verifier", *sys.argv[1:]]) if sys.argv[1:] else "verifier check",
        head_first=no_assess, archive=not no_archive, save_credentials=keys, wait=wait,
        progress=None if quiet else sys.stderr, live_progress=sys.stderr.isatty(),
    )


@cli.command()
@check_options
def check(claims: Path | None, db: Path | None, max_age: str | None, no_assess: bool,
          no_archive: bool, save_live: bool, wait: bool, quiet: bool, as_json: bool | None,
          **options: Any) -> None:
    """Fetch every source of the claims, classify it, and record the run in the history.

    Each unique URL is fetched once per run. A URL is confirmed dead only after repeated
    failures over days (settings dead-strikes, dead-after); until then it is failing, and
    the summary lists it with the claims that cite it. Unless --no-assess, each claim is
    judged against its source's text.

    Example:

        verifier check claims.yaml --max-age 7d --quiet
    """
    from verifier.pipeline import run_check

    settings, request = _check_request(claims, db, max_age, no_assess, no_archive, save_live,
                                       wait, quiet, options)
    summary = run_check(request, settings)
    if _wants_json(as_json):
        _echo_json(summary.as_dict())
    else:
        _echo(summary.as_text())


def report_options(func: Callable[..., Any]) -> Callable[..., Any]:
    for option in reversed([
        click.option("--format", "formats", multiple=True, metavar="NAME",
                     help="Report format (repeatable or comma-separated): markdown, html, "
                          "json, csv, junit, wikitext. Default: all."),
        click.option("--output", type=click.Path(file_okay=False, path_type=Path),
                     help="Folder for the reports (default: reports/ beside the claims)."),
        click.option("--fail-on", metavar="LIST",
                     help="Exit 1 when the report has any of these, not acknowledged: "
                          "new-failing, new-dead, dead, citation-needed, unsupported, drift, "
                          "no-url, unarchived; or none. Default: new-dead,unsupported,drift."),
    ]):
        func = option(func)
    return func


def _write_reports(settings: Any, run_id: int | None, formats: tuple[str, ...],
                   output: Path | None, fail_on: str | None, as_json: bool | None) -> None:
    from verifier.reporting import ReportRequest, parse_fail_on, parse_formats, write_reports

    result = write_reports(ReportRequest(run_id=run_id, formats=parse_formats(formats),
                                         output=output, fail_on=parse_fail_on(fail_on)),
                           settings)
    _show_reports(result, as_json)


def _show_reports(result: Any, as_json: bool | None) -> None:
    """Say which reports were written and what fails the run; exit 1 when something does."""
    if _wants_json(as_json):
        _echo_json(result.as_dict())
    else:
        _echo(result.as_text())
    if result.exit_code:
        sys.exit(int(result.exit_code))


@cli.command()
@check_options
@report_options
def audit(claims: Path | None, db: Path | None, max_age: str | None, no_assess: bool,
          no_archive: bool, save_live: bool, wait: bool, quiet: bool, as_json: bool | None,
          formats: tuple[str, ...], output: Path | None, fail_on: str | None,
          **options: Any) -> None:
    """The whole job: check every source, find archived copies, assess support, and write
    the reports; exits 1 when --fail-on finds something.

    Example:

        verifier audit claims.yaml --quiet --fail-on new-dead,drift
    """
    from verifier.pipeline import run_audit
    from verifier.reporting import ReportRequest, parse_fail_on, parse_formats

    # Bad options fail before the run.
    reports = ReportRequest(formats=parse_formats(formats), output=output,
                            fail_on=parse_fail_on(fail_on))
    settings, request = _check_request(claims, db, max_age, no_assess, no_archive, save_live,
                                       wait, quiet, options)
    summary, result = run_audit(request, reports, settings)
    if not _wants_json(as_json):
        _echo(summary.as_text())
    _show_reports(result, as_json)


@cli.command()
@click.option("--claims", type=click.Path(path_type=Path),
              help="Claims file whose database to read (default: claims.yaml).")
@db_option
@click.option("--run", "run_id", type=click.IntRange(min=1), metavar="ID",
              help="The run to report on (default: the latest).")
@report_options
@json_option
def report(claims: Path | None, db: Path | None, run_id: int | None, formats: tuple[str, ...],
           output: Path | None, fail_on: str | None, as_json: bool | None) -> None:
    """Write the reports of a run from the history (no network); exits 1 when --fail-on
    finds something.

    Example:

        verifier report --format html,markdown --fail-on dead
    """
    from verifier.settings import load_settings

    _write_reports(load_settings({"claims": claims, "db": db}), run_id, formats, output,
                   fail_on, as_json)


@cli.command()
@click.argument("target", metavar="CLAIM_OR_URL")
@click.option("--reason", required=True, help="Why the finding needs no action (recorded).")
@click.option("--claims", type=click.Path(path_type=Path),
              help="Claims file whose database to use (default: claims.yaml).")
@db_option
def ack(target: str, reason: str, claims: Path | None, db: Path | None) -> None:
    """Acknowledge the latest report's findings about a claim or URL: they stay in reports,
    marked, but no longer fail a run, until they change.

    Example:

        verifier ack claim-12 --reason "the source is a print edition, checked by hand"
    """
    from verifier.reporting import acknowledge
    from verifier.settings import load_settings

    _echo(acknowledge(target, reason, load_settings({"claims": claims, "db": db})))


@cli.command()
@click.argument("url")
@click.option("--claims", type=click.Path(path_type=Path),
              help="Claims file whose database to read (default: claims.yaml).")
@db_option
@json_option
def history(url: str, claims: Path | None, db: Path | None, as_json: bool | None) -> None:
    """Show a URL's timeline: every check, its status, and the URL's state after it.

    Example:

        verifier history https://example.org/page --claims claims.yaml
    """
    from verifier.history import url_history
    from verifier.settings import load_settings

    timeline = url_history(url, load_settings({"claims": claims, "db": db}))
    if _wants_json(as_json):
        _echo_json(timeline.as_dict())
    else:
        _echo(timeline.as_text())


@cli.command()
@click.option("--claims", type=click.Path(path_type=Path),
              help="Claims file whose database to read (default: claims.yaml).")
@db_option
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True,
              help="How many runs.")
@json_option
def runs(claims: Path | None, db: Path | None, limit: int, as_json: bool | None) -> None:
    """List the runs recorded in the history database, newest first.

    Example:

        verifier runs --limit 5
    """
    from verifier.history import list_runs
    from verifier.settings import load_settings

    listing = list_runs(load_settings({"claims": claims, "db": db}), limit)
    if _wants_json(as_json):
        _echo_json(listing.as_dict())
    else:
        _echo(listing.as_text())


@cli.command()
@click.argument("article", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--claims", type=click.Path(path_type=Path),
              help="Claims file whose database to read (default: claims.yaml).")
@db_option
@click.option("--write", is_flag=True, help="Edit the file in place instead of printing a diff.")
def fix(article: Path, claims: Path | None, db: Path | None, write: bool) -> None:
    """Propose wikitext edits for the article's confirmed-dead citations: archive parameters
    where a copy is known, {{dead link}} where none is. Prints a unified diff.

    Respects {{cbignore}} and {{bots|deny=...}}; everything outside the changed templates
    stays byte-identical.

    Example:

        verifier fix Article.wiki --claims claims.yaml > fix.diff
    """
    from verifier.reporting import fix_article
    from verifier.settings import load_settings

    outcome = fix_article(article, load_settings({"claims": claims, "db": db}), write)
    if outcome.diff and not write:
        click.echo(outcome.diff, nl=False)
    _echo(outcome.summary, err=True)


@cli.command("claims")
@click.option("--claims", "claims_path", type=click.Path(path_type=Path),
              help="Claims file whose database to read (default: claims.yaml).")
@db_option
@click.option("--run", "run_id", type=click.IntRange(min=1), metavar="ID",
              help="The run to list (default: the latest).")
@click.option("--status", "statuses", multiple=True, metavar="STATUS",
              help="Only sources with this check status or URL state (repeatable), e.g. "
                   "not_found, confirmed_dead.")
@click.option("--verdict", "verdicts", multiple=True, metavar="VERDICT",
              help="Only pairs with this support verdict (repeatable), e.g. not_supported.")
@json_option
def claims_command(claims_path: Path | None, db: Path | None, run_id: int | None,
                   statuses: tuple[str, ...], verdicts: tuple[str, ...],
                   as_json: bool | None) -> None:
    """List claims with their sources' status and verdict, for scripts (JSON when piped).

    Example:

        verifier claims --status confirmed_dead --verdict not_supported --json
    """
    from dataclasses import asdict

    from verifier.reporting import list_claims, parse_statuses, parse_verdicts
    from verifier.settings import load_settings

    wanted = parse_statuses(statuses), parse_verdicts(verdicts)  # before the database is read
    rows = list_claims(load_settings({"claims": claims_path, "db": db}), *wanted, run_id)
    if _wants_json(as_json):
        _echo_json([asdict(r) for r in rows])
        return
    for r in rows:
        _echo(f"{r.claim_id}\t{r.verdict or '-'}\t{r.url_state or r.status or '-'}\t"
                   f"{r.url or '(no URL)'}")


@cli.command()
@click.option("--keep", required=True, metavar="DURATION",
              help="Keep check rows younger than this, e.g. 180d.")
@click.option("--claims", type=click.Path(path_type=Path),
              help="Claims file whose database to prune (default: claims.yaml).")
@db_option
def prune(keep: str, claims: Path | None, db: Path | None) -> None:
    """Drop old check rows; every URL keeps its state, first and last seen, and latest check.

    Example:

        verifier prune --keep 180d
    """
    from verifier.errors import InputError
    from verifier.reporting import prune as prune_history
    from verifier.settings import load_settings, parse_duration

    try:
        seconds = parse_duration(keep)
    except ValueError as exc:
        raise InputError(f"--keep: {exc}") from None
    _echo(prune_history(load_settings({"claims": claims, "db": db}), seconds))


def main() -> None:
    cli(prog_name="verifier")
