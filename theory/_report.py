"""Indicators of a practitioner's own teacher, from soft labels and true labels alone.

THEORY.md section 2: without repeated draws at one ``x``, ``Delta_k`` is estimable and
``gamma`` is not; ``gamma_cls`` is, and it is a lower bound on ``gamma``, so the condition
``delta + gamma_cls < 1`` reported here is optimistic.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from synth.checks import check_k, check_labels, check_same_length, check_soft_labels
from theory._intervals import Method, binomial_interval, check_confidence
from theory._montecarlo import gamma_cls_from_counts

#: Rows per block when ranking every label: bounds the memory of the rank matrix.
_BLOCK = 1 << 16


def _rank_histogram(y: NDArray[np.int64], d: NDArray[np.float64]) -> NDArray[np.int64]:
    """``[c, c, c]``: ``count[y, j, r]`` = rows of class ``y`` where label ``j`` has rank ``r``.

    One stable sort per row ranks every label at once (ties to the smaller index), which
    serves all ``c - 1`` values of ``k``; a single ``k`` is cheaper through ``TopK``.
    """
    n, c = d.shape
    hist = np.zeros(c * c * c, dtype=np.int64)
    labels = np.arange(c)
    for start in range(0, n, _BLOCK):  # blocks bound the [rows, c] temporaries
        block, yb = d[start : start + _BLOCK], y[start : start + _BLOCK]
        order = np.argsort(-block, axis=1, kind="stable")
        rank = np.empty_like(order)
        np.put_along_axis(rank, order, labels[None, :], axis=1)
        cell = (yb[:, None] * c + labels) * c + rank
        hist += np.bincount(cell.ravel(), minlength=c * c * c)
    return hist.reshape(c, c, c)


def soft_label_report(
    y: ArrayLike,
    d: ArrayLike,
    *,
    ks: list[int] | None = None,
    confidence: float = 0.95,
    method: Method = "wilson",
) -> dict[str, Any]:
    """``Delta_k`` and ``gamma_cls_k`` with intervals for each top-k size, and the best ``k``.

    THEORY.md section 2. ``gamma_cls <= gamma``: ``condition_holds`` (``margin > 0`` with
    ``margin = 1 - delta - gamma_cls``) is optimistic, a necessary check rather than a
    sufficient one.

    Args:
      y: ``[n]`` true labels.
      d: ``[n, c]`` soft labels.
      ks: the sizes to report (default: every ``k`` in ``1..c-1``).
      confidence: nominal coverage of each interval (``gamma_cls`` intervals take the
        maximum over pairs with a Bonferroni correction, see ``gamma_cls_hat``).
      method: ``"wilson"`` or ``"clopper-pearson"``.

    Returns:
      ``{"n", "c", "top1_accuracy", "per_k": [{"k", "delta", "delta_ci", "gamma_cls",
      "gamma_cls_ci", "margin", "condition_holds"}, ...], "best_k"}``; ``best_k`` has the
      largest margin.
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
    hist = _rank_histogram(labels, soft)
    inside = np.cumsum(hist, axis=2)  # inside[y, j, k-1]: rows with j in the top-k
    units = np.bincount(labels, minlength=c)
    correct_rank = np.cumsum(np.einsum("yyr->r", hist))  # rows with y in the top-(r+1)
    per_k = []
    for k in wanted:  # at most c - 1 entries, each O(c^2)
        misses = n - int(correct_rank[k - 1])
        lo, hi = binomial_interval(misses, n, confidence=conf, method=method)
        g = gamma_cls_from_counts(inside[:, :, k - 1], units, confidence=conf, method=method)
        delta = misses / n
        margin = 1.0 - delta - g.value
        per_k.append(
            {
                "k": k,
                "delta": delta,
                "delta_ci": [float(lo), float(hi)],
                "gamma_cls": g.value,
                "gamma_cls_ci": [g.lo, g.hi],
                "margin": margin,
                "condition_holds": bool(margin > 0),
            }
        )
    best = max(per_k, key=lambda row: row["margin"])
    return {
        "n": n,
        "c": c,
        "top1_accuracy": float(correct_rank[0]) / n,
        "per_k": per_k,
        "best_k": best["k"],
    }
