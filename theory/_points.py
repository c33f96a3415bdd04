"""Indicators of a continuous world from sampled points with exact membership.

docs/theory.md section 2. When a teacher gives ``m_j(x, y)`` in closed form, sampling ``x`` (and
averaging over ``y`` with ``eta(x)``) leaves only the outer expectation to Monte Carlo:
``Delta`` gets an interval; ``Delta_max`` and ``gamma`` are maxima over the sampled points,
lower estimates of the essential suprema.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from synth.checks import check_distributions
from theory._indicators import check_membership, pointwise_delta
from theory._intervals import Estimate, Method, binomial_interval, check_confidence


@dataclass(frozen=True)
class PointIndicators:
    """Indicators of a world estimated from ``n`` sampled points. docs/theory.md section 2.

    Attributes:
      delta: ``E[Delta(x, y)]`` with an interval (each point contributes
        ``sum_y eta_y(x) Delta(x, y)`` in ``[0, 1]``).
      delta_max, gamma: maxima over the sampled points (``y`` with ``eta_y(x) > 0``):
        lower estimates of the essential suprema.
      gamma_cls: ``max_{y, j != y} E[eta_y m_j] / E[eta_y]``, a ratio estimate.
      n: number of points.
    """

    delta: Estimate
    delta_max: float
    gamma: float
    gamma_cls: float
    n: int


def indicators_from_points(
    eta: ArrayLike,
    membership: ArrayLike,
    *,
    confidence: float = 0.95,
    method: Method = "wilson",
) -> PointIndicators:
    """Estimate the indicators from points ``x_i`` with exact ``m_j(x_i, y)`` (docs/theory.md
    section 2).

    Args:
      eta: ``[n, c]`` posteriors at the sampled points.
      membership: ``[n, c, c]``, ``membership[i, y, j] = m_j(x_i, y)``.
      confidence, method: of the interval on ``Delta`` (real-valued successes, see
        ``binomial_interval``).
    """
    conf = check_confidence(confidence)
    e = check_distributions(eta, "eta")
    m = check_membership(membership)
    if e.ndim != 2 or m.shape != e.shape + (e.shape[1],):
        raise ValueError(f"membership: expected shape {e.shape + (e.shape[-1],)}, got {m.shape}")
    n, c = e.shape
    pd = pointwise_delta(m)  # [n, c]
    per_point = np.sum(e * pd, axis=1)
    total = float(per_point.sum())
    lo, hi = binomial_interval(min(total, n), n, confidence=conf, method=method)
    support = e > 0
    off = ~np.eye(c, dtype=bool)
    gamma = float(np.max(np.where(support[:, :, None] & off, m, -np.inf)))
    class_mass = e.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        cls = np.einsum("iy,iyj->yj", e, m) / class_mass[:, None]
    present = (class_mass > 0)[:, None] & off
    return PointIndicators(
        delta=Estimate(total / n, float(lo), float(hi), n, conf, f"{method}, exact membership"),
        delta_max=float(np.max(np.where(support, pd, -np.inf))),
        gamma=gamma,
        gamma_cls=float(np.max(np.where(present, cls, -np.inf))),
        n=n,
    )
