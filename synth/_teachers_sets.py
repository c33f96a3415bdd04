"""Partial labels and additive-noise soft labels, with their closed forms (docs/theory.md
section 5)."""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import integrate, optimize, special, stats

from synth._teacher_base import (
    NoClosedForm,
    Teacher,
    exchangeable_membership,
    repeat_rows,
)
from synth.checks import check_k, check_soft_labels, check_unit_interval
from synth.rules import SetRule, top_k_of


class PartialLabels(Teacher):
    """Candidate sets: the true label kept with probability ``1 - Delta``, each wrong label
    added independently with probability ``q``; ``d`` uniform on the set.

    docs/theory.md section 5. A set that would be empty (probability ``Delta (1-q)^(c-1)``)
    becomes one wrong label drawn uniformly, so ``Delta(x, y) = Delta`` exactly and, with the
    rule ``Support``, ``gamma = q + Delta (1-q)^(c-1) / (c-1)``. Closed-form membership for
    any rule that keeps the whole set or nothing depending on its size (support,
    thresholds); top-k rules cut ties by index and have none here.

    Args:
      num_classes: ``c >= 2``.
      delta: ``Delta``.
      q: probability that a wrong label joins the set.
    """

    _derived = ("gamma",)

    def __init__(self, num_classes: int, delta: float, q: float):
        self.num_classes = int(num_classes)
        if self.num_classes < 2:
            raise ValueError(f"num_classes: must be at least 2, got {num_classes!r}")
        self.delta = check_unit_interval(delta, "delta")
        self.q = check_unit_interval(q, "q")

    @classmethod
    def from_targets(cls, num_classes: int, *, delta: float, gamma: float) -> PartialLabels:
        """The generator with ``Delta = delta`` and support-rule ``gamma`` exactly.

        ``gamma(q) = q + delta (1-q)^(c-1) / (c-1)`` increases from ``delta / (c-1)`` at
        ``q = 0`` to 1 at ``q = 1``; ``q`` is found by root finding. Raises ``ValueError`` for
        ``gamma`` below ``delta / (c - 1)``.
        """
        c = int(num_classes)
        d = check_unit_interval(delta, "delta")
        g = check_unit_interval(gamma, "gamma")
        low = d / (c - 1)
        if g < low - 1e-12:
            raise ValueError(
                f"gamma = {g:.6g} is unreachable: partial labels with delta = {d:.6g} and "
                f"c = {c} have gamma >= delta/(c-1) = {low:.6g}"
            )
        if g <= low:
            return cls(c, d, 0.0)
        q = optimize.brentq(
            lambda q: q + d * (1 - q) ** (c - 1) / (c - 1) - g, 0.0, 1.0, xtol=1e-15
        )
        return cls(c, d, q)

    @property
    def gamma(self) -> float:
        """Support-rule ambiguity ``q + Delta (1-q)^(c-1) / (c-1)``."""
        c = self.num_classes
        return self.q + self.delta * (1 - self.q) ** (c - 1) / (c - 1)

    def _draw(
        self, x: NDArray[np.float64], y: NDArray[np.int64], rng: np.random.Generator
    ) -> NDArray[np.float64]:
        n, c = len(y), self.num_classes
        rows = np.arange(n)
        member = rng.random((n, c)) < self.q
        member[rows, y] = rng.random(n) >= self.delta
        empty = ~member.any(axis=1)
        pick = (y[empty] + 1 + rng.integers(0, c - 1, int(empty.sum()))) % c
        member[rows[empty], pick] = True
        return member / member.sum(axis=1, keepdims=True)

    def _size_terms(self) -> tuple[NDArray[np.float64], NDArray[np.float64], float]:
        """Binomial laws of how many *other* wrong labels join: ``B ~ Bin(c-1, q)`` (seen
        by the true label) and ``B' ~ Bin(c-2, q)`` (seen by one wrong label), and the
        probability of the replaced empty set."""
        c = self.num_classes
        b = stats.binom.pmf(np.arange(c), c - 1, self.q)
        b2 = stats.binom.pmf(np.arange(c - 1), c - 2, self.q)
        return b, b2, self.delta * (1 - self.q) ** (c - 1)

    def membership(self, x: ArrayLike, rule: SetRule) -> NDArray[np.float64]:
        """Exact ``[n, c, c]`` for rules deciding by set size alone (support, threshold)."""
        c = self.num_classes
        keep = _size_rule(rule, c)  # keep[s] for sets of size s = 0..c
        b, b2, empty = self._size_terms()
        m_y = (1 - self.delta) * float(b @ keep[1 : c + 1])
        m_j = (
            self.q * (1 - self.delta) * float(b2 @ keep[2 : c + 1])
            + self.q * self.delta * float(b2 @ keep[1:c])
            + empty / (c - 1) * keep[1]
        )
        return repeat_rows(exchangeable_membership(m_y, m_j, c), self._rows(x))

    def mean_soft_labels(self, x: ArrayLike) -> NDArray[np.float64]:
        """``E[1(j in S) / |S|]`` from the same binomial laws: ``[n, c, c]``."""
        c = self.num_classes
        b, b2, empty = self._size_terms()
        sizes = np.arange(1, c + 1)
        d_y = (1 - self.delta) * float(b @ (1.0 / sizes))
        d_j = (
            self.q * (1 - self.delta) * float(b2 @ (1.0 / sizes[1:]))
            + self.q * self.delta * float(b2 @ (1.0 / sizes[:-1]))
            + empty / (c - 1)
        )
        return repeat_rows(exchangeable_membership(d_y, d_j, c), self._rows(x))


