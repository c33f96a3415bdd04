"""Monte Carlo estimates of the indicators from samples ``(y_i, d_i)``, with intervals.

docs/theory.md section 2 (Monte Carlo). Samples are iid draws of ``(x, y, d)``; ``x`` itself is
not needed. With ``groups`` the samples are repeated draws of ``d`` at one ``(x, y)`` per
group: the group, not the draw, is then the independent unit, each group's membership
frequencies estimate ``m_j(x, y)``, and intervals are taken over groups.

How a maximum over pairs is handled: ``gamma_cls`` and ``gamma`` are maxima of many
probabilities. Each probability gets a binomial interval at the Bonferroni-corrected level
``1 - (1 - confidence) / P`` for ``P`` pairs, so all ``P`` intervals hold at once with
probability at least ``confidence``; on that event the maximum lies in
``[max of lower ends, max of upper ends]``, which is the reported interval. The point
estimate, a maximum of noisy frequencies, is biased upward for small samples; the interval
accounts for that.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from synth.checks import check_labels, check_same_length, check_soft_labels
from theory._intervals import Estimate, Method, binomial_interval, check_confidence
from theory._setrules import SetRule


@dataclass(frozen=True)
class _Units:
    """Samples pooled into independent units (a group, or a single sample)."""

    index: NDArray[np.int64]  # [n] unit of each sample
    label: NDArray[np.int64]  # [G] true label of each unit
    size: NDArray[np.float64]  # [G] draws per unit

    @property
    def count(self) -> int:
        return int(self.label.shape[0])


def _prepare(
    y: ArrayLike, d: ArrayLike, groups: ArrayLike | None
) -> tuple[NDArray[np.int64], NDArray[np.float64], _Units]:
    d = check_soft_labels(d)
    if d.ndim != 2:
        raise ValueError(f"d: expected shape [n, c], got {d.shape}")
    if d.shape[0] == 0:
        raise ValueError("d: no samples")
    labels = check_labels(y, d.shape[1])
    if labels.ndim != 1:
        raise ValueError(f"y: expected shape [n], got {labels.shape}")
    check_same_length(y=labels, d=d)
    if groups is None:
        n = labels.shape[0]
        return labels, d, _Units(np.arange(n), labels, np.ones(n))
    g = np.asarray(groups)
    if g.ndim != 1:
        raise ValueError(f"groups: expected shape [n], got {g.shape}")
    check_same_length(y=labels, groups=g)
    _, first, index = np.unique(g, return_index=True, return_inverse=True)
    unit_label = labels[first]
    if np.any(labels != unit_label[index]):
        raise ValueError("groups: every draw of a group must have the same true label y")
    size = np.bincount(index).astype(np.float64)
    return labels, d, _Units(index.astype(np.int64), unit_label, size)


def _unit_counts(mask: NDArray[np.bool_], units: _Units) -> NDArray[np.float64]:
    """``[G, c]``: how many of each unit's draws have each label in their set."""
    c = mask.shape[1]
    rows, cols = np.nonzero(mask)
    counts = np.bincount(units.index[rows] * c + cols, minlength=units.count * c)
    return counts.reshape(units.count, c).astype(np.float64)


def _max_with_interval(
    successes: NDArray[np.float64],
    trials: NDArray[np.float64],
    *,
    confidence: float,
    method: Method,
    n: int,
    pairs: int | None = None,
) -> Estimate:
    """Maximum of ``successes / trials`` over pairs, with the Bonferroni interval.

    ``pairs``: the number the correction divides by, when ``successes`` holds only each
    group's largest count (default: one entry per pair).
    """
    pairs = successes.shape[0] if pairs is None else pairs
    per_pair = 1.0 - (1.0 - confidence) / pairs
    lo, hi = binomial_interval(successes, trials, confidence=per_pair, method=method)
    return Estimate(
        value=float(np.max(successes / trials)),
        lo=float(lo.max()),
        hi=float(hi.max()),
        n=n,
        confidence=confidence,
        method=f"{method}, Bonferroni over {pairs} pairs",
    )


def delta_hat(
    y: ArrayLike,
    d: ArrayLike,
    rule: SetRule,
    *,
    groups: ArrayLike | None = None,
    confidence: float = 0.95,
    method: Method = "wilson",
) -> Estimate:
    """Estimate the unreliability degree ``Delta = P(y not in Omega(d))``.

    docs/theory.md section 2.

    Args:
      y: ``[n]`` true labels.
      d: ``[n, c]`` soft labels.
      rule: the set rule.
      groups: optional ``[n]`` ids; draws sharing an id are repeated draws at one ``x``.
      confidence: nominal coverage of the interval.
      method: ``"wilson"`` or ``"clopper-pearson"``.

    Returns:
      the estimate, its interval and the number of independent units.
    """
    conf = check_confidence(confidence)
    labels, d, units = _prepare(y, d, groups)
    miss = ~np.asarray(rule.contains(d, labels), dtype=bool)
    misses = float(np.sum(np.bincount(units.index, weights=miss) / units.size))
    lo, hi = binomial_interval(misses, units.count, confidence=conf, method=method)
    return Estimate(misses / units.count, float(lo), float(hi), units.count, conf, method)


