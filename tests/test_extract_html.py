"""verifier.extract.html: real pages (tests/fixtures/html, see its README) and synthetic snippets
that exercise one rule each."""

from __future__ import annotations

import datetime as dt
import re
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from documents import only_claim as _claim
from verifier.cli import cli
from verifier.errors import ExtractError
from verifier.extract import detect_format, extract_article
from verifier.extract.html import extract
from verifier.models import Article, Document, Reference, Tag

FIXTURES = Path(__file__).parent / "fixtures" / "html"
MOZILLA = "readability_Mozilla_2016.html"
HTML = "oscanweb_HTML_2026.html"
DOG = "mobileapps_Dog_parsoid_2018.html"
PAGES = (MOZILLA, HTML, DOG)


def _doc(name: str) -> Document:
    return extract((FIXTURES / name).read_text(encoding="utf-8"))


# --- counts derived with grep over the raw files (commands in fixtures/html/README.md) -----------

# file: (list items, source entries in prose claims, citation-needed marks)
EXPECTED_COUNTS = {
    MOZILLA: (72, 76 - 1, 2),  # 76 markers in prose, one of them [70] right after [70]
    HTML: (104, 115 - 2, 1),  # one marker in the infobox caption, one inside note [a]
    DOG: (237, 345 - 4 - 2, 1),  # four markers in the infobox, two in figure captions
}


@pytest.mark.parametrize("name", PAGES)
def test_counts_match_the_raw_html(name: str) -> None:
    doc = _doc(name)
    references, sources, citation_needed = EXPECTED_COUNTS[name]
    assert len(doc.references) == references  # so no marker needed a stub
    assert all(key == ref.key for key, ref in doc.references.items())
    # footnote order, as the reader sees the numbers: the one-item lower-alpha notes list ([a])
    # comes before the numbered list on HTML and Dog
    numbered = [str(n) for n in range(1, references + 1 - (name != MOZILLA))]
    assert list(doc.references) == ([] if name == MOZILLA else ["a"]) + numbered
    assert sum(len(c.sources) for c in doc.claims) == sources
    marks = [t for c in doc.claims for t in c.tags if t.name == "citation needed"]
    assert len(marks) == citation_needed
    assert sum(c.citation_needed for c in doc.claims) == citation_needed


@pytest.mark.parametrize("name", PAGES)
def test_claim_text_has_no_markup_left(name: str) -> None:
    doc = _doc(name)
    assert doc.claims
    # brackets the articles themselves print, inside quotations: "belief [of the ...]", "[t]he"
    quoted = ("[of the academic engineering community]", "[domestic dog]", "[t]he")
    for claim in doc.claims:
        text = claim.text
        for bracket in quoted:
            text = text.replace(bracket, "")
        for leftover in ("[", "]", "citation needed", "edit]", "^", "<", "displaystyle"):
            if leftover == "<" and name == HTML:
                continue  # the HTML article writes tags as text: "<!DOCTYPE html>", "<br/>"
            assert leftover not in text.lower(), (leftover, claim.text)
        assert all(source in doc.references for source in claim.sources)


@pytest.mark.parametrize("name", PAGES)
def test_ids_are_stable_across_extractions(name: str) -> None:
    first, second = _doc(name), _doc(name)
    assert [c.id for c in first.claims] == [c.id for c in second.claims]
    assert len({c.id for c in first.claims}) == len(first.claims)
    assert first.references == second.references


@pytest.mark.parametrize("name", PAGES)
def test_detect_format_says_html(name: str) -> None:
    assert detect_format((FIXTURES / name).read_text(encoding="utf-8")) == "html"


@pytest.mark.parametrize("name", PAGES)
def test_appendix_sections_make_no_claims(name: str) -> None:
    sections = {c.section for c in _doc(name).claims}
    assert not {"See also", "Notes", "References", "External links", "Further reading"} & sections
    assert not {"Contents", "Bibliography"} & sections


