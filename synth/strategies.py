"""Hypothesis strategies for random finite worlds and soft labelers, for property tests.

docs/theory.md sections 1-4. Probabilities are drawn on a coarse integer grid and normalized, so
ties (in posteriors and in soft labels) are common and exact: tie-breaking bugs show up.
Shapes stay small (a few points, classes and mixture components) so that exhaustive checks
over all ``c**M`` classifiers stay fast. The same construction backs
``synth.random_problems``, the numpy sampler the verification suites use.

Example::

    from hypothesis import given
    from synth.strategies import finite_problems

    @given(finite_problems(deterministic=True))
    def test_my_learner(problem):
        world, labeler = problem
        ...
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from numpy.typing import NDArray

from synth._finite import FiniteLabeler, FiniteWorld
from synth._random_problems import GRID, assemble_problem, normalize_grid

__all__ = ["finite_problems", "finite_worlds", "soft_labels"]


def _grid(shape: tuple[int, ...]) -> st.SearchStrategy[NDArray[np.int64]]:
    return hnp.arrays(np.int64, shape, elements=st.integers(0, GRID))


@st.composite
def finite_problems(
    draw: Any,
    *,
    max_points: int = 4,
    min_classes: int = 2,
    max_classes: int = 4,
    max_components: int = 3,
    deterministic: bool | None = None,
) -> tuple[FiniteWorld, FiniteLabeler]:
    """A random ``(FiniteWorld, FiniteLabeler)`` pair (docs/theory.md section 1).

    Args:
      max_points: largest number of points ``M`` (at least one has positive mass; points of
        zero mass occur, so code must respect the support).
      min_classes, max_classes: range of ``c``.
      max_components: largest number ``K`` of soft labels mixed at each ``(x, y)``.
      deterministic: one-hot posteriors if True, drawn posteriors (possibly one-hot) if
        False, either if None.
    """
    m = draw(st.integers(1, max_points))
    c = draw(st.integers(min_classes, max_classes))
    k = draw(st.integers(1, max_components))
    point_weights = draw(_grid((m,)))
    point_weights[draw(st.integers(0, m - 1))] += 1
    det = draw(st.booleans()) if deterministic is None else deterministic
    if det:
        eta = np.eye(c)[draw(hnp.arrays(np.int64, (m,), elements=st.integers(0, c - 1)))]
    else:
        eta = normalize_grid(draw(_grid((m, c))))
    raw = draw(_grid((m, c, k, c)))
    faithful = draw(hnp.arrays(bool, (m, c, k), elements=st.booleans()))
    return assemble_problem(point_weights, eta, raw, faithful, draw(_grid((m, c, k))))


def finite_worlds(**kwargs: Any) -> st.SearchStrategy[FiniteWorld]:
    """A random :class:`FiniteWorld` (docs/theory.md section 1); arguments as
    :func:`finite_problems`."""
    return finite_problems(**kwargs).map(lambda problem: problem[0])


def soft_labels(
    num_classes: int, batch: tuple[int, ...] = ()
) -> st.SearchStrategy[NDArray[np.float64]]:
    """Grid soft labels of shape ``batch + (num_classes,)``, ties included (docs/theory.md
    section 1)."""
    return _grid((*batch, num_classes)).map(normalize_grid)
