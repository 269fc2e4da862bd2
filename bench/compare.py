"""verifier side by side with lychee and LinkChecker, on one simulated web, in one run.

    python -m bench compare            # 3,000 URLs over 200 hosts, concurrency 32 and 128, 3 runs
    python -m bench compare --smoke    # 60 URLs over 10 hosts, concurrency 8, 1 run (CI)

Each tool gets the same URLs (bench/simweb.py's mix: 86% pages, 5% redirects, 1% slow pages,
5% 404, 1% 410, 1% 500, 1% connections closed unanswered) with the same settings:

- input: verifier a claims file, lychee a text file of URLs, LinkChecker an HTML page of links;
- requests in flight C: VERIFIER_CONCURRENCY=C, --max-concurrency C, -t C (threads);
- per host: VERIFIER_PER_HOST=10 and VERIFIER_HOST_INTERVAL=0; --host-concurrency 10 and
  --host-request-interval 0; LinkChecker has no per-host concurrency, and its per-host rate
  (maxrequestspersecond, 10 by default) is raised to 1000;
- timeout 10 s (VERIFIER_TIMEOUT, --timeout, --timeout); no retries (VERIFIER_RETRIES=0,
  --max-retries 0; LinkChecker never retries);
- method GET for all three (their defaults; verifier's --no-assess would try HEAD first);
- also: verifier --no-archive; lychee -v (to list every URL); LinkChecker --check-extern,
  --no-robots, recursion level 1.

All follow up to 10 redirects (their defaults). The simulated web sends `LinkChecker: yes`,
without which LinkChecker keeps to 10 requests/s per host whatever its configuration says.

verifier's time is the wall time of `verifier check --no-archive` less its assess stage (reading
each page's text and judging its claim, which link checkers do not do): start-up, loading the
claims, fetching (with one soft-404 probe per host), classifying, recording every check in
SQLite and caching every body are included. Its peak memory is the whole process's, assessment
included. The peers' time is their whole process's wall time.

Figures per tool and concurrency: median time over the runs, URLs/s, fraction of the limit
(min(concurrency / latency, per-host limit x hosts / latency)), peak memory (ru_maxrss), CPU
time, the most requests the server had in flight to one host and the most it received from one
host in any 1 s window, and agreement with the truth the simulated web knows (alive or dead per
behaviour; verifier's failing counts as dead, its inconclusive as a disagreement). A throughput
figure counts only when every run completed, agreed with the truth on at least 99% of the URLs,
and the server logged a request for every URL.

The results (raw per-run figures, the machine, the command) go to
bench/results/compare-DATE.json; the table is printed as Markdown. Exit status 1 when a target
is missed (not with --smoke, which has no thresholds).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import statistics
import subprocess
import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import urlsplit

from bench import peers, suite
from bench.simweb import BEHAVIOURS, SimWeb, url_set
from bench.suite import REPO, clean_env, spawn_and_reap

HERE = Path(__file__).resolve().parent
TOOLS = ("verifier", "lychee", "linkchecker")
AGREEMENT_FLOOR = 0.99  # below it a run's throughput does not count


@dataclass(frozen=True)
class Config:
    urls: int = 3000
    hosts: int = 200
    concurrency: tuple[int, ...] = (32, 128)
    runs: int = 3
    latency: float = 0.05  # seconds the server takes per response
    slow_extra: float = 0.2  # more seconds for the slow pages
    per_host: int = 10  # requests in flight to one host, for the tools that have the setting
    timeout: float = 10.0  # per request, every tool
    tool_timeout: float = 300.0  # per tool run; a run past it is killed and reported
    tools: tuple[str, ...] = TOOLS
    smoke: bool = False

    def limit(self, concurrency: int) -> float:
        return min(concurrency / self.latency, self.per_host * self.hosts / self.latency)


SMOKE = Config(urls=60, hosts=10, concurrency=(8,), runs=1, tool_timeout=120.0, smoke=True)
Url = tuple[str, str]  # (URL, behaviour)


@dataclass
class Job:
    """One run of one tool: where its files go, what it checks."""

    tool: str
    folder: Path
    urls: list[Url]
    concurrency: int
    config: Config
    executable: Path | None = None


@dataclass
class Parsed:
    verdicts: dict[str, str]  # URL -> "alive", "dead", or what else the tool said
    excluded_s: float = 0.0  # time inside the wall time that is not link checking
    info: dict[str, Any] = field(default_factory=dict)


# --- the three tools -----------------------------------------------------------------------------

def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    path.chmod(0o644)  # LinkChecker, run as root, reads its input as nobody
    return path


def verifier_command(job: Job) -> tuple[list[str], dict[str, str]]:
    lines = ["version: 1", "references:"]
    lines += [f'  "{i}": {{url: "{url}"}}' for i, (url, _) in enumerate(job.urls)]
    lines.append("claims:")
    lines += [f'  - {{id: c{i}, text: "Claim {i}.", sources: ["{i}"]}}'
              for i in range(len(job.urls))]
    claims = _write(job.folder / "claims.yaml", "\n".join(lines) + "\n")
    env = {"VERIFIER_CONCURRENCY": str(job.concurrency),
           "VERIFIER_PER_HOST": str(job.config.per_host), "VERIFIER_HOST_INTERVAL": "0",
           "VERIFIER_TIMEOUT": f"{job.config.timeout:g}", "VERIFIER_RETRIES": "0",
           "VERIFIER_ALLOW_PRIVATE": "1",  # the simulated web is on loopback addresses
           "PYTHONPATH": str(REPO)}
    return ([sys.executable, "-m", "verifier", "check", str(claims), "--json", "--quiet",
             "--no-archive"], env)


def verifier_parse(job: Job, out: str, err: str) -> Parsed:
    summary = json.loads(out)
    verdicts = {url: "alive" for url, _ in job.urls}
    for line in summary["failing"]:
        verdicts[line["url"]] = "dead"
    for line in summary["inconclusive"]:
        verdicts[line["url"]] = "inconclusive: " + line["status"]
    if summary["checked"] != len(job.urls) or summary["run_status"] != "completed":
        raise ValueError(f"verifier checked {summary['checked']} of {len(job.urls)} URLs "
                         f"({summary['run_status']})")
    seconds = summary.get("seconds", {})
    return Parsed(verdicts, excluded_s=float(seconds.get("assess", 0.0)),
                  info={"stages_s": seconds, "by_status": summary["by_status"]})


def lychee_command(job: Job) -> tuple[list[str], dict[str, str]]:
    urls = _write(job.folder / "urls.txt", "".join(url + "\n" for url, _ in job.urls))
    assert job.executable is not None
    return ([str(job.executable), "--no-progress", "-v", "--format", "json",
             "--output", str(job.folder / "lychee.json"),
             "--max-concurrency", str(job.concurrency),
             "--host-concurrency", str(job.config.per_host), "--host-request-interval", "0",
             "--max-retries", "0", "--timeout", f"{job.config.timeout:g}", str(urls)], {})


def lychee_parse(job: Job, out: str, err: str) -> Parsed:
    report = json.loads((job.folder / "lychee.json").read_text(encoding="utf-8"))
    verdicts: dict[str, str] = {}
    for key, verdict in (("success_map", "alive"), ("error_map", "dead"),
                         ("timeout_map", "dead"), ("excluded_map", "excluded")):
        for responses in (report.get(key) or {}).values():
            for response in responses:
                verdicts[response["url"]] = verdict
    return Parsed(verdicts, info={k: report.get(k) for k in (
        "total", "successful", "errors", "timeouts", "redirects", "excludes", "unknown")})


def linkchecker_command(job: Job) -> tuple[list[str], dict[str, str]]:
    links = "".join(f'<li><a href="{url}">{i}</a></li>\n' for i, (url, _) in enumerate(job.urls))
    page = _write(job.folder / "links.html",
                  f"<!doctype html><html><head><title>links</title></head><body><ul>\n{links}"
                  "</ul></body></html>\n")
    rc = _write(job.folder / "linkcheckerrc", "\n".join([
        "[checking]", f"threads={job.concurrency}", f"timeout={job.config.timeout:g}",
        # 10/s per host by default; a higher figure needs the server's LinkChecker header
        "maxrequestspersecond=1000", "robotstxt=0", "recursionlevel=1",
        "[filtering]", "checkextern=1", ""]))
    assert job.executable is not None
    return ([str(job.executable), "-f", str(rc), "--check-extern", "--no-robots",
             "-t", str(job.concurrency), "--timeout", f"{job.config.timeout:g}", "-r", "1",
             "-o", "csv/utf-8", "-v", "--no-status", str(page)], {})


def linkchecker_parse(job: Job, out: str, err: str) -> Parsed:
    rows = csv.reader(io.StringIO("".join(line for line in out.splitlines(keepends=True)
                                          if not line.startswith("#"))), delimiter=";")
    header = next(rows)
    name, valid, result = header.index("urlname"), header.index("valid"), header.index("result")
    verdicts: dict[str, str] = {}
    for row in rows:
        if len(row) > valid and not row[name].startswith("file:"):
            verdicts[row[name]] = "alive" if row[valid] == "True" else "dead"
            if row[valid] not in ("True", "False"):
                verdicts[row[name]] = "unknown: " + row[result]
    return Parsed(verdicts)


RUNNERS: dict[str, tuple[Callable[[Job], tuple[list[str], dict[str, str]]],
                         Callable[[Job, str, str], Parsed], peers.Peer | None]] = {
    "verifier": (verifier_command, verifier_parse, None),
    "lychee": (lychee_command, lychee_parse, peers.LYCHEE),
    "linkchecker": (linkchecker_command, linkchecker_parse, peers.LINKCHECKER),
}


# --- running one process, measured ---------------------------------------------------------------

@dataclass
class Measured:
    exit_code: int | None  # None: killed at the timeout
    wall_s: float
    peak_rss_kib: int
    cpu_s: float


def run_measured(argv: Sequence[str], env: dict[str, str], cwd: Path, out: Path, err: Path,
                 timeout: float) -> Measured:
    """Run argv, wait4 for it (its peak RSS and CPU time); kill its group past the timeout."""
    reaped = spawn_and_reap(argv, env, cwd, out, err, timeout)
    usage = reaped.usage
    return Measured(reaped.exit_code, reaped.wall_s, int(usage.ru_maxrss),
                    usage.ru_utime + usage.ru_stime)


# --- what the server saw -------------------------------------------------------------------------

def _key(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return (parts.hostname or "", parts.path)


def analyse_log(snapshot: dict[str, Any], urls: list[Url]) -> dict[str, Any]:
    """Coverage, requests by kind and method, and the most in flight and per second per host."""
    wanted = {_key(url) for url, _ in urls}
    follows = {(host, "/ok/" + path.split("/", 2)[2]) for url, kind in urls if kind == "redirect"
               for host, path in [_key(url)]}
    seen: set[tuple[str, str]] = set()
    methods: Counter[str] = Counter()
    kinds: Counter[str] = Counter()
    others: Counter[str] = Counter()
    starts: dict[str, list[float]] = defaultdict(list)
    for host, path, method, start, _end, _status in snapshot["log"]:
        methods[method] += 1
        starts[host].append(start)
        if (host, path) in wanted:
            kinds["url"] += 1
            seen.add((host, path))
        elif (host, path) in follows:
            kinds["redirect_followed"] += 1
        else:
            kinds["other"] += 1
            label = ("soft-404 probe" if "verifier-probe-" in path
                     else "robots.txt" if path == "/robots.txt" else path)
            others[label] += 1
    most_per_second = 0
    for times in starts.values():
        times.sort()
        low = 0
        for high, moment in enumerate(times):
            while moment - times[low] >= 1.0:
                low += 1
            most_per_second = max(most_per_second, high - low + 1)
    return {
        "requests": len(snapshot["log"]), "by_method": dict(methods), "by_kind": dict(kinds),
        "other_requests": dict(others.most_common(5)),
        "urls_logged": len(seen), "coverage": len(seen) / len(urls) if urls else 1.0,
        "max_host_in_flight": max(snapshot["max_in_flight"].values(), default=0),
        "max_host_per_second": most_per_second,
    }


def agreement(verdicts: dict[str, str], urls: list[Url]) -> tuple[float, list[dict[str, str]]]:
    wrong = [{"url": url, "truth": BEHAVIOURS[kind].truth, "got": verdicts.get(url, "missing")}
             for url, kind in urls if verdicts.get(url) != BEHAVIOURS[kind].truth]
    return 1 - len(wrong) / len(urls), wrong


# --- one run, and the suite ----------------------------------------------------------------------

def run_tool(job: Job, web: SimWeb) -> dict[str, Any]:
    command, parse, _ = RUNNERS[job.tool]
    job.folder.mkdir(mode=0o755)
    job.folder.chmod(0o755)
    record: dict[str, Any] = {"tool": job.tool, "concurrency": job.concurrency}
    try:
        argv, extra = command(job)
    except Exception as error:  # a tool that cannot start is reported
        return {**record, "ok": False, "error": f"could not prepare: {error}"}
    web.command("reset")
    cpu_before = web.cpu_seconds()
    measured = run_measured(argv, clean_env(extra), job.folder, job.folder / "stdout",
                            job.folder / "stderr", job.config.tool_timeout)
    server_cpu = web.cpu_seconds() - cpu_before
    seen = analyse_log(web.dump(job.folder / "server-log.json"), job.urls)
    record.update(exit_code=measured.exit_code, wall_s=round(measured.wall_s, 3),
                  peak_rss_kib=measured.peak_rss_kib, cpu_s=round(measured.cpu_s, 2),
                  server_cpu_s=round(server_cpu, 2), server=seen)
    out = (job.folder / "stdout").read_text(encoding="utf-8", errors="replace")
    err = (job.folder / "stderr").read_text(encoding="utf-8", errors="replace")
    if measured.exit_code is None:
        return {**record, "ok": False, "error": f"timed out after {job.config.tool_timeout:g} s"}
    try:
        parsed = parse(job, out, err)
    except Exception as error:  # unreadable output is reported, not raised
        tail = " | ".join(err.strip().splitlines()[-3:])
        return {**record, "ok": False,
                "error": f"exit {measured.exit_code}; output not understood ({error}): {tail}"}
    share, wrong = agreement(parsed.verdicts, job.urls)
    seconds = measured.wall_s - parsed.excluded_s
    return {**record, "ok": True, "seconds": round(seconds, 3),
            "excluded_s": round(parsed.excluded_s, 3), "agreement": share,
            "disagreements": len(wrong), "disagreement_examples": wrong[:5], **parsed.info}


def measure_ceiling(web: SimWeb, config: Config, concurrency: int, folder: Path) -> dict[str, Any]:
    """What the server serves a minimal client on the same URLs: at the run's latency, and
    with no latency at all (its capacity)."""
    figures: dict[str, Any] = {}
    for name, latency, slow in (("at_latency", config.latency, config.slow_extra),
                                ("latency_0", 0.0, 0.0)):
        web.command(f"latency {latency} {slow}")
        rates = []
        for _ in range(config.runs):
            web.command("reset")
            done = subprocess.run(
                [sys.executable, str(HERE / "simweb.py"), "load", "--hosts", str(config.hosts),
                 "--port", str(web.port), "--urls", str(config.urls),
                 "--concurrency", str(concurrency)],
                capture_output=True, text=True, timeout=config.tool_timeout,
                env=clean_env({}))
            web.dump(folder / "ceiling-log.json")
            if done.returncode != 0:
                figures[name] = {"error": done.stderr.strip()[-300:]}
                break
            rates.append(json.loads(done.stdout)["urls_per_s"])
        else:
            figures[name] = {"urls_per_s": statistics.median(rates), "runs": rates}
    web.command(f"latency {config.latency} {config.slow_extra}")
    at = figures["at_latency"].get("urls_per_s")
    figures["fraction_of_limit"] = round(at / config.limit(concurrency), 3) if at else None
    return figures


def summarise(config: Config, tool: str, concurrency: int,
              runs: list[dict[str, Any]]) -> dict[str, Any]:
    done = [r for r in runs if r.get("ok")]
    out: dict[str, Any] = {"tool": tool, "concurrency": concurrency, "runs": len(runs),
                           "completed": len(done), "limit_per_s": config.limit(concurrency)}
    if not done:
        errors = sorted({str(r.get("error")) for r in runs})
        return {**out, "counts": False, "reason": "; ".join(errors) or "not run"}
    median = statistics.median(r["seconds"] for r in done)
    rate = config.urls / median if median > 0 else 0.0
    out.update(
        median_s=round(median, 3), seconds=[r["seconds"] for r in done],
        urls_per_s=round(rate, 1), fraction_of_limit=round(rate / config.limit(concurrency), 3),
        peak_rss_mib=round(max(r["peak_rss_kib"] for r in done) / 1024, 1),
        cpu_s=round(statistics.median(r["cpu_s"] for r in done), 2),
        max_host_in_flight=max(r["server"]["max_host_in_flight"] for r in done),
        max_host_per_second=max(r["server"]["max_host_per_second"] for r in done),
        agreement=min(r["agreement"] for r in done),
        coverage=min(r["server"]["coverage"] for r in done),
    )
    stages = [r["stages_s"]["check"] for r in done if "check" in r.get("stages_s", {})]
    if stages:  # verifier: its check stage alone (fetch, classify, record), for reference
        out["check_stage_s"] = round(statistics.median(stages), 3)
    reasons = []
    if len(done) < len(runs):
        reasons.append(f"{len(runs) - len(done)} of {len(runs)} runs failed")
    if out["agreement"] < AGREEMENT_FLOOR:
        reasons.append(f"agreement {out['agreement']:.1%} < {AGREEMENT_FLOOR:.0%}")
    if out["coverage"] < 1:
        reasons.append(f"the server logged {out['coverage']:.1%} of the URLs")
    out["counts"] = not reasons
    if reasons:
        out["reason"] = "; ".join(reasons)
    return out


def check_targets(config: Config, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The issue's targets for verifier, each met, missed, or not measurable."""
    def row(tool: str, concurrency: int) -> dict[str, Any] | None:
        return next((r for r in rows if r["tool"] == tool and r["concurrency"] == concurrency),
                    None)

    targets: list[dict[str, Any]] = []
    for concurrency, peer, factor in ((32, "lychee", 1.0), (128, "lychee", 1.0),
                                      (128, "linkchecker", 5.0)):
        name = (f"throughput >= {'' if factor == 1 else f'{factor:g} x '}{peer}'s "
                f"at concurrency {concurrency}")
        ours, theirs = row("verifier", concurrency), row(peer, concurrency)
        if ours is None or theirs is None:
            targets.append({"target": name, "met": None, "detail": "not run"})
        elif not (ours["counts"] and theirs["counts"]):
            why = "; ".join(f"{r['tool']}: {r.get('reason')}" for r in (ours, theirs)
                            if not r["counts"])
            targets.append({"target": name, "met": None, "detail": f"does not count ({why})"})
        else:
            ratio = ours["urls_per_s"] / (factor * theirs["urls_per_s"])
            targets.append({"target": name, "met": ratio >= 1, "ratio": round(ratio, 3),
                            "detail": f"{ours['urls_per_s']:.0f} vs {factor:g} x "
                                      f"{theirs['urls_per_s']:.0f} URLs/s: {ratio:.2f} of it"})
    ours_rows = [r for r in rows if r["tool"] == "verifier"]
    worst = min((r.get("agreement", 0.0) for r in ours_rows), default=None)
    complete = all(r["completed"] == r["runs"] for r in ours_rows)
    targets.append({"target": "verifier agrees with the truth on every URL",
                    "met": None if worst is None else (worst == 1.0 and complete),
                    "detail": "not run" if worst is None else f"lowest agreement {worst:.2%}"})
    return targets


