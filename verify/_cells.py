"""Finished cells kept one file each, so a stopped sweep resumes and a rerun skips them.

A cell's **key** holds everything that determines its value: the cell id, its seed scope,
the run's seed, its sizes, the fingerprint of the code that computes it and the library
versions (:mod:`verify._fingerprint`). A cell read back is therefore the cell that would be
recomputed; a file whose key differs is never used. A file that cannot be read or whose
record does not fit the cell's type, or whose record does not match the checksum kept
beside it (an edited or damaged value that still fits), is recomputed, with one warning
naming the file. Files are written atomically: a kill leaves each cell either complete or
absent.
"""

from __future__ import annotations

import hashlib
import json
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from verify._atomic import write_atomic
from verify._fingerprint import code_fingerprint, library_versions
from verify._schema import SchemaError, from_json, to_json
from verify._spec import CellContext, CellSpec

#: The layout of a cell file; part of the key, so files of another layout are never read.
FORMAT = 2


def cell_key(cell: CellSpec[Any], sizes: Mapping[str, Any], run_seed: int) -> dict[str, Any]:
    """Everything that determines ``cell``'s value, as a JSON-ready dictionary."""
    return {
        "format": FORMAT,
        "cell": cell.id,
        "scope": cell.scope,
        "seed": int(run_seed),
        "sizes": to_json(dict(sizes)),
        "code": code_fingerprint(cell.module),
        "versions": library_versions(),
    }


def key_hash(key: Mapping[str, Any]) -> str:
    """A short stable hash of a cell key."""
    return hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()[:20]


def _checksum(record: Any) -> str:
    return hashlib.sha256(json.dumps(record, sort_keys=True).encode()).hexdigest()


@dataclass(frozen=True)
class CellOutcome:
    """A cell's value and where it came from.

    Attributes:
      record: the value (an instance of the cell's record type).
      hash: the hash of its key (the file name).
      computed: computed by this run (``False``: read back).
      seconds: how long computing it took (when it was computed, by this run or an
        earlier one).
    """

    record: Any
    hash: str
    computed: bool
    seconds: float


def _warn(message: str) -> None:
    print(f"warning: {message}", file=sys.stderr, flush=True)


class CellStore:
    """Cells under ``root/<cell id>/<key hash>.json``; ``root=None`` keeps nothing."""

    def __init__(self, root: Path | None, *, warn: Callable[[str], None] = _warn):
        self.root = None if root is None else Path(root)
        self.warn = warn

    def path(self, cell_id: str, digest: str) -> Path:
        """Where the cell with key hash ``digest`` is kept."""
        assert self.root is not None
        return self.root / cell_id.replace("/", "__") / f"{digest}.json"

    def _load(self, cell: CellSpec[Any], key: dict[str, Any], path: Path) -> CellOutcome | None:
        if not path.is_file():
            return None
        try:
            stored = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(stored, dict) or stored.get("key") != key:
                raise SchemaError("its key is not the key of this cell")
            if stored.get("sha256") != _checksum(stored.get("record")):
                raise SchemaError("its record does not match its checksum: edited or damaged")
            record = from_json(cell.record, stored.get("record"), "record")
            seconds = float(stored.get("seconds", 0.0))
        except (OSError, UnicodeDecodeError, ValueError, TypeError) as exc:
            # SchemaError and json's decode errors are ValueErrors
            self.warn(f"{path}: cannot use this cell ({exc}); recomputing it")
            return None
        return CellOutcome(record, path.stem, False, seconds)

    def obtain(
        self,
        cell: CellSpec[Any],
        sizes: Mapping[str, Any],
        run_seed: int,
        *,
        key: dict[str, Any] | None = None,
    ) -> CellOutcome:
        """The cell's value: read back when a valid file holds it, else computed (and kept).

        ``key``: the cell's key when the caller made it already (a run makes every key at
        its start, so a source file edited while it runs cannot label a cell computed by
        the code that was loaded)."""
        key = cell_key(cell, sizes, run_seed) if key is None else key
        digest = key_hash(key)
        if self.root is not None:
            found = self._load(cell, key, self.path(cell.id, digest))
            if found is not None:
                return found
        start = time.perf_counter()
        record = cell.compute(CellContext(cell.id, cell.scope, dict(sizes), int(run_seed)))
        seconds = time.perf_counter() - start
        if not isinstance(record, cell.record):
            raise TypeError(
                f"cell {cell.id!r}: computed {type(record).__name__}, "
                f"expected {cell.record.__name__}"
            )
        data = to_json(record)
        # What is kept is exactly what a later run reads back: the value passes through the
        # schema now, so a record that would not validate fails here, not on resuming.
        record = from_json(cell.record, data, "record")
        if self.root is not None:
            kept = {"key": key, "seconds": seconds, "record": data, "sha256": _checksum(data)}
            text = json.dumps(kept)
            write_atomic(self.path(cell.id, digest), text)
        return CellOutcome(record, digest, True, seconds)
