"""Top-k membership throughput: this project's rank count and partition against np.argsort.

Run: python benchmarks/topk_membership.py [--rows-c10 N] [--rows-c100 N] [--repeats R]

For each c, the same soft labels (Dirichlet(1)) go through, interleaved R times:
- ``argsort label``: plain np.argsort(-d), then whether y is among the first k (baseline;
  Dirichlet soft labels have no ties, so the sort's tie order does not matter here);
- ``argsort mask``: the same sort, then the boolean top-k mask (baseline);
- ``rank count``: ``theory.TopK(k).contains(d, y)`` (validation included);
- ``partition mask``: ``theory.TopK(k)(d)`` (validation included).
Reports the median soft labels per second and each method's ratio to its argsort baseline.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time

import numpy as np

import theory


def _argsort_label(d: np.ndarray, y: np.ndarray, k: int) -> np.ndarray:
    order = np.argsort(-d, axis=1)  # numpy's default sort: ties need no care without them
    return np.any(order[:, :k] == y[:, None], axis=1)


def _argsort_mask(d: np.ndarray, y: np.ndarray, k: int) -> np.ndarray:
    order = np.argsort(-d, axis=1)
    mask = np.zeros(d.shape, dtype=bool)
    np.put_along_axis(mask, order[:, :k], True, axis=1)
    return mask


METHODS = {
    "argsort label": _argsort_label,
    "argsort mask": _argsort_mask,
    "rank count": lambda d, y, k: theory.TopK(k).contains(d, y),
    "partition mask": lambda d, y, k: theory.TopK(k)(d),
}
BASELINE = {"rank count": "argsort label", "partition mask": "argsort mask"}


def bench(c: int, rows: int, repeats: int, rng: np.random.Generator) -> dict[str, float]:
    d = rng.dirichlet(np.ones(c), size=rows)
    y = rng.integers(0, c, rows)
    k = c // 2
    assert np.array_equal(METHODS["rank count"](d, y, k), _argsort_label(d, y, k))
    assert np.array_equal(METHODS["partition mask"](d, y, k), _argsort_mask(d, y, k))
    times: dict[str, list[float]] = {name: [] for name in METHODS}
    for _ in range(repeats):  # interleaved, so drifts of the machine hit every method alike
        for name, fn in METHODS.items():
            start = time.perf_counter()
            fn(d, y, k)
            times[name].append(time.perf_counter() - start)
    return {name: rows / statistics.median(t) for name, t in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows-c10", type=int, default=1_000_000)
    parser.add_argument("--rows-c100", type=int, default=200_000)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    print(
        f"numpy {np.__version__}, {platform.processor() or platform.machine()}, "
        f"median of {args.repeats} interleaved runs, k = c/2\n"
    )
    print("| c | rows | method | soft labels/s | vs argsort |")
    print("|---|---|---|---|---|")
    for c, rows in ((10, args.rows_c10), (100, args.rows_c100)):
        rates = bench(c, rows, args.repeats, rng)
        for name, rate in rates.items():
            ratio = f"{rate / rates[BASELINE[name]]:.1f}x" if name in BASELINE else "baseline"
            print(f"| {c} | {rows} | {name} | {rate / 1e6:.2f} M | {ratio} |")


if __name__ == "__main__":
    main()
