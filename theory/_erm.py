"""Exact ERM on a finite domain over all classifiers, and its exact uniform deviation.

docs/theory.md section 4. With ``H`` = every function on ``M`` points, the empirical set risk
``R_hat_Omega(h) = (1/m) #{i : h(x_i) not in S_i}`` is a sum over points, so ERM picks at
each point the label most often inside the observed sets (ties to the smaller index) and a
fixed default at points never observed. The same additivity gives
``sup_h |R_hat_Omega(h) - R_Omega(h)|`` in closed form, so Theorem L can be checked link by
link on the real ERM.

Shapes: training points ``x [..., m]``, label sets ``sets [..., m, c]`` (bool); the leading
axes are independent training sets.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from synth.checks import check_labels
from theory._risks import set_loss_table


def _check_sample(
    x: ArrayLike, sets: ArrayLike, num_points: int
) -> tuple[NDArray[np.int64], NDArray[np.bool_]]:
    s = np.asarray(sets)
    if s.dtype != bool:
        raise ValueError(f"sets: expected a boolean mask [..., m, c], got dtype {s.dtype}")
    pts = check_labels(x, num_points, "x")
    if s.ndim < 2 or pts.shape != s.shape[:-1]:
        raise ValueError(f"sets: expected shape {pts.shape + ('c',)} to match x, got {s.shape}")
    if pts.shape[-1] < 1:
        raise ValueError("x: empty training set")
    return pts, s


def set_counts(x: ArrayLike, sets: ArrayLike, num_points: int) -> NDArray[np.int64]:
    """``[..., M, c]``: how many training sets at point ``x`` contain label ``j``.

    docs/theory.md section 4 (exact ERM); ``x [..., m]``, ``sets [..., m, c]``.
    """
    pts, s = _check_sample(x, sets, num_points)
    c = s.shape[-1]
    flat_x = pts.reshape(-1, pts.shape[-1])
    flat_s = s.reshape(*flat_x.shape, c)
    cell = (np.arange(flat_x.shape[0])[:, None] * num_points + flat_x).ravel()
    size = flat_x.shape[0] * num_points
    counts = np.stack(
        [np.bincount(cell[flat_s[..., j].ravel()], minlength=size) for j in range(c)], axis=-1
    )
    return counts.reshape(*pts.shape[:-1], num_points, c)


def point_counts(x: ArrayLike, num_points: int) -> NDArray[np.int64]:
    """``[..., M]``: how many training points fall on each point of the domain.

    docs/theory.md section 4 (exact ERM); ``x`` is ``[..., m]``.
    """
    pts = check_labels(x, num_points, "x")
    flat = pts.reshape(-1, pts.shape[-1])
    cell = np.arange(flat.shape[0])[:, None] * num_points + flat
    counts = np.bincount(cell.ravel(), minlength=flat.shape[0] * num_points)
    return counts.reshape(*pts.shape[:-1], num_points)


def exact_erm(
    x: ArrayLike, sets: ArrayLike, num_points: int, *, default: int = 0
) -> NDArray[np.int64]:
    """The ERM of the set 0/1 loss over all classifiers on ``num_points`` points.

    docs/theory.md section 4 (exact ERM on a finite domain).

    Args:
      x: ``[..., m]`` training points.
      sets: ``[..., m, c]`` their label sets.
      num_points: ``M``.
      default: the label given to points absent from the training set.

    Returns:
      ``[..., M]`` classifiers.
    """
    counts = set_counts(x, sets, num_points)
    c = counts.shape[-1]
    default = int(check_labels(default, c, "default"))
    h = np.argmax(counts, axis=-1)
    return np.where(point_counts(x, num_points) > 0, h, default).astype(np.int64)


def empirical_set_loss_table(x: ArrayLike, sets: ArrayLike, num_points: int) -> NDArray[np.float64]:
    """``[..., M, c]``: ``a_hat[x, j] = #{i : x_i = x, j not in S_i} / m`` (docs/theory.md
    section 4).

    So ``R_hat_Omega(h) = sum_x a_hat[x, h(x)]``.
    """
    counts = set_counts(x, sets, num_points)
    m = np.shape(x)[-1]
    return (point_counts(x, num_points)[..., None] - counts) / m


def uniform_deviation(
    x: ArrayLike, sets: ArrayLike, joint: ArrayLike, membership: ArrayLike
) -> NDArray[np.float64]:
    """``sup_h |R_hat_Omega(h) - R_Omega(h)|`` over all classifiers, exactly.

    docs/theory.md section 4: the quantity ``eps_m`` bounds with probability ``1 - delta``.

    With ``diff = a_hat - a`` additive over points, the supremum of ``sum_x diff[x, h(x)]``
    is ``sum_x max_j diff[x, j]`` and the infimum ``sum_x min_j diff[x, j]``.

    Args:
      x, sets: training sets ``[T..., m]``, ``[T..., m, c]`` drawn from one world.
      joint, membership: that world, ``[M, c]`` and ``[M, c, c]``.

    Returns:
      ``[T...]``.
    """
    table = set_loss_table(joint, membership)
    diff = empirical_set_loss_table(x, sets, table.shape[-2]) - table
    return np.maximum(diff.max(axis=-1).sum(axis=-1), -diff.min(axis=-1).sum(axis=-1))
