"""The base of the store's parts (archives, texts): what each part uses of Store itself."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any


class StorePart:
    """Mixed into Store, which provides `write`, `_rows`, `_sql_errors` and `_db`."""

    if TYPE_CHECKING:
        from sqlite_utils import Database

        _db: Database

        def write(self) -> contextlib.AbstractContextManager[None]: ...

        def _rows(self, sql: str, params: Sequence[object] = ()) -> list[Any]: ...

        def _sql_errors(self, doing: str) -> contextlib.AbstractContextManager[None]: ...
