"""JSON: the whole report as data, for scripts; its shape is `report.schema.json`.

Strings are written as they were stored; control and bidi characters as `\\uXXXX` escapes.
"""

from __future__ import annotations

import json
from dataclasses import asdict, fields
from collections.abc import Iterator
from typing import Any

from verifier.printable import json_text
from verifier.report.model import Report, Row

_ROW_FIELDS = tuple(f.name for f in fields(Row))  # flat: a row is written as it is

NAME = "json"
EXTENSION = "json"
# 3: check statuses refused_address and internal_error, run status deadline (values added to
# closed enums, which a consumer validating against version 2 would refuse).
SCHEMA_VERSION = 3


def data(report: Report) -> dict[str, Any]:
    """The report as JSON-ready data. A worklist item names its row by its index in `rows`."""
    out = _without_rows(report)
    out["rows"] = [_row(row) for row in report.rows]
    return out


def _without_rows(report: Report) -> dict[str, Any]:
    """The report's data, `rows` (in its place) left None."""
    index = {id(row): i for i, row in enumerate(report.rows)}
    return {
        "format": "verifier-report",
        "version": SCHEMA_VERSION,
        "run": {
            "id": report.run_id, "status": report.run_status, "started_at": report.started_at,
            "finished_at": report.finished_at, "claims_path": report.claims_path,
            "previous_run_id": report.previous_run_id, "documents": list(report.documents),
        },
        "fail_on": [f.value for f in report.fail_on],
        "failed": bool(report.failures()),
        "worklist": [{
            "kind": f.kind.value, "detail": f.detail, "action": f.action,
            "acknowledged": f.acknowledged, "fails": report.fails(f), "row": index[id(f.row)],
        } for f in report.findings],
        "changes": [{
            "kind": c.kind.value, "url": c.url, "claim_id": c.claim_id, "before": c.before,
            "after": c.after,
        } for c in report.changes],
        "rows": None,
        "summary": {
            "by_status": report.by_status, "by_state": report.by_state,
            "by_verdict": report.by_verdict,
            "by_domain": [asdict(d) for d in report.by_domain],
            "history": [asdict(p) for p in report.history],
        },
    }


def _row(row: Row) -> dict[str, Any]:
    return {name: getattr(row, name) for name in _ROW_FIELDS}


def render(report: Report) -> str:
    return "".join(pieces(report))


def pieces(report: Report) -> Iterator[str]:
    """The text of `render`, a row at a time: 100,000 rows are never held as text at once."""
    # One item a line would be easier to read, but 100,000 rows are read by programs.
    encoder = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))

    def encode(value: object) -> str:
        return json_text(encoder.encode(value))  # no raw DEL, C1 or bidi in the text

    yield "{"
    for n, (key, value) in enumerate(_without_rows(report).items()):
        yield ("," if n else "") + encode(key) + ":"
        if key == "rows":
            yield "["
            for i, row in enumerate(report.rows):
                yield ("," if i else "") + encode(_row(row))
            yield "]"
        else:
            yield encode(value)
    yield "}\n"