def test_the_largest_page_extracts_quickly() -> None:
    text = (FIXTURES / DOG).read_text(encoding="utf-8")  # 875 KB
    start = time.perf_counter()
    extract(text)
    assert time.perf_counter() - start < 3.0  # about 0.2 s on a laptop


def test_article_title_and_url() -> None:
    assert _doc(MOZILLA).article == Article("Mozilla", "https://en.wikipedia.org/wiki/Mozilla")
    assert _doc(HTML).article == Article("HTML", "https://en.wikipedia.org/wiki/HTML")
    assert _doc(DOG).article == Article("Dog", "https://en.wikipedia.org/wiki/Dog")  # Parsoid


# --- claims checked by hand against the HTML ------------------------------------------------------


def test_mozilla_claims() -> None:
    doc = _doc(MOZILLA)
    lead = _claim(doc, "Mozilla is a free-software community, created in 1998 by members of "
                       "Netscape. The Mozilla community uses, develops, spreads and supports "
                       "Mozilla products, thereby promoting exclusively free software and open "
                       "standards, with only minor exceptions.")
    assert (lead.section, lead.sources) == (None, ("1",))
    eich = _claim(doc, "Due to the controversy, Eich voluntarily stepped down on April 3, 2014")
    assert (eich.section, eich.sources) == ("Eich CEO promotion controversy", ("27",))
    backlash = _claim(doc, "Eich's resignation promoted a larger backlash from conservatives who "
                           "felt he had been forced out of the company internally.")
    assert (backlash.section, backlash.sources) == ("Eich CEO promotion controversy", ())
    assert backlash.tags == (Tag("citation needed", "August 2015"),)
    # the mark sits before the full stop: the stop still belongs to the claim it closes
    community = _claim(doc, "The Mozilla Community consists of over 40,000 active contributors "
                            "from across the globe.")
    assert (community.section, community.citation_needed) == ("Community", True)
    assert community.tags == (Tag("citation needed", "July 2015"),)
    # <ref name="manifesto"> reused: the marker shows [40] again, and so does the claim
    goals = _claim(doc, "It includes both paid employees and volunteers who work towards the "
                        "goals set forth")
    assert goals.sources == ("40",)
    webmaker = _claim(doc, "Mozilla Webmaker is Mozilla's educational initiative, Webmaker's goal "
                           'is to "help millions of people move from using the web to making the '
                           'web." As part of Mozilla’s non-profit mission, Webmaker aims "to help '
                           "the world increase their understanding of the web, take greater "
                           "control of their online lives, and create a more web literate "
                           'planet."')
    assert (webmaker.section, webmaker.sources) == ("Webmaker", ("69", "70"))  # [69][70][70]


