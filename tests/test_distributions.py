"""Continuous worlds: posteriors, Bayes errors and samplers agree (docs/theory.md section 1)."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import Z_MC
from scipy import optimize, special, stats

from synth import GaussianClasses, MixtureClasses, NoisyLabels, RealizableLinear


def test_gaussian_posterior_is_bayes_rule(rng: np.random.Generator) -> None:
    world = GaussianClasses(
        means=[[0.0, 0.0], [1.0, 2.0], [-1.0, 1.0]],
        cov=[[1.0, 0.3], [0.3, 2.0]],
        priors=[0.5, 0.3, 0.2],
    )
    x, _ = world.sample(50, rng=rng)
    dens = (
        np.stack([stats.multivariate_normal(m, world.cov).pdf(x) for m in world.means], axis=1)
        * world.priors
    )
    np.testing.assert_allclose(world.posterior(x), dens / dens.sum(1, keepdims=True), atol=1e-12)
    w, b = world.linear_posterior()
    np.testing.assert_allclose(world.posterior(x), special.softmax(x @ w + b, axis=1), atol=1e-12)


def test_two_class_bayes_error_closed_form_against_monte_carlo() -> None:
    world = GaussianClasses(means=[[0.0, 0.0], [1.5, 0.5]], cov=np.eye(2), priors=[0.7, 0.3])
    exact = world.bayes_error()
    mc = super(GaussianClasses, world).bayes_error(rng=1, n=400_000)
    assert exact.se == 0.0
    assert abs(mc.value - exact.value) <= Z_MC * mc.se


@pytest.mark.parametrize(
    "world",
    [
        GaussianClasses.random(3, 2, rng=0),
        MixtureClasses.checkerboard(2, cells=4, scale=0.3),
        NoisyLabels.symmetric(RealizableLinear.random(3, 2, rng=0), 0.2),
        NoisyLabels(
            GaussianClasses.random(3, 2, rng=1),
            [[0.8, 0.2, 0.0], [0.0, 0.6, 0.4], [0.1, 0.0, 0.9]],  # class-dependent flips
        ),
    ],
    ids=["gaussian", "mixture", "noisy-symmetric", "noisy-class-dependent"],
)
def test_sampled_labels_follow_the_posterior(world, rng: np.random.Generator) -> None:
    """Mean of onehot(y) - eta(x) over samples is ~0 in every class (the posterior is the
    conditional law of the sampler's labels)."""
    n = 100_000
    x, y = world.sample(n, rng=rng)
    resid = np.eye(world.num_classes)[y] - world.posterior(x)
    se = resid.std(axis=0) / np.sqrt(n)
    assert np.all(np.abs(resid.mean(axis=0)) <= Z_MC * se)


def test_realizable_world_is_deterministic(rng: np.random.Generator) -> None:
    world = RealizableLinear.random(4, 3, rng=2)
    x, y = world.sample(1000, rng=rng)
    assert world.deterministic and world.bayes_error().value == 0.0
    np.testing.assert_array_equal(world.posterior(x).argmax(1), y)
    assert set(np.unique(world.posterior(x))) == {0.0, 1.0}


def test_noisy_labels_posterior_and_flags() -> None:
    base = RealizableLinear.random(3, 2, rng=0)
    noisy = NoisyLabels.symmetric(base, 0.3)
    x = np.zeros((1, 2)) + 0.5
    clean = base.posterior(x)
    np.testing.assert_allclose(noisy.posterior(x), clean * 0.7 + (1 - clean) * 0.15)
    assert not noisy.deterministic and NoisyLabels.symmetric(base, 0.0).deterministic
    assert noisy.bayes_error(n=1000).value == pytest.approx(0.3)


def test_checkerboard_needs_a_nonlinear_learner(rng: np.random.Generator) -> None:
    """The best linear (multinomial logistic) fit stays near chance while Bayes is near perfect."""
    world = MixtureClasses.checkerboard(2, cells=4, scale=0.25)
    x, y = world.sample(6000, rng=rng)
    feats = np.hstack([x, np.ones((len(x), 1))])

    def loss(w: np.ndarray) -> float:
        logits = feats @ w.reshape(3, 2)
        return float(np.mean(special.logsumexp(logits, 1) - logits[np.arange(len(y)), y]))

    w = optimize.minimize(loss, np.zeros(6), method="L-BFGS-B").x.reshape(3, 2)
    linear_acc = float(np.mean((feats @ w).argmax(1) == y))
    bayes_acc = 1 - world.bayes_error(rng=1).value
    assert bayes_acc > 0.9
    assert linear_acc < 0.6  # chance is 0.5


def test_randomness_arguments() -> None:
    """A Generator, an int seed or raw key bits (uint32, as a JAX key's data) all work and
    reproduce; anything else is refused."""
    from synth import as_generator

    world = GaussianClasses.random(3, 2, rng=0)
    a, _ = world.sample(5, rng=np.random.default_rng(4))
    b, _ = world.sample(5, rng=4)
    np.testing.assert_array_equal(a, b)
    k1, _ = world.sample(5, rng=np.array([0, 42], dtype=np.uint32))
    k2, _ = world.sample(5, rng=np.array([0, 42], dtype=np.uint32))
    np.testing.assert_array_equal(k1, k2)
    with pytest.raises(ValueError, match="rng: expected a numpy Generator"):
        as_generator("seed")
    with pytest.raises(ValueError, match="rng: expected"):
        as_generator(1.5)


def test_categorical_never_draws_a_zero_probability_index() -> None:
    """``u * total`` can round up to the total; the draw must still land on positive mass.
    A generator whose ``random`` returns exactly 1.0 forces that case."""
    from synth._rng import categorical

    class Top(np.random.Generator):
        def random(self, size=None):  # type: ignore[override]
            return np.ones(size)

    top = Top(np.random.PCG64(0))
    probs = np.array([0.2, 0.8, 0.0, 0.0])  # trailing zero mass, as padding leaves
    assert categorical(probs, top, (5,)).tolist() == [1] * 5
    rows = np.array([[0.5, 0.5, 0.0], [0.0, 1.0, 0.0], [0.3, 0.0, 0.7]])
    assert categorical(rows, top).tolist() == [1, 1, 2]


def test_categorical_frequencies(rng: np.random.Generator) -> None:
    from synth._rng import categorical

    probs = np.array([0.1, 0.0, 0.6, 0.3])
    n = 200_000
    counts = np.bincount(categorical(probs, rng, (n,)), minlength=4) / n
    rows = np.bincount(categorical(np.tile(probs, (n, 1)), rng), minlength=4) / n
    for freq in (counts, rows):
        assert freq[1] == 0.0
        # Z_MC standard errors of each proportion at n draws
        np.testing.assert_allclose(freq, probs, atol=Z_MC * np.sqrt(0.25 / n))
