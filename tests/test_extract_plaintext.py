"""Extraction from text copied out of a Wikipedia page: the seed article, checked by hand."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from verifier.claims import dump_document, load_claims
from verifier.extract import detect_format, extract_article
from verifier.extract.plaintext import extract, parse_reference

FIXTURES = Path(__file__).parent / "fixtures" / "text"
SEED = FIXTURES / "belarus-venezuela-relations.txt"
REPO_CLAIMS = Path(__file__).parent.parent / "claims.yaml"

# Written out by hand from the article text: (text, section, sources, citation needed).
SEED_CLAIMS = [
    ("Relations between Belarus and Venezuela were formally established on February 4, 1997. "
     "Both countries recognized each other five years earlier on January 11, 1992.",
     None, ("1",), False),
    ("In 2006, Venezuelan President Hugo Chávez publicly stated that his country needed modern air "
     "defense systems to cover the air borders from the Caribbean coast to the border with Brazil.",
     "Military relations", (), True),
    ("As the President of Belarus Alexander Lukashenko recalled later, the Venezuelans needed help "
     "reorganizing the army. They bought various air defense systems, airplanes and other weapons, "
     "but did not have a good military school to use all this.",
     "Military relations", ("2",), False),
    ("Deputy Chief of the General Staff of the Belarusian Army Pyotr Tikhanovsky noted that there was "
     "no unified air defense system in Venezuela, there were only separate units.",
     "Military relations", ("3",), False),
    ("In December 2007, the leaders of the two countries signed an agreement in Caracas to supply "
     "Venezuela with two unified command centers, one for air defense and the other for electronic "
     "warfare.",
     "Military relations", (), True),
    ("Its validity was for five years, but automatically extendable for equal periods until one of "
     "the parties denounces it one year in advance. It also contemplated the delivery to Venezuela of "
     "technologies for manufacturing military equipment, its maintenance and repair. In April 2008, "
     "the Parliament of Belarus ratified the agreement. According to the agreements of 2007, the "
     "activity of Belarusians was designed for five years. At the same time, the agreement was "
     "supposed to be automatically extended for another five years. The military presence of Belarus "
     "could be suspended at the request of one of the parties.",
     "Military relations", (), True),
    ("The group of military specialists was headed by general Oleg Paferov. In the future, he will "
     "become the ambassador of Belarus to Venezuela.",
     "Military relations", ("4",), False),
    ("The first ten military consultants arrived in Venezuela in 2008. Their families also arrived "
     "with the specialists. Over time, the contingent increased.",
     "Military relations", ("5",), False),
    ("Belarusian advisers offered Venezuela a project of systemic protection of the state. He meant "
     "the organization of an integrated defense complex, including air defense, electronic warfare, "
     "and counteraction to precision weapons. It was necessary to build a new defense system, install "
     "existing weapons in it and purchase the necessary new ones while explaining everything to the "
     "Venezuelan colleagues.",
     "Activity", ("2",), False),
    ("Within the framework of the program for the protection of especially important objects on the "
     "territory of Venezuela created the bases of the deployment of the Tor and Pechora-2M air "
     "defense systems.",
     "Activity", ("6",), False),
    ("The Venezuelan authorities have signed contracts with military enterprises not only of Belarus "
     "but also of Russia, China, and Iran.",
     "Activity", ("5",), False),
    ("The activity of Belarusian military specialists ended in 2013. At that time, Venezuela managed "
     "to complete the systematization and modernization of the defense system. The Republic of "
     "Belarus has successfully coped with the role of an integrator of the air defense system.",
     "Activity", (), True),
]


def seed() -> str:
    return SEED.read_text(encoding="utf-8")


def test_seed_is_detected_as_copied_text() -> None:
    assert detect_format(seed()) == "text"


def test_seed_claims_verbatim() -> None:
    document = extract(seed())
    got = [(c.text, c.section, c.sources, c.citation_needed) for c in document.claims]
    assert got == SEED_CLAIMS


def test_seed_counts() -> None:
    document = extract(seed())
    assert sum(c.citation_needed for c in document.claims) == 4
    assert sum(1 for c in document.claims if c.sources) == 8
    assert list(document.references) == ["1", "2", "3", "4", "5", "6"]
    assert len(document.citing("2")) == 2
    assert len(document.citing("5")) == 2
    assert document.article is not None
    assert document.article.title == "Belarus–Venezuela relations"


def test_seed_references() -> None:
    refs = extract(seed()).references
    assert refs["1"].title == (
        "Venezuela, Belarus deepen cooperation on 24th anniversary of diplomatic relations"
    )
    assert refs["1"].publisher == (
        "Bolivarian Republic of Venezuela Ministry of Popular Power for Foreign Affairs"
    )
    assert refs["1"].date == dt.date(2021, 4, 2)
    assert refs["1"].access_date == dt.date(2023, 3, 6)
    # "1 2" before the title is the pair of backlinks of a reference used twice
    assert refs["2"].title == "Лукашенко: в Венесуэле было допущено много ошибок и упущена экономика"
    assert refs["2"].publisher == "БЕЛТА"
    assert refs["2"].date == dt.date(2019, 2, 22)
    assert refs["3"].date == dt.date(2008, 3, 25)
    assert refs["4"].title == "Полетели шапки военных и пограничников"
    assert refs["5"].title == "Минск помог Каракасу создать систему ПВО, но не может добиться оплаты счетов"
    assert refs["5"].publisher == "БелВПО"
    assert refs["5"].date == dt.date(2019, 11, 11)
    assert refs["5"].archive_date == dt.date(2020, 9, 24)
    assert all(r.url is None for r in refs.values())  # the copy has no URLs: none is invented


def test_nothing_leaks_from_markers_or_the_mirror_tail() -> None:
    document = extract(seed())
    for claim in document.claims:
        assert "[" not in claim.text and "]" not in claim.text
        assert "citation needed" not in claim.text
        assert "Armed Forces of the Republic of Belarus" not in claim.text  # Related Research Articles
        assert "embassy in Caracas" not in claim.text  # prose with no citation is no claim


def test_ids_are_stable_and_unique() -> None:
    first, second = extract(seed()), extract(seed())
    assert [c.id for c in first.claims] == [c.id for c in second.claims]
    assert len({c.id for c in first.claims}) == 12
    consultants = next(c for c in first.claims if c.text.startswith("The first ten"))
    assert consultants.id.startswith("first-ten-military-consultants-")


def test_repo_claims_yaml_is_the_seed_extraction() -> None:
    (document,) = load_claims(REPO_CLAIMS).documents
    extracted = extract_article(seed())
    assert document.claims == extracted.claims
    assert document.references == extracted.references
    assert document.article is not None
    assert document.article.url == "https://en.wikipedia.org/wiki/Belarus%E2%80%93Venezuela_relations"


def test_dump_then_load_gives_the_same_document(tmp_path: Path) -> None:
    document = extract(seed())
    path = tmp_path / "claims.yaml"
    path.write_text(dump_document(document), encoding="utf-8")
    (loaded,) = load_claims(path).documents
    assert loaded.claims == document.claims
    assert loaded.references == document.references


def test_cs1_reference_text() -> None:
    ref = parse_reference(
        "7",
        '^ a b Smith, John (2 April 2021). "A title here". The Daily Paper. Archived from the '
        "original on 5 May 2021. Retrieved 6 March 2023.",
    )
    assert ref.title == "A title here"
    assert ref.publisher == "The Daily Paper"
    assert ref.date == dt.date(2021, 4, 2)
    assert ref.archive_date == dt.date(2021, 5, 5)
    assert ref.access_date == dt.date(2023, 3, 6)


def test_title_starting_with_a_number_is_not_a_backlink() -> None:
    assert parse_reference("1", "1 dead in crash").title == "1 dead in crash"


def test_synthetic_other_tags_and_group_markers() -> None:
    text = (
        "Synthetic article\n\nHistory\n\n"
        "The bridge opened in 1901.[ better source needed ] It was rebuilt in 1950.[note 1] "
        "Nobody knows why. [ be ]\n\nReferences\n\n  1. Only entry\n"
    )
    document = extract(text)
    assert [c.text for c in document.claims] == [
        "The bridge opened in 1901.", "It was rebuilt in 1950."
    ]
    assert [t.name for t in document.claims[0].tags] == ["better source needed"]
    assert not document.claims[0].citation_needed
    assert document.claims[1].sources == ("note 1",)
    assert document.claims[0].section == "History"


def test_synthetic_inline_tags_do_not_cut_a_sentence() -> None:
    text = (
        "Synthetic article\n\n"
        "The paper has recently[ when? ] grown to a circulation of many readers. [1] "
        "Its owner (the trust [2]) sold it.[3].\n\nReferences\n\n  1. One\n  2. Two\n  3. Three\n"
    )
    claims = extract(text).claims
    assert [(c.text, c.sources) for c in claims] == [
        ("The paper has recently grown to a circulation of many readers.", ("1",)),
        ("Its owner (the trust)", ("2",)),  # the bracket closes with its claim
        ("sold it.", ("3",)),
    ]
    assert [t.name for t in claims[0].tags] == ["when?"]


def test_space_is_kept_before_a_word_that_starts_with_a_dot() -> None:
    from verifier.extract.common import clean_claim_text

    assert clean_claim_text("Files ending in .html are pages .") == "Files ending in .html are pages."
    assert clean_claim_text("headed by Oleg Paferov  . In the future") == (
        "headed by Oleg Paferov. In the future")


def test_text_pasted_from_the_lead_on_keeps_its_first_claim() -> None:
    lines = seed().splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Relations between"))
    document = extract("\n".join(lines[start:]))
    assert len(document.claims) == 12
    assert document.claims[0].text.startswith("Relations between Belarus and Venezuela")
    assert document.article is not None and document.article.title is None


def test_synthetic_short_cited_paragraph_is_a_claim_not_a_heading() -> None:
    text = "Synthetic person\n\nLife\n\nHe died in 1990. [1]\n\nHe was buried in Minsk. [2]\n"
    claims = extract(text).claims
    assert [(c.text, c.section) for c in claims] == [
        ("He died in 1990.", "Life"), ("He was buried in Minsk.", "Life")]