def test_html_claims() -> None:
    doc = _doc(HTML)
    # the lead's [a] is a lower-alpha note, keyed as the reader sees it
    lead = _claim(doc, "Hypertext Markup Language (HTML) is the standard markup language")
    assert (lead.section, lead.sources) == (None, ("a",))
    # an explanatory note, not a citation: its text is all it has, kept as its title
    assert doc.references["a"].title == ("Even though HTML code can be executed in a browser, it "
                                         "is not viewed as a programming language in programming "
                                         "language discourse.")
    # a <dd> of the version timeline: two claims, split by the marker after "Cougar"
    cougar = _claim(doc, 'Initially code-named "Cougar",')
    assert (cougar.section, cougar.sources) == ("HTML 4", ("18",))
    html4 = _claim(doc, "HTML 4.0 adopted many browser-specific element types and attributes, but "
                        "also sought to phase out Netscape's visual markup features by marking "
                        "them as deprecated in favor of style sheets. HTML 4 is an SGML "
                        "application conforming to ISO 8879 – SGML.")
    assert (html4.section, html4.sources) == ("HTML 4", ("20",))
    # [74][better source needed]: the marker shows 74 although the list item is cite_note-75
    elements = _claim(doc, "HTML documents imply a structure of nested HTML elements. These are "
                           "indicated in the document by HTML tags, enclosed in angle brackets.")
    assert (elements.section, elements.sources) == ("Elements", ("74",))
    assert elements.tags == (Tag("better source needed", "February 2019"),)
    assert doc.references["74"].title == "HTML Elements"
    # "...even now[when?], but ... coming close[citation needed]": [when?] does not end the claim
    agents = _claim(doc, "Such agents are not commonplace even now, but some of the ideas of Web "
                         "2.0, mashups and price comparison websites may be coming close.")
    assert (agents.section, agents.sources, agents.citation_needed) == ("Semantic HTML", (), True)
    assert agents.tags == (Tag("when?", "February 2026"), Tag("citation needed", "February 2025"))
    # "...in the latest[when?] HTML specifications..." and no marker after it in the paragraph:
    # the tagged paragraph is still a claim, with no source
    sgml = [c for c in doc.claims if c.text.startswith("One difference in the latest HTML spec")]
    assert [(c.section, c.sources, c.tags) for c in sgml] == [
        ("SGML-based versus XML-based HTML", (), (Tag("when?", "March 2022"),))
    ]
    assert sgml[0].text.endswith("some authors conflate the two names as (X)HTML or X(HTML).")


def test_dog_claims() -> None:
    doc = _doc(DOG)
    # [1]-[3] are in the taxobox: the lead's first marker is [4]
    lead = _claim(doc, "The domestic dog (Canis lupus familiaris when considered a subspecies of "
                       "the gray wolf or Canis familiaris when considered a distinct species)")
    assert (lead.section, lead.sources) == (None, ("4",))
    # the Origin section repeats the lead's sentence and markers: two claims, two ids
    carnivore = [c for c in doc.claims if c.text == "and is the most widely abundant terrestrial "
                 "carnivore."]
    assert [(c.section, c.sources) for c in carnivore] == [
        (None, ("6", "7", "8", "9", "10")), ("Origin", ("6", "7", "8", "9", "10"))
    ]
    assert carnivore[1].id == carnivore[0].id + "-2"
    male = _claim(doc, 'A male canine is referred to as a "dog", while a female is traditionally '
                       'called a "bitch" (derived from Middle English bicche, from Old English '
                       "bicce, ultimately from Old Norse bikkja). Since the word \"bitch\" has "
                       "taken on derogatory connotations, nowadays it is less commonly used to "
                       "refer to dogs.")
    assert (male.section, male.sources) == ("Etymology", ())
    assert male.tags == (Tag("citation needed", "October 2017"),)
    # Parsoid's "[lower-alpha 1]" is the note the reader sees as [a]
    wozencraft = _claim(doc, "In the third edition of Mammal Species of the World published in "
                             "2005, the mammalogist W. Christopher Wozencraft listed under the "
                             "wolf Canis lupus what he proposed to be two subspecies: \"familiaris "
                             "Linneaus, 1758 [domestic dog]\" and \"dingo Meyer, 1793 [domestic "
                             'dog]",')
    assert (wozencraft.section, wozencraft.sources) == ("Taxonomy", ("a",))
    collar = _claim(doc, "The spiked collar common on working and pet dogs is no mere ornament: "
                         "it originated as a protection of the vulnerable neck of a dog from "
                         "wolves, but also protects dogs from attacks by other dogs.")
    assert (collar.section, collar.sources) == ("Competitors", ("136",))
    assert collar.tags == (Tag("better source needed", "July 2017"),)
    soil = _claim(doc, "In Great Britain, 24% of soil samples taken from public parks contained "
                       "T. canis eggs.")
    assert (soil.section, soil.sources) == ("Health risks to humans", ("203",))
    assert soil.tags == (Tag("failed verification", "April 2016"),)  # "[not in citation given]"


