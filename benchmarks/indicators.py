"""Peak memory and time of ``python -m verify indicators`` as the number of classes grows.

Run: python benchmarks/indicators.py [--rows N] [--classes 10,100,1000]

For each c, Dirichlet(0.05) soft labels of N rows (default 10^4) and uniform true labels
are saved as ``.npy``; the command runs in a fresh process for ``--all-k`` and ``--k 3``,
and its peak resident memory (``wait4``) and wall time are read. The baseline is
``python -m verify list`` in the same sitting: the interpreter with JAX imported, which
every command pays. ``over baseline`` is the peak minus that baseline, in units of the
input file's size: memory linear in the input keeps it a small constant as c grows.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np


def _measure(args: list[str]) -> tuple[float, float]:
    """Wall seconds and peak resident MiB of ``python -m verify ARGS`` in a fresh process."""
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "verify", *args], stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"python -m verify {' '.join(args)}: exit {proc.returncode}")
    return seconds, usage.ru_maxrss / 1024  # ru_maxrss is in KiB on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--classes", default="10,100,1000")
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    base_s, base_mib = _measure(["list"])
    print(
        f"{platform.machine()}, {os.cpu_count()} cores, numpy {np.__version__}; baseline "
        f"(`python -m verify list`): {base_mib:.0f} MiB, {base_s:.1f} s\n"
    )
    print("| c | rows | input | k | peak | over baseline | time |")
    print("|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for c in (int(v) for v in args.classes.split(",")):
            soft, labels = Path(tmp, "d.npy"), Path(tmp, "y.npy")
            np.save(soft, rng.dirichlet(np.full(c, 0.05), size=args.rows))
            np.save(labels, rng.integers(0, c, args.rows))
            size = soft.stat().st_size / 2**20
            for which in (["--all-k"], ["--k", "3"]):
                seconds, peak = _measure(
                    ["indicators", "--soft-labels", str(soft), "--labels", str(labels), *which]
                )
                print(
                    f"| {c} | {args.rows} | {size:.1f} MiB | {' '.join(which)} | "
                    f"{peak:.0f} MiB | {(peak - base_mib) / size:.1f}x input | {seconds:.1f} s |"
                )


if __name__ == "__main__":
    main()