def table(config: Config, rows: list[dict[str, Any]], ceilings: dict[int, Any]) -> str:
    head = ["tool", "concurrency", "limit/s", f"seconds (median of {config.runs})", "URLs/s",
            "fraction of limit", "peak memory MiB", "CPU s", "max per host in flight",
            "max per host req/s", "agreement", "URLs logged"]
    lines = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    notes: list[str] = []
    for concurrency in config.concurrency:
        ceiling = ceilings.get(concurrency, {})
        at = ceiling.get("at_latency", {}).get("urls_per_s")
        zero = ceiling.get("latency_0", {}).get("urls_per_s")
        if at:
            limit = config.limit(concurrency)
            lines.append(f"| simulated web, minimal client | {concurrency} | {limit:,.0f} | "
                         f"{config.urls / at:.2f} | {at:,.0f} | {at / limit:.2f} | | | | | | |")
        if zero:
            notes.append(f"server capacity at concurrency {concurrency} with no latency: "
                         f"{zero:,.0f} URLs/s")
        for r in (r for r in rows if r["concurrency"] == concurrency):
            if r.get("check_stage_s"):
                notes.append(f"verifier at {concurrency}: its check stage alone took "
                             f"{r['check_stage_s']:.2f} s "
                             f"({config.urls / r['check_stage_s']:,.0f} URLs/s)")
            if not r["completed"]:
                lines.append(f"| {r['tool']} | {concurrency} | {r['limit_per_s']:,.0f} | "
                             f"failed | | | | | | | | |")
                notes.append(f"{r['tool']} at {concurrency}: {r['reason']}")
                continue
            rate = f"{r['urls_per_s']:,.0f}"
            if not r["counts"]:
                rate = f"({rate})*"
                notes.append(f"* {r['tool']} at {concurrency} does not count: {r['reason']}")
            lines.append(
                f"| {r['tool']} | {concurrency} | {r['limit_per_s']:,.0f} | {r['median_s']:.2f} | "
                f"{rate} | {r['fraction_of_limit']:.2f} | {r['peak_rss_mib']:.0f} | "
                f"{r['cpu_s']:.1f} | {r['max_host_in_flight']} | {r['max_host_per_second']} | "
                f"{r['agreement']:.2%} | {r['coverage']:.0%} |")
    notes += [
        "verifier's seconds: `verifier check --no-archive` less its assess stage (start-up, "
        "claims, fetching with one soft-404 probe per host, classifying, SQLite, body cache); "
        "its peak memory and CPU are the whole process's, assessment included. The peers' "
        "seconds are their whole process's wall time.",
        f"limit = min(concurrency / latency, per-host limit {config.per_host} x {config.hosts} "
        f"hosts / latency), latency {config.latency * 1000:g} ms; the minimal client's row "
        f"is the most any client reached on the same URLs here (slow pages and redirects "
        f"cost more than one latency)."]
    return "\n".join(lines + [""] + notes).rstrip() + "\n"


