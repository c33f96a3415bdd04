"""Indicators and facts F1-F4 (docs/theory.md section 2) as property tests on finite worlds."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import EXACT_ATOL
from hypothesis import given
from hypothesis import strategies as st

import theory
from synth import (
    FiniteLabeler,
    FiniteWorld,
    bayes_labeler,
    onehot_labeler,
    random_problems,
    smoothed_labeler,
)
from synth.strategies import finite_problems, finite_worlds
from theory.strategies import set_rules

Problem = tuple[FiniteWorld, FiniteLabeler]


def test_indicators_by_hand() -> None:
    # Two points of mass 1/2, labels 0 and 1, c = 3, top-1. At x0 the top-1 is 0 (right) or 2
    # with probability 1/2 each; at x1 it is always 1 (right).
    world = FiniteWorld(np.array([0.5, 0.5]), np.eye(3)[[0, 1]])
    soft = np.zeros((2, 3, 2, 3))
    soft[:, :] = np.eye(3)[[0, 2]]
    soft[1, 1] = np.eye(3)[[1, 1]]
    labeler = FiniteLabeler(soft, np.full((2, 3, 2), 0.5))
    m = labeler.membership(theory.TopK(1))
    assert theory.delta(m, world.joint) == pytest.approx(0.25)  # 1/2 * 1/2 + 1/2 * 0
    assert theory.delta_max(m, world.joint) == pytest.approx(0.5)
    assert theory.gamma(m, world.joint) == pytest.approx(0.5)  # label 2 at (x0, y=0)
    assert theory.gamma_cls(m, world.joint) == pytest.approx(0.5)  # P(2 in Omega | y=0)
    np.testing.assert_allclose(theory.pointwise_gamma(m, world.eta), [0.5, 0.0])


@pytest.mark.property
@given(finite_problems())
def test_f1_monotone_in_k(problem: Problem) -> None:
    """F1: Delta_k non-increasing and gamma_k non-decreasing in k."""
    world, labeler = problem
    c = world.num_classes
    ms = [labeler.membership(theory.TopK(k)) for k in range(1, c)]
    deltas = [float(theory.delta(m, world.joint)) for m in ms]
    gammas = [float(theory.gamma(m, world.joint)) for m in ms]
    assert all(a >= b - EXACT_ATOL for a, b in zip(deltas, deltas[1:], strict=False))
    assert all(a <= b + EXACT_ATOL for a, b in zip(gammas, gammas[1:], strict=False))


@pytest.mark.property
@given(finite_problems(), st.data())
def test_f2_memberships_sum_to_k_and_gamma_floor(problem: Problem, data: st.DataObject) -> None:
    """F2: sum_j m_j = k; gamma >= (k - 1 + Delta(x, y)) / (c - 1) on the support."""
    world, labeler = problem
    c = world.num_classes
    k = data.draw(st.integers(1, c - 1))
    m = labeler.membership(theory.TopK(k))
    np.testing.assert_allclose(m.sum(-1), k, atol=EXACT_ATOL)
    floor = (k - 1 + theory.pointwise_delta(m)) / (c - 1)
    g = float(theory.gamma(m, world.joint))
    assert np.all(floor[world.joint > 0] <= g + EXACT_ATOL)


@pytest.mark.property
@given(finite_worlds(deterministic=True), st.floats(0.0, 0.999))
def test_f3_onehot_and_smoothing(world: FiniteWorld, e: float) -> None:
    """F3: one-hot labels and smoothing with e < 1 give Delta_1 = gamma_1 = 0."""
    for labeler in (onehot_labeler(world), smoothed_labeler(world, e)):
        m = labeler.membership(theory.TopK(1))
        assert theory.delta(m, world.joint) == 0.0
        assert theory.gamma(m, world.joint) == 0.0


@pytest.mark.property
@given(finite_worlds(deterministic=False))
def test_f4_bayes_teacher(world: FiniteWorld) -> None:
    """F4: d = eta(x), k = 1: Delta_1 = Bayes error; gamma_1 = 1 once the Bayes error > 0."""
    m = bayes_labeler(world).membership(theory.TopK(1))
    assert theory.delta(m, world.joint) == pytest.approx(world.bayes_error(), abs=EXACT_ATOL)
    if world.bayes_error() > EXACT_ATOL:
        assert theory.gamma(m, world.joint) == 1.0


@pytest.mark.property
@given(finite_problems(), st.data())
def test_class_ambiguity_is_a_lower_bound(problem: Problem, data: st.DataObject) -> None:
    """docs/theory.md section 2: gamma_cls <= gamma; also Delta <= Delta_max and both in [0, 1]."""
    world, labeler = problem
    rule = data.draw(set_rules(world.num_classes))
    m = labeler.membership(rule)
    assert theory.gamma_cls(m, world.joint) <= theory.gamma(m, world.joint) + EXACT_ATOL
    assert theory.delta(m, world.joint) <= theory.delta_max(m, world.joint) + EXACT_ATOL


def test_batched_indicators_equal_one_world_at_a_time(rng: np.random.Generator) -> None:
    world, labeler = random_problems(
        50, num_points=3, num_classes=4, components=2, deterministic=False, rng=rng
    )
    m = labeler.membership(theory.TopK(2))
    for fn in (theory.delta, theory.delta_max, theory.gamma, theory.gamma_cls):
        batched = fn(m, world.joint)
        single = [float(fn(m[i], world.joint[i])) for i in range(50)]
        np.testing.assert_allclose(batched, single, atol=EXACT_ATOL, err_msg=fn.__name__)


def test_indicators_respect_the_support() -> None:
    # A point of zero mass with a terrible labeler must not change Delta_max or gamma.
    world = FiniteWorld(np.array([1.0, 0.0]), np.eye(2)[[0, 0]])
    soft = np.zeros((2, 2, 1, 2))
    soft[0, :, 0] = [1.0, 0.0]
    soft[1, :, 0] = [0.0, 1.0]
    m = FiniteLabeler(soft, np.ones((2, 2, 1))).membership(theory.TopK(1))
    assert theory.delta_max(m, world.joint) == 0.0
    assert theory.gamma(m, world.joint) == 0.0
