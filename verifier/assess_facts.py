"""The signals `assess` weighs: quotes, language, names across scripts, dates and numbers.

Everything here is a pure function of its arguments; `assess.py` combines the signals.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer

from verifier.extract.common import parse_date

# --- quotes: find text "verbatim" whatever typography either side used -------------------------

# Quote marks are dropped (« », “ ”, '' and " all mean the same); dashes become "-".
_QUOTES = frozenset("\"'`´‘’‚‛“”„‟«»‹›′″")
_DASHES = frozenset("\u2010\u2011\u2012\u2013\u2014\u2015\u2212")
_ELLIPSIS = re.compile(r"\s*(?:\.\.\.|…|\[\.\.\.\]|\[…\])\s*")


def normalize_with_map(text: str) -> tuple[str, list[int]]:
    """Text casefolded, accents, quotes and extra space dropped; with each char's source offset."""
    chars: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(text):
        if ch in _QUOTES:
            continue
        if ch.isspace():
            if chars and chars[-1] != " ":
                chars.append(" ")
                index.append(i)
            continue
        if ch in _DASHES:
            ch = "-"
        for part in unicodedata.normalize("NFKD", ch.casefold()):
            if not unicodedata.combining(part):
                chars.append(part)
                index.append(i)
    # "1909 – 1998" and "1909-1998" are the same text: no space around a dash
    keep = [
        k for k, c in enumerate(chars)
        if not (c == " " and ((k > 0 and chars[k - 1] == "-")
                              or (k + 1 < len(chars) and chars[k + 1] == "-")))
    ]
    return "".join(chars[k] for k in keep).strip(), [index[k] for k in keep]


def find_quote(quote: str, source: str) -> tuple[int, int] | None:
    """Offsets of `quote` in `source` (typography-insensitive; "..." may skip text), or None."""
    parts = [p for p in _ELLIPSIS.split(quote) if p.strip()]
    norm_source, index = normalize_with_map(source)
    pos, first, last = 0, -1, -1
    for part in parts:
        needle = normalize_with_map(part)[0].strip(" .,;:")
        if not needle:
            continue
        found = norm_source.find(needle, pos)
        if found < 0:
            return None
        first = found if first < 0 else first
        last = found + len(needle) - 1
        pos = last + 1
    if first < 0:
        return None
    return index[first], index[last] + 1


# --- language ----------------------------------------------------------------------------------

_WORD = re.compile(r"\w+")
_STOPWORDS: dict[str, frozenset[str]] = {
    "en": frozenset(
        "a an the of in on at to for and or but by with from as is was were be been being are "
        "this that these those it its he she his her they their them we our you your i not no "
        "has have had do does did which who whom whose what when where while also than then "
        "there here into over after before about such can could would will may might should "
        "more most other some any all both each only so very one".split()),
    "es": frozenset(
        "el la los las un una unos unas de del al a en y e o u que por con para es son fue "
        "fueron ser era se su sus lo le les como más pero sin sobre entre este esta estos "
        "estas ese esa también ya no ha han había muy cuando donde".split()),
    "ru": frozenset(
        "и в во не что он она оно они на я с со как а то все так его её ее их но да ты к у же "
        "вы за бы по от из о об до при для это этот эта эти был была были было быть есть уже "
        "или ни также который которая которые которых г года году".split()),
}
# Words that tell Spanish from English (none of them is a word of the other language).
_ES_MARKERS = frozenset("el la los las del que y por con para una es se su al lo como más "
                        "pero sus fue son entre también".split())
_EN_MARKERS = frozenset("the of and to is was for that with on by as from were his her are "
                        "it which this".split())


def detect_language(text: str) -> str | None:
    """"en", "es" or "ru" by script and stopword counts; None when the text says too little."""
    cyrillic = sum(1 for ch in text if "\u0400" <= ch <= "\u04ff")
    latin = sum(1 for ch in text if ch.isascii() and ch.isalpha())
    if cyrillic + latin == 0:
        return None
    if cyrillic > latin:
        return "ru"
    words = [w.lower() for w in _WORD.findall(text)]
    es = sum(1 for w in words if w in _ES_MARKERS)
    en = sum(1 for w in words if w in _EN_MARKERS)
    if max(es, en) < 2:
        return None  # a heading, a name, a date: no way to tell
    return "es" if es > en else "en"


def stopwords(language: str | None) -> frozenset[str]:
    """Function words of a language (English for unknown Latin text)."""
    return _STOPWORDS.get(language or "en", _STOPWORDS["en"])


