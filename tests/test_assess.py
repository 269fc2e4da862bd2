"""verifier.assess: every verdict, quotes, dates across formats and languages, negative controls."""

from __future__ import annotations

import builtins
import socket
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from verifier.assess import Signals, Thresholds, assess, decide, sentences
from verifier.assess_facts import (
    detect_language,
    fact_matches,
    find_facts,
    find_quote,
    fold,
    same_name,
)
from verifier.models import Assessment, Passage, Verdict

# Synthetic, after the opening of tests/fixtures/text/belarus-venezuela-relations.txt.
SOURCE = (
    "Relations between Belarus and Venezuela were formally established on February 4, 1997. "
    "Both countries recognized each other five years earlier on January 11, 1992.\n"
    "The first 10 military consultants arrived in Caracas in 2008, as President Alexander "
    "Lukashenko recalled later.\n"
    "In 2006, Venezuelan President Hugo Chávez said his country needed modern air defense."
)
CLAIM = "Relations between Belarus and Venezuela were formally established on February 4, 1997."
RU_SOURCE = ("Дипломатические отношения между Беларусью и Венесуэлой установлены 4 февраля 1997 г. "
             "Президент Уго Чавес посетил Минск.")
FIXTURE = Path(__file__).parent / "fixtures" / "text" / "belarus-venezuela-relations.txt"


def check_offsets(result: Assessment, source: str) -> None:
    if result.evidence is not None:
        assert source[result.evidence.start:result.evidence.end] == result.evidence.text


def test_supported_with_evidence_and_offsets() -> None:
    result = assess(CLAIM, SOURCE)
    assert result.verdict is Verdict.SUPPORTED
    assert result.score == 1.0
    assert result.evidence is not None and result.evidence.text.startswith("Relations between")
    assert result.evidence.start == 0
    assert "February 4, 1997" in result.matched and not result.missing
    check_offsets(result, SOURCE)


def test_partially_supported_names_what_is_missing() -> None:
    claim = CLAIM[:-1] + ", and President Hugo Chávez visited Minsk in 2010."
    result = assess(claim, SOURCE)
    assert result.verdict is Verdict.PARTIALLY_SUPPORTED
    assert "Minsk" in result.missing and "2010" in result.missing
    assert "February 4, 1997" in result.matched


def test_not_supported_when_the_claim_is_absent() -> None:
    result = assess("The Antarctic penguins of Adélie Land eat krill every winter.", SOURCE)
    assert result.verdict is Verdict.NOT_SUPPORTED
    assert "Antarctic" in result.missing or "Adélie" in result.missing


def test_inconclusive_when_little_of_the_claim_is_there() -> None:
    result = assess("The embassy organises an annual football tournament for diplomats in Caracas.",
                    SOURCE)
    assert result.verdict is Verdict.INCONCLUSIVE
    assert result.matched == ("Caracas",)


@pytest.mark.parametrize("source", ["", "   \n\t ", "12 34 5.6"])
def test_unverifiable_without_readable_text(source: str) -> None:
    result = assess(CLAIM, source)
    assert result.verdict is Verdict.UNVERIFIABLE
    assert result.evidence is None and result.score == 0.0


def test_quote_mismatch() -> None:
    result = assess(CLAIM, SOURCE, quote="relations were severed in 1999")
    assert result.verdict is Verdict.QUOTE_MISMATCH
    assert result.verdict.is_finding()


@pytest.mark.parametrize("quote", [
    "“The first 10 military consultants arrived in Caracas”",
    "«The first 10 military consultants arrived in Caracas»",
    "''the first 10 military   consultants arrived\nin caracas''",
    "The first 10 military consultants … in Caracas in 2008",
])
def test_quote_found_whatever_the_typography(quote: str) -> None:
    claim = "The first 10 military consultants arrived in Caracas in 2008."
    result = assess(claim, SOURCE, quote=quote)
    assert result.verdict is Verdict.SUPPORTED
    assert result.evidence is not None and result.evidence.text.startswith("The first 10")
    assert "quote is in the source" in result.reason
    check_offsets(result, SOURCE)


