"""Small typed records that measurements are built from: rates, means over seeds, slopes.

Each record comes with the function that computes it, so every claim states a proportion
or a mean over seeds the same way (intervals included).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import stats

import theory


@dataclass(frozen=True)
class Rate:
    """A proportion with its two-sided 95% Wilson interval (``None`` when nothing was counted)."""

    hits: int
    total: int
    rate: float | None
    ci: tuple[float, float] | None

    @classmethod
    def of(cls, hits: int, total: int, confidence: float = 0.95) -> Rate:
        """``hits`` out of ``total`` (docs/theory.md section 2: binomial intervals)."""
        if total == 0:
            return cls(0, 0, None, None)
        lo, hi = theory.binomial_interval(int(hits), int(total), confidence=confidence)
        return cls(int(hits), int(total), hits / total, (float(lo), float(hi)))

    @property
    def all(self) -> bool:
        """Every counted case is a hit (vacuously true when nothing was counted)."""
        return self.hits == self.total


@dataclass(frozen=True)
class MeanCI:
    """Means over seeds with Student-t 95% intervals, one entry per row (e.g. per sample size)."""

    mean: list[float]
    ci_low: list[float]
    ci_high: list[float]

    @classmethod
    def over_seeds(cls, values: np.ndarray) -> MeanCI:
        """Mean over the last axis of ``values [S, R]`` (rows by seeds)."""
        mean, lo, hi = _mean_ci(np.asarray(values, dtype=float))
        return cls(mean.tolist(), lo.tolist(), hi.tolist())


@dataclass(frozen=True)
class MeanCIGrid:
    """Means over seeds with Student-t 95% intervals on a two-way grid ``[rows][columns]``."""

    mean: list[list[float]]
    ci_low: list[list[float]]
    ci_high: list[list[float]]

    @classmethod
    def over_seeds(cls, values: np.ndarray) -> MeanCIGrid:
        """Mean over the last axis of ``values [A, B, R]``."""
        mean, lo, hi = _mean_ci(np.asarray(values, dtype=float))
        return cls(mean.tolist(), lo.tolist(), hi.tolist())


def _mean_ci(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    # Student's t with n - 1 degrees of freedom: with a handful of seeds a normal quantile
    # (1.96) would give intervals several times too narrow (t = 12.7 for two seeds)
    mean = values.mean(axis=-1)
    n = values.shape[-1]
    if n < 2:
        return mean, mean, mean
    half = stats.t.ppf(0.975, n - 1) * values.std(axis=-1, ddof=1) / np.sqrt(n)
    return mean, mean - half, mean + half


@dataclass(frozen=True)
class Slope:
    """A least-squares log-log slope with its 95% t interval.

    Attributes:
      slope: slope of ``log(value + floor)`` on ``log(size)``.
      ci: its 95% interval: Student-t over the seeds' own slopes when there are several
        seeds (a seed's sizes are nested prefixes of one sample, so its points are not
        independent of each other; seeds are), else the one curve's regression interval.
      floor: the offset that keeps zeros finite (one held-out point's worth).
    """

    slope: float
    ci: tuple[float, float]
    floor: float

    @classmethod
    def fit(cls, sizes: np.ndarray, values: np.ndarray, floor: float) -> Slope:
        """Fit ``values [S, R]`` (sizes by seeds) against ``sizes [S]``: the mean of the
        ``R`` seeds' slopes (the pooled least-squares slope, every seed having the same
        sizes) with a t interval over seeds."""
        x = np.log(np.asarray(sizes, float))
        y = np.log(np.asarray(values, float) + floor)
        if len(x) < 2:
            return cls(float("nan"), (float("nan"), float("nan")), floor)
        if y.shape[1] >= 2:
            each = np.polyfit(x, y, 1)[0]  # [R]: one slope per seed
            slope = float(each.mean())
            half = stats.t.ppf(0.975, len(each) - 1) * each.std(ddof=1) / np.sqrt(len(each))
        else:
            fitted = stats.linregress(x, y[:, 0])
            slope = float(fitted.slope)
            half = stats.t.ppf(0.975, max(len(x) - 2, 1)) * fitted.stderr
        return cls(slope, (float(slope - half), float(slope + half)), floor)


@dataclass(frozen=True)
class Floor:
    """The approximation floor of a student class (docs/theory.md section 3, "Restricted
    classes"): how far the population minimizer ``f_F`` of the student's own objective
    within its class is from the Bayes classifier.

    Attributes:
      model: the class (``linear``, ``mlp64``, ...).
      value: ``P(argmax f_F(x) != h_B(x))`` on held-out inputs; ci: its 95% Wilson interval
        over those inputs. The interval does not include the error of ``f_F`` itself, a
        minimizer over a finite sample of inputs (and, for a Monte Carlo label law, of
        labels) stated in ``method``: an independent recomputation can differ by more.
      excess_error: the error of ``f_F`` on the held-out labels minus the Bayes error.
      method: how ``f_F`` was computed (inputs, label law, solver, tolerance).
      grad_norm, converged: where the solver stopped.
      minima: where each start stopped, when there were several (a non-convex objective:
        a CC loss over label sets, an MLP), in start order. ``f_F`` is the linear class's
        start from zero (its students' own start: they approach that start's minimizer)
        and an MLP's lowest objective. A linear minimum of lower objective is a classifier
        of the class the students do not reach; its floor is the class's best found.
    """

    model: str
    value: float
    ci: tuple[float, float]
    excess_error: float
    method: str
    grad_norm: float
    converged: bool
    minima: list[Minimum] = field(default_factory=list)


@dataclass(frozen=True)
class Minimum:
    """One start's stopping point: its objective, its floor (on the same held-out inputs as
    the reported floor) and its final gradient norm (a start that stopped far above the
    tolerance is not a minimum)."""

    objective: float
    floor: float
    grad_norm: float


@dataclass(frozen=True)
class Estimation:
    """Students against their class's population minimizer ``f_F``: the share of held-out
    inputs where they disagree with it, per sample size (means over seeds), and its
    log-log slope (the rate)."""

    disagreement: MeanCI
    slope: Slope

    @classmethod
    def of(cls, sizes: np.ndarray, disagreement: np.ndarray, floor: float) -> Estimation:
        """From ``disagreement [S, R]`` (sizes by seeds); ``floor`` keeps zeros finite."""
        return cls(
            MeanCI.over_seeds(disagreement),
            Slope.fit(np.asarray(sizes), disagreement, floor),
        )

    def falls(self, below: float) -> bool:
        """The slope's upper 95% end is below ``below`` (and is a number): shown to fall."""
        return bool(np.isfinite(self.slope.ci[1]) and self.slope.ci[1] < below)

    def stalls(self, below: float) -> bool:
        """The slope's lower 95% end is at or above ``below``: shown *not* to fall at that
        rate. Neither this nor :meth:`falls` (an interval across ``below``, or not a
        number) decides nothing: few seeds at few sizes leave the rate open."""
        return bool(np.isfinite(self.slope.ci[0]) and self.slope.ci[0] >= below)