_STEMMER_NAMES = {"en": "english", "es": "spanish", "ru": "russian"}


@lru_cache(maxsize=8)
def _stemmer(language: str) -> snowballstemmer.Stemmer:
    return snowballstemmer.stemmer(_STEMMER_NAMES.get(language, "english"))


@lru_cache(maxsize=200_000)
def stem(word: str, language: str | None) -> str:
    """The Snowball stem of a lowercased word, folded to ASCII."""
    lang = language or ("ru" if any("\u0400" <= c <= "\u04ff" for c in word) else "en")
    return fold(str(_stemmer(lang).stemWord(word)))


# --- names across scripts ----------------------------------------------------------------------

# Russian, Belarusian and Ukrainian letters, as the press writes them in English (BGN-like).
_CYRILLIC = dict(zip(
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюяіїєўґ",
    "a b v g d e e zh z i y k l m n o p r s t u f kh ts ch sh shch - y - e yu ya i yi ye u g"
    .split(), strict=True))


@lru_cache(maxsize=200_000)
def fold(word: str) -> str:
    """A word lowercased, transliterated from Cyrillic, unaccented: "Чавес" -> "chaves"."""
    out = []
    for ch in word.lower():
        latin = _CYRILLIC.get(ch)
        if latin is not None:
            out.append("" if latin == "-" else latin)
        else:
            out.extend(p for p in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(p))
    return "".join(out)


def same_name(a: str, b: str) -> bool:
    """Two folded names that are one name spelt two ways (Lukashenko / Lukashenka / Лукашенко)."""
    if a == b:
        return True
    if min(len(a), len(b)) < 5:
        return False
    # A shared stem with a different ending: transliteration variants and Russian case endings.
    prefix = len(_common_prefix(a, b))
    if prefix >= min(len(a), len(b)) - 1:
        return True
    if abs(len(a) - len(b)) > 1:  # Austria is not Australia
        return False
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio() >= 0.8


def _common_prefix(a: str, b: str) -> str:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return a[:n]


# --- dates and numbers -------------------------------------------------------------------------

@dataclass(frozen=True)
class Fact:
    """A date, year or number as written in a text, with its value and offsets."""

    kind: str  # "date" (y, m, d), "month" (y, m), "year" (y,), "decade" (y,), "number" (value,)
    value: tuple[float, ...]
    text: str
    start: int
    end: int


_ORD = r"(?:st|nd|rd|th|º|er)?"
_MW = r"[^\W\d_]{3,}\.?"  # a month name; parse_date decides whether it is one
_FACT_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("date", re.compile(r"\b\d{4}-\d{1,2}-\d{1,2}\b")),
    ("date", re.compile(r"\b\d{1,2}\.\d{1,2}\.\d{4}\b")),
    ("date", re.compile(rf"\b(?P<m>{_MW})\s+(?P<d>\d{{1,2}}){_ORD},?\s+(?P<y>\d{{4}})\b")),
    ("date", re.compile(
        rf"\b(?P<d>\d{{1,2}}){_ORD}\s+(?:de\s+)?(?P<m>{_MW}),?\s+(?:de\s+|del\s+)?(?P<y>\d{{4}})\b")),
    ("month", re.compile(rf"\b(?P<m>{_MW}),?\s+(?:de\s+|del\s+)?(?P<y>\d{{4}})\b")),
    # "1990s" is a decade, not a year
    ("year", re.compile(r"(?<![\d.,])(?:1[5-9]\d\d|20\d\d)(?![\d.,]\d|[^\W\d_])")),
    ("decade", re.compile(r"(?<![\w.,])(?:\d0|1[5-9]\d0|20\d0)s\b")),  # "1970s", "70s"
    # a number ends before a decade's "s" and is not the head of a longer figure ("1,000s")
    ("number", re.compile(r"(?<![\w.,])\d{1,3}(?:[,.\u00a0\u202f ]\d{3})+(?![\d]|s\b)"
                          r"|(?<![\w.,])\d+(?:[.,]\d+)?(?![\d]|s\b|[,.]\d)")),
]
_SCALE = {"thousand": 1e3, "million": 1e6, "millions": 1e6, "billion": 1e9, "mil": 1e3,
          "millón": 1e6, "millones": 1e6, "тыс": 1e3, "тысяч": 1e3, "тысячи": 1e3,
          "млн": 1e6, "миллион": 1e6, "миллиона": 1e6, "миллионов": 1e6, "млрд": 1e9}
