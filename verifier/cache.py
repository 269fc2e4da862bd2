"""The disposable cache of fetched bodies (`cache/`): what text extraction and assessment read.

Policy: only successful answers (2xx with a body) are kept, with their headers and fetch time;
failures are never cached, so a failing link is always fetched again. Deleting the folder
loses nothing but time. Entries are written atomically, so a killed run leaves no torn entry.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class CachedBody:
    url: str
    final_url: str
    status: int
    headers: Mapping[str, str]
    fetched_at: dt.datetime
    body: bytes


def _write_atomic(path: Path, data: bytes) -> None:
    # One writer per cache (the run lock), so a fixed temporary name per process is enough.
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        temporary.write_bytes(data)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


class BodyCache:
    """Bodies keyed by the URL that was asked for."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _paths(self, url: str) -> tuple[Path, Path]:
        key = hashlib.sha256(url.encode("utf-8")).hexdigest()
        folder = self.root / "bodies" / key[:2]
        return folder / f"{key}.json", folder / f"{key}.body"

    def put(self, entry: CachedBody) -> bool:
        """Keep a successful answer; anything else is refused (returns False)."""
        if not 200 <= entry.status < 300 or not entry.body:
            return False
        meta_path, body_path = self._paths(entry.url)
        meta_path.parent.mkdir(parents=True, exist_ok=True)
        meta = {
            "url": entry.url, "final_url": entry.final_url, "status": entry.status,
            "headers": dict(entry.headers), "fetched_at": entry.fetched_at.isoformat(),
            "sha256": hashlib.sha256(entry.body).hexdigest(),
        }
        # The body first: a meta file always points at a complete body.
        _write_atomic(body_path, entry.body)
        _write_atomic(meta_path, json.dumps(meta, ensure_ascii=False).encode("utf-8"))
        return True

    def get(self, url: str) -> CachedBody | None:
        """The cached answer for `url`, or None (missing, or damaged: treated as missing)."""
        meta_path, body_path = self._paths(url)
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            body = body_path.read_bytes()
        except (OSError, ValueError):
            return None
        if hashlib.sha256(body).hexdigest() != meta.get("sha256"):
            return None
        return CachedBody(
            url=meta["url"], final_url=meta["final_url"], status=meta["status"],
            headers=meta["headers"], fetched_at=dt.datetime.fromisoformat(meta["fetched_at"]),
            body=body,
        )
