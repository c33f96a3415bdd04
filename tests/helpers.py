"""Shared tolerances for tests: every number here says where it comes from."""

from __future__ import annotations

import math

#: Exact float64 computations (sums of at most a few hundred products of numbers in
#: [0, 1]) agree to well within this.
EXACT_ATOL = 1e-12

#: z-score for Monte Carlo checks: two-sided 1e-6 tail, so a correct implementation fails
#: a single check with probability ~1e-6 at its fixed seed.
Z_MC = 4.9


def mc_tolerance(p: float, n: int, z: float = Z_MC) -> float:
    """``z`` standard errors of a proportion ``p`` estimated from ``n`` samples (floored at
    the ``p(1-p) = 1/(4n)`` continuity guard so that ``p`` near 0 or 1 still gets a width)."""
    return z * math.sqrt(max(p * (1 - p), 1.0 / (4 * n)) / n)
