"""Run a suite of claims with progress on stderr and a report rewritten after each claim."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import TextIO

from verify._claim import Claim
from verify._registry import SUITES, ClaimSpec, Context
from verify._report import build_report, write_report


def _clock(seconds: float) -> str:
    minutes, secs = divmod(int(round(seconds)), 60)
    return f"{minutes:d}:{secs:02d}"


def run_claims(
    specs: list[ClaimSpec],
    *,
    suite: str,
    seed: int,
    out: Path | None = None,
    progress: TextIO | None = sys.stderr,
) -> list[Claim]:
    """Run ``specs`` in order; after each, rewrite the report under ``out`` (if given).

    Progress lines show the claim, its verdict, elapsed time and an estimate of the time
    left from the mean time per claim so far.
    """
    if suite not in SUITES:
        raise ValueError(f"suite: must be one of {SUITES}, got {suite!r}")
    done: list[Claim] = []
    start = time.perf_counter()
    for i, spec in enumerate(specs, 1):
        if progress:
            print(f"[{i}/{len(specs)}] {spec.id} ...", end="", flush=True, file=progress)
        t0 = time.perf_counter()
        ctx = Context(suite=suite, seed=seed, claim_id=spec.id)
        result = spec.run(ctx)
        result.seconds = time.perf_counter() - t0
        result.seed = ctx.claim_seed
        done.append(result)
        elapsed = time.perf_counter() - start
        if progress:
            left = elapsed / i * (len(specs) - i)
            print(
                f" {result.verdict} ({result.seconds:.1f} s) | elapsed {_clock(elapsed)}, "
                f"left ~{_clock(left)}",
                file=progress,
                flush=True,
            )
        if out is not None:
            report = build_report(
                done, suite=suite, seed=seed, seconds=elapsed, complete=i == len(specs)
            )
            write_report(out, report)
    return done