# --- references checked by hand against the HTML --------------------------------------------------


def test_mozilla_references_old_cs1() -> None:
    refs = _doc(MOZILLA).references
    assert list(refs)[:3] == ["1", "2", "3"]
    assert refs["3"] == Reference(
        key="3",
        title="Freeing the Source: The Story of Mozilla",
        url="http://www.oreilly.com/openbook/opensources/book/netrev.html",
        access_date=dt.date(2016, 5, 1),
        work="Open Sources: Voices from the Open Source Revolution",
    )
    # title linked to the archive, "Archived from the original on 2010-11-28": the url is dead
    gecko = refs["42"]
    assert gecko.url == (
        "http://download-firefox.org/spread-firefox/gecko-layout-engine-and-mozilla-firefox/"
    )
    assert gecko.archive_url == (
        "https://web.archive.org/web/20101128150117/http://download-firefox.org/spread-firefox/"
        "gecko-layout-engine-and-mozilla-firefox/"
    )
    assert (gecko.archive_date, gecko.url_status) == (dt.date(2010, 11, 28), "dead")
    assert (gecko.date, gecko.access_date) == (dt.date(2008, 7, 17), dt.date(2012, 5, 10))
    assert gecko.publisher == "download-firefox.org"
    # an unfit url: CS1 shows no link to the original, only COinS keeps it
    netscape = refs["6"]
    assert netscape.url == "https://wp.netscape.com/newsref/pr/newsrelease577.html"
    assert (netscape.archive_date, netscape.url_status) == (dt.date(2002, 10, 4), "unfit")
    assert refs["47"].quote.startswith("We at IBPhoenix think that having a browser and a database")


def test_html_references_new_cs1() -> None:
    refs = _doc(HTML).references
    w3c = refs["1"]  # "Archived" is the link to the archive: the original is live
    assert (w3c.title, w3c.url, w3c.url_status) == ("W3C Html", "https://www.w3.org/html/", "live")
    assert w3c.archive_url == "https://web.archive.org/web/20090221115704/http://www.w3.org/html/"
    assert (w3c.archive_date, w3c.access_date) == (dt.date(2009, 2, 21), dt.date(2017, 10, 17))
    raggett = refs["14"]
    assert raggett.url == "https://www.w3.org/People/Raggett/book4/ch02.html"
    assert (raggett.url_status, raggett.archive_date) == ("dead", dt.date(2007, 8, 9))
    assert raggett.access_date == dt.date(2007, 7, 9)
    feminism = refs["2"]  # the title link is the url; the doi link is the doi
    assert feminism.url == (
        "https://research.vu.nl/en/publications/a2c62236-5bd4-4351-b492-8a7b0d728ea5"
    )
    assert (feminism.doi, feminism.date) == ("10.1145/3689492.3689809", dt.date(2024, 10, 17))
    assert (feminism.publisher, feminism.title) == (
        "ACM", "A Case for Feminism in Programming Language Design"
    )
    css = refs["48"]  # span.id-lock-registration around the title link
    assert (css.url, css.url_access) == ("https://archive.org/details/cascadingstylesh00lieh",
                                         "registration")
    assert css.archive_url is None  # archive.org/details is a library, not a snapshot


def test_dog_references_parsoid() -> None:
    refs = _doc(DOG).references
    assert list(refs)[:3] == ["a", "1", "2"]  # the notes list comes first on the page
    assert refs["1"].title == "Order Carnivora"
    assert refs["1"].work == "Mammal Species of the World: A Taxonomic and Geographic Reference"
    assert refs["1"].publisher == "Johns Hopkins University Press"
    assert refs["1"].url == (
        "http://www.departments.bucknell.edu/biology/resources/msw3/browse.asp?id=14000751"
    )
    assert refs["66"].tags == (Tag("dead link", "June 2018"),)
    assert refs["66"].doi == "10.2307/3503924"
    page_needed = [k for k, r in refs.items() if Tag("page needed", "September 2010") in r.tags]
    assert len(page_needed) == 4
    # a hand-written reference: "retrieved on 27 May 2009", its only link an archived copy
    assert refs["25"].access_date == dt.date(2009, 5, 27)
    assert refs["25"].url is None
    assert refs["25"].archive_url == (
        "https://web.archive.org/web/20081004042554/http://www.encyclopedia.com/topic/dog.aspx"
    )