def test_quote_marks_and_dashes_in_the_source() -> None:
    source = "He wrote: «Belarus — a “strategic” partner» in 1997."
    span = find_quote('"Belarus - a \'strategic\' partner"', source)
    assert span is not None
    assert source[span[0]:span[1]] == "Belarus — a “strategic” partner"


@pytest.mark.parametrize("written", [
    "February 4, 1997", "4 February 1997", "04.02.1997", "1997-02-04", "Feb. 4th, 1997",
    "4 февраля 1997 г.", "4 de febrero de 1997",
])
def test_dates_match_whatever_the_format(written: str) -> None:
    assert [f.value for f in find_facts(written)] == [(1997, 2, 4)]
    result = assess(CLAIM, SOURCE.replace("February 4, 1997", written))
    assert "February 4, 1997" in result.matched
    assert result.verdict is Verdict.SUPPORTED


def test_numbers_match_across_formats_and_rounding() -> None:
    values = [f.value[0] for f in find_facts("3,000 and 3 000 and 1.5 million and fifty")]
    assert values == [3000, 3000, 1_500_000, 50]
    result = assess("The zoo has 1.5 million visitors a year.",
                    "The zoo had 1,523,000 visitors a year by 2019, a record.")
    assert "1.5 million" in result.matched


# --- negative controls: the supporting passage, with one fact of the claim changed ------------------

def test_changed_date_is_not_supported() -> None:
    result = assess(CLAIM.replace("February 4", "February 5"), SOURCE)
    assert result.verdict is Verdict.NOT_SUPPORTED
    assert result.contradicted == ("February 5, 1997",)
    assert result.evidence is not None and "February 4, 1997" in result.evidence.text


def test_changed_date_in_the_source_is_not_supported() -> None:
    # The source states the same event on another day: a key fact contradicted, which is what
    # an editor must hear about (e.g. a page corrected after the article cited it).
    result = assess(CLAIM, SOURCE.replace("February 4, 1997", "April 4, 1997"))
    assert result.verdict is Verdict.NOT_SUPPORTED
    assert result.contradicted == ("February 4, 1997",)


def test_changed_year_and_number_are_not_supported() -> None:
    year = assess("The first 10 military consultants arrived in Caracas in 2011.", SOURCE)
    number = assess("The first 25 military consultants arrived in Caracas in 2008.", SOURCE)
    assert (year.verdict, year.contradicted) == (Verdict.NOT_SUPPORTED, ("2011",))
    assert (number.verdict, number.contradicted) == (Verdict.NOT_SUPPORTED, ("25",))


def test_changed_name_is_not_supported() -> None:
    result = assess("President Putin recalled that the first military consultants arrived in "
                    "Caracas.", SOURCE)
    assert result.verdict is not Verdict.SUPPORTED
    assert "Putin" in result.missing


def test_other_numbers_elsewhere_do_not_contradict() -> None:
    # "five years earlier" and "10 military consultants" are about other things.
    result = assess("Relations were established in 1997, after five rounds of talks.", SOURCE)
    assert result.verdict is not Verdict.NOT_SUPPORTED


# Synthetic: a choir's tour, an arrest and an announcement, each with a date stated loosely.
TOUR = ("The Lantern Choir announced its first tour of France in June 2015.\n"
        "The tour opens in Lyon on 9 September and runs until January 2016, with a break in "
        "December for concerts in Belgium.\n"
        "Tickets for the Lyon concerts sold out within a week.")
ARREST = ("Dale Whitcombe was arrested by campus police in 1991 and charged with trespass.\n"
          "Records show a warrant for Whitcombe was issued in October 1994 after he missed a "
          "hearing on a separate charge.")