def class_membership_hat(
    y: ArrayLike,
    d: ArrayLike,
    rule: SetRule,
    *,
    groups: ArrayLike | None = None,
) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """Estimated class-level membership ``P(j in Omega(d) | y)``, docs/theory.md section 2.

    Returns:
      ``sums [c, c]`` (over units of class ``y``, their frequency of ``j``) and
      ``units [c]`` (units per class); the estimate is ``sums / units[:, None]``.
    """
    labels, d, u = _prepare(y, d, groups)
    c = d.shape[1]
    freq = _unit_counts(np.asarray(rule(d), dtype=bool), u) / u.size[:, None]
    sums = np.bincount(
        (u.label[:, None] * c + np.arange(c)).ravel(), weights=freq.ravel(), minlength=c * c
    ).reshape(c, c)
    return sums.astype(np.float64), np.bincount(u.label, minlength=c).astype(np.int64)


def gamma_cls_hat(
    y: ArrayLike,
    d: ArrayLike,
    rule: SetRule,
    *,
    groups: ArrayLike | None = None,
    confidence: float = 0.95,
    method: Method = "wilson",
) -> Estimate:
    """Estimate the class-level ambiguity ``gamma_cls = max_{y, j != y} P(j in Omega | y)``.

    docs/theory.md section 2. ``gamma_cls <= gamma``, so a condition checked with it is
    optimistic. Classes absent from the sample are left out of the maximum. The interval
    handles the maximum as the module docstring says; the whole table of pairs is
    :func:`class_membership_hat`.
    """
    sums, units = class_membership_hat(y, d, rule, groups=groups)
    return gamma_cls_from_counts(sums, units, confidence=confidence, method=method)


def gamma_cls_from_counts(
    sums: ArrayLike,
    units: ArrayLike,
    *,
    confidence: float = 0.95,
    method: Method = "wilson",
) -> Estimate:
    """``gamma_cls`` with its interval from class-level counts (docs/theory.md section 2).

    Args:
      sums: ``[c, c]``: over the units of class ``y``, how many had ``j`` in their set.
      units: ``[c]``: units of each class (classes with none are left out).
      confidence, method: as for :func:`gamma_cls_hat`.
    """
    conf = check_confidence(confidence)
    s = np.asarray(sums, dtype=np.float64)
    u = np.asarray(units)
    c = s.shape[0]
    if s.shape != (c, c) or u.shape != (c,):
        raise ValueError(f"sums, units: expected shapes [c, c] and [c], got {s.shape}, {u.shape}")
    seen = u > 0
    if c < 2 or not seen.any():
        raise ValueError("units: no class has samples" if c > 1 else "sums: need c >= 2")
    # Both interval ends grow with the count at a fixed number of trials, so each class's
    # largest wrong-label count carries its maximum: O(c) intervals instead of O(c^2).
    largest = np.where(np.eye(c, dtype=bool), -np.inf, s).max(axis=1)[seen]
    return _max_with_interval(
        largest,
        u[seen].astype(np.float64),
        confidence=conf,
        method=method,
        n=int(u.sum()),
        pairs=int(seen.sum()) * (c - 1),
    )


def gamma_hat(
    y: ArrayLike,
    d: ArrayLike,
    rule: SetRule,
    *,
    groups: ArrayLike,
    confidence: float = 0.95,
    method: Method = "wilson",
) -> Estimate:
    """Estimate ``max m_j(x, y)`` over the sampled groups and ``j != y``.

    docs/theory.md section 2: ``gamma`` needs ``m_j(x, y)`` per ``(x, y)``, estimated here from
    the repeated draws of each group. The target is the maximum over the *sampled* points,
    which is at most the essential supremum ``gamma``; with few groups it is a lower bound.
    """
    conf = check_confidence(confidence)
    if groups is None:
        raise ValueError("groups: gamma_hat needs repeated draws per point; use gamma_cls_hat")
    _, d, u = _prepare(y, d, groups)
    c = d.shape[1]
    counts = _unit_counts(np.asarray(rule(d), dtype=bool), u)
    wrong = np.arange(c) != u.label[:, None]
    size = np.broadcast_to(u.size[:, None], counts.shape)
    return _max_with_interval(counts[wrong], size[wrong], confidence=conf, method=method, n=u.count)
