"""Certificates: a high-probability bound on a classifier's true error from the teacher's
soft labels on fresh inputs alone (docs/theory.md section 4b).

The top-k risk ``R_Omega(h) = P(h(x) not in Omega(d))`` needs no true label, only ``h``'s
predictions and the teacher's soft labels. The Lemma of section 3 turns an upper bound on
it into one on the true risk ``R(h)``:

- C1 (any labels): ``R(h) <= R_Omega(h) / (1 - gamma)``;
- C2 (any labels, ``Delta_max + gamma < 1``):
  ``R(h) <= (R_Omega(h) - Delta) / (1 - gamma - Delta_max)``.

Every quantity a bound needs and that is estimated enters through a one-sided
Clopper-Pearson bound on its conservative side (the set risk and ``gamma``, ``Delta_max``
from above, ``Delta`` from below); the confidence is split equally among the estimated
quantities (a union bound, valid however they depend on each other), so both bounds hold
together with probability at least ``confidence``. ``h`` must not depend on the inputs
used to certify it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

from theory._intervals import check_confidence
from theory._setrules import SetRule

#: What each way of knowing the labeler's indicators assumes.
ASSUMPTIONS = {
    "known": "gamma and Delta_max (and Delta for C2) are the labeler's true indicators, "
    "and the inputs were not used to train the classifier",
    "class-conditional": "the labeler's soft labels depend on the true class only, not on "
    "x (then gamma_cls = gamma and Delta_max = max_y Delta(y)); the labelled rows are a "
    "random sample of the inputs, every class among them; the inputs were not used to "
    "train the classifier",
}


def clopper_pearson_upper(
    successes: ArrayLike, trials: ArrayLike, confidence: float
) -> NDArray[np.float64]:
    """One-sided Clopper-Pearson upper bound on a binomial proportion, elementwise: with
    probability at least ``confidence`` the proportion is at most this (docs/theory.md
    section 4b)."""
    conf = check_confidence(confidence)
    k, n = _counts(successes, trials)
    with np.errstate(invalid="ignore"):
        hi = np.where(k < n, special.betaincinv(k + 1, n - k, conf), 1.0)
    return np.asarray(hi, dtype=np.float64)


def clopper_pearson_lower(
    successes: ArrayLike, trials: ArrayLike, confidence: float
) -> NDArray[np.float64]:
    """One-sided Clopper-Pearson lower bound on a binomial proportion, elementwise
    (docs/theory.md section 4b)."""
    conf = check_confidence(confidence)
    k, n = _counts(successes, trials)
    with np.errstate(invalid="ignore"):
        lo = np.where(k > 0, special.betaincinv(k, n - k + 1, 1.0 - conf), 0.0)
    return np.asarray(lo, dtype=np.float64)


def _counts(successes: ArrayLike, trials: ArrayLike) -> tuple[NDArray, NDArray]:
    k = np.asarray(successes, dtype=np.float64)
    n = np.asarray(trials, dtype=np.float64)
    if np.any(n <= 0) or np.any(k < 0) or np.any(k > n):
        raise ValueError("need trials > 0 and 0 <= successes <= trials")
    return k, n


def c1_bound(set_risk_ucb: ArrayLike, gamma: ArrayLike) -> NDArray[np.float64]:
    """C1: ``min(1, R_Omega / (1 - gamma))``, elementwise (1, vacuous, where ``gamma = 1``);
    docs/theory.md section 4b."""
    g = _unit(gamma, "gamma")
    r = np.asarray(set_risk_ucb, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(g < 1.0, np.minimum(r / (1.0 - g), 1.0), 1.0)


def c2_bound(
    set_risk_ucb: ArrayLike, delta: ArrayLike, gamma: ArrayLike, delta_max: ArrayLike
) -> NDArray[np.float64]:
    """C2: ``(R_Omega - Delta) / (1 - gamma - Delta_max)`` clipped to ``[0, 1]``,
    elementwise; NaN where ``Delta_max + gamma >= 1`` (the bound does not apply).
    docs/theory.md section 4b."""
    g, dm, d = _unit(gamma, "gamma"), _unit(delta_max, "delta_max"), _unit(delta, "delta")
    if np.any(d > dm + 1e-12):
        raise ValueError("delta: exceeds delta_max")
    margin = 1.0 - g - dm
    r = np.asarray(set_risk_ucb, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(margin > 0, np.clip((r - d) / margin, 0.0, 1.0), np.nan)


def _unit(value: ArrayLike, name: str) -> NDArray[np.float64]:
    v = np.asarray(value, dtype=np.float64)
    if not np.all((v >= 0.0) & (v <= 1.0)):
        raise ValueError(f"{name}: must lie in [0, 1], got {value!r}")
    return v


def class_conditional_bounds(
    inside: ArrayLike, per_class: ArrayLike, alpha: float
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Bounds on a class-conditional labeler's indicators from labelled rows, each holding
    with probability at least ``1 - alpha`` (docs/theory.md section 4b).

    Args:
      inside: ``[..., c, c]``: of the rows of class ``y``, how many had ``j`` in their set.
      per_class: ``[..., c]`` rows of each class; every class must have one.
      alpha: each bound's error probability.

    Returns:
      ``gamma`` from above (the largest wrong-label rate, Bonferroni over the pairs),
      ``Delta_max`` from above (the largest miss rate, Bonferroni over the classes)
      and ``Delta`` from below (the overall miss rate, capped at the ``Delta_max`` bound),
      each ``[...]``.
    """
    counts = np.asarray(inside, dtype=np.float64)
    rows = np.asarray(per_class, dtype=np.float64)
    c = counts.shape[-1]
    if counts.shape[-2:] != (c, c) or rows.shape != counts.shape[:-1]:
        raise ValueError(
            f"inside, per_class: expected [..., c, c] and [..., c], got "
            f"{counts.shape}, {rows.shape}"
        )
    if not 0 < alpha < 1:
        raise ValueError(f"alpha: must lie in (0, 1), got {alpha!r}")
    seen = rows > 0
    if not np.all(seen):
        # gamma and Delta_max are maxima over every class of positive probability: a class
        # with no labelled row leaves them unbounded
        missing = sorted({int(j) for j in np.argwhere(~seen)[:, -1]})
        raise ValueError(
            f"classes {missing} have no labelled row: their indicators cannot be bounded "
            "(label more rows, or give the indicators)"
        )
    off = ~np.eye(c, dtype=bool)
    pair_bounds = clopper_pearson_upper(counts, rows[..., None], 1.0 - alpha / (c * (c - 1)))
    gamma = np.where(off, pair_bounds, 0.0).max(axis=(-2, -1))
    missed = rows - np.diagonal(counts, axis1=-2, axis2=-1)
    delta_max = clopper_pearson_upper(missed, rows, 1.0 - alpha / c).max(axis=-1)
    delta = np.minimum(clopper_pearson_lower(missed.sum(-1), rows.sum(-1), 1.0 - alpha), delta_max)
    return gamma, delta_max, delta