# --- synthetic snippets, one rule each ----------------------------------------------------------

# written for these tests: what action=parse returns, a bare content div
ACTION_PARSE_SYNTHETIC = (FIXTURES / "action_parse_synthetic.html").read_text(encoding="utf-8")


def test_action_parse_body_synthetic() -> None:
    doc = extract(ACTION_PARSE_SYNTHETIC)  # a bare content div: no <html>, no <title>
    assert doc.article is None
    assert [(c.text, c.section, c.sources) for c in doc.claims] == [
        ("Alpha is first.", None, ("1",)),
        ("Beta follows,", None, ("2",)),  # ", and gamma ends it." has no mark: no claim
        ("She was born in 1900.", "Early life", ("1",)),
        ("She moved in 1920.", "Early life", ()),
    ]
    assert doc.claims[-1].tags == (Tag("citation needed", "March 2020"),)
    assert list(doc.references) == ["1", "2"]
    assert doc.references["1"] == Reference(
        key="1",
        title="Alpha story",
        date=dt.date(2021, 4, 2),
        url="https://news.example/alpha",
        access_date=dt.date(2021, 4, 3),
        work="The Daily",
        url_access="subscription",
    )
    assert doc.references["2"] == Reference(
        key="2", title="Beta page", url="http://beta.example/page",
        tags=(Tag("dead link", "May 2020"),),
    )
    assert extract_article(ACTION_PARSE_SYNTHETIC) == doc  # detect_format picks html


def test_citation_needed_sup_synthetic() -> None:
    dated = ('<p>The sky is green.<sup class="noprint Inline-Template Template-Fact" '
             'style="white-space:nowrap;">[<i><a href="/wiki/Wikipedia:Citation_needed" '
             'title="Wikipedia:Citation needed"><span title="This claim needs references to '
             'reliable sources. (March 2020)">citation needed</span></a></i>]</sup> Grass is blue.'
             '<sup class="noprint Inline-Template Template-Fact">[<i><a href="/wiki/W:CN">'
             "citation needed</a></i>]</sup></p>")
    first, second = extract(dated).claims
    assert (first.text, first.sources, first.citation_needed) == ("The sky is green.", (), True)
    assert first.tags == (Tag("citation needed", "March 2020"),)
    # undated: the flag says it all, and the builder keeps no dateless tag
    assert (second.text, second.citation_needed, second.tags) == ("Grass is blue.", True, ())


def test_other_cleanup_tags_are_recorded_as_themselves_synthetic() -> None:
    def sup(text: str, cls: str = "noprint Inline-Template Template-Fact") -> str:
        dated = f'<span title="Something (June 2021)">{text}</span>'
        return f'<sup class="{cls}">[<i>{dated}</i>]</sup>'

    def ref(n: int) -> str:
        return f'<sup class="reference"><a href="#cite_note-{n}">[{n}]</a></sup>'

    html = (f"<p>One.{ref(1)}{sup('failed verification')} Two.{ref(2)}"
            f"{sup('<a>dubious</a> – <a>discuss</a>', 'noprint Inline-Template')} "
            f"Three{sup('clarification needed', 'Inline-Template')} goes on.{ref(3)}</p>"
            f"<p>Four at <a class='external autonumber' href='http://x.example/'>[1]</a>"
            f"{sup('dead link', 'noprint Inline-Template')}</p>")
    doc = extract(html)
    claims = doc.claims
    assert [(c.text, c.sources, [t.name for t in c.tags]) for c in claims] == [
        ("One.", ("1",), ["failed verification"]),
        ("Two.", ("2",), ["dubious"]),
        ("Three goes on.", ("3",), ["clarification needed"]),  # mid-claim: held for the mark
        ("Four at", ("http://x.example/",), ["dead link"]),  # a bare link is an inline source
    ]
    assert all(t.date == "June 2021" for c in claims for t in c.tags)
    assert list(doc.references) == ["1", "2", "3"]  # stubs; the inline URL is no reference


