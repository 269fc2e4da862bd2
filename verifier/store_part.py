"""The base of the store's parts (archives, texts): what each part uses of Store itself."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

IN_CHUNK = 500  # values per `IN (...)`, well under SQLite's limit on a statement's variables


class StorePart:
    """Mixed into Store, which provides `write`, `_rows`, `_sql_errors` and `_db`."""

    def _rows_in(self, sql: str, values: Sequence[object], before: Sequence[object] = (),
                 after: Sequence[object] = ()) -> Iterator[Any]:
        """The rows of `sql` for every value: `{marks}` in it stands for the placeholders of
        one chunk of `values`, between the parameters `before` and `after`."""
        for start in range(0, len(values), IN_CHUNK):
            chunk = list(values[start:start + IN_CHUNK])
            yield from self._rows(sql.format(marks=", ".join("?" * len(chunk))),
                                  [*before, *chunk, *after])

    if TYPE_CHECKING:
        from sqlite_utils import Database

        _db: Database

        def write(self) -> contextlib.AbstractContextManager[None]: ...

        def _rows(self, sql: str, params: Sequence[object] = ()) -> list[Any]: ...

        def _sql_errors(self, doing: str) -> contextlib.AbstractContextManager[None]: ...
