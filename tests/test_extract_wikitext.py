"""verifier.extract.wikitext: real articles (tests/fixtures/wikitext, see its README) and synthetic
snippets that exercise one rule each."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from documents import only_claim as _claim
from verifier.extract import detect_format
from verifier.extract.wikitext import extract
from verifier.models import Document, Reference, Tag

FIXTURES = Path(__file__).parent / "fixtures" / "wikitext"
ARTICLES = ("Antique-(band).txt", "Arts_Club_of_Chicago.txt", "Bodmin.txt", "toronto_star.txt")


def _doc(name: str) -> Document:
    return extract((FIXTURES / name).read_text(encoding="utf-8"))


# --- counts derived with grep over the raw files (commands in fixtures/wikitext/README.md) --------

# file: (distinct references, ref tags in the body, citation-needed marks)
EXPECTED_COUNTS = {
    "Antique-(band).txt": (7, 13, 2),
    "Arts_Club_of_Chicago.txt": (34, 54, 0),
    "Bodmin.txt": (47, 49, 2),
    "toronto_star.txt": (32, 28, 5),
}


@pytest.mark.parametrize("name", ARTICLES)
def test_counts_match_the_raw_wikitext(name: str) -> None:
    doc = _doc(name)
    references, citations, citation_needed = EXPECTED_COUNTS[name]
    assert len(doc.references) == references
    assert list(doc.references) == [str(n) for n in range(1, references + 1)]
    assert all(key == ref.key for key, ref in doc.references.items())
    assert sum(len(c.sources) for c in doc.claims) == citations
    marks = [t for c in doc.claims for t in c.tags if t.name == "citation needed"]
    assert len(marks) == citation_needed
    assert sum(c.citation_needed for c in doc.claims) == citation_needed


@pytest.mark.parametrize("name", ARTICLES)
def test_claim_text_has_no_markup_left(name: str) -> None:
    doc = _doc(name)
    assert doc.claims
    for claim in doc.claims:
        for leftover in ("<ref", "{{", "}}", "[[", "]]", "''", "citation needed"):
            assert leftover not in claim.text.lower(), (leftover, claim.text)
        assert all(source in doc.references for source in claim.sources)


@pytest.mark.parametrize("name", ARTICLES)
def test_ids_are_stable_across_extractions(name: str) -> None:
    first, second = _doc(name), _doc(name)
    assert [c.id for c in first.claims] == [c.id for c in second.claims]
    assert len({c.id for c in first.claims}) == len(first.claims)
    assert first.references == second.references


@pytest.mark.parametrize("name", ARTICLES)
def test_detect_format_says_wikitext(name: str) -> None:
    assert detect_format((FIXTURES / name).read_text(encoding="utf-8")) == "wikitext"


# --- claims checked by hand against the wikitext --------------------------------------------------


def test_antique_claims() -> None:
    doc = _doc("Antique-(band).txt")
    demo = _claim(doc, 'In 1999, some DJ friends of Elena Paparizou\'s brother asked her to make a '
                       'demo of the Notis Sfakianakis hit "Opa Opa".')
    assert (demo.section, demo.sources) == ("Career", ("1",))
    # <ref name=Nitro/> reuses footnote 1, the unnamed ref after it is footnote 2
    friend = _claim(doc, "Paparizou told them that the lyrics are for a man, so she asked to sing "
                         "it with her childhood friend Nikos Panagiotidis,")
    assert (friend.section, friend.sources) == ("Career", ("1", "2"))
    name = _claim(doc, 'settling on the name because it left an impression of being "classic" and '
                       '"timeless".')
    assert name.sources == ("3",)  # <ref name="espresso_news"/>
    third = _claim(doc, "The song placed third in the actual contest with 147 points; although "
                        "equaled by the 2004 entry, it was the best placing Greece had ever "
                        "received until Paparizou won the contest as a solo artist in 2005.")
    assert third.section == "Eurovision Song Contest 2001"
    assert third.sources == ()
    assert third.citation_needed
    assert third.tags == (Tag("citation needed", "November 2009"),)
    # the lead has no refs, so it makes no claims
    assert all(c.section is not None for c in doc.claims)


def test_bodmin_claims() -> None:
    doc = _doc("Bodmin.txt")
    population = _claim(doc, "Bodmin had a population of 14,736 as of the 2011 Census.")
    assert (population.section, population.sources) == (None, ("4",))
    spellings = _claim(doc, "Variant spellings recorded include Botmenei in 1100, Bodmen in 1253, "
                            "Bodman in 1377 and Bodmyn in 1522.")
    assert (spellings.section, spellings.sources) == ("History", ("10",))  # <ref name=HoB />
    bodman = _claim(doc, "The Bodman spelling also appears in sources and maps from the 16th and "
                         "17th centuries,")
    assert (bodman.section, bodman.sources) == ("History", ())
    assert bodman.tags == (Tag("citation needed", "March 2013"),)
    asylum = _claim(doc, "Bodmin County Lunatic Asylum")
    assert (asylum.section, asylum.sources) == ("Institutions", ("22", "23", "24"))
    boyer = _claim(doc, "Nicholas Boyer, the mayor of Bodmin, hanged for rebellion, 1549")
    assert (boyer.section, boyer.sources) == ("Notable people", ("38",))  # a list item
    # "See also", "References", "Further reading", "External links" make no claims
    assert not {"See also", "References", "Further reading", "External links"} & {
        c.section for c in doc.claims
    }


def test_arts_club_claims() -> None:
    doc = _doc("Arts_Club_of_Chicago.txt")
    founding = _claim(doc, "Its founding was viewed as a statement that art had become an "
                           "important component of civilized urban life.")
    assert (founding.section, founding.sources) == (None, ("2",))
    # <ref name=MM/> is used here, fourth, and defined much later in the article
    picasso = _claim(doc, "The club presented Pablo Picasso's first United States showing.")
    assert picasso.sources == ("4",)
    assert doc.references["4"].title == "Fitzgerald, pp. 120-1"
    space = _claim(doc, "However, the new space is 19000 sqft, which is 7000 sqft larger than "
                        "the old space.")
    assert space.sources == ("6",)  # {{convert}} keeps its number and unit
    mission = _claim(doc, 'The inaugural mission of the club was "to encourage higher standards '
                          "of art, maintain galleries for that purpose, and to promote the mutual "
                          'acquaintance of art lovers and art workers."')
    assert (mission.section, mission.sources) == ("Mission and purpose", ("7",))
    died = _claim(doc, "Rue Carpenter died on December 7, 1931,")
    assert (died.section, died.sources) == ("History", ("12",))  # <ref name="Wells, p. 9"/>
    # the tables (locations, presidents) make no claims
    assert not any("Arthur Heun" in c.text or "Helyn Goldenberg" in c.text for c in doc.claims)


def test_toronto_star_claims() -> None:
    doc = _doc("toronto_star.txt")
    nazi = _claim(doc, "Its early opposition and criticism of the Nazi regime")
    assert (nazi.section, nazi.sources) == ("History", ("7",))
    pc = _claim(doc, "Editorials have denounced political correctness at Canadian universities,")
    assert (pc.section, pc.sources) == ("Editorial position", ())
    assert pc.tags == (Tag("citation needed", "January 2011"),)
    ndp = _claim(doc, "The Toronto Star endorsed the NDP for the 2011 federal election,")
    assert ndp.sources == ("21",)
    liberal = _claim(doc, "Its precise position in the political spectrum — especially in "
                          "relation to one of its principal competitors, The Globe and Mail — is "
                          "at times disputed but the Star is generally considered to be the most "
                          "liberal of Canada's major papers.")
    assert liberal.sources == ("19",)
    assert liberal.tags == (Tag("better source needed", "July 2013"),)
    quote = _claim(doc, "Besides, we are the Star which means we all have the Atkinson Principles "
                        "— and its multi-culti values — tattooed on our butts. Fine with me. At "
                        "least we are upfront about our values, and they almost always work in "
                        "favour of building a better Canada.")
    assert (quote.section, quote.sources) == ("Atkinson Principles", ("18",))  # {{cquote}}


def test_toronto_star_infobox_refs_are_numbered_but_cite_nothing() -> None:
    doc = _doc("toronto_star.txt")
    assert doc.references["1"].title == "Toronto Star endorses the NDP"
    assert doc.references["5"].url == "http://www.bpaww.com/Bpaww_com/Pages/CirculationReports.aspx"
    assert doc.references["5"].url_access == "registration"  # {{Reg}}
    cited = {s for c in doc.claims for s in c.sources}
    assert not cited & {"1", "2", "3", "4", "5"}
    assert min(int(s) for s in cited) == 6


# --- citation templates: fields, old and new parameter names -------------------------------------


def test_cite_fields_from_a_real_reference() -> None:
    ref = _doc("Antique-(band).txt").references["3"]  # <ref name="espresso_news">
    assert ref == Reference(
        key="3",
        title="Κάνοντας μόδα τη Eurovision",
        publisher="Espresso News",  # ''[[List of newspapers in Greece|Espresso News]]''
        date=dt.date(2008, 2, 17),
        url="http://espressonews.gr/default.asp?pid=79&la=1&catid=3&artid=597669&pg=1",
        archive_url="https://web.archive.org/web/20110721080617/http://espressonews.gr/"
        "default.asp?pid=79&la=1&catid=3&artid=597669&pg=1",
        archive_date=dt.date(2011, 7, 21),
        access_date=dt.date(2009, 7, 14),
        url_status="dead",
    )


def test_old_and_new_parameter_names_agree_on_real_references() -> None:
    old = _doc("Antique-(band).txt").references["2"]  # archiveurl, archivedate, deadurl=yes
    assert old.archive_url == (
        "https://web.archive.org/web/20080113003859/http://www.mad.tv/artists/?id=628&m=bio"
    )
    assert (old.archive_date, old.url_status) == (dt.date(2008, 1, 13), "dead")
    new = _doc("Arts_Club_of_Chicago.txt").references["5"]  # archive-url, archive-date, dead-url
    assert new.archive_url == (
        "https://web.archive.org/web/20011124011911/http://www.aiachicago.org/special_features/"
        "1996_Design_Awards/Unbuilt/Awards/Winners/unbuilt_171.html"
    )
    assert (new.archive_date, new.url_status) == (dt.date(2001, 11, 24), "dead")
    assert new.access_date == dt.date(2007, 6, 28)  # accessdate, in the same template
    bodmin = _doc("Bodmin.txt").references
    assert bodmin["33"].access_date == dt.date(2017, 2, 12)  # access-date
    assert bodmin["9"].access_date == dt.date(2016, 10, 12)  # accessdate
    assert bodmin["33"].work == "Cornwall Live"  # newspaper=
    assert bodmin["43"].work == "The Cornish Life"  # website=


def test_renaming_old_parameters_to_current_ones_changes_nothing() -> None:
    # the same real article with every old CS1 name rewritten to its current form
    text = (FIXTURES / "Antique-(band).txt").read_text(encoding="utf-8")
    renamed = (
        text.replace("deadurl=yes", "url-status=dead")
        .replace("archiveurl=", "archive-url=")
        .replace("archivedate=", "archive-date=")
        .replace("accessdate=", "access-date=")
    )
    assert renamed != text
    assert extract(renamed).references == extract(text).references
    assert extract(text).references["7"].url_status == "dead"


def test_partial_dates_give_none() -> None:
    bodmin = _doc("Bodmin.txt").references
    assert bodmin["1"].date is None  # date=May 2014
    assert bodmin["3"].access_date is None  # accessdate=May 2010
    assert bodmin["1"].access_date == dt.date(2015, 1, 11)


# --- synthetic snippets, one rule each ------------------------------------------------------------


def test_synthetic_named_ref_reused_before_definition() -> None:
    doc = extract(
        'First claim.<ref name="x" /> Second claim.<ref>Other source.</ref> '
        'Third claim.<ref name="x">{{cite web |url=http://x.org/a |title=X page}}</ref>\n'
    )
    assert [(c.text, c.sources) for c in doc.claims] == [
        ("First claim.", ("1",)),
        ("Second claim.", ("2",)),
        ("Third claim.", ("1",)),
    ]
    assert doc.references["1"].url == "http://x.org/a"
    assert doc.references["1"].title == "X page"
    assert doc.references["2"].title == "Other source."


def test_synthetic_list_defined_refs() -> None:
    doc = extract(
        "Claim one.<ref name=a/> Claim two.<ref name=b/>\n\n== References ==\n"
        "{{reflist|refs=\n<ref name=b>{{cite news|url=http://b.org|title=B}}</ref>\n"
        "<ref name=a>[http://a.org A title]</ref>\n<ref name=unused>Never cited.</ref>\n}}\n"
    )
    assert [c.sources for c in doc.claims] == [("1",), ("2",)]
    assert (doc.references["1"].url, doc.references["1"].title) == ("http://a.org", "A title")
    assert doc.references["2"].url == "http://b.org"
    assert len(doc.references) == 2  # a list-defined ref nobody cites is not shown


def test_synthetic_references_tag_defines_refs() -> None:
    doc = extract("Claim.<ref name=n/>\n<references>\n<ref name=n>Book, p. 3.</ref>\n</references>")
    assert doc.references["1"].title == "Book, p. 3."


def test_synthetic_cn_with_date() -> None:
    doc = extract("The sky is green.{{cn|date=March 2020}} The grass is blue.{{Citation needed}}")
    assert [(c.text, c.tags, c.citation_needed) for c in doc.claims] == [
        ("The sky is green.", (Tag("citation needed", "March 2020"),), True),
        ("The grass is blue.", (), True),  # the builder keeps the tag only for its date
    ]


def test_synthetic_fact() -> None:
    (claim,) = extract("Water is dry.{{fact}}").claims
    assert claim.text == "Water is dry."
    assert claim.citation_needed
    assert claim.tags == ()  # an undated mark is the flag alone


def test_synthetic_citation_needed_span_keeps_its_text() -> None:
    (claim,) = extract("Before. {{citation needed span|Spanned text.|date=May 2019}}").claims
    assert claim.text == "Before. Spanned text."
    assert claim.tags == (Tag("citation needed", "May 2019"),)


def test_synthetic_other_maintenance_tags() -> None:
    doc = extract(
        "A.{{failed verification|date=June 2021}} B.{{Better source needed}} "
        "C.{{dubious|date=May 2020}} D.{{clarify}} E.{{When|date=March 2009}}"
    )
    # tags are named by the label the rendered page shows, as the plain-text extractor reads it
    assert [c.tags for c in doc.claims] == [
        (Tag("failed verification", "June 2021"),),
        (Tag("better source needed"),),
        (Tag("dubious – discuss", "May 2020"),),
        # inline tags question a word and do not close the claim: D and E stay one claim
        (Tag("clarification needed"), Tag("when?", "March 2009")),
    ]
    assert doc.claims[-1].text == "D. E."
    assert doc.claims[-1].sources == ()
    assert not any(c.citation_needed for c in doc.claims)


def test_synthetic_bare_url_refs() -> None:
    doc = extract(
        "One.<ref>http://example.com/page</ref> Two.<ref>[http://x.org/b The Title]</ref>"
    )
    assert doc.references["1"].url == "http://example.com/page"
    assert doc.references["1"].title is None
    assert (doc.references["2"].url, doc.references["2"].title) == ("http://x.org/b", "The Title")


def test_synthetic_group_note_refs() -> None:
    doc = extract(
        'Noted.<ref group="note">A note.</ref> Sourced.<ref>A source.</ref> '
        "Noted again.<ref group=note>Second note.</ref> Lettered.{{efn|An efn note.}}\n"
        "== Notes ==\n{{reflist|group=note}}\n{{notelist}}\n"
    )
    assert [c.sources for c in doc.claims] == [("note 1",), ("1",), ("note 2",), ("a",)]
    assert list(doc.references) == ["1", "note 1", "note 2", "a"]
    assert doc.references["note 2"].title == "Second note."
    assert doc.references["a"].title == "An efn note."


def test_synthetic_dead_link_inside_and_after_a_ref() -> None:
    doc = extract(
        "One.<ref>{{cite web|url=http://gone.org|title=Gone}} {{dead link|date=May 2019}}</ref> "
        "Two.<ref>[http://also-gone.org Also gone]</ref>{{Dead link|date=June 2020}} "
        "Three.<ref>http://fine.org</ref> Four {{dead link}}."
    )
    assert doc.references["1"].tags == (Tag("dead link", "May 2019"),)
    assert doc.references["2"].tags == (Tag("dead link", "June 2020"),)
    assert doc.references["3"].tags == ()  # {{dead link}} after prose is not about ref 3
    assert [c.text for c in doc.claims] == ["One.", "Two.", "Three."]


def test_synthetic_webarchive_inside_a_ref() -> None:
    doc = extract(
        "Claim.<ref>[http://old.org/x Old page] {{webarchive |url=https://web.archive.org/web/"
        "20100102030405/http://old.org/x |date=2 January 2010}}</ref> "
        "Other.<ref>[http://b.org B] {{Webarchive|url=https://web.archive.org/web/20120304/"
        "http://b.org}}</ref>"
    )
    ref = doc.references["1"]
    assert ref.archive_url == "https://web.archive.org/web/20100102030405/http://old.org/x"
    assert ref.archive_date == dt.date(2010, 1, 2)
    assert doc.references["2"].archive_date == dt.date(2012, 3, 4)  # from the Wayback URL


def test_synthetic_url_status_url_access_doi_quote() -> None:
    doc = extract(
        "A.<ref>{{cite journal|title=''T'' [[Foo|bar]]|journal=J|doi=10.1000/x|url=http://j.org"
        "|url-access=subscription|url-status=live|quote=It is so.|date=2 April 2021}}</ref> "
        "B.<ref>{{cite web|url=http://b.org|title=B|deadurl=no|subscription=yes}}</ref>"
    )
    a, b = doc.references["1"], doc.references["2"]
    assert (a.title, a.work, a.doi, a.quote) == ("T bar", "J", "10.1000/x", "It is so.")
    assert (a.url_access, a.url_status, a.date) == ("subscription", "live", dt.date(2021, 4, 2))
    assert (b.url_status, b.url_access) == ("live", "subscription")


def test_synthetic_prose_rendering() -> None:
    doc = extract(
        "{{Infobox thing|name=X|pop=5<ref>Infobox source.</ref>}}\n"
        "'''Bold''' and ''italic'' [[Target|label]] and [[Plain]] [http://e.org shown] "
        "<!-- hidden --> {{convert|3|km|mi}} {{nowrap|kept}}{{unknown template|x}}."
        "[[File:X.jpg|thumb|Caption<ref>Caption source.</ref>]]<ref>Prose source.</ref>\n"
        "{|\n| cell text<ref>Table source.</ref>\n|}\n"
    )
    (claim,) = doc.claims
    assert claim.text == "Bold and italic label and Plain shown 3 km kept."
    assert claim.section is None
    assert claim.sources == ("3",)
    assert [r.title for r in doc.references.values()] == [
        "Infobox source.", "Caption source.", "Prose source.", "Table source."
    ]


def test_synthetic_paragraphs_lists_and_sections() -> None:
    doc = extract(
        "Lead claim.<ref>L</ref> Trailing lead text.\n\n"
        "== History ==\nFirst para\ncontinues.<ref>H</ref>\n\nSecond para.<ref>H2</ref>\n"
        "* Item one<ref>I1</ref>\n* Item two without ref\n"
        "After the list.<ref>A</ref>\n"
        "=== Sub ''section'' ===\nDeep.<ref>D</ref>\n"
        "== See also ==\n* Not a claim.<ref>S</ref>\n=== Nested ===\nStill skipped.<ref>N</ref>\n"
        "== Later ==\nBack.<ref>B</ref>\n"
    )
    assert [(c.section, c.text) for c in doc.claims] == [
        (None, "Lead claim."),
        ("History", "First para continues."),
        ("History", "Second para."),
        ("History", "Item one"),
        ("History", "After the list."),
        ("Sub section", "Deep."),
        ("Later", "Back."),
    ]
    assert len(doc.references) == 9  # refs in skipped sections are still numbered


def test_synthetic_apostrophes() -> None:
    doc = extract("The ''Star'''s editor and the '''''Globe''''' said it.<ref>X</ref>")
    assert doc.claims[0].text == "The Star's editor and the Globe said it."


@pytest.mark.parametrize(
    "text",
    [
        "",
        "{{",
        "<ref>",
        "Text.<ref name=x/>",
        "Unclosed {{cite web|url=http://x.org <ref>[[broken link</ref> '''bold",
        "}} ]] </ref> {{cn}} <references/> {| |}",
        "== ==\n===\n<ref group=>x</ref>{{efn}}{{r}}{{sfn}}{{convert}}{{lang}}",
        "{{" * 300 + "deep" + "}}" * 300,
    ],
)
def test_synthetic_malformed_wikitext_does_not_crash(text: str) -> None:
    doc = extract(text)
    assert isinstance(doc, Document)


def test_synthetic_displaytitle_gives_the_article_title() -> None:
    article = extract("{{DISPLAYTITLE:''iPod''}}\nText.").article
    assert article is not None and article.title == "iPod"
    assert extract("Text.").article is None  # the title is not in the wikitext


def test_synthetic_footnote_templates_are_numbered_like_refs() -> None:
    doc = extract(
        "A.{{sfn|Smith|2005|p=25}} B.{{refn|name=k|Kept note.}} C.{{r|k}} "
        "D.{{sfn|Smith|2005|p=25}} E.{{efn-ur|Upper note.}} F.{{refn|group=note|A note.}}\n"
    )
    assert [c.sources for c in doc.claims] == [("1",), ("2",), ("2",), ("1",), ("I",), ("note 1",)]
    assert doc.references["1"].title == "Smith 2005, p. 25"
    assert doc.references["2"].title == "Kept note."
