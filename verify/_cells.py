"""Finished pieces of work ("cells") saved one file each, so a stopped sweep resumes.

A cell is a deterministic function of the run's settings and its key (its randomness comes
from seeds derived from both), so a cell read back is the cell that would be recomputed.
Files are written atomically: a kill leaves each cell either complete or absent.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from verify._report import jsonable, write_atomic


def settings_key(**settings: Any) -> str:
    """A short stable hash of the settings that determine every cell of a run."""
    text = json.dumps(settings, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


class CellStore:
    """Cells of one run under ``root / <settings hash>``."""

    def __init__(self, root: Path, **settings: Any):
        self.root = Path(root) / settings_key(**settings)
        self.settings = settings
        self.hits = 0
        self.computed = 0

    def _path(self, claim_id: str, key: str) -> Path:
        safe = claim_id.replace("/", "__")
        digest = hashlib.sha256(key.encode()).hexdigest()[:20]
        return self.root / safe / f"{digest}.json"

    def get_or_compute(self, claim_id: str, key: str, compute: Callable[[], Any]) -> Any:
        """The saved value of cell ``key`` of ``claim_id``, computing and saving it if absent."""
        path = self._path(claim_id, key)
        if path.is_file():
            try:
                stored = json.loads(path.read_text())
                if stored.get("key") == key:
                    self.hits += 1
                    return stored["value"]
            except (OSError, ValueError):
                pass  # an unreadable cell is recomputed
        value = jsonable(compute())
        write_atomic(path, json.dumps({"key": key, "value": value}))
        self.computed += 1
        return value
