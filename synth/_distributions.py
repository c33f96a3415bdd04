"""Continuous worlds with known Bayes posteriors (docs/theory.md section 1).

Each world draws ``(x, y)`` and knows ``eta(x) = P(y | x)`` exactly, so learners trained on
it can be judged against the Bayes classifier and against the theory's oracles.

- :class:`GaussianClasses`: shared covariance, posterior softmax-linear (a linear student is
  well specified);
- :class:`RealizableLinear`: ``y = argmax(W x + b)``, deterministic, Bayes error 0;
- :class:`MixtureClasses`: several Gaussian components per class, posterior from the
  mixture densities; with :meth:`MixtureClasses.checkerboard` a linear model cannot fit it;
- :class:`NoisyLabels`: any world with labels flipped by a row-stochastic matrix.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special, stats

from synth._repr import constructor_repr
from synth._rng import as_generator, categorical
from synth.checks import as_float_array, check_distributions


@dataclass(frozen=True)
class BayesError:
    """The Bayes error ``1 - E[max_j eta_j(x)]`` and its standard error (0 if exact).

    docs/theory.md section 1 (Bayes classifier); F4 makes it the Bayes teacher's ``Delta_1``.
    """

    value: float
    se: float


class Distribution(ABC):
    """A law of ``(x, y)`` on ``R^p x [c]`` with a known posterior. docs/theory.md section 1."""

    def __repr__(self) -> str:
        """``RealizableLinear(weights=<array [5, 5]>, bias=[...], num_classes=5, ...)``."""
        return constructor_repr(self, ("num_classes", "num_features"))

    num_classes: int
    num_features: int

    @property
    @abstractmethod
    def deterministic(self) -> bool:
        """Whether ``eta(x)`` is one-hot almost surely (``y = f*(x)``)."""

    @abstractmethod
    def sample(self, n: int, *, rng: Any) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
        """Draw ``x [n, p]`` and ``y [n]``; ``rng`` is a Generator, a seed or a JAX key."""

    @abstractmethod
    def posterior(self, x: ArrayLike) -> NDArray[np.float64]:
        """``eta(x)``, shape ``[n, c]``, for ``x [n, p]``."""

    def bayes_classifier(self, x: ArrayLike) -> NDArray[np.int64]:
        """``h_B(x) = argmax eta(x)`` (ties to the smaller index), shape ``[n]``."""
        return np.argmax(self.posterior(x), axis=-1).astype(np.int64)

    def bayes_error(self, *, rng: Any = 0, n: int = 200_000) -> BayesError:
        """``1 - E[max eta(x)]``: exact where a subclass knows it, else Monte Carlo.

        The Monte Carlo estimate averages ``1 - max eta(x)`` (not the 0/1 error of sampled
        labels: the same mean, lower variance) over ``n`` draws, with its standard error.
        """
        x, _ = self.sample(n, rng=rng)
        loss = 1.0 - self.posterior(x).max(axis=-1)
        return BayesError(float(loss.mean()), float(loss.std(ddof=1) / math.sqrt(n)))

    def _check_x(self, x: ArrayLike) -> NDArray[np.float64]:
        arr = as_float_array(x, "x")
        if arr.ndim != 2 or arr.shape[1] != self.num_features:
            raise ValueError(f"x: expected shape [n, {self.num_features}], got {arr.shape}")
        return arr


def _check_count(n: int) -> int:
    if isinstance(n, bool) or int(n) != n or int(n) < 0:
        raise ValueError(f"n: must be a non-negative integer, got {n!r}")
    return int(n)


class GaussianClasses(Distribution):
    """``x | y ~ N(mu_y, Sigma)``, priors ``pi``: the posterior is ``softmax(x W + b)``.

    docs/theory.md section 1; the well-specified world of a linear student.

    Args:
      means: ``[c, p]`` class means.
      cov: ``[p, p]`` shared covariance (symmetric positive definite).
      priors: ``[c]`` class probabilities (uniform by default).
    """

    def __init__(self, means: ArrayLike, cov: ArrayLike, priors: ArrayLike | None = None):
        self.means = as_float_array(means, "means")
        if self.means.ndim != 2 or self.means.shape[0] < 2:
            raise ValueError(f"means: expected shape [c, p] with c >= 2, got {self.means.shape}")
        self.num_classes, self.num_features = self.means.shape
        self.cov = as_float_array(cov, "cov")
        if self.cov.shape != (self.num_features,) * 2 or not np.allclose(self.cov, self.cov.T):
            raise ValueError(f"cov: expected a symmetric [{self.num_features}]^2 matrix")
        try:
            self._chol = np.linalg.cholesky(self.cov)
        except np.linalg.LinAlgError:
            raise ValueError("cov: not positive definite") from None
        c = self.num_classes
        self.priors = check_distributions(
            np.full(c, 1.0 / c) if priors is None else priors, "priors"
        )
        if self.priors.shape != (c,) or np.any(self.priors <= 0):
            raise ValueError(f"priors: expected {c} positive probabilities")
        precision_means = np.linalg.solve(self.cov, self.means.T)  # [p, c]
        self.weights: NDArray[np.float64] = np.asarray(precision_means, dtype=np.float64)
        self.bias: NDArray[np.float64] = np.asarray(
            -0.5 * np.sum(self.means.T * precision_means, axis=0) + np.log(self.priors),
            dtype=np.float64,
        )

    @classmethod
    def random(
        cls, num_classes: int, num_features: int, *, separation: float = 2.0, rng: Any = 0
    ) -> GaussianClasses:
        """Means ``N(0, separation^2 / 2 I)`` (so mean pairs are ~``separation`` apart),
        identity covariance, uniform priors."""
        g = as_generator(rng)
        means = g.normal(0.0, separation / math.sqrt(2), (num_classes, num_features))
        return cls(means, np.eye(num_features))

    @property
    def deterministic(self) -> bool:
        """Never: Gaussian classes overlap."""
        return False

    def linear_posterior(self) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """``(W [p, c], b [c])`` with ``eta(x) = softmax(x W + b)`` exactly."""
        return self.weights.copy(), self.bias.copy()

    def sample(self, n: int, *, rng: Any) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
        """Draw ``x [n, p]``, ``y [n]``."""
        g, n = as_generator(rng), _check_count(n)
        y = g.choice(self.num_classes, size=n, p=self.priors).astype(np.int64)
        x = self.means[y] + g.standard_normal((n, self.num_features)) @ self._chol.T
        return x, y

    def posterior(self, x: ArrayLike) -> NDArray[np.float64]:
        """``softmax(x W + b)``, shape ``[n, c]``."""
        return special.softmax(self._check_x(x) @ self.weights + self.bias, axis=-1)

    def bayes_error(self, *, rng: Any = 0, n: int = 200_000) -> BayesError:
        """Exact for two classes (through the Mahalanobis distance), Monte Carlo otherwise."""
        if self.num_classes != 2:
            return super().bayes_error(rng=rng, n=n)
        diff = self.means[1] - self.means[0]
        dist = math.sqrt(diff @ np.linalg.solve(self.cov, diff))
        log_ratio = math.log(self.priors[1] / self.priors[0])
        err = self.priors[0] * stats.norm.cdf(-dist / 2 + log_ratio / dist) + self.priors[
            1
        ] * stats.norm.cdf(-dist / 2 - log_ratio / dist)
        return BayesError(float(err), 0.0)


class RealizableLinear(Distribution):
    """``x ~ N(0, I_p)``, ``y = argmax(x W + b)``: deterministic labels, Bayes error 0.

    docs/theory.md section 1 (deterministic labels). Ties have probability zero.

    Args:
      weights: ``[p, c]``.
      bias: ``[c]``.
    """

    def __init__(self, weights: ArrayLike, bias: ArrayLike):
        self.weights = as_float_array(weights, "weights")
        if self.weights.ndim != 2 or self.weights.shape[1] < 2:
            raise ValueError(
                f"weights: expected shape [p, c] with c >= 2, got {self.weights.shape}"
            )
        self.num_features, self.num_classes = self.weights.shape
        self.bias = as_float_array(bias, "bias")
        if self.bias.shape != (self.num_classes,):
            raise ValueError(f"bias: expected shape [{self.num_classes}], got {self.bias.shape}")

    @classmethod
    def random(cls, num_classes: int, num_features: int, *, rng: Any = 0) -> RealizableLinear:
        """Standard normal weights, zero bias."""
        g = as_generator(rng)
        return cls(g.standard_normal((num_features, num_classes)), np.zeros(num_classes))

    @property
    def deterministic(self) -> bool:
        """Always."""
        return True

    def sample(self, n: int, *, rng: Any) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
        """Draw ``x [n, p]`` and its label ``y [n]``."""
        g, n = as_generator(rng), _check_count(n)
        x = g.standard_normal((n, self.num_features))
        return x, self.bayes_classifier(x)

    def posterior(self, x: ArrayLike) -> NDArray[np.float64]:
        """One-hot ``argmax(x W + b)``, shape ``[n, c]``."""
        scores = self._check_x(x) @ self.weights + self.bias
        return np.eye(self.num_classes)[np.argmax(scores, axis=-1)]

    def bayes_classifier(self, x: ArrayLike) -> NDArray[np.int64]:
        """``argmax(x W + b)``."""
        return np.argmax(self._check_x(x) @ self.weights + self.bias, axis=-1).astype(np.int64)

    def bayes_error(self, *, rng: Any = 0, n: int = 200_000) -> BayesError:
        """Zero, exactly."""
        return BayesError(0.0, 0.0)


class MixtureClasses(Distribution):
    """Each class a mixture of isotropic Gaussians: ``x | y ~ sum_m w_ym N(mu_ym, s^2 I)``.

    docs/theory.md section 1. The posterior is ``pi_y p(x | y) / p(x)`` from the mixture
    densities, computed in log space.

    Args:
      means: ``[c, m, p]`` component means.
      scale: component standard deviation ``s``.
      component_weights: ``[c, m]`` (uniform by default).
      priors: ``[c]`` (uniform by default).
    """

    def __init__(
        self,
        means: ArrayLike,
        scale: float,
        component_weights: ArrayLike | None = None,
        priors: ArrayLike | None = None,
    ):
        self.means = as_float_array(means, "means")
        if self.means.ndim != 3 or self.means.shape[0] < 2:
            raise ValueError(f"means: expected shape [c, m, p] with c >= 2, got {self.means.shape}")
        self.num_classes, m, self.num_features = self.means.shape
        if not float(scale) > 0:
            raise ValueError(f"scale: must be positive, got {scale!r}")
        self.scale = float(scale)
        c = self.num_classes
        cw = np.full((c, m), 1.0 / m) if component_weights is None else component_weights
        self.component_weights = check_distributions(cw, "component_weights")
        if self.component_weights.shape != (c, m):
            raise ValueError(f"component_weights: expected shape [{c}, {m}]")
        self.priors = check_distributions(
            np.full(c, 1.0 / c) if priors is None else priors, "priors"
        )
        if self.priors.shape != (c,):
            raise ValueError(f"priors: expected shape [{c}]")

    @classmethod
    def checkerboard(
        cls, num_classes: int = 2, *, cells: int = 4, scale: float = 0.25
    ) -> MixtureClasses:
        """A ``cells x cells`` grid in the plane; cell ``(i, j)`` belongs to class
        ``(i + j) mod c``. For ``c = 2`` it is the XOR pattern generalized: no linear
        classifier does much better than the largest class, while the Bayes classifier is
        nearly perfect when ``scale`` is small against the unit cell spacing."""
        if cells * cells % num_classes:
            raise ValueError("cells**2 must be a multiple of num_classes so classes are balanced")
        grid = np.array([(i, j) for i in range(cells) for j in range(cells)], dtype=np.float64)
        label = (grid.sum(axis=1) % num_classes).astype(int)
        means = np.stack([grid[label == k] - (cells - 1) / 2 for k in range(num_classes)])
        return cls(means, scale)

    @property
    def deterministic(self) -> bool:
        """Never: Gaussian components overlap."""
        return False

    def sample(self, n: int, *, rng: Any) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
        """Draw ``x [n, p]``, ``y [n]``."""
        g, n = as_generator(rng), _check_count(n)
        y = g.choice(self.num_classes, size=n, p=self.priors).astype(np.int64)
        comp = categorical(self.component_weights[y], g)
        x = self.means[y, comp] + self.scale * g.standard_normal((n, self.num_features))
        return x, y

    def posterior(self, x: ArrayLike) -> NDArray[np.float64]:
        """``pi_y p(x | y) / p(x)``, shape ``[n, c]``."""
        arr = self._check_x(x)
        sq = np.sum((arr[:, None, None, :] - self.means[None]) ** 2, axis=-1)  # [n, c, m]
        with np.errstate(divide="ignore"):
            log_w = np.log(self.component_weights)
        log_lik = special.logsumexp(log_w - sq / (2 * self.scale**2), axis=-1)  # [n, c]
        return special.softmax(log_lik + np.log(self.priors), axis=-1)


class NoisyLabels(Distribution):
    """A world whose labels pass through a noisy channel ``T[y, y'] = P(y' | y)``.

    docs/theory.md section 1 (noisy posteriors): ``eta'(x) = eta(x) T``.

    Args:
      base: the clean world.
      transition: ``[c, c]`` row-stochastic matrix.
    """

    def __init__(self, base: Distribution, transition: ArrayLike):
        self.base = base
        self.num_classes, self.num_features = base.num_classes, base.num_features
        self.transition = check_distributions(transition, "transition")
        if self.transition.shape != (self.num_classes,) * 2:
            raise ValueError(f"transition: expected shape [{self.num_classes}, {self.num_classes}]")

    @classmethod
    def symmetric(cls, base: Distribution, rate: float) -> NoisyLabels:
        """Each label kept with probability ``1 - rate``, else replaced by a uniform other."""
        c = base.num_classes
        if not 0 <= rate <= 1:
            raise ValueError(f"rate: must lie in [0, 1], got {rate!r}")
        t = np.full((c, c), rate / (c - 1))
        np.fill_diagonal(t, 1 - rate)
        return cls(base, t)

    @property
    def deterministic(self) -> bool:
        """Only when the channel is the identity and the base world is deterministic."""
        return self.base.deterministic and bool(np.all(self.transition == np.eye(self.num_classes)))

    def sample(self, n: int, *, rng: Any) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
        """Draw ``x`` from the base world and pass its label through the channel."""
        g = as_generator(rng)
        x, y = self.base.sample(n, rng=g)
        return x, categorical(self.transition[y], g)

    def posterior(self, x: ArrayLike) -> NDArray[np.float64]:
        """``eta(x) T``, shape ``[n, c]``."""
        return self.base.posterior(x) @ self.transition