def test_parsoid_markers_with_footnote_numbers_synthetic() -> None:
    # newer Parsoid: the number in data-mw-footnote-number, the text left to CSS
    html = ('<section><p>Cats purr.<sup typeof="mw:Extension/ref" class="mw-ref reference">'
            '<a href="./Cat#cite_note-purr-1" data-mw-footnote-number="1"><span '
            'class="mw-reflink-text"></span></a></sup> Cats nap.<sup typeof="mw:Extension/ref" '
            'class="mw-ref reference"><a href="./Cat#cite_note-3" data-mw-group="upper-roman" '
            'data-mw-footnote-number="4"></a></sup></p>'
            '<h2 id="Notes">Notes</h2><ol class="mw-references references">'
            '<li id="cite_note-purr-1"><span class="mw-reference-text">Purring, <i>Cat Weekly</i>.'
            "</span></li></ol></section>")
    doc = extract(html)
    assert [(c.text, c.sources) for c in doc.claims] == [("Cats purr.", ("1",)),
                                                        ("Cats nap.", ("IV",))]
    # "1" is a hand-written footnote (its text is its title); "IV" is a stub
    assert doc.references == {"1": Reference("1", title="Purring, Cat Weekly."),
                              "IV": Reference("IV")}


def test_a_marker_without_its_list_item_gets_a_stub_synthetic() -> None:
    html = '<p>Orphan claim.<sup class="reference"><a href="#cite_note-9">[9]</a></sup></p>'
    doc = extract(html)
    assert doc.claims[0].sources == ("9",)
    assert doc.references == {"9": Reference("9")}


def test_furniture_is_not_prose_synthetic() -> None:
    html = ('<div id="mw-content-text"><table class="infobox"><tr><td>Boxed.'
            '<sup class="reference"><a href="#cite_note-1">[1]</a></sup></td></tr></table>'
            '<figure><figcaption>Caption.'
            '<sup class="reference"><a href="#cite_note-2">[2]</a></sup></figcaption></figure>'
            '<style>.x{}</style><div class="navbox"><p>Nav.<sup '
            'class="reference"><a href="#cite_note-3">[3]</a></sup></p></div>'
            '<p>Prose, page 5.<sup class="reference"><a href="#cite_note-4">[4]</a></sup>'
            '<sup class="reference nowrap"><span title="Page: 5">:5</span></sup> More.</p></div>')
    doc = extract(html)
    assert [(c.text, c.sources) for c in doc.claims] == [("Prose, page 5.", ("4",))]  # {{rp}} gone


def test_short_footnote_reads_its_bibliography_entry_synthetic() -> None:
    html = ('<p>Claimed.<sup class="reference"><a href="#cite_note-1">[1]</a></sup></p>'
            '<h2>References</h2><ol class="references"><li id="cite_note-1"><span class="'
            'reference-text"><a href="#CITEREFSmith2005">Smith 2005</a>, p. 3.</span></li></ol>'
            '<h2>Bibliography</h2><ul><li><cite id="CITEREFSmith2005" class="citation book cs1">'
            'Smith (2005). <a class="external text" href="https://books.example/s"><i>Dogs</i></a>.'
            ' Pub.</cite><span class="Z3988" title="rft.btitle=Dogs&amp;rft.pub=Pub&amp;'
            'rft.date=2005-03-01"></span></li></ul>')
    assert extract(html).references == {
        "1": Reference("1", title="Dogs", publisher="Pub", date=dt.date(2005, 3, 1),
                       url="https://books.example/s")
    }


