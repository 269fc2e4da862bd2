"""What a run found, as data and as the text a person reads (reports come later, from the store)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from verifier.models import ClaimSet
from verifier.targets import Targets


@dataclass(frozen=True)
class ClaimsSummary:
    files: int
    claims: int
    citation_needed: int
    references: int
    references_with_url: int
    references_without_url: int
    inline_urls: int
    unique_urls: int  # what check fetches: normalised, each once, DOIs through their resolver
    archive_links: int
    tags: dict[str, int]

    def as_dict(self) -> dict[str, object]:
        return dict(self.__dict__)

    def as_text(self, name: str) -> str:
        lines = [
            f"{name}: valid ({self.files} file{'s' if self.files != 1 else ''})",
            f"  claims:          {self.claims} ({self.citation_needed} marked citation needed)",
            f"  references:      {self.references} ({self.references_with_url} with a URL, "
            f"{self.references_without_url} without)",
            f"  inline URLs:     {self.inline_urls}",
            f"  URLs to check:   {self.unique_urls} (and {self.archive_links} archive links)",
        ]
        if self.tags:
            shown = ", ".join(f"{name} {count}" for name, count in sorted(self.tags.items()))
            lines.append(f"  maintenance tags: {shown}")
        return "\n".join(lines)


def summarise(claim_set: ClaimSet, targets: Targets) -> ClaimsSummary:
    """Counts that tell an editor what a claims file holds; `targets` are what check fetches."""
    refs = [r for d in claim_set.documents for r in d.references.values()]
    tags: Counter[str] = Counter()
    for claim in claim_set.claims:
        tags.update(t.name for t in claim.tags)
    for ref in refs:
        tags.update(t.name for t in ref.tags)
    return ClaimsSummary(
        files=len(claim_set.documents),
        claims=len(claim_set.claims),
        citation_needed=sum(c.citation_needed for c in claim_set.claims),
        references=len(refs),
        references_with_url=sum(1 for r in refs if r.url),
        references_without_url=sum(1 for r in refs if not r.url),
        inline_urls=sum(len(c.inline_urls()) for c in claim_set.claims),
        unique_urls=len(targets.urls),
        archive_links=len(targets.archive_links),
        tags=dict(tags),
    )


@dataclass(frozen=True)
class UrlLine:
    """One URL in a check summary: its latest status and state, and who cites it."""

    url: str
    status: str
    reason: str
    http_status: int | None
    state: str
    strikes: int
    cited_by: tuple[str, ...]  # "ref 5 (Title)" or "inline in claim-id"
    archived: str = ""  # the copy to use, "no copy found", or why the archives could not say


@dataclass(frozen=True)
class Quoted:
    """A passage of a source's text, shortened for reading, with where it is in the text."""

    text: str
    start: int
    end: int


@dataclass(frozen=True)
class SupportLine:
    """One claim's verdict against one source, with its evidence."""

    claim: str  # the claim's id ("document: id" when the run read several documents)
    claim_text: str
    url: str
    verdict: str
    score: float
    reason: str
    source: str  # "live" or "archive": the copy read
    evidence: Quoted | None
    snapshot: str = ""  # the archived copy read or compared with: "archive, captured DATE: URL"
    drift_archived: str = ""  # for drift: the archived copy's verdict
    drift_evidence: Quoted | None = None  # for drift: what the archived copy said

    def as_dict(self) -> dict[str, object]:
        # By hand: dataclasses.asdict deep-copies every value, which adds up at 100,000 lines.
        data: dict[str, object] = dict(self.__dict__)
        for name in ("evidence", "drift_evidence"):
            quoted = data[name]
            data[name] = None if quoted is None else dict(quoted.__dict__)
        return data


