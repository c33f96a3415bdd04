"""Binomial confidence intervals, vectorized, and the estimate they come with.

docs/theory.md section 2 (Monte Carlo). Both intervals accept a real-valued number of
successes: an average of ``n`` variables in ``[0, 1]`` with mean ``p`` has variance at most
``p (1 - p) / n``, the Bernoulli case, so plugging ``n * mean`` in gives an interval that is
conservative in the variance (used for grouped draws, where each unit is a group).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special, stats

Method = Literal["wilson", "clopper-pearson"]
METHODS: tuple[Method, ...] = ("wilson", "clopper-pearson")


@dataclass(frozen=True)
class Estimate:
    """A Monte Carlo estimate with a two-sided confidence interval (docs/theory.md section 2).

    Attributes:
      value: the point estimate.
      lo, hi: the interval.
      n: number of independent units behind it (samples, or groups of repeated draws).
      confidence: the interval's nominal coverage.
      method: how the interval was made.
    """

    value: float
    lo: float
    hi: float
    n: int
    confidence: float
    method: str

    def contains(self, truth: float) -> bool:
        """Whether ``truth`` lies in ``[lo, hi]``."""
        return self.lo <= truth <= self.hi

    def as_dict(self) -> dict[str, float | int | str]:
        """A JSON-ready dictionary."""
        return {
            "value": self.value,
            "lo": self.lo,
            "hi": self.hi,
            "n": self.n,
            "confidence": self.confidence,
            "method": self.method,
        }


def check_confidence(confidence: float) -> float:
    """A confidence level strictly between 0 and 1."""
    c = float(confidence)
    if not 0 < c < 1:
        raise ValueError(f"confidence: must lie in (0, 1), got {confidence!r}")
    return c


def binomial_interval(
    successes: ArrayLike,
    trials: ArrayLike,
    *,
    confidence: float = 0.95,
    method: Method = "wilson",
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Two-sided interval for a binomial proportion, elementwise (docs/theory.md section 2).

    Args:
      successes: ``[...]`` counts (real values allowed, see the module docstring).
      trials: ``[...]`` positive counts, broadcastable with ``successes``.
      confidence: nominal coverage of each interval.
      method: ``"wilson"`` (score interval) or ``"clopper-pearson"`` (exact, conservative).

    Returns:
      ``lo, hi`` arrays ``[...]`` within ``[0, 1]``.
    """
    conf = check_confidence(confidence)
    k = np.asarray(successes, dtype=np.float64)
    n = np.asarray(trials, dtype=np.float64)
    if np.any(n <= 0) or np.any(k < 0) or np.any(k > n):
        raise ValueError("binomial_interval: need trials > 0 and 0 <= successes <= trials")
    alpha = 1.0 - conf
    if method == "wilson":
        z = stats.norm.ppf(1.0 - alpha / 2)
        p = k / n
        centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        half = z / (1 + z * z / n) * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
        # Exactly 0 (1) when no (every) trial succeeds; the formula leaves a rounding residue.
        lo = np.where(k == 0, 0.0, np.clip(centre - half, 0.0, 1.0))
        hi = np.where(k == n, 1.0, np.clip(centre + half, 0.0, 1.0))
        return lo, hi
    if method == "clopper-pearson":
        with np.errstate(invalid="ignore"):
            lo = np.where(k > 0, special.betaincinv(k, n - k + 1, alpha / 2), 0.0)
            hi = np.where(k < n, special.betaincinv(k + 1, n - k, 1 - alpha / 2), 1.0)
        return np.asarray(lo, dtype=np.float64), np.asarray(hi, dtype=np.float64)
    raise ValueError(f"method: must be one of {METHODS}, got {method!r}")