def run_suite(config: Config, folder: Path, log: TextIO = sys.stderr) -> dict[str, Any]:
    executables: dict[str, Path | None] = {}
    problems: dict[str, str] = {}
    for tool in config.tools:
        peer = RUNNERS[tool][2]
        if peer is None:
            executables[tool] = None
            continue
        try:
            executables[tool] = peers.ensure(peer, log)
        except peers.PeerError as error:
            problems[tool] = str(error)
            print(f"{tool} is left out: {error}", file=log, flush=True)
    versions = {"verifier": suite.verifier_version()}
    for tool, executable in executables.items():
        if executable is not None:
            versions[tool] = peers.version(executable)
    runs: list[dict[str, Any]] = []
    ceilings: dict[int, Any] = {}
    with SimWeb(config.hosts, config.latency, config.slow_extra) as web:
        urls = url_set(config.urls, config.hosts, web.port)
        for concurrency in config.concurrency:
            print(f"concurrency {concurrency}: measuring the simulated web ...", file=log,
                  flush=True)
            ceilings[concurrency] = measure_ceiling(web, config, concurrency, folder)
            print(f"  ceiling {json.dumps(ceilings[concurrency])}", file=log, flush=True)
            for n in range(config.runs):
                order = list(config.tools[n % len(config.tools):]
                             + config.tools[:n % len(config.tools)])
                for tool in order:
                    if tool in problems:
                        runs.append({"tool": tool, "concurrency": concurrency, "run": n + 1,
                                     "ok": False, "error": f"not installed: {problems[tool]}"})
                        continue
                    job = Job(tool, folder / f"{tool}-{concurrency}-{n + 1}", urls, concurrency,
                              config, executables.get(tool))
                    result = {**run_tool(job, web), "run": n + 1}
                    runs.append(result)
                    print(f"  run {n + 1} {tool}: " + (
                        f"{result['seconds']:.2f} s, agreement {result['agreement']:.2%}, "
                        f"logged {result['server']['coverage']:.0%}" if result["ok"]
                        else f"FAILED: {result['error']}"), file=log, flush=True)
    rows = [summarise(config, tool, c, [r for r in runs if r["tool"] == tool
                                        and r["concurrency"] == c])
            for c in config.concurrency for tool in config.tools]
    targets = check_targets(config, rows)
    return {
        "suite": "compare", "smoke": config.smoke, "versions": versions,
        "settings": {**asdict(config), "agreement_floor": AGREEMENT_FLOOR,
                     "limits_per_s": {str(c): config.limit(c) for c in config.concurrency}},
        "truth": {b.name: {"truth": b.truth, "status": b.status, "share": b.share,
                           "what": b.what, "urls": sum(1 for _, k in urls if k == b.name)}
                  for b in BEHAVIOURS.values()},
        "verifier_time": "wall time of `verifier check --no-archive` less its assess stage: "
                         "start-up, loading claims, fetching (GET, one soft-404 probe per host), "
                         "classifying, recording in SQLite and caching bodies are included",
        "peers_missing": problems,
        "ceiling": {str(c): v for c, v in ceilings.items()},
        "results": rows, "targets": targets, "table": table(config, rows, ceilings),
        "runs": runs,
    }