@dataclass(frozen=True)
class CheckSummary:
    run_id: int
    run_status: str
    database: str
    urls: int  # unique URLs cited
    checked: int  # fetched (or judged) in this run
    fresh: int  # skipped: found alive within --max-age
    resumed: int  # skipped: checked by the interrupted run this one continues
    by_status: dict[str, int]
    by_state: dict[str, int]
    failing: tuple[UrlLine, ...]  # failing or confirmed dead: what an editor must look at
    inconclusive: tuple[UrlLine, ...]  # blocked, rate limited, TLS problems
    no_url: tuple[str, ...]  # references that give nothing to check
    citation_needed: tuple[str, ...]  # claims the article itself marks as unsourced
    archive_now: tuple[str, ...]  # live URLs no archive holds: archive them while they last
    archive_links_to_fix: tuple[str, ...]  # archive links that lead to no fitting capture
    strikes_to_confirm: int
    days_to_confirm: float
    by_verdict: dict[str, int] = field(default_factory=dict)  # claim-source pairs
    unsupported: tuple[SupportLine, ...] = ()  # not supported, or the quote is not there
    drifted: tuple[SupportLine, ...] = ()  # supported by the archived copy, not by the live page
    seconds: dict[str, float] = field(default_factory=dict)  # wall time of each stage
    # archives the run gave up on (name -> why): their lookups are asked again next run
    unreachable_archives: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        data = dict(self.__dict__)
        data["failing"] = [u.__dict__ for u in self.failing]
        data["inconclusive"] = [u.__dict__ for u in self.inconclusive]
        data["no_url"] = list(self.no_url)
        data["citation_needed"] = list(self.citation_needed)
        data["archive_now"] = list(self.archive_now)
        data["archive_links_to_fix"] = list(self.archive_links_to_fix)
        data["unsupported"] = [line.as_dict() for line in self.unsupported]
        data["drifted"] = [line.as_dict() for line in self.drifted]
        return data

    def as_text(self) -> str:
        lines = [
            f"run {self.run_id} {self.run_status}: {self.checked} of {self.urls} URLs checked"
            + (f", {self.fresh} found alive recently (--max-age)" if self.fresh else "")
            + (f", {self.resumed} already checked by the interrupted run" if self.resumed else ""),
        ]
        if self.unreachable_archives:
            lines.append("  unreachable archives (given up for this run, asked again next run):")
            lines.extend(f"    {name}: {why}" for name, why in self.unreachable_archives.items())
        if self.by_status:
            lines.append("  statuses: " + _counts(self.by_status))
        if self.by_state:
            lines.append("  states:   " + _counts(self.by_state))
        if self.by_verdict:
            lines.append("  support:  " + _counts(self.by_verdict))
        if self.seconds:
            lines.append("  time:     " + ", ".join(f"{stage} {took:.1f} s"
                                                     for stage, took in self.seconds.items()))
        if self.failing:
            lines.append("")
            lines.append(
                f"FAILING ({len(self.failing)}): sources that could not be reached. A URL is "
                f"confirmed dead after {self.strikes_to_confirm} failed checks over at least "
                f"{self.days_to_confirm:g} days."
            )
            lines.extend(_url_lines(self.failing, show_strikes=self.strikes_to_confirm))
        if self.inconclusive:
            lines.append("")
            lines.append(f"INCONCLUSIVE ({len(self.inconclusive)}): the server would not say "
                         "(blocked, rate limited, TLS); not counted as failures.")
            lines.extend(_url_lines(self.inconclusive))
        if self.unsupported:
            lines.append("")
            lines.append(f"NOT SUPPORTED ({len(self.unsupported)}): sources that do not say what "
                         "the claim says, or lack the quote the reference gives.")
            lines.extend(_support_lines(self.unsupported))
        if self.drifted:
            lines.append("")
            lines.append(f"DRIFTED ({len(self.drifted)}): the archived copy supported the claim; "
                         "the live page no longer does. Cite the archived copy.")
            lines.extend(_support_lines(self.drifted))
        if self.no_url:
            lines.append("")
            lines.append(f"NO URL ({len(self.no_url)}): references that give nothing to check.")
            lines.extend(f"  {line}" for line in self.no_url)
        if self.archive_links_to_fix:
            lines.append("")
            lines.append(f"ARCHIVE LINKS TO FIX ({len(self.archive_links_to_fix)}): archived "
                         "copies the references name that are no fitting capture.")
            lines.extend(f"  {line}" for line in self.archive_links_to_fix)
        if self.archive_now:
            lines.append("")
            lines.append(f"ARCHIVE THESE NOW ({len(self.archive_now)}): live sources that no "
                         "archive holds a copy of.")
            lines.extend(f"  {url}" for url in self.archive_now)
        if self.citation_needed:
            lines.append("")
            lines.append(f"CITATION NEEDED ({len(self.citation_needed)}): claims the article "
                         "marks as unsourced.")
            lines.extend(f"  {line}" for line in self.citation_needed)
        lines.append("")
        lines.append(f"history: {self.database}")
        return "\n".join(lines)


def _counts(counts: dict[str, int]) -> str:
    ordered = sorted(counts.items(), key=lambda item: -item[1])
    return ", ".join(f"{name} {count}" for name, count in ordered)


def _url_lines(items: tuple[UrlLine, ...], show_strikes: int = 0) -> list[str]:
    out = []
    for item in items:
        code = f" {item.http_status}" if item.http_status else ""
        strikes = ""
        if show_strikes:
            strikes = (" [confirmed dead]" if item.state == "confirmed_dead"
                       else f" [{item.strikes} strike{'s' if item.strikes != 1 else ''}]")
        out.append(f"  {item.status}{code}{strikes}  {item.url}")
        out.append(f"      {item.reason}")
        if item.archived:
            out.append(f"      archived copy: {item.archived}")
        for citation in item.cited_by:
            out.append(f"      cited by {citation}")
    return out


def _quoted(passage: Quoted | None) -> str:
    if passage is None:
        return "no passage"
    return f"chars {passage.start}-{passage.end}: \u201c{passage.text}\u201d"


def _support_lines(items: tuple[SupportLine, ...]) -> list[str]:
    out = []
    for item in items:
        if item.drift_archived:
            out.append(f"  {item.claim}  {item.url}")
            out.append(f"      claim: {item.claim_text}")
            out.append(f"      archived copy ({item.snapshot}) {item.drift_archived}: "
                       + _quoted(item.drift_evidence))
            out.append(f"      live page now {item.verdict}: {item.reason}")
            out.append(f"      live evidence {_quoted(item.evidence)}")
            continue
        out.append(f"  {item.claim}  {item.verdict}  {item.url}")
        out.append(f"      claim: {item.claim_text}")
        out.append(f"      why: {item.reason}")
        where = "archived copy" if item.source == "archive" else "live page"
        out.append(f"      evidence ({where}) {_quoted(item.evidence)}")
        if item.source == "archive" and item.snapshot:
            out.append(f"      read from: {item.snapshot}")
    return out