def test_a_month_named_without_its_year_is_not_contradicted() -> None:
    # "on 9 September" may well be September 2015: June 2015 and January 2016 are other dates.
    result = assess("The Lantern Choir opened its tour of France in Lyon in September 2015.", TOUR)
    assert result.verdict is Verdict.PARTIALLY_SUPPORTED and not result.contradicted
    assert "September 2015" in result.missing
    # negative control: a month the source never names is still contradicted
    other = assess("The Lantern Choir opened its tour of France in Lyon in October 2015.", TOUR)
    assert (other.verdict, other.contradicted) == (Verdict.NOT_SUPPORTED, ("October 2015",))


def test_a_date_stated_less_precisely_is_not_contradicted() -> None:
    claim = "In January 1991 Whitcombe was arrested by campus police and charged with trespass."
    result = assess(claim, ARREST)  # "in 1991": the month is not given, not another one
    assert result.verdict is Verdict.PARTIALLY_SUPPORTED and not result.contradicted
    assert "January 1991" in result.missing
    other = assess(claim.replace("1991", "1992"), ARREST)
    assert (other.verdict, other.contradicted) == (Verdict.NOT_SUPPORTED, ("January 1992",))


def test_a_day_of_a_month_is_not_a_count() -> None:
    source = ("On 20 May 2031 the archbishop announced that he will name 14 new canons June 29 "
              "at the cathedral of Tarrow.")
    result = assess("On 20 May 2031 the archbishop announced that he would name Father Lenz a "
                    "canon on 28 June.", source)
    assert result.verdict is not Verdict.NOT_SUPPORTED and not result.contradicted


def test_decades_are_facts_that_match_and_do_not_contradict() -> None:
    facts = find_facts("early 1970s folk, the '70s, 1,000s of fans")
    assert [(f.kind, f.text) for f in facts] == [("decade", "1970s"), ("decade", "70s")]
    assert fact_matches(facts[0], facts[1])
    source = ("The Harrow Quartet formed in Leeds and played folk music inspired by the early 70s "
              "revival.\nIts first album appeared in 2012.")
    result = assess("The Harrow Quartet played folk music inspired by the early 1970s revival.",
                    source)
    assert result.verdict is Verdict.SUPPORTED and "1970s" in result.matched
    other = assess("The Harrow Quartet played folk music inspired by the early 1980s revival.",
                   source)
    assert other.verdict is Verdict.PARTIALLY_SUPPORTED and "1980s" in other.missing


def absent_signals(**changes: Any) -> Signals:
    """Signals of a claim little of which is anywhere in a same-language source."""
    base: dict[str, Any] = {
        "readable": True, "languages": ("en", "en"), "quote_passage": None,
        "quote_missing": False, "passage": Passage("A sentence.", 0, 11), "cover": 0.1,
        "doc_cover": 0.15, "matched": ("Harrow",), "missing": ("Tarrow", "2031"),
        "contradicted": (), "contradiction": None,
    }
    return Signals(**(base | changes))


def test_clearly_absent_needs_every_guard() -> None:
    thresholds = Thresholds(supported=0.5, partial=0.25, absent=0.3)
    assert decide(absent_signals(), thresholds).verdict is Verdict.NOT_SUPPORTED
    # nothing of its names or facts missing: the claim may be worded otherwise
    assert decide(absent_signals(missing=()), thresholds).verdict is Verdict.INCONCLUSIVE
    # one passage holds a quarter of the claim: partial support, not absence
    partial = decide(absent_signals(cover=0.27, doc_cover=0.28), thresholds)
    assert partial.verdict is Verdict.PARTIALLY_SUPPORTED
    # many of its names and facts are in the source: a multi-part claim, parts of it there
    many = decide(absent_signals(matched=("Harrow", "Leeds", "Quartet", "2012")), thresholds)
    assert many.verdict is Verdict.INCONCLUSIVE
    # too much of it is somewhere in the source
    assert decide(absent_signals(doc_cover=0.35), thresholds).verdict is Verdict.INCONCLUSIVE


