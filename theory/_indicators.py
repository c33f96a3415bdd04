"""The unreliability and ambiguity degrees, exactly, from membership probabilities.

docs/theory.md section 2. Every indicator is a function of the membership
``m[x, y, j] = P(j in Omega(d) | x, y)`` and of the law of ``(x, y)``. On a finite world
the law is the joint table ``joint[x, y] = P(x, y)``; "ess sup" is the maximum over the
support ``{(x, y) : joint[x, y] > 0}``.

Shapes: ``membership [..., M, c, c]`` (axis -2 is the true label ``y``, axis -1 the label
``j``), ``joint [..., M, c]``, ``eta [..., M, c]``; leading axes are a batch of worlds and
the indicators come out with shape ``[...]`` (a 0-d value for one world).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from synth.checks import as_float_array, check_distributions


def check_membership(membership: ArrayLike, name: str = "membership") -> NDArray[np.float64]:
    """Membership probabilities ``[..., c, c]`` in ``[0, 1]``, as float64.

    ``m[..., y, j] = m_j(x, y)`` (docs/theory.md section 1, membership).
    """
    m = as_float_array(membership, name)
    if m.ndim < 2 or m.shape[-1] != m.shape[-2] or m.shape[-1] < 2:
        raise ValueError(f"{name}: expected shape [..., c, c] with c >= 2, got {m.shape}")
    if np.any(m < 0) or np.any(m > 1):
        raise ValueError(f"{name}: probabilities must lie in [0, 1]")
    return m


def check_joint(joint: ArrayLike, name: str = "joint") -> NDArray[np.float64]:
    """A joint table ``[..., M, c]`` summing to one over its last two axes.

    The law of ``(x, y)`` of a finite world (docs/theory.md section 1).
    """
    shape = np.shape(joint)
    if len(shape) < 2:
        raise ValueError(f"{name}: expected shape [..., M, c], got {shape}")
    flat = np.reshape(joint, shape[:-2] + (shape[-2] * shape[-1],))
    return check_distributions(flat, name).reshape(shape)


def _check_pair(membership: ArrayLike, joint: ArrayLike) -> tuple[NDArray, NDArray]:
    m = check_membership(membership)
    j = check_joint(joint)
    if m.shape != j.shape + (j.shape[-1],):
        raise ValueError(
            f"membership: expected shape {j.shape + (j.shape[-1],)} to match joint, got {m.shape}"
        )
    return m, j


def _off_diagonal(c: int) -> NDArray[np.bool_]:
    return ~np.eye(c, dtype=bool)


def pointwise_delta(membership: ArrayLike) -> NDArray[np.float64]:
    """``Delta(x, y) = 1 - m_y(x, y)``, shape ``[..., c]`` from ``membership [..., c, c]``.

    docs/theory.md section 2 (pointwise unreliability).
    """
    m = check_membership(membership)
    return 1.0 - np.diagonal(m, axis1=-2, axis2=-1)


def delta(membership: ArrayLike, joint: ArrayLike) -> NDArray[np.float64]:
    """Unreliability degree ``Delta = E[Delta(x, y)]``, shape ``[...]``. docs/theory.md
    section 2."""
    m, j = _check_pair(membership, joint)
    return np.sum(j * pointwise_delta(m), axis=(-2, -1))


def delta_max(membership: ArrayLike, joint: ArrayLike) -> NDArray[np.float64]:
    """Worst case ``Delta_max = ess sup Delta(x, y)``, shape ``[...]``. docs/theory.md section 2."""
    m, j = _check_pair(membership, joint)
    return np.max(np.where(j > 0, pointwise_delta(m), -np.inf), axis=(-2, -1))


def gamma(membership: ArrayLike, joint: ArrayLike) -> NDArray[np.float64]:
    """Ambiguity ``gamma = ess sup_{(x,y), j != y} m_j(x, y)``, shape ``[...]``.

    docs/theory.md section 2.
    """
    m, j = _check_pair(membership, joint)
    allowed = (j > 0)[..., None] & _off_diagonal(m.shape[-1])
    return np.max(np.where(allowed, m, -np.inf), axis=(-3, -2, -1))


def class_membership(membership: ArrayLike, joint: ArrayLike) -> NDArray[np.float64]:
    """``[..., c, c]`` class-level membership ``P(j in Omega(d) | y)``; NaN rows if ``P(y) = 0``.

    docs/theory.md section 2 (class-level ambiguity).
    """
    m, j = _check_pair(membership, joint)
    class_prob = j.sum(axis=-2)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.einsum("...xy,...xyj->...yj", j, m) / class_prob[..., :, None]


def gamma_cls(membership: ArrayLike, joint: ArrayLike) -> NDArray[np.float64]:
    """``gamma_cls = max_{y, j != y} P(j in Omega(d) | y)``, shape ``[...]``; ``<= gamma``.

    A condition checked with it is optimistic. docs/theory.md section 2.
    """
    cm = class_membership(membership, joint)
    allowed = ~np.isnan(cm) & _off_diagonal(cm.shape[-1])
    return np.max(np.where(allowed, cm, -np.inf), axis=(-2, -1))


def pointwise_gamma(membership: ArrayLike, eta: ArrayLike) -> NDArray[np.float64]:
    """``gamma(x) = max_{y : eta_y(x) > 0, j != y} m_j(x, y)``, shape ``[...]``.

    docs/theory.md section 3, Theorem C'.

    Args:
      membership: ``[..., c, c]``.
      eta: ``[..., c]`` posteriors.
    """
    m = check_membership(membership)
    e = check_distributions(eta, "eta")
    if e.shape != m.shape[:-1]:
        raise ValueError(f"eta: expected shape {m.shape[:-1]} to match membership, got {e.shape}")
    allowed = (e > 0)[..., :, None] & _off_diagonal(m.shape[-1])
    return np.max(np.where(allowed, m, 0.0), axis=(-2, -1))
