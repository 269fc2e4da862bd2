"""verifier.fix on real article wikitext, with a synthetic history deciding which URLs are dead.

The snapshots live on the synthetic host archive.test: made up for these tests, not real copies.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from collections.abc import Set as AbstractSet
from pathlib import Path

import mwparserfromhell
import pytest

from verifier.fix import (ChangeKind, FixResult, SkipReason, SourceFate, _spots, format_date,
                          propose, unified_diff)

CORPUS = Path(__file__).parents[2] / "shared" / "corpus" / "wikitext"
TODAY = dt.date(2026, 11, 26)
SNAPSHOT_DAY = dt.date(2020, 1, 2)


def article(name: str) -> str:
    return (CORPUS / name).read_text(encoding="utf-8")


def synthetic_snapshot(url: str) -> str:
    return f"https://archive.test/web/20200102030405/{url}"


def history(with_copy: AbstractSet[str] = frozenset(),
            without_copy: AbstractSet[str] = frozenset(),
            alive: AbstractSet[str] = frozenset()) -> Callable[[str], SourceFate | None]:
    """A synthetic history: the named URLs are dead (with or without a copy) or alive."""
    def fate(url: str) -> SourceFate | None:
        if url in with_copy:
            return SourceFate(True, synthetic_snapshot(url), SNAPSHOT_DAY)
        if url in without_copy:
            return SourceFate(True)
        if url in alive:
            return SourceFate(False, synthetic_snapshot(url), SNAPSHOT_DAY)
        return None
    return fate


def assert_only_changes_differ(old: str, result: FixResult) -> None:
    """Splicing each change's `after` over its `before` gives the new text: nothing else moved."""
    pieces, done = [], 0
    for change in result.changes:
        assert old[change.offset:change.offset + len(change.before)] == change.before
        assert old.count("\n", 0, change.offset) + 1 == change.line
        pieces += [old[done:change.offset], change.after]
        done = change.offset + len(change.before)
    assert "".join(pieces) + old[done:] == result.text


def params(template_text: str) -> list[str]:
    template = mwparserfromhell.parse(template_text).filter_templates()[0]
    return [str(param.name).strip() for param in template.params]


def rerun_changes_nothing(result: FixResult, fate: Callable[[str], SourceFate | None]) -> None:
    again = propose(result.text, fate, TODAY)
    assert again.text == result.text
    assert again.changes == ()


@pytest.mark.parametrize("name", ["Bodmin.txt", "toronto_star.txt", "Arts_Club_of_Chicago.txt",
                                  "Antique-(band).txt"])
def test_node_spans_match_the_text(name: str) -> None:
    text = article(name)
    spots = list(_spots(mwparserfromhell.parse(text), text, 0, None))
    assert len(spots) > 500
    assert all(text[spot.start:spot.end] == str(spot.node) for spot in spots)


@pytest.mark.parametrize("name", ["Bodmin.txt", "toronto_star.txt", "Arts_Club_of_Chicago.txt",
                                  "Antique-(band).txt"])
def test_every_url_dead_fixes_only_the_citations_and_is_idempotent(name: str) -> None:
    text = article(name)

    def everything_dead(url: str) -> SourceFate:
        return SourceFate(True, synthetic_snapshot(url), SNAPSHOT_DAY)

    result = propose(text, everything_dead, TODAY)
    assert result.changes
    assert_only_changes_differ(text, result)
    for change in result.changes:
        if change.kind is ChangeKind.ARCHIVE_ADDED:
            names = params(change.after)
            assert len(names) == len(set(names)), change.after
            assert sum(n in ("archive-url", "archiveurl") for n in names) == 1
            assert sum(n in ("archive-date", "archivedate") for n in names) == 1
            assert sum(n in ("url-status", "deadurl", "dead-url") for n in names) == 1
    rerun_changes_nothing(result, everything_dead)
    without_copies = propose(text, lambda url: SourceFate(True), TODAY)
    assert_only_changes_differ(text, without_copies)
    rerun_changes_nothing(without_copies, lambda url: SourceFate(True))


