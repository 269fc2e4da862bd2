"""Text from claims files, servers and pages made safe to show: no control or bidi character raw.

One convention for every view, the terminal and each report format: a C0 control other than
tab and newline, DEL, a C1 control, or a bidirectional embedding, override or isolate
(U+202A-U+202E, U+2066-U+2069) is shown as `<U+XXXX>`, its code point. A reader sees that it
was there and what it was, and nothing acts on it: an ANSI escape cannot repaint the terminal
or hide a line, an override cannot make a URL read backwards. Data for programs keeps the
characters: JSON writes them as `\\uXXXX` escapes, a link's address percent-encodes them.
Pure functions; what the database stores is never changed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import quote

# The characters hidden, as the body of a regular expression character class that Python and
# JavaScript read alike (the HTML report's script shows its data with the same class).
HIDDEN = r"\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069"
_HIDDEN = re.compile(f"[{HIDDEN}]")
CODES = tuple(c for c in range(0x206A) if _HIDDEN.match(chr(c)))
# The ones json.dumps writes raw: it escapes C0 itself.
_JSON_RAW = re.compile(r"[\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def shown(char: str) -> str:
    """The visible form of one hidden character: `<U+001B>`."""
    return f"<U+{ord(char):04X}>"


def printable(text: str) -> str:
    """`text` with every hidden character in its visible form; tab and newline stay."""
    if text.isprintable():  # nearly always, and far quicker than the search
        return text
    return _HIDDEN.sub(lambda m: shown(m[0]), text)


def table(escape: Callable[[str], str] = str) -> dict[int, str]:
    """For a `str.translate` pass that escapes a format's own characters too: each hidden
    character to its visible form, as `escape` writes that form in the format."""
    return {c: escape(shown(chr(c))) for c in CODES}


def json_text(encoded: str) -> str:
    """JSON text (from json.dumps) with the hidden characters it leaves raw as `\\uXXXX`:
    the same data, and nothing a terminal or a viewer would act on."""
    if encoded.isascii() and "\x7f" not in encoded:  # nearly always: no walk at all
        return encoded
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m[0]):04x}", encoded)


def url(address: str) -> str:
    """A URL with its hidden characters percent-encoded (UTF-8), as a browser sends them."""
    return _HIDDEN.sub(lambda m: quote(m[0], safe=""), address)