def test_math_and_ipa_are_plain_text_synthetic() -> None:
    math = ('<span class="mwe-math-element"><span class="mwe-math-mathml-inline" style="display: '
            'none;"><math alttext="{\\displaystyle \\pi r^{2}}"><semantics><mrow><mi>&#x03C0;</mi>'
            "<msup><mi>r</mi><mn>2</mn></msup></mrow><annotation encoding=\"application/x-tex\">"
            "{\\displaystyle \\pi r^{2}}</annotation></semantics></math></span>"
            '<img class="mwe-math-fallback-image-inline" alt="{\\displaystyle \\pi r^{2}}"></span>')
    ipa = ('<span class="IPA nopopups noexcerpt"><a href="/wiki/Help:IPA/English">/<span '
           'title="/p/">p</span><span title="/aɪ/">aɪ</span>/</a></span>'
           '<span class="noprint"> (<a href="/wiki/File:Pi.ogg">listen</a>)</span>')
    html = f'<p>The area is {math}, said {ipa} loudly.<sup class="reference"><a href="#c">[1]</a></sup></p>'
    assert [c.text for c in extract(html).claims] == ["The area is πr2, said /paɪ/ loudly."]


def test_appendix_subsections_stay_skipped_synthetic() -> None:
    html = ('<h2>See also</h2><h3>Lists</h3><ul><li>A list.<sup class="reference">'
            '<a href="#cite_note-1">[1]</a></sup></li></ul>'
            '<h2>Legacy</h2><p>Remembered.'
            '<sup class="reference"><a href="#cite_note-2">[2]</a></sup></p>')
    assert [(c.text, c.section) for c in extract(html).claims] == [("Remembered.", "Legacy")]


DEEP = "<p>Deep.<sup class='reference'><a href='#cite_note-1'>[1]</a></sup></p>"


@pytest.mark.parametrize(
    "html",
    [
        "<",
        "\x00\x01 not html at all",
        "<p>unclosed <b>bold<sup class='reference'><a href='#cite_note-1'>[1]",
        "<?xml version='1.0' encoding='iso-8859-1'?><p>Declared.</p>",
        "<table><tr><td><p>cell</table></p></div></div><li>stray</li>",
        "<div>" * 1500 + DEEP,
    ],
)
def test_malformed_html_does_not_crash_synthetic(html: str) -> None:
    doc = extract(html)
    assert all(not re.search(r"\[\d+\]", c.text) for c in doc.claims)


def test_deeply_nested_text_is_still_read_synthetic() -> None:
    # past libxml2's default 256 levels the parser would drop the rest of the page
    assert [c.text for c in extract("<div>" * 1500 + DEEP).claims] == ["Deep."]


def test_nesting_past_the_parsers_limit_is_an_error_not_a_lost_page_synthetic(
        tmp_path: Path) -> None:
    # Even with huge_tree, libxml2 stops at 2,048 levels and returns what it has read: the
    # references after the nesting would vanish and the claims lose their sources.
    page = "<p>First.</p>" + "<div>" * 3000 + DEEP
    with pytest.raises(ExtractError, match="past line 1: Excessive depth in document: 2048"):
        extract(page)
    source = tmp_path / "deep.html"
    source.write_text(page, encoding="utf-8")
    out = tmp_path / "claims.yaml"
    result = CliRunner().invoke(cli, ["extract", str(source), "-o", str(out)])
    assert result.exit_code == 2
    assert "Excessive depth" in result.output
    assert not out.exists()


@pytest.mark.parametrize("text", ["", "   \n"])
def test_empty_input_is_an_extract_error(text: str) -> None:
    with pytest.raises(ExtractError):
        extract(text)
