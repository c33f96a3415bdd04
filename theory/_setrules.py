"""Set rules ``Omega(d)``: which labels a soft label puts in its label set.

THEORY.md section 1. A rule is a callable ``rule(d) -> mask`` on soft labels ``[..., c]``
returning a boolean mask ``[..., c]``, plus ``rule.contains(d, labels)`` for the
membership of one given label per soft label (all the unreliability degree needs, and
cheaper than the whole mask for top-k).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np
from numpy.typing import ArrayLike, NDArray

from synth._checks import check_k, check_labels, check_soft_labels, check_unit_interval


@runtime_checkable
class SetRule(Protocol):
    """What every set rule provides. THEORY.md section 1."""

    @property
    def name(self) -> str:
        """A short name such as ``top2`` or ``support``."""
        ...

    def __call__(self, d: ArrayLike) -> NDArray[np.bool_]:
        """Mask ``[..., c]`` of ``Omega(d)`` for soft labels ``d [..., c]``."""
        ...

    def contains(self, d: ArrayLike, labels: ArrayLike) -> NDArray[np.bool_]:
        """``[...]``: whether ``labels[...]`` lies in ``Omega(d[...])``."""
        ...


def topk_rank(d: ArrayLike, labels: ArrayLike) -> NDArray[np.int64]:
    """Rank of ``d[..., labels]`` in the stable descending order of ``d`` (THEORY.md section 1).

    ``rank = #{j : d_j > d_y} + #{j < y : d_j = d_y}`` (ties toward the smaller index), so
    ``y`` is in the top-k set iff ``rank < k``: one count serves every ``k``.

    Args:
      d: soft labels ``[..., c]``.
      labels: ints ``[...]``.

    Returns:
      int64 ranks ``[...]`` in ``[0, c)``.
    """
    d = check_soft_labels(d)
    y = _row_labels(d, labels)
    dy = np.take_along_axis(d, y[..., None], axis=-1)
    before = np.arange(d.shape[-1]) < y[..., None]
    return np.count_nonzero((d > dy) | ((d == dy) & before), axis=-1).astype(np.int64)


@dataclass(frozen=True)
class TopK:
    """``Omega_k(d)``: the ``k`` largest entries, ties to the smaller index.

    THEORY.md section 1. ``k`` must satisfy ``1 <= k <= c - 1``; ``c`` is checked when the
    rule meets soft labels.
    """

    k: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "k", check_k(self.k))

    @property
    def name(self) -> str:
        """``top{k}``."""
        return f"top{self.k}"

    def __call__(self, d: ArrayLike) -> NDArray[np.bool_]:
        """Mask ``[..., c]`` of the top-k set of each soft label ``d [..., c]``.

        Linear time per row: the k-th largest value comes from a partition, every larger
        entry is in, and among entries equal to it the smallest indices fill what is left.
        """
        d = check_soft_labels(d)
        k = check_k(self.k, d.shape[-1])
        kth = -np.partition(-d, k - 1, axis=-1)[..., k - 1 : k]
        greater = d > kth
        room = k - np.count_nonzero(greater, axis=-1, keepdims=True)
        equal = d == kth
        return greater | (equal & (np.cumsum(equal, axis=-1) <= room))

    def contains(self, d: ArrayLike, labels: ArrayLike) -> NDArray[np.bool_]:
        """``[...]``: whether ``labels`` is in the top-k set, by :func:`topk_rank`."""
        d = check_soft_labels(d)
        k = check_k(self.k, d.shape[-1])
        return topk_rank(d, labels) < k


@dataclass(frozen=True)
class Support:
    """``{j : d_j > tol}``: the candidate set of a partial label (THEORY.md sections 1, 5).

    With the default ``tol = 0`` a partial label ``d``, uniform on its candidate set and
    exactly zero elsewhere, gives back that set.
    """

    tol: float = 0.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "tol", check_unit_interval(self.tol, "tol", open_right=True))

    @property
    def name(self) -> str:
        """``support`` (with the tolerance when it is not zero)."""
        return "support" if self.tol == 0 else f"support>{self.tol:g}"

    def __call__(self, d: ArrayLike) -> NDArray[np.bool_]:
        """Mask ``[..., c]`` of ``d > tol``."""
        return check_soft_labels(d) > self.tol

    def contains(self, d: ArrayLike, labels: ArrayLike) -> NDArray[np.bool_]:
        """``[...]``: whether ``d[labels] > tol``."""
        return _pick(check_soft_labels(d), labels) > self.tol


@dataclass(frozen=True)
class Threshold:
    """``{j : d_j >= tau}``, for ``0 < tau <= 1`` (THEORY.md section 1).

    The set may be empty (for instance every label of a uniform ``d`` when ``tau > 1/c``);
    an empty set contains no label, the true one included.
    """

    tau: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "tau", check_unit_interval(self.tau, "tau", open_left=True))

    @property
    def name(self) -> str:
        """``threshold{tau}``."""
        return f"threshold{self.tau:g}"

    def __call__(self, d: ArrayLike) -> NDArray[np.bool_]:
        """Mask ``[..., c]`` of ``d >= tau``."""
        return check_soft_labels(d) >= self.tau

    def contains(self, d: ArrayLike, labels: ArrayLike) -> NDArray[np.bool_]:
        """``[...]``: whether ``d[labels] >= tau``."""
        return _pick(check_soft_labels(d), labels) >= self.tau


def _row_labels(d: NDArray[np.float64], labels: ArrayLike) -> NDArray[np.int64]:
    """One valid label per soft label of ``d [..., c]``."""
    y = check_labels(labels, d.shape[-1], "labels")
    if y.shape != d.shape[:-1]:
        raise ValueError(f"labels: expected shape {d.shape[:-1]} to match d, got {y.shape}")
    return y


def _pick(d: NDArray[np.float64], labels: ArrayLike) -> NDArray[np.float64]:
    y = _row_labels(d, labels)
    return np.take_along_axis(d, y[..., None], axis=-1)[..., 0]