def test_bodmin_dmy_old_parameter_names() -> None:
    text = article("Bodmin.txt")
    assert "{{Use dmy dates" in text and "|accessdate=" in text
    domesday = "http://opendomesday.org/place/SX0767/bodmin/"
    beacon = "http://www.the-beacon-bod.cornwall.sch.uk/"
    archived = "http://www.magakernow.org.uk/pdf/placename_masterlist.pdf"
    result = propose(text, history(with_copy={domesday, beacon, archived}), TODAY)
    assert_only_changes_differ(text, result)
    cite, bare = result.changes
    assert cite.kind is ChangeKind.ARCHIVE_ADDED and cite.url == domesday
    assert cite.after == (
        "{{cite web|url=http://opendomesday.org/place/SX0767/bodmin/|title=Bodmin - Domesday Book"
        "|first=Anna|last=Powell-Smith|publisher=|accessdate=12 October 2016"
        f"|archiveurl={synthetic_snapshot(domesday)}|archivedate=2 January 2020|deadurl=yes}}}}")
    assert bare.kind is ChangeKind.WEBARCHIVE_ADDED
    assert bare.after == (f"[{beacon} Beacon ACE Academy]"
                          f"{{{{webarchive|url={synthetic_snapshot(beacon)}|date=2 January 2020}}}}")
    assert [(s.reason, s.url) for s in result.skipped] == [(SkipReason.ALREADY_ARCHIVED, archived)]


def test_toronto_star_mdy_and_dead_without_copy() -> None:
    text = article("toronto_star.txt")
    assert "{{Use mdy dates" in text
    worldpress = "http://www.worldpress.org/newspapers/AMERICAS/Canada.cfm"
    star = "http://www.thestar.com/News/article/218300"
    cbc = ("http://www.cbc.ca/news/business/story/2013/08/13/"
           "business-toronto-star-paywall.html")
    fate = history(with_copy={worldpress}, without_copy={star, cbc})
    result = propose(text, fate, TODAY)
    assert_only_changes_differ(text, result)
    by_url = {change.url: change for change in result.changes}
    assert set(by_url) == {worldpress, star, cbc}
    # "accessdate =" is old style and keeps its spacing; the date is mdy.
    assert by_url[worldpress].after.endswith(
        "|accessdate =November 2, 2007|publisher=Worldpress.org|year=2007"
        f"|archiveurl={synthetic_snapshot(worldpress)}|archivedate=January 2, 2020|deadurl=yes}}}}")
    assert by_url[star].kind is ChangeKind.DEAD_LINK_TAGGED
    assert by_url[star].after.endswith(
        "| first=J. Fred | last=****z}}{{dead link|date=November 2026|bot=verifier}}")
    assert f"{by_url[star].after}</ref>" in result.text
    assert by_url[cbc].after == (f"[{cbc} Toronto Star moving behind paywall]"
                                 "{{dead link|date=November 2026|bot=verifier}}")
    rerun = propose(result.text, fate, TODAY)
    assert rerun.text == result.text
    assert {(s.reason, s.url) for s in rerun.skipped} == {
        (SkipReason.ALREADY_ARCHIVED, worldpress), (SkipReason.ALREADY_TAGGED, star),
        (SkipReason.ALREADY_TAGGED, cbc)}


def test_arts_club_bare_ref_and_mixed_aliases() -> None:
    text = article("Arts_Club_of_Chicago.txt")
    assert "|dead-url=yes" in text and "|deadurl=yes" in text
    home = "http://www.artsclubchicago.org"
    armory = "http://www.encyclopedia.chicagohistory.org/pages/70.html"
    aia = ("http://www.aiachicago.org/special_features/1996_Design_Awards/Unbuilt/Awards/Winners/"
           "unbuilt_171.html")
    result = propose(text, history(with_copy={home, armory, aia}), TODAY)
    assert_only_changes_differ(text, result)
    # The same URL also appears in the infobox and in External links: only the ref changes.
    (bare,) = [change for change in result.changes if change.url == home]
    assert bare.after == f"{home}{{{{webarchive|url={synthetic_snapshot(home)}|date=January 2, 2020}}}}"
    assert f'<ref name="artsclubchicago.org">{bare.after}</ref>' in result.text
    assert result.text.count("{{webarchive") == 1
    (cite,) = [change for change in result.changes if change.url == armory]
    assert "|archiveurl=" in cite.after and "|archivedate=January 2, 2020|deadurl=yes}}" in cite.after
    assert (SkipReason.ALREADY_ARCHIVED, aia) in [(s.reason, s.url) for s in result.skipped]


