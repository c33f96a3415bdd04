"""An instance-dependent teacher: the region of ``x`` decides which teacher labels it.

docs/theory.md sections 2-3: with ``Delta(x, y)`` varying over ``x``, ``Delta_max`` exceeds
``Delta`` and only ``Delta_max + gamma < 1`` is sufficient (claim ``thm-C-average-delta``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

from synth._teacher_base import Teacher
from synth.checks import as_float_array
from synth.rules import SetRule


class RegionTeacher(Teacher):
    """``Q(. | x, y) = Q_{region(x)}(. | x, y)``. docs/theory.md section 2 (instance-dependent
    unreliability).

    Closed forms exist wherever every region's teacher has them: membership and
    ``E[d | x, y]`` are taken region by region.

    Args:
      teachers: one teacher per region, all with the same ``c``.
      region: ``x [n, p] -> [n]`` region indices in ``[0, len(teachers))``.
    """

    def __init__(self, teachers: Sequence[Teacher], region: Callable[[NDArray], ArrayLike]):
        if not teachers:
            raise ValueError("teachers: need at least one")
        classes = {t.num_classes for t in teachers}
        if len(classes) != 1:
            raise ValueError(f"teachers: must share the number of classes, got {sorted(classes)}")
        self.teachers = list(teachers)
        self.region = region
        self.num_classes = classes.pop()

    @classmethod
    def halfspace(
        cls, inside: Teacher, outside: Teacher, *, direction: ArrayLike, offset: float = 0.0
    ) -> RegionTeacher:
        """``inside`` labels points with ``x . direction > offset``, ``outside`` the rest."""
        w = as_float_array(direction, "direction").ravel()

        def region(x: NDArray) -> NDArray[np.int64]:
            return (np.asarray(x, dtype=np.float64) @ w <= offset).astype(np.int64)

        return cls([inside, outside], region)

    def regions(self, x: ArrayLike) -> NDArray[np.int64]:
        """``[n]`` region of each point."""
        xs = as_float_array(x, "x")
        r = np.asarray(self.region(xs if xs.ndim == 2 else xs[:, None])).astype(np.int64)
        if (
            r.shape != (xs.shape[0],)
            or r.min(initial=0) < 0
            or r.max(initial=0) >= len(self.teachers)
        ):
            raise ValueError(f"region: must map x to [n] indices in [0, {len(self.teachers)})")
        return r

    def _by_region(self, x: ArrayLike, fn: Callable[[Teacher, NDArray], NDArray]) -> NDArray:
        xs = as_float_array(x, "x")
        xs = xs if xs.ndim == 2 else xs[:, None]
        r = self.regions(xs)
        c = self.num_classes
        out = np.empty((xs.shape[0], c, c))
        for i, teacher in enumerate(self.teachers):  # a handful of regions
            rows = r == i
            if rows.any():
                out[rows] = fn(teacher, xs[rows])
        return out

    def _draw(
        self, x: NDArray[np.float64], y: NDArray[np.int64], rng: np.random.Generator
    ) -> NDArray[np.float64]:
        r = self.regions(x)
        d = np.empty((len(y), self.num_classes))
        for i, teacher in enumerate(self.teachers):
            rows = r == i
            if rows.any():
                d[rows] = teacher._draw(x[rows], y[rows], rng)
        return d

    def membership(self, x: ArrayLike, rule: SetRule) -> NDArray[np.float64]:
        """Each region's teacher's membership, ``[n, c, c]``."""
        return self._by_region(x, lambda t, xs: t.membership(xs, rule))

    def mean_soft_labels(self, x: ArrayLike) -> NDArray[np.float64]:
        """Each region's teacher's ``E[d | x, y]``, ``[n, c, c]``."""
        return self._by_region(x, lambda t, xs: t.mean_soft_labels(xs))