# --- names and languages ------------------------------------------------------------------------

def test_names_across_scripts() -> None:
    assert fold("Чавес") == "chaves" and fold("Chávez") == "chavez"
    assert same_name(fold("Chávez"), fold("Чавес"))
    assert same_name(fold("Lukashenka"), fold("Лукашенко"))
    assert not same_name("austria", "australia")
    result = assess("President Lukashenka recalled that the first military consultants arrived in "
                    "Caracas.", SOURCE)
    assert result.verdict is Verdict.SUPPORTED and "Lukashenka" in result.matched


def test_detect_language() -> None:
    assert detect_language(RU_SOURCE) == "ru"
    assert detect_language(CLAIM) == "en"
    assert detect_language("Las relaciones entre Bielorrusia y Venezuela se establecieron el "
                           "4 de febrero de 1997.") == "es"
    assert detect_language("1997") is None


def test_cross_language_match_is_not_a_finding() -> None:
    result = assess(CLAIM, RU_SOURCE)
    assert result.verdict is Verdict.PARTIALLY_SUPPORTED
    assert result.languages == ("en", "ru")
    assert "languages differ" in result.reason
    assert "February 4, 1997" in result.matched
    check_offsets(result, RU_SOURCE)


def test_cross_language_without_facts_is_inconclusive() -> None:
    result = assess("The embassy organises an annual football tournament.", RU_SOURCE)
    assert result.verdict is Verdict.INCONCLUSIVE
    assert "languages differ" in result.reason


def test_cross_language_contradicted_date_is_not_supported() -> None:
    result = assess(CLAIM.replace("February 4", "February 5"), RU_SOURCE)
    assert result.verdict is Verdict.NOT_SUPPORTED
    assert result.contradicted == ("February 5, 1997",)


def test_language_can_be_given() -> None:
    result = assess(CLAIM, SOURCE, claim_language="en", source_language="en")
    assert result.languages == ("en", "en")


# --- offsets, purity, speed ---------------------------------------------------------------------

def test_sentence_offsets() -> None:
    text = "  First one. Dec. 20, 1998 stays whole.\n\n Last line "
    spans = sentences(text)
    assert [text[s:e] for s, e in spans] == ["First one.", "Dec. 20, 1998 stays whole.",
                                             "Last line"]


def test_assess_is_pure(monkeypatch: pytest.MonkeyPatch) -> None:
    source = FIXTURE.read_text(encoding="utf-8")
    first = assess(CLAIM, source)

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("assess did I/O")

    monkeypatch.setattr(builtins, "open", refuse)
    monkeypatch.setattr(socket, "socket", refuse)
    assert assess(CLAIM, source) == first
    assert assess(CLAIM, source, quote="formally established") == assess(
        CLAIM, source, quote="formally established")


def test_fast_on_a_real_page() -> None:
    source = FIXTURE.read_text(encoding="utf-8")
    started = time.perf_counter()
    for i in range(10):
        result = assess(f"Lukashenko visited Caracas {i} times in 2008.", source)
        check_offsets(result, source)
    assert (time.perf_counter() - started) / 10 < 0.5
    assert result.verdict is not Verdict.SUPPORTED


@settings(derandomize=True, deadline=None, database=None, max_examples=200)
@given(claim=st.text(max_size=300), text=st.text(max_size=3000),
       quote=st.none() | st.text(max_size=80))
def test_any_claim_and_text_get_a_verdict(claim: str, text: str, quote: str | None) -> None:
    """The assess stage's last resort (assessing._Stage.failed) is for bugs only: any text
    gets a verdict from the code meant for it."""
    found = assess(claim, text, quote=quote)
    assert isinstance(found.verdict, Verdict) and 0.0 <= found.score <= 1.0