def test_antique_iso_dates_and_template_built_urls_are_not_looked_up() -> None:
    text = article("Antique-(band).txt")
    assert "{{Use " not in text
    charts = ("http://www.swedishcharts.com/showitem.asp?interpret=Antique&titel=Opa+Opa&cat=s")
    youtube = "https://www.youtube.com/watch?v=caDFJDe2img"
    asked: list[str] = []
    dead = history(with_copy={charts, youtube})

    def fate(url: str) -> SourceFate | None:
        asked.append(url)
        return dead(url)

    result = propose(text, fate, TODAY)
    assert_only_changes_differ(text, result)
    assert not any("{{" in url for url in asked)  # url={{Allmusic|...}} cannot be matched
    by_url = {change.url: change.after for change in result.changes}
    assert by_url[charts].endswith(f"|accessdate=2009-10-28|author=Staff|archiveurl="
                                   f"{synthetic_snapshot(charts)}|archivedate=2020-01-02|deadurl=yes}}}}")
    # No old-style name in this one, so the current names.
    assert by_url[youtube].endswith(f"|language=el | archive-url={synthetic_snapshot(youtube)}"
                                    " | archive-date=2020-01-02 | url-status=dead}}")


def test_alive_and_unknown_urls_are_untouched() -> None:
    text = article("toronto_star.txt")
    worldpress = "http://www.worldpress.org/newspapers/AMERICAS/Canada.cfm"
    result = propose(text, history(alive={worldpress}), TODAY)
    assert result.text == text and not result.changes and not result.skipped


@pytest.mark.parametrize("bots", ["{{bots|deny=all}}", "{{nobots}}", "{{Bots|deny=OtherBot, Verifier}}",
                                  "{{bots|allow=OtherBot}}", "{{bots|allow=none}}"])
def test_bots_exclusion_changes_nothing(bots: str) -> None:
    text = article("Bodmin.txt") + "\n" + bots + "\n"
    result = propose(text, lambda url: SourceFate(True), TODAY)
    assert result.text == text and not result.changes
    assert result.blocked_by == bots


@pytest.mark.parametrize("bots", ["{{bots|deny=OtherBot}}", "{{bots|allow=OtherBot,verifier}}",
                                  "{{bots}}"])
def test_bots_that_allow_this_bot(bots: str) -> None:
    text = bots + "\n" + article("Bodmin.txt")
    result = propose(text, lambda url: SourceFate(True), TODAY)
    assert result.blocked_by is None and result.changes


def test_cbignore_is_respected() -> None:
    text = ("Claim.<ref>{{cite web|url=http://a.example/|title=A}}{{cbignore}}</ref> "
            "Other.<ref>http://b.example/ {{cbignore|bot=InternetArchiveBot}}</ref>\n")
    result = propose(text, history(with_copy={"http://a.example/", "http://b.example/"}), TODAY)
    assert result.text == text
    assert [s.reason for s in result.skipped] == [SkipReason.CBIGNORE, SkipReason.CBIGNORE]


@pytest.mark.parametrize(("header", "date_text"), [
    ("{{Use dmy dates|date=March 2015}}\n", "2 January 2020"),
    ("{{use mdy dates|date=April 2012}}\n", "January 2, 2020"),
    ("", "2020-01-02"),
])
def test_archive_date_follows_the_article(header: str, date_text: str) -> None:
    text = f"{header}Claim.<ref>{{{{cite web |url=http://a.example/ |title=A}}}}</ref>\n"
    result = propose(text, history(with_copy={"http://a.example/"}), TODAY)
    assert (f"{{{{cite web |url=http://a.example/ |title=A "
            f"|archive-url={synthetic_snapshot('http://a.example/')} |archive-date={date_text} "
            "|url-status=dead}}") in result.text
    assert_only_changes_differ(text, result)


def test_df_parameter_overrides_the_article() -> None:
    text = "{{Use dmy dates}}\n<ref>{{cite web|url=http://a.example/|df=mdy-all}}</ref>\n"
    result = propose(text, history(with_copy={"http://a.example/"}), TODAY)
    assert "|archive-date=January 2, 2020|" in result.text