def _size_rule(rule: SetRule, c: int) -> NDArray[np.float64]:
    """``keep[s]``: whether ``rule`` keeps a member of a set of size ``s`` (uniform ``d``).

    Raises :class:`NoClosedForm` if the rule keeps part of a set (top-k with ties).
    """
    keep = np.zeros(c + 1)
    for s in range(1, c + 1):
        d = np.zeros(c)
        d[:s] = 1.0 / s
        mask = np.asarray(rule(check_soft_labels(d[None])), dtype=bool)[0]
        if mask[:s].all() and not mask[s:].any():
            keep[s] = 1.0
        elif mask.any():
            raise NoClosedForm("the rule splits a candidate set (ties broken by index)")
    return keep


class AdditiveNoise(Teacher):
    """``d = softmax((onehot(y) + sigma xi) / tau)``, ``xi ~ N(0, I)``. docs/theory.md section 5.

    Ranks, hence top-k sets, are those of ``onehot(y) + sigma xi`` (``tau`` only sets how soft
    ``d`` is). Closed form by one-dimensional quadrature:
    ``Delta_k = 1 - int phi(t) P(Bin(c-1, 1 - Phi(t + 1/sigma)) <= k-1) dt`` and, wrong
    labels being exchangeable, ``gamma_k = (k - 1 + Delta_k) / (c - 1)``. ``E[d | x]`` has no
    closed form (estimate it by Monte Carlo).

    Args:
      num_classes: ``c >= 2``.
      sigma: noise scale ``> 0`` (``0`` gives the one-hot label).
      tau: softmax temperature ``> 0``.
    """

    def __init__(self, num_classes: int, sigma: float, tau: float = 1.0):
        self.num_classes = int(num_classes)
        if not float(sigma) >= 0:
            raise ValueError(f"sigma: must be non-negative, got {sigma!r}")
        if not float(tau) > 0:
            raise ValueError(f"tau: must be positive, got {tau!r}")
        self.sigma = float(sigma)
        self.tau = float(tau)

    @classmethod
    def from_delta(cls, num_classes: int, k: int, delta: float, tau: float = 1.0) -> AdditiveNoise:
        """The noise scale with ``Delta_k = delta`` exactly (root finding on the quadrature).

        ``Delta_k`` grows from 0 (``sigma = 0``) toward ``1 - k/c`` (``sigma -> inf``, ranks
        uniform); targets at or beyond that are refused.
        """
        c = int(num_classes)
        k = check_k(k, c)
        d = check_unit_interval(delta, "delta")
        limit = 1 - k / c
        if d >= limit:
            raise ValueError(
                f"delta = {d:.6g} is unreachable: additive noise has Delta_{k} < 1 - k/c = "
                f"{limit:.6g} for c = {c}"
            )
        if d == 0:
            return cls(c, 0.0, tau)
        hi = 1.0
        while additive_noise_delta(c, k, hi) < d:
            hi *= 2
        sigma = optimize.brentq(lambda s: additive_noise_delta(c, k, s) - d, 1e-6, hi, xtol=1e-13)
        return cls(c, sigma, tau)

    def _draw(
        self, x: NDArray[np.float64], y: NDArray[np.int64], rng: np.random.Generator
    ) -> NDArray[np.float64]:
        scores = self.sigma * rng.standard_normal((len(y), self.num_classes))
        scores[np.arange(len(y)), y] += 1.0
        # scipy.special.softmax's operations, in place: the same draws, a third less time
        # on a million rows (no temporaries the size of the scores)
        scores /= self.tau
        scores -= scores.max(axis=-1, keepdims=True)
        np.exp(scores, out=scores)
        scores /= scores.sum(axis=-1, keepdims=True)
        return scores

    def membership(self, x: ArrayLike, rule: SetRule) -> NDArray[np.float64]:
        """Exact ``[n, c, c]`` for ``TopK`` rules (the class docstring's quadrature)."""
        k = top_k_of(rule)
        if k is None:
            raise NoClosedForm("additive noise has closed-form membership for top-k rules only")
        c = self.num_classes
        delta = additive_noise_delta(c, check_k(k, c), self.sigma)
        table = exchangeable_membership(1 - delta, (k - 1 + delta) / (c - 1), c)
        return repeat_rows(table, self._rows(x))


_SQRT_2PI = math.sqrt(2 * math.pi)


@lru_cache(maxsize=4096)
def additive_noise_delta(num_classes: int, k: int, sigma: float) -> float:
    """``Delta_k`` of :class:`AdditiveNoise` by adaptive quadrature (docs/theory.md section 5)."""
    c = int(num_classes)
    if sigma == 0:
        return 0.0

    def integrand(t: float) -> float:
        # scipy.special ufuncs rather than scipy.stats: the same functions, ~50x less overhead
        p_beat = special.ndtr(-(t + 1.0 / sigma))
        return math.exp(-0.5 * t * t) / _SQRT_2PI * special.bdtr(k - 1, c - 1, p_beat)

    inside, _ = integrate.quad(
        integrand, -math.inf, math.inf, epsabs=1e-13, epsrel=1e-12, limit=200
    )
    return float(min(max(1.0 - inside, 0.0), 1.0))
