"""What every soft-label generator (teacher) provides, and the pieces teachers share.

docs/theory.md sections 1 and 5. A teacher draws soft labels ``d ~ Q(. | x, y)``; where the law
allows, it also gives the membership ``m_j(x, y)`` of a set rule and ``E[d | x, y]`` in closed
form, and raises :class:`NoClosedForm` where it does not (the caller then estimates by Monte
Carlo). Set rules are passed in as callables (``theory.TopK`` and friends).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from synth._repr import constructor_repr
from synth._rng import as_generator
from synth.checks import as_float_array, check_labels, check_soft_labels
from synth.rules import SetRule


class NoClosedForm(NotImplementedError):
    """This teacher has no closed form for the quantity asked (use Monte Carlo).

    docs/theory.md section 2 (Monte Carlo estimates are the fall back).
    """


class Teacher(ABC):
    """A soft labeler ``Q(. | x, y)`` over ``c`` classes. docs/theory.md section 1.

    Shapes: ``x [n, p]`` (ignored by teachers that do not look at ``x``), ``y [n]``.
    """

    num_classes: int
    #: Values a constructor derives (or a target-seeking one solves for) that are worth
    #: seeing beside its arguments in the ``repr``.
    _derived: tuple[str, ...] = ()

    def __repr__(self) -> str:
        """``SkillfulButBad(num_classes=10, k=3, accuracy=0.2, delta=0.3, gamma=0.2556)``:
        the constructor's arguments the teacher keeps, then :attr:`_derived`."""
        return constructor_repr(self, self._derived)

    @abstractmethod
    def _draw(
        self, x: NDArray[np.float64], y: NDArray[np.int64], rng: np.random.Generator
    ) -> NDArray[np.float64]:
        """Soft labels ``[n, c]`` for checked inputs."""

    def sample(self, x: ArrayLike, y: ArrayLike, *, rng: Any) -> NDArray[np.float64]:
        """Draw one soft label per ``(x[i], y[i])``: ``[n, c]``, rows on the simplex.

        ``rng`` is a numpy Generator, an int seed or a JAX key.
        """
        xs, ys = self._inputs(x, y)
        return self._draw(xs, ys, as_generator(rng))

    def membership(self, x: ArrayLike, rule: SetRule) -> NDArray[np.float64]:
        """Closed-form ``m[i, y, j] = P(j in Omega(d) | x_i, y)``, shape ``[n, c, c]``.

        docs/theory.md section 1 (membership). Raises :class:`NoClosedForm` where the law has
        none for this rule.
        """
        raise NoClosedForm(f"{type(self).__name__} has no closed-form membership")

    def mean_soft_labels(self, x: ArrayLike) -> NDArray[np.float64]:
        """Closed-form ``E[d | x_i, y]``, shape ``[n, c, c]`` (axis 1 is ``y``).

        With the world's posterior, ``theory.distillation_target`` turns it into
        ``E[d | x]``. Raises :class:`NoClosedForm` where there is none.
        """
        raise NoClosedForm(f"{type(self).__name__} has no closed-form E[d | x, y]")

    def _inputs(self, x: ArrayLike, y: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
        ys = check_labels(y, self.num_classes)
        if ys.ndim != 1:
            raise ValueError(f"y: expected shape [n], got {ys.shape}")
        xs = as_float_array(x, "x")
        if xs.ndim == 1:
            xs = xs[:, None]
        if xs.ndim != 2 or xs.shape[0] != ys.shape[0]:
            raise ValueError(f"mismatched lengths: x has shape {xs.shape}, y has {ys.shape[0]}")
        return xs, ys

    def _rows(self, x: ArrayLike) -> int:
        xs = as_float_array(x, "x")
        if xs.ndim not in (1, 2):
            raise ValueError(f"x: expected shape [n, p], got {xs.shape}")
        return int(xs.shape[0])


class DeterministicTeacher(Teacher):
    """A teacher whose soft label is a function of ``(x, y)``: ``d = f(x, y)``.

    Membership and ``E[d | x, y]`` are then exact for every set rule: the rule applied to
    ``f(x, y)``. docs/theory.md section 5 (Bayes teacher, temperature, label smoothing).
    """

    @abstractmethod
    def soft_labels(self, x: ArrayLike) -> NDArray[np.float64]:
        """``f(x_i, y)`` for every ``y``: shape ``[n, c, c]`` (axis 1 is ``y``)."""

    def _draw(
        self, x: NDArray[np.float64], y: NDArray[np.int64], rng: np.random.Generator
    ) -> NDArray[np.float64]:
        return self.soft_labels(x)[np.arange(len(y)), y]

    def membership(self, x: ArrayLike, rule: SetRule) -> NDArray[np.float64]:
        """``1(j in Omega(f(x, y)))``, shape ``[n, c, c]``."""
        return np.asarray(rule(self.soft_labels(x)), dtype=np.float64)

    def mean_soft_labels(self, x: ArrayLike) -> NDArray[np.float64]:
        """``f(x, y)`` itself, shape ``[n, c, c]``."""
        return self.soft_labels(x)


def rank_profile(num_classes: int, sharpness: float) -> NDArray[np.float64]:
    """Soft-label values by rank, ``v_r ∝ exp(-sharpness * r)``: strictly decreasing, so a
    soft label built from a ranking has no ties. docs/theory.md section 5 (synthetic teachers)."""
    if not float(sharpness) > 0:
        raise ValueError(f"sharpness: must be positive, got {sharpness!r}")
    v = np.exp(-float(sharpness) * np.arange(num_classes))
    return v / v.sum()


def soft_labels_from_order(
    order: NDArray[np.int64], profile: NDArray[np.float64]
) -> NDArray[np.float64]:
    """``d[i, order[i, r]] = profile[r]``: the label ranked ``r`` gets the ``r``-th value."""
    d = np.empty(order.shape, dtype=np.float64)
    np.put_along_axis(d, order, np.broadcast_to(profile, order.shape), axis=-1)
    return d


def prefix_length(rule: SetRule, profile: NDArray[np.float64]) -> int:
    """How many top ranks ``rule`` keeps from a soft label with values ``profile`` by rank.

    Raises :class:`NoClosedForm` unless the kept ranks form a prefix (true of top-k,
    support and threshold rules on a strictly decreasing profile).
    """
    kept = np.asarray(rule(check_soft_labels(profile[None, :])), dtype=bool)[0]
    r = int(kept.sum())
    if not np.all(kept[:r]):
        raise NoClosedForm("the rule does not keep a prefix of ranks")
    return r


def rank_membership(rank_probs: NDArray[np.float64], r: int) -> tuple[float, float]:
    """Membership of the true label and of each (exchangeable) wrong label when the rule
    keeps the top ``r`` ranks and the true label's rank has law ``rank_probs [c]``.

    By F2 the wrong labels share ``r - m_y`` equally: ``m_j = (r - m_y) / (c - 1)``.
    """
    c = rank_probs.shape[0]
    m_y = float(rank_probs[:r].sum())
    return m_y, (r - m_y) / (c - 1)


def exchangeable_membership(m_y: float, m_wrong: float, num_classes: int) -> NDArray[np.float64]:
    """``[c, c]`` with ``m_y`` on the diagonal and ``m_wrong`` elsewhere, clipped to
    ``[0, 1]`` against rounding in the closed forms."""
    m = np.full((num_classes, num_classes), m_wrong)
    np.fill_diagonal(m, m_y)
    return np.clip(m, 0.0, 1.0)


def repeat_rows(table: NDArray[np.float64], n: int) -> NDArray[np.float64]:
    """A per-class table ``[c, c]`` repeated for ``n`` points: ``[n, c, c]`` (a view)."""
    return np.broadcast_to(table, (n, *table.shape))


def random_order(rng: np.random.Generator, n: int, c: int) -> NDArray[np.int64]:
    """``n`` independent uniform permutations of ``range(c)``, shape ``[n, c]``."""
    return np.argsort(rng.random((n, c)), axis=-1).astype(np.int64)


def as_soft_labels(d: NDArray[np.float64]) -> NDArray[np.float64]:
    """Renormalize rows that rounding left a hair off the simplex."""
    return d / d.sum(axis=-1, keepdims=True)