@pytest.mark.parametrize(("status", "expected"), [
    ("|url-status=live", "|url-status=dead"), ("|deadurl=no", "|deadurl=yes"),
    ("|dead-url=no", "|dead-url=yes"), ("|archiveurl=|archivedate=|deadurl=", "|deadurl=yes"),
])
def test_present_aliases_are_updated_never_doubled(status: str, expected: str) -> None:
    text = f"<ref>{{{{cite web|url=http://a.example/|title=A{status}}}}}</ref>"
    result = propose(text, history(with_copy={"http://a.example/"}), TODAY)
    (change,) = result.changes
    names = params(change.after)
    assert len(names) == len(set(names))
    assert expected in change.after
    assert sum(n in ("url-status", "deadurl", "dead-url") for n in names) == 1
    assert sum(n in ("archive-url", "archiveurl") for n in names) == 1


def test_one_parameter_a_line_keeps_its_layout() -> None:
    text = ("<ref>{{cite web\n | url = http://a.example/\n | title = A\n"
            " | url-status = live\n}}</ref>")
    result = propose(text, history(with_copy={"http://a.example/"}), TODAY)
    assert result.text == (
        "<ref>{{cite web\n | url = http://a.example/\n | title = A\n | url-status = dead\n"
        f" | archive-url = {synthetic_snapshot('http://a.example/')}\n"
        " | archive-date = 2020-01-02\n}}</ref>")


def test_dead_link_already_present_in_or_after_the_ref() -> None:
    text = ("A.<ref>{{cite web|url=http://a.example/}} {{Dead link|date=May 2020}}</ref> "
            "B.<ref>{{cite news|url=http://b.example/}}</ref>{{deadlink|date=May 2020}} "
            "C.<ref>{{citation|url=http://c.example/}}</ref>\n")
    fate = history(without_copy={"http://a.example/", "http://b.example/", "http://c.example/"})
    result = propose(text, fate, TODAY)
    assert [(s.reason, s.url) for s in result.skipped] == [
        (SkipReason.ALREADY_TAGGED, "http://a.example/"),
        (SkipReason.ALREADY_TAGGED, "http://b.example/")]
    assert result.text == text.replace(
        "{{citation|url=http://c.example/}}",
        "{{citation|url=http://c.example/}}{{dead link|date=November 2026|bot=verifier}}")


def test_snapshot_date_from_the_wayback_timestamp() -> None:
    text = "<ref>{{cite web|url=http://a.example/}}</ref>"
    stamped = propose(text, lambda url: SourceFate(
        True, "https://archive.test/web/19991231235959/http://a.example/"), TODAY)
    assert "|archive-date=1999-12-31|" in stamped.text
    undated = propose(text, lambda url: SourceFate(True, "https://archive.test/copy/1"), TODAY)
    assert undated.text == text
    assert [s.reason for s in undated.skipped] == [SkipReason.NO_SNAPSHOT_DATE]


def test_format_date() -> None:
    day = dt.date(2026, 11, 6)
    assert [format_date(day, style) for style in ("dmy", "mdy", "iso")] == [
        "6 November 2026", "November 6, 2026", "2026-11-06"]


def test_unified_diff() -> None:
    text = article("Bodmin.txt")
    result = propose(text, history(with_copy={"http://opendomesday.org/place/SX0767/bodmin/"}),
                     TODAY)
    diff = unified_diff("Bodmin.wiki", text, result.text)
    assert diff.startswith("--- a/Bodmin.wiki\n+++ b/Bodmin.wiki\n@@ ")
    removed = [line for line in diff.splitlines() if re.match(r"-[^-]", line)]
    added = [line for line in diff.splitlines() if re.match(r"\+[^+]", line)]
    assert len(removed) == len(added) == 1 and "|archivedate=2 January 2020|" in added[0]
    assert unified_diff("Bodmin.wiki", text, text) == ""
    assert unified_diff("x", "a", "b").endswith("+b\n\\ No newline at end of file\n")


def test_unified_diff_splits_on_newlines_only() -> None:
    diff = unified_diff("x", "a\u2028b\nc\n", "a\u2028b\nd\n")
    assert diff == "--- a/x\n+++ b/x\n@@ -1,2 +1,2 @@\n a\u2028b\n-c\n+d\n"
