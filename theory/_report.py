"""Indicators of a practitioner's own teacher, from soft labels and true labels alone.

docs/theory.md section 2: without repeated draws at one ``x``, ``Delta_k`` is estimable and
``gamma`` is not; ``gamma_cls`` is, and it is a lower bound on ``gamma``, so the condition
``delta + gamma_cls < 1`` reported here is optimistic.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from synth.checks import check_k, check_labels, check_same_length, check_soft_labels
from theory._intervals import Method, binomial_interval, check_confidence
from theory._montecarlo import gamma_cls_from_counts

#: Soft-label entries per sorted block: bounds the sort's temporaries (32 MiB of int64).
_BLOCK_ENTRIES = 1 << 22


def _ranked(d: NDArray[np.float64], depth: int) -> NDArray[np.int32]:
    """``[n, depth]``: each row's labels by decreasing soft label, ties to the smaller index.

    Stable sorts of row blocks; only the first ``depth`` columns are kept, so memory stays
    at most the input's size (``int32`` against ``float64``) whatever ``c`` is.
    """
    n, c = d.shape
    rows = max(1, _BLOCK_ENTRIES // c)
    ranked = np.empty((n, depth), dtype=np.int32)
    for start in range(0, n, rows):
        order = np.argsort(-d[start : start + rows], axis=1, kind="stable")
        ranked[start : start + rows] = order[:, :depth]
    return ranked


def _inside_counts(
    y: NDArray[np.int64], ranked: NDArray[np.int32], c: int
) -> Iterator[NDArray[np.int64]]:
    """For ``k = 1, 2, ...``: ``[c, c]`` counts, ``[y, j]`` = rows of class ``y`` with ``j``
    in their top-k set.

    One ``[c, c]`` matrix grows by one rank column per ``k``: ``O(c^2)`` memory against the
    ``O(c^3)`` of a histogram over every rank at once.
    """
    inside = np.zeros(c * c, dtype=np.int64)
    for r in range(ranked.shape[1]):
        inside += np.bincount(y * c + ranked[:, r], minlength=c * c)
        yield inside.reshape(c, c)


def _decide(delta_ci: tuple[float, float], gamma_ci: tuple[float, float]) -> str:
    """``holds`` / ``fails`` when both intervals agree, else ``undecided``."""
    if delta_ci[1] + gamma_ci[1] < 1.0:
        return "holds"
    if delta_ci[0] + gamma_ci[0] >= 1.0:
        return "fails"
    return "undecided"


def soft_label_report(
    y: ArrayLike,
    d: ArrayLike,
    *,
    ks: list[int] | None = None,
    confidence: float = 0.95,
    method: Method = "wilson",
) -> dict[str, Any]:
    """``Delta_k`` and ``gamma_cls_k`` with intervals for each top-k size, and the best ``k``.

    docs/theory.md section 2. ``margin = 1 - delta - gamma_cls``. ``condition`` decides
    ``delta + gamma_cls < 1`` on the intervals: ``"holds"`` when the sum of their upper ends
    is below 1, ``"fails"`` when the sum of their lower ends is at least 1, ``"undecided"``
    otherwise (each interval has the nominal coverage, so a decision errs with probability
    at most twice ``1 - confidence``). ``gamma_cls <= gamma``: even ``"holds"`` is
    optimistic, a necessary check rather than a sufficient one.

    Memory is linear in the input (``n x max(ks)`` ranks and one ``[c, c]`` count matrix),
    time ``O(n c log c + max(ks) c^2)``.

    Args:
      y: ``[n]`` true labels.
      d: ``[n, c]`` soft labels.
      ks: the sizes to report (default: every ``k`` in ``1..c-1``).
      confidence: nominal coverage of each interval (``gamma_cls`` intervals take the
        maximum over pairs with a Bonferroni correction, see ``gamma_cls_hat``).
      method: ``"wilson"`` or ``"clopper-pearson"``.

    Returns:
      ``{"n", "c", "top1_accuracy", "per_k": [{"k", "delta", "delta_ci", "gamma_cls",
      "gamma_cls_ci", "margin", "condition", "condition_holds"}, ...], "best_k"}``;
      ``condition_holds`` is ``condition == "holds"``; ``best_k`` has the largest margin.
    """
    conf = check_confidence(confidence)
    soft = check_soft_labels(d)
    if soft.ndim != 2:
        raise ValueError(f"d: expected shape [n, c], got {soft.shape}")
    n, c = soft.shape
    if n == 0:
        raise ValueError("d: no samples")
    labels = check_labels(y, c)
    if labels.ndim != 1:
        raise ValueError(f"y: expected shape [n], got {labels.shape}")
    check_same_length(y=labels, d=soft)
    wanted = list(range(1, c)) if ks is None else [check_k(k, c) for k in ks]
    ranked = _ranked(soft, max(wanted))
    units = np.bincount(labels, minlength=c)
    rows: dict[int, dict[str, Any]] = {}
    top1 = 0.0
    for k, inside in enumerate(_inside_counts(labels, ranked, c), 1):
        if k == 1:
            top1 = float(np.trace(inside)) / n
        if k not in wanted:
            continue
        misses = n - int(np.trace(inside))
        lo, hi = binomial_interval(misses, n, confidence=conf, method=method)
        g = gamma_cls_from_counts(inside, units, confidence=conf, method=method)
        delta = misses / n
        margin = 1.0 - delta - g.value
        condition = _decide((float(lo), float(hi)), (g.lo, g.hi))
        rows[k] = {
            "k": k,
            "delta": delta,
            "delta_ci": [float(lo), float(hi)],
            "gamma_cls": g.value,
            "gamma_cls_ci": [g.lo, g.hi],
            "margin": margin,
            "condition": condition,
            "condition_holds": condition == "holds",
        }
    per_k = [rows[k] for k in wanted]
    best = max(per_k, key=lambda row: row["margin"])
    return {
        "n": n,
        "c": c,
        "top1_accuracy": top1,
        "per_k": per_k,
        "best_k": best["k"],
    }