_SCALE_AFTER = re.compile(r"\s*([^\W\d_]+)")
_NUMBER_WORDS = dict(zip(
    "two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty "
    "ninety hundred".split(),
    [*range(2, 21), 30, 40, 50, 60, 70, 80, 90, 100], strict=True))
_NUMBER_WORD = re.compile(r"\b(" + "|".join(_NUMBER_WORDS) + r")\b", re.IGNORECASE)


@lru_cache(maxsize=65_536)
def month_of(word: str) -> int | None:
    """The month a word names ("Sept", "febrero", "февраля"), or None."""
    parsed = parse_date(f"1 {word} 2000")
    return parsed.month if parsed else None


def _date_value(kind: str, match: re.Match[str]) -> tuple[float, ...] | None:
    text = match.group(0)
    if kind == "date":
        if "m" in match.groupdict():  # month names: parse_date wants no ordinals or commas
            text = f"{match['d']} {match['m']} {match['y']}"
        parsed = parse_date(text)
        return (parsed.year, parsed.month, parsed.day) if parsed else None
    parsed = parse_date(f"1 {match['m']} {match['y']}")  # reuse its month table
    return (parsed.year, parsed.month) if parsed else None


def _number_value(text: str) -> float | None:
    digits = re.sub(r"[\u00a0\u202f ]", "", text)
    if re.fullmatch(r"\d{1,3}(?:[,.]\d{3})+", digits):  # 3,000 / 3.000: thousands
        return float(re.sub(r"[,.]", "", digits))
    try:
        return float(digits.replace(",", "."))  # 1,5 is Spanish and Russian for 1.5
    except ValueError:
        return None


def find_facts(text: str) -> list[Fact]:
    """Every date, month, year and number in `text`; the longest reading of each span wins."""
    facts: list[Fact] = []
    taken: list[tuple[int, int]] = []

    def free(start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e in taken)

    for kind, pattern in _FACT_PATTERNS:
        for match in pattern.finditer(text):
            start, end = match.span()
            if not free(start, end):
                continue
            value: tuple[float, ...] | None
            if kind in ("date", "month"):
                value = _date_value(kind, match)
            elif kind in ("year", "decade"):
                value = (float(match.group(0).rstrip("s")),)
            else:
                number = _number_value(match.group(0))
                value = None if number is None else (number,)
                scale = _SCALE_AFTER.match(text, end)
                if value and scale and scale.group(1).lower() in _SCALE:
                    value = (value[0] * _SCALE[scale.group(1).lower()],)
                    end = scale.end()
            if value is None:
                continue
            taken.append((start, end))
            facts.append(Fact(kind, value, text[start:end], start, end))
    for match in _NUMBER_WORD.finditer(text):
        if free(*match.span()):
            facts.append(Fact("number", (float(_NUMBER_WORDS[match.group(1).lower()]),),
                              match.group(0), match.start(), match.end()))
    return sorted(facts, key=lambda f: f.start)


def _rounds_to(claim: float, source: float) -> bool:
    """The claim's figure is the source's, rounded ("1.5 million" for 1,523,000)."""
    if claim == source:
        return True
    if claim == 0 or source == 0:
        return False
    digits = len(f"{claim:.10g}".replace(".", "").replace("-", "").strip("0"))
    magnitude = 10.0 ** (len(str(int(abs(source)))) - max(digits, 1))
    return magnitude >= 1 and float(round(source / magnitude) * magnitude) == claim


def fact_matches(claim: Fact, source: Fact) -> bool:
    """The source fact states the claim's fact (perhaps more precisely)."""
    c, s = claim.value, source.value
    if claim.kind in ("date", "month"):
        return source.kind in ("date", "month") and len(s) >= len(c) and s[:len(c)] == c
    if claim.kind == "year":
        return s[0] == c[0] if source.kind in ("date", "month", "year") else s == c
    if claim.kind == "decade":  # "the 1970s" is "the 70s"
        return source.kind == "decade" and c[0] % 100 == s[0] % 100
    return source.kind in ("number", "year") and _rounds_to(c[0], s[0])


def fact_differs(claim: Fact, source: Fact) -> bool:
    """The source fact is of the claim fact's kind and states another value."""
    if claim.kind == "date" and source.kind == "date":
        return claim.value != source.value
    if claim.kind in ("year", "month") and source.kind in ("date", "month", "year"):
        return source.value[:len(claim.value)] != claim.value
    return claim.kind == source.kind == "number" and not fact_matches(claim, source)
