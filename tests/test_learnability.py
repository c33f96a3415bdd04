"""ERM learnability (docs/theory.md section 4): bounds, exact ERM, and Theorem L on exact ERM."""

from __future__ import annotations

import math

import numpy as np
import pytest
from helpers import EXACT_ATOL
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

import theory
from synth import FiniteLabeler, FiniteWorld, sample_training_sets
from synth.strategies import finite_problems

Problem = tuple[FiniteWorld, FiniteLabeler]
DELTA = 0.05


def test_bounds_by_hand() -> None:
    # eps_m = sqrt(8/m (ln Pi(2m) + ln(4/delta))) with ln Pi = 3, m = 100, delta = 0.05
    assert theory.vapnik_epsilon(100, 3.0, 0.05) == pytest.approx(
        math.sqrt(0.08 * (3 + math.log(80)))
    )
    # Natarajan: d ln m + 2 d ln c, capped by m ln c (here the cap: 5 ln 3 < 2 ln 5 + 4 ln 3)
    assert theory.natarajan_log_growth(5, 2, 3) == pytest.approx(5 * math.log(3))
    assert theory.natarajan_log_growth(1000, 2, 3) == pytest.approx(
        2 * math.log(1000) + 4 * math.log(3)
    )
    assert theory.linear_natarajan_dim(10, 20) == 210
    assert theory.finite_class_epsilon(50, 4 * math.log(3), 0.05) == pytest.approx(
        math.sqrt((4 * math.log(3) + math.log(40)) / 100)
    )
    assert theory.theorem_l_bound(0.1, 0.3, 0.2) == pytest.approx(0.4)
    assert theory.theorem_l_bound(0.1, 0.6, 0.4) == math.inf


@pytest.mark.property
@given(st.floats(0.01, 0.5), st.floats(0.0, 0.45), st.floats(0.0, 0.45), st.integers(1, 50))
def test_sample_complexity_is_the_least_m(
    target: float, gamma: float, delta_max: float, dim: int
) -> None:
    def eps(m: int) -> float:
        return theory.natarajan_epsilon(m, dim, 5, DELTA)

    m = theory.sample_complexity(target, eps, gamma, delta_max)
    assert theory.theorem_l_bound(eps(m), gamma, delta_max) <= target
    if m > 1:
        assert theory.theorem_l_bound(eps(m - 1), gamma, delta_max) > target


def _draw(problem: Problem, seed: int, m: int, trials: int):
    world, labeler = problem
    rng = np.random.default_rng(seed)
    rule = theory.TopK(1)
    return rule, sample_training_sets(world, labeler, rule, m, trials=trials, rng=rng)


@pytest.mark.property
@given(finite_problems(max_points=3, max_classes=3), st.integers(0, 2**32 - 1), st.integers(1, 30))
def test_exact_erm_and_uniform_deviation_by_brute_force(
    problem: Problem, seed: int, m: int
) -> None:
    """Exact ERM minimizes the empirical set risk over all classifiers; the closed-form sup
    deviation equals the brute-force one."""
    world, labeler = problem
    rule, sample = _draw(problem, seed, m, trials=3)
    h_all = theory.all_classifiers(world.num_points, world.num_classes)
    table = theory.empirical_set_loss_table(sample.x, sample.sets, world.num_points)
    emp = theory.table_risk(table[:, None], h_all)  # [trials, H]
    h_hat = theory.exact_erm(sample.x, sample.sets, world.num_points)
    np.testing.assert_allclose(theory.table_risk(table, h_hat), emp.min(1), atol=EXACT_ATOL)
    # the empirical risk by its definition, from the raw sample
    predicted = np.take_along_axis(h_hat, sample.x, axis=1)  # h_hat(x_i), [trials, m]
    inside = np.take_along_axis(sample.sets, predicted[..., None], axis=-1)[..., 0]
    direct = 1 - inside.mean(axis=1)
    np.testing.assert_allclose(theory.table_risk(table, h_hat), direct, atol=EXACT_ATOL)
    mem = labeler.membership(rule)
    population = theory.set_risk(h_all, world.joint, mem)
    brute = np.abs(emp - population).max(1)
    dev = theory.uniform_deviation(sample.x, sample.sets, world.joint, mem)
    np.testing.assert_allclose(dev, brute, atol=EXACT_ATOL)


@pytest.mark.property
@given(
    finite_problems(max_points=4, deterministic=True),
    st.integers(0, 2**32 - 1),
    st.integers(1, 200),
)
def test_theorem_l_deterministic_links(problem: Problem, seed: int, m: int) -> None:
    """Theorem L's proof, link by link, on exact ERM: excess set risk <= 2 sup-deviation and
    margin * R(h_hat) <= excess (Theorem C), hence R(h_hat) <= 2 D / margin."""
    world, labeler = problem
    rule, sample = _draw(problem, seed, m, trials=20)
    mem = labeler.membership(rule)
    h_hat = theory.exact_erm(sample.x, sample.sets, world.num_points)
    excess = theory.set_risk(h_hat, world.joint, mem) - theory.set_risk(
        world.bayes(), world.joint, mem
    )
    dev = theory.uniform_deviation(sample.x, sample.sets, world.joint, mem)
    margin = 1 - theory.gamma(mem, world.joint) - theory.delta_max(mem, world.joint)
    assert np.all(excess <= 2 * dev + EXACT_ATOL)
    assert np.all(margin * theory.risk(h_hat, world.joint) <= excess + EXACT_ATOL)


@pytest.mark.property
@given(
    finite_problems(max_points=4, deterministic=True),
    st.integers(0, 2**32 - 1),
    st.sampled_from([5, 20, 100]),
)
def test_theorem_l_bound_holds_with_probability(problem: Problem, seed: int, m: int) -> None:
    """With probability >= 1 - delta, R(h_hat) <= 2 eps_m / margin and sup-dev <= eps_m: over
    200 training sets, violations stay within the binomial 1 - 1e-6 quantile at rate delta."""
    world, labeler = problem
    trials = 200
    rule, sample = _draw(problem, seed, m, trials=trials)
    mem = labeler.membership(rule)
    g, dmax = float(theory.gamma(mem, world.joint)), float(theory.delta_max(mem, world.joint))
    eps = theory.finite_class_epsilon(m, world.num_points * math.log(world.num_classes), DELTA)
    bound = theory.theorem_l_bound(eps, g, dmax)
    h_hat = theory.exact_erm(sample.x, sample.sets, world.num_points)
    allowed = stats.binom.ppf(1 - 1e-6, trials, DELTA)
    assert np.sum(theory.risk(h_hat, world.joint) > bound) <= allowed
    dev = theory.uniform_deviation(sample.x, sample.sets, world.joint, mem)
    assert np.sum(dev > eps) <= allowed


def test_exact_erm_defaults_unseen_points() -> None:
    x = np.array([[0, 0, 2]])
    sets = np.array([[[False, True], [True, True], [True, False]]])
    assert theory.exact_erm(x, sets, 3, default=1).tolist() == [[1, 1, 0]]
