"""Random finite problems on a coarse probability grid, shared by the hypothesis strategies
(``synth.strategies``) and the numpy sampler the verification suites use.

docs/theory.md sections 1-4. Probabilities are integer weights in ``[0, GRID]`` normalized, so
ties in posteriors and soft labels are common and exact, which exercises tie-breaking.
Some soft-label components are "faithful" (the true label is boosted above every other
entry), so labelers both inside and outside ``Delta + gamma < 1`` occur.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from synth._finite import FiniteLabeler, FiniteWorld

#: Grid resolution of random probabilities: weights are integers in ``[0, GRID]``.
GRID = 4

#: Weight added to the true label of a faithful component: above ``GRID``, so the true
#: label is then strictly the largest entry.
FAITHFUL_BOOST = GRID + 1


def normalize_grid(weights: NDArray[np.int64]) -> NDArray[np.float64]:
    """Rows of non-negative integers to distributions; an all-zero row becomes uniform."""
    w = weights.astype(np.float64)
    w = np.where(w.sum(axis=-1, keepdims=True) == 0, 1.0, w)
    return w / w.sum(axis=-1, keepdims=True)


def assemble_problem(
    point_weights: NDArray[np.int64],
    eta: NDArray[np.float64],
    raw_soft_labels: NDArray[np.int64],
    faithful: NDArray[np.bool_],
    component_weights: NDArray[np.int64],
) -> tuple[FiniteWorld, FiniteLabeler]:
    """Build a (batch of) finite problem(s) from grid draws.

    Args:
      point_weights: ``[..., M]`` integers, not all zero in any world.
      eta: ``[..., M, c]`` posteriors.
      raw_soft_labels: ``[..., M, c, K, c]`` integers in ``[0, GRID]``.
      faithful: ``[..., M, c, K]`` which components boost the true label.
      component_weights: ``[..., M, c, K]`` integers in ``[0, GRID]``.
    """
    c = eta.shape[-1]
    boost = FAITHFUL_BOOST * faithful[..., None] * np.eye(c, dtype=np.int64)[:, None, :]
    labeler = FiniteLabeler(
        normalize_grid(raw_soft_labels + boost), normalize_grid(component_weights)
    )
    return FiniteWorld(normalize_grid(point_weights), eta), labeler


def random_problems(
    batch: int,
    *,
    num_points: int,
    num_classes: int,
    components: int,
    deterministic: bool,
    rng: np.random.Generator,
) -> tuple[FiniteWorld, FiniteLabeler]:
    """A batch of ``batch`` random finite problems of one shape (docs/theory.md sections 1-4).

    Each world draws its own rate of faithful components, uniform on ``[0, 1]``.

    Returns:
      a batched :class:`FiniteWorld` and :class:`FiniteLabeler` (``batch_shape == (batch,)``).
    """
    b, m, c, k = int(batch), int(num_points), int(num_classes), int(components)
    point_weights = rng.integers(0, GRID + 1, (b, m))
    point_weights[np.arange(b), rng.integers(0, m, b)] += 1
    if deterministic:
        eta = np.eye(c)[rng.integers(0, c, (b, m))]
    else:
        eta = normalize_grid(rng.integers(0, GRID + 1, (b, m, c)))
    raw = rng.integers(0, GRID + 1, (b, m, c, k, c))
    faithful = rng.random((b, m, c, k)) < rng.random((b, 1, 1, 1))
    weights = rng.integers(0, GRID + 1, (b, m, c, k))
    return assemble_problem(point_weights, eta, raw, faithful, weights)