def parse_args(argv: list[str]) -> tuple[argparse.Namespace, Config]:
    parser = suite.parser(
        "compare", "verifier next to lychee and LinkChecker on one simulated web.",
        smoke="a tiny run (60 URLs, concurrency 8, 1 run)",
        full="the whole comparison: 3,000 URLs over 200 hosts, concurrency 32 and 128, "
             "3 runs each")
    parser.add_argument("--urls", type=int)
    parser.add_argument("--hosts", type=int)
    parser.add_argument("--concurrency", type=int, nargs="+")
    parser.add_argument("--runs", type=int)
    parser.add_argument("--latency", type=float, help="seconds per response (0.05)")
    parser.add_argument("--per-host", type=int, help="requests in flight to one host (10)")
    parser.add_argument("--tools", nargs="+", choices=TOOLS)
    parser.add_argument("--tool-timeout", type=float,
                        help="seconds one tool run may take before it is killed (300)")
    args = parser.parse_args(argv)
    config = SMOKE if args.smoke else Config()
    changes = {k: v for k, v in (("urls", args.urls), ("hosts", args.hosts),
                                 ("runs", args.runs), ("latency", args.latency),
                                 ("per_host", args.per_host),
                                 ("tool_timeout", args.tool_timeout)) if v is not None}
    if args.concurrency:
        changes["concurrency"] = tuple(args.concurrency)
    if args.tools:
        changes["tools"] = tuple(t for t in TOOLS if t in args.tools)
    return args, replace(config, **changes)


def main(argv: list[str] | None = None, command: str | None = None) -> int:
    args_list = sys.argv[1:] if argv is None else argv
    args, config = parse_args(args_list)
    results, out = suite.run("compare", args, args_list, command,
                             lambda folder: run_suite(config, folder))
    suite.write(results, out)
    print(results["table"])
    for target in results["targets"]:
        mark = {True: "met", False: "MISSED", None: "not measured"}[target["met"]]
        print(f"target {mark}: {target['target']}: {target['detail']}")
    if out is not None:
        print(f"results: {out}")
    missed = any(t["met"] is not True for t in results["targets"])
    return 1 if missed and not config.smoke else 0


if __name__ == "__main__":
    sys.exit(main())