def class_counts(
    labels: ArrayLike, sets: ArrayLike
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """``inside [..., c, c]`` (of the rows of class ``y``, how many had ``j`` in their set)
    and ``per_class [..., c]``, from ``labels [..., m]`` and 0/1 ``sets [..., m, c]``
    (docs/theory.md section 4b)."""
    s_ = np.asarray(sets, dtype=np.float64)
    onehot = np.eye(s_.shape[-1])[np.asarray(labels)]
    return np.einsum("...my,...mj->...yj", onehot, s_), onehot.sum(axis=-2)


@dataclass(frozen=True)
class Bounds:
    """Certificates of one or many certifications, elementwise ``[...]``
    (docs/theory.md section 4b).

    Attributes:
      set_risk_ucb: the upper bound on the set risk.
      c1: the C1 bound; c2: the C2 bound, NaN where it does not apply (no ``Delta``, or
        ``Delta_max + gamma >= 1``).
      gamma, delta_max, delta: the values the bounds used (NaN for an unknown ``delta``).
    """

    set_risk_ucb: NDArray[np.float64]
    c1: NDArray[np.float64]
    c2: NDArray[np.float64]
    gamma: NDArray[np.float64]
    delta_max: NDArray[np.float64]
    delta: NDArray[np.float64]


def known_bounds(
    misses: ArrayLike,
    n: int,
    *,
    gamma: float,
    delta_max: float,
    delta: float | None,
    confidence: float,
) -> Bounds:
    """C1 and C2 from ``misses [...]`` of ``n`` predictions outside their sets, with the
    labeler's indicators known: all of the error probability on the set risk
    (docs/theory.md section 4b)."""
    conf = check_confidence(confidence)
    ucb = clopper_pearson_upper(misses, n, conf)
    g, dm = _unit(gamma, "gamma"), _unit(delta_max, "delta_max")
    if delta is None:
        d = c2 = np.full_like(ucb, np.nan)
    else:
        d = np.broadcast_to(_unit(delta, "delta"), ucb.shape)
        c2 = c2_bound(ucb, d, g, dm)
    return Bounds(
        ucb, c1_bound(ucb, g), c2, np.broadcast_to(g, ucb.shape), np.broadcast_to(dm, ucb.shape), d
    )


def class_conditional_certificate_bounds(
    misses: ArrayLike,
    n: int,
    inside: ArrayLike,
    per_class: ArrayLike,
    *,
    confidence: float,
) -> Bounds:
    """C1 and C2 from ``misses [...]`` of ``n`` predictions outside their sets, with the
    indicators of a class-conditional labeler bounded from labelled rows (``inside``,
    ``per_class``: :func:`class_counts`); the error probability is split four ways: the
    set risk, ``gamma``, ``Delta_max`` and ``Delta`` (:func:`class_conditional_bounds`;
    docs/theory.md section 4b)."""
    conf = check_confidence(confidence)
    share = (1.0 - conf) / 4.0
    ucb = clopper_pearson_upper(misses, n, 1.0 - share)
    gamma, delta_max, delta = class_conditional_bounds(inside, per_class, share)
    return Bounds(
        ucb, c1_bound(ucb, gamma), c2_bound(ucb, delta, gamma, delta_max), gamma, delta_max, delta
    )


@dataclass(frozen=True)
class Certificate:
    """Bounds on a classifier's true error ``R(h)``, holding together with probability at
    least ``confidence`` (docs/theory.md section 4b).

    Attributes:
      n: inputs certified on (predictions with the teacher's soft labels).
      set_risk: ``R_Omega(h)`` measured on them; set_risk_ucb: its upper bound.
      c1: the C1 bound; c2: the C2 bound, ``None`` without ``Delta`` or when
        ``Delta_max + gamma >= 1``.
      gamma, delta_max, delta: the values the bounds used (an estimate's conservative end
        when estimated; ``delta`` is ``None`` when not given).
      confidence: joint coverage of ``c1`` and ``c2``.
      assumption: what the bounds assume (:data:`ASSUMPTIONS`).
      labelled: rows with true labels the indicators were estimated from (0: given).
    """

    n: int
    set_risk: float
    set_risk_ucb: float
    c1: float
    c2: float | None
    gamma: float
    delta_max: float
    delta: float | None
    confidence: float
    assumption: str
    labelled: int = 0


def _or_none(value: NDArray[np.float64]) -> float | None:
    v = float(value)
    return None if np.isnan(v) else v


def _misses(predictions: ArrayLike, soft_labels: ArrayLike, rule: SetRule) -> tuple[int, int]:
    h = np.asarray(predictions)
    d = np.asarray(soft_labels, dtype=np.float64)
    if d.ndim != 2 or d.shape[1] < 2:
        raise ValueError(f"soft_labels: expected [n, c] with c >= 2, got shape {d.shape}")
    if h.shape != (d.shape[0],):
        raise ValueError(f"predictions: expected [{d.shape[0]}] labels, got shape {h.shape}")
    if h.dtype.kind not in "iu" or np.any(h < 0) or np.any(h >= d.shape[1]):
        raise ValueError(f"predictions: must be integer labels in 0..{d.shape[1] - 1}")
    if d.shape[0] == 0:
        raise ValueError("no inputs to certify on")
    inside = np.asarray(rule.contains(d, h.astype(np.int64)), dtype=bool)
    return int((~inside).sum()), d.shape[0]


def certify(
    predictions: ArrayLike,
    soft_labels: ArrayLike,
    rule: SetRule,
    *,
    gamma: float,
    delta_max: float,
    delta: float | None = None,
    confidence: float = 0.95,
) -> Certificate:
    """Certify ``h`` from its predictions and the teacher's soft labels, with the labeler's
    indicators known (docs/theory.md section 4b).

    Args:
      predictions: ``[n]`` the classifier's labels on fresh inputs.
      soft_labels: ``[n, c]`` the teacher's soft labels of the same inputs.
      rule: the set rule (``TopK(k)``).
      gamma, delta_max: the labeler's true ``gamma`` and ``Delta_max`` (upper bounds do).
      delta: its ``Delta`` (a lower bound does), for C2; ``None``: C2 is not given.
      confidence: coverage of the bounds (only the set risk is estimated).
    """
    misses, n = _misses(predictions, soft_labels, rule)
    b = known_bounds(
        misses, n, gamma=gamma, delta_max=delta_max, delta=delta, confidence=confidence
    )
    return _certificate(b, misses, n, confidence, ASSUMPTIONS["known"], labelled=0)


def certify_class_conditional(
    predictions: ArrayLike,
    soft_labels: ArrayLike,
    rule: SetRule,
    labels: ArrayLike,
    *,
    confidence: float = 0.95,
) -> Certificate:
    """Certify ``h`` with the indicators estimated from labelled rows, for a labeler whose
    soft labels depend on the true class only (docs/theory.md sections 3 and 4b).

    Under that assumption ``gamma = gamma_cls = max_{y, j != y} P(j in Omega | y)`` and
    ``Delta_max = max_y P(y not in Omega | y)``, which ``labels`` (the true classes of the
    first ``m`` rows) estimate. The confidence is split four ways: the set risk, ``gamma``
    and ``Delta_max`` from above (each maximum Bonferroni-corrected over its pairs or
    classes), ``Delta`` from below. For a labeler that depends on ``x`` the assumption
    fails and so may the bounds (``gamma_cls`` only bounds ``gamma`` from below).

    Args:
      predictions, soft_labels, rule: as for :func:`certify` (all ``n`` rows are used
        for the set risk).
      labels: ``[m]`` true classes of the first ``m <= n`` rows.
      confidence: joint coverage.
    """
    misses, n = _misses(predictions, soft_labels, rule)
    d = np.asarray(soft_labels, dtype=np.float64)
    y = np.asarray(labels)
    c = d.shape[1]
    if y.ndim != 1 or not 0 < len(y) <= n:
        raise ValueError(f"labels: expected [m] with 0 < m <= {n}, got shape {y.shape}")
    if y.dtype.kind not in "iu" or np.any(y < 0) or np.any(y >= c):
        raise ValueError(f"labels: must be integer classes in 0..{c - 1}")
    inside, per_class = class_counts(y, np.asarray(rule(d[: len(y)]), dtype=bool))
    b = class_conditional_certificate_bounds(misses, n, inside, per_class, confidence=confidence)
    return _certificate(b, misses, n, confidence, ASSUMPTIONS["class-conditional"], len(y))


def _certificate(
    b: Bounds, misses: int, n: int, confidence: float, assumption: str, labelled: int
) -> Certificate:
    return Certificate(
        n=n,
        set_risk=misses / n,
        set_risk_ucb=float(b.set_risk_ucb),
        c1=float(b.c1),
        c2=_or_none(b.c2),
        gamma=float(b.gamma),
        delta_max=float(b.delta_max),
        delta=_or_none(b.delta),
        confidence=float(confidence),
        assumption=assumption,
        labelled=labelled,
    )
