"""CSV for spreadsheets: one row per claim-source pair, every `Row` field, nothing summarised.

RFC 4180 quoting and CRLF line ends (write the text with `newline=""`). No cell can run as a
formula: text starting with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`,
as OWASP advises; numbers stay numbers.
"""

from __future__ import annotations

import csv
import io
from dataclasses import fields
from operator import attrgetter

from verifier.report.escape import csv_cell
from verifier.report.model import Report, Row

NAME = "csv"
EXTENSION = "csv"

COLUMNS = tuple(f.name for f in fields(Row))
_VALUES = attrgetter(*COLUMNS)


def render(report: Report) -> str:
    """The header (the `Row` field names), then each row in report order."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")  # QUOTE_MINIMAL is RFC 4180's quoting
    writer.writerow(COLUMNS)
    writer.writerows([csv_cell(v) for v in _VALUES(row)] for row in report.rows)
    return out.getvalue()
