"""CSV for spreadsheets: one row per claim-source pair, every `Row` field, nothing summarised.

RFC 4180 quoting and CRLF line ends (write the text with `newline=""`). No cell can run as a
formula: text starting with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`,
as OWASP advises; numbers stay numbers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import fields
from operator import attrgetter

from verifier.report.escape import csv_cell
from verifier.report.model import Report, Row

NAME = "csv"
EXTENSION = "csv"

COLUMNS = tuple(f.name for f in fields(Row))
_VALUES = attrgetter(*COLUMNS)
_BATCH = 1000


def render(report: Report) -> str:
    """The header (the `Row` field names), then each row in report order."""
    return "".join(pieces(report))


def pieces(report: Report) -> Iterator[str]:
    """The text of `render`, a thousand rows at a time."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")  # QUOTE_MINIMAL is RFC 4180's quoting
    writer.writerow(COLUMNS)
    for start in range(0, len(report.rows), _BATCH):
        writer.writerows([csv_cell(v) for v in _VALUES(row)]
                         for row in report.rows[start:start + _BATCH])
        yield out.getvalue()
        out.seek(0)
        out.truncate()
    yield out.getvalue()  # the header alone, when there are no rows
