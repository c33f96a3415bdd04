"""Risks of classifiers on finite worlds. docs/theory.md section 3.

A classifier on a finite world is an int array ``h [..., M]`` (one label per point). A
world, or a batch of worlds, is its joint table ``joint [..., M, c]`` and membership
``membership [..., M, c, c]``. Every risk is additive over points,
``sum_x table[x, h(x)]`` for a per-point loss table ``[..., M, c]``; the leading axes of
the table and of ``h`` broadcast as in numpy, so ``h`` of shape ``[H, M]`` scores ``H``
classifiers on one world, and ``table[:, None]`` against it scores them on every world of
a batch.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from synth.checks import check_labels
from theory._indicators import check_joint, check_membership


def _classifiers(h: ArrayLike, num_points: int, num_classes: int) -> NDArray[np.int64]:
    labels = check_labels(h, num_classes, "h")
    if labels.ndim == 0 or labels.shape[-1] != num_points:
        raise ValueError(
            f"h: expected shape [..., M] with M = {num_points} points, got {labels.shape}"
        )
    return labels


def table_risk(table: ArrayLike, h: ArrayLike) -> NDArray[np.float64]:
    """``sum_x table[..., x, h(x)]`` for a per-point loss table (docs/theory.md section 3).

    Args:
      table: ``[..., M, c]``.
      h: ``[..., M]`` classifiers; leading axes broadcast with the table's.

    Returns:
      the broadcast leading shape ``[...]``.
    """
    t = np.asarray(table, dtype=np.float64)
    labels = _classifiers(h, t.shape[-2], t.shape[-1])
    lead = np.broadcast_shapes(t.shape[:-1], labels.shape)
    picked = np.take_along_axis(
        np.broadcast_to(t, lead + t.shape[-1:]), np.broadcast_to(labels, lead)[..., None], -1
    )
    return np.sum(picked[..., 0], axis=-1)


def error_table(joint: ArrayLike) -> NDArray[np.float64]:
    """``[..., M, c]``: ``P(x, y != j)``, so that ``R(h) = sum_x table[x, h(x)]``.

    docs/theory.md section 3 (true risk).
    """
    j = check_joint(joint)
    return j.sum(axis=-1, keepdims=True) - j


def risk(h: ArrayLike, joint: ArrayLike) -> NDArray[np.float64]:
    """True risk ``R(h) = P(h(x) != y)``, broadcast shape ``[...]``. docs/theory.md section 3."""
    return table_risk(error_table(joint), h)


def _joint_and_membership(
    joint: ArrayLike, membership: ArrayLike
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    j = check_joint(joint)
    m = check_membership(membership)
    if m.shape != j.shape + (j.shape[-1],):
        raise ValueError(f"membership: expected shape {j.shape + (j.shape[-1],)}, got {m.shape}")
    return j, m


def set_loss_table(joint: ArrayLike, membership: ArrayLike) -> NDArray[np.float64]:
    """``[..., M, c]``: ``a[x, j] = sum_y P(x, y) (1 - m_j(x, y))``.

    Then ``R_Omega(h) = sum_x a[x, h(x)]`` (docs/theory.md section 3): set risks are additive
    over points, which is what makes per-point minimizers exact.
    """
    j, m = _joint_and_membership(joint, membership)
    return np.einsum("...xy,...xyj->...xj", j, 1.0 - m)


def set_risk(h: ArrayLike, joint: ArrayLike, membership: ArrayLike) -> NDArray[np.float64]:
    """Top-k (set) risk ``R_Omega(h) = P(h(x) not in Omega(d))``, broadcast shape ``[...]``.

    docs/theory.md section 3.

    Args:
      h: ``[..., M]`` classifiers.
      joint: ``[..., M, c]`` law of ``(x, y)``.
      membership: ``[..., M, c, c]``.
    """
    return table_risk(set_loss_table(joint, membership), h)


def sandwich_terms(
    h: ArrayLike, joint: ArrayLike, membership: ArrayLike
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """The two terms of the risk sandwich (docs/theory.md section 3, Lemma).

    Returns:
      ``P(h = y, y not in Omega)`` and ``P(h != y, h not in Omega)``, each of the broadcast
      shape ``[...]``; they sum to ``R_Omega(h)``.
    """
    j, m = _joint_and_membership(joint, membership)
    miss = j[..., None] * (1.0 - m)  # [..., M, y, j]: P(x, y, j not in Omega)
    right = np.diagonal(miss, axis1=-2, axis2=-1)  # [..., M, j]: y = j
    wrong = miss.sum(axis=-2) - right  # [..., M, j]: y != j
    return table_risk(right, h), table_risk(wrong, h)


def all_classifiers(num_points: int, num_classes: int) -> NDArray[np.int64]:
    """``[c**M, M]``: every classifier on a finite domain, for exhaustive checks.

    docs/theory.md sections 3-4: Theorem C quantifies over all classifiers; on ``M`` points there
    are ``c**M`` of them (refused above ``2**22``).
    """
    if num_classes**num_points > 2**22:
        raise ValueError(
            f"{num_classes}**{num_points} classifiers is too many to enumerate (limit 2**22)"
        )
    grids = np.indices((num_classes,) * num_points).reshape(num_points, -1).T
    return grids.astype(np.int64)
