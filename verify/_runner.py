"""Run claims: obtain their cells (read back or computed), measure, judge, report.

With an output directory, finished cells are kept under ``OUT/cells`` (keyed by everything
that determines them, :mod:`verify._cells`), so running again skips them: a stopped run
loses at most the cell in flight. A cell several claims need is obtained once per run.
The directory is checked writable before any work, and a report already there is added to,
never made worse (:mod:`verify._outputs`).
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TextIO

from verify._catalog import all_claims
from verify._cells import CellOutcome, CellStore, cell_key, key_hash
from verify._outputs import ReportWriter, check_writable
from verify._progress import ProgressBar
from verify._report import build_report, versions, write_report
from verify._spec import SUITES, ClaimSpec
from verify._suites import sizes_for
from verify._typical import SECONDS as TYPICAL
from verify.schema import CellRef, ClaimResult


def run_claims(
    specs: list[ClaimSpec[Any, Any]],
    *,
    suite: str,
    seed: int,
    seeds: int | None = None,
    out: Path | None = None,
    progress: TextIO | None = sys.stderr,
    replace: bool = False,
) -> list[ClaimResult]:
    """Run ``specs`` in order; after each, rewrite the report under ``out`` (if given).

    Args:
      specs: the claims (``verify.select``).
      suite: ``quick``, ``paper`` or ``full``: the sizes the suite table gives.
      seed: base seed; every cell's randomness derives from it and the cell's seed scope.
      seeds: students per setting for learner cells (``None``: the suite's).
      out: directory for ``report.json``, ``report.md`` and the kept cells (``None``: keep
        nothing, write nothing).
      progress: stream for the progress bar (``None``: silent).
      replace: start a new report under ``out`` instead of adding to the one there.

    Returns:
      one :class:`~verify.schema.ClaimResult` per spec (this run's; the report under
      ``out`` also holds the claims kept from before).

    Raises:
      verify._outputs.OutputRefused: ``out`` cannot be written (checked before any work)
        or holds a report this run cannot add to.
      OSError: a write failed during the run (a full disk).
    """
    if suite not in SUITES:
        raise ValueError(f"suite: must be one of {SUITES}, got {suite!r}")
    if seeds is not None and seeds < 1:
        raise ValueError(f"seeds: must be at least 1, got {seeds}")
    catalog = {s.id: s for s in specs}
    if out is not None:  # kept claims are current only if their cells hash as keyed now
        catalog = {s.id: s for s in all_claims()} | catalog
    cells = {cell.id: cell for spec in catalog.values() for cell in spec.needs}
    sizes = {c.sizes: sizes_for(c.sizes, suite, seeds=seeds) for c in cells.values()}
    # Every key now, while the source on disk is the source that was imported.
    keys = {i: cell_key(c, sizes[c.sizes], seed) for i, c in cells.items()}
    hashes = {i: key_hash(k) for i, k in keys.items()}
    start = time.perf_counter()
    writer = None
    if out is not None:
        check_writable(Path(out))
        writer = ReportWriter(
            Path(out),
            settings={"suite": suite, "seed": seed, "seeds": seeds, "versions": versions()},
            hashes=hashes,
            order=list(catalog),
            running={s.id for s in specs},
            replace=replace,
            write=lambda claims, complete: write_report(
                Path(out),
                build_report(
                    claims,
                    suite=suite,
                    seed=seed,
                    seconds=time.perf_counter() - start,
                    complete=complete,
                    seeds=seeds,
                ),
            ),
        )
        writer.check()
    store = CellStore(None if out is None else Path(out) / "cells")
    expected = _expected_seconds(specs, store, hashes, _previous_seconds(out, suite), suite)
    with ProgressBar(len(specs), progress, expected=expected) as bar:
        return _run(specs, sizes, keys, seed, store, bar, writer)


def _run(
    specs: list[ClaimSpec[Any, Any]],
    sizes: Mapping[str, dict[str, Any]],
    keys: Mapping[str, dict[str, Any]],
    seed: int,
    store: CellStore,
    bar: ProgressBar,
    writer: ReportWriter | None,
) -> list[ClaimResult]:
    obtained: dict[str, CellOutcome] = {}
    done: list[ClaimResult] = []
    for spec in specs:
        bar.start_claim(spec.id, len(spec.needs))
        t0 = time.perf_counter()
        for cell in spec.needs:
            if cell.id not in obtained:
                obtained[cell.id] = store.obtain(cell, sizes[cell.sizes], seed, key=keys[cell.id])
            bar.cell_done()
        outcomes = [obtained[cell.id] for cell in spec.needs]
        measurement, judgement, summary = spec.evaluate([o.record for o in outcomes])
        result = ClaimResult(
            id=spec.id,
            status=spec.status,
            title=spec.title,
            section=spec.section,
            statement=spec.statement,
            predicts=spec.predicts,
            setting=dict(spec.setting),
            sizes={cell.sizes: sizes[cell.sizes] for cell in spec.needs},
            measurement=measurement,
            verdict=judgement.verdict,
            reason=judgement.reason,
            summary=summary,
            table=spec.table(measurement) if spec.table else None,
            cells=[
                CellRef(cell.id, cell.scope, o.hash, o.computed, round(o.seconds, 3))
                for cell, o in zip(spec.needs, outcomes, strict=True)
            ],
            seconds=time.perf_counter() - t0,
        )
        done.append(result)
        bar.finish_claim(result.verdict, result.timing())
        if writer is not None:
            writer.write(done)
    return done


def _previous_seconds(out: Path | None, suite: str) -> dict[str, float]:
    """What computing each cell took in the report already under ``out`` (same suite)."""
    if out is None:
        return {}
    try:
        report = json.loads((Path(out) / "report.json").read_text(encoding="utf-8"))
        if report.get("suite") != suite:
            return {}
        return {
            str(c["id"]): float(c["seconds"]) for claim in report["claims"] for c in claim["cells"]
        }
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return {}  # no report, or one this run will refuse or replace: no history


def _expected_seconds(
    specs: list[ClaimSpec[Any, Any]],
    store: CellStore,
    hashes: Mapping[str, str],
    previous: Mapping[str, float],
    suite: str,
) -> list[float | None]:
    """Seconds each claim should take: nothing for cells kept or obtained by an earlier
    claim of the run, else the cell's time in the previous report, else on the reference
    machine (``None`` when neither is known)."""
    typical = TYPICAL.get(suite, {})
    seen: set[str] = set()
    found: list[float | None] = []
    for spec in specs:
        total: float | None = 0.0
        for cell in spec.needs:
            if cell.id in seen:
                continue
            seen.add(cell.id)
            if store.root is not None and store.path(cell.id, hashes[cell.id]).is_file():
                continue
            guess = previous.get(cell.id, typical.get(cell.id))
            total = None if guess is None or total is None else total + guess
        found.append(total)
    return found
