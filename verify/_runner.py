"""Run a suite of claims with a progress bar and a report rewritten after each claim.

With an output directory, finished cells of work are kept under ``OUT/cells`` (keyed by the
run's settings), so running again with the same settings skips them: a stopped run loses at
most the cells in flight.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any, TextIO

from verify._cells import CellStore
from verify._claim import Claim
from verify._progress import ProgressBar
from verify._registry import SUITES, ClaimSpec, Context
from verify._report import build_report, versions, write_report


class _TickingStore(CellStore):
    """A cell store that advances the progress bar after every cell."""

    def __init__(self, root: Path, bar: ProgressBar, **settings: object):
        super().__init__(root, **settings)
        self.bar = bar

    def get_or_compute(self, claim_id: str, key: str, compute: Callable[[], Any]) -> Any:
        value = super().get_or_compute(claim_id, key, compute)
        self.bar.cell_done()
        return value


def _run_as_dict(spec: ClaimSpec, ctx: Context) -> dict[str, Any]:
    return spec.run(ctx).as_dict()


def run_claims(
    specs: list[ClaimSpec],
    *,
    suite: str,
    seed: int,
    seeds: int | None = None,
    out: Path | None = None,
    progress: TextIO | None = sys.stderr,
) -> list[Claim]:
    """Run ``specs`` in order; after each, rewrite the report under ``out`` (if given).

    Args:
      specs: the claims.
      suite: ``quick``, ``paper`` or ``full``.
      seed: base seed.
      seeds: seeds per learner claim (``None``: the suite's default).
      out: directory for ``report.json``, ``report.md`` and the kept cells.
      progress: stream for the progress bar (``None``: silent).
    """
    if suite not in SUITES:
        raise ValueError(f"suite: must be one of {SUITES}, got {suite!r}")
    if seeds is not None and seeds < 1:
        raise ValueError(f"seeds: must be at least 1, got {seeds}")
    bar = ProgressBar(len(specs), progress)
    store = None
    if out is not None:
        store = _TickingStore(
            out / "cells",
            bar,
            suite=suite,
            seed=seed,
            seeds=seeds,
            version=versions()["biased-soft-labels"],
        )
    done: list[Claim] = []
    start = time.perf_counter()
    for i, spec in enumerate(specs, 1):
        bar.start_claim(spec.id)
        t0 = time.perf_counter()
        ctx = Context(suite=suite, seed=seed, claim_id=spec.id, seeds=seeds, store=store)
        # A finished claim is itself a cell: a resumed run reads it back instead of
        # recomputing; long claims also keep their inner cells (their training grids).
        result = Claim(**ctx.cell("claim", partial(_run_as_dict, spec, ctx)))
        result.seconds = time.perf_counter() - t0
        result.seed = ctx.claim_seed
        done.append(result)
        bar.finish_claim(result.verdict)
        if out is not None:
            report = build_report(
                done,
                suite=suite,
                seed=seed,
                seconds=time.perf_counter() - start,
                complete=i == len(specs),
                seeds=seeds,
            )
            write_report(out, report)
    return done
