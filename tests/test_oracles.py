"""Population minimizers of distillation and the CC surrogate (docs/theory.md section 3), and the
counterexamples showing that Delta + gamma < 1 does not make either consistent."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import EXACT_ATOL
from hypothesis import given

import theory
from synth import (
    FiniteLabeler,
    FiniteWorld,
    cc_surrogate_counterexample,
    distillation_counterexample,
)
from synth.strategies import finite_problems

Problem = tuple[FiniteWorld, FiniteLabeler]


def test_distillation_counterexample() -> None:
    """docs/theory.md section 3 [proved]: Delta_2 = 0, gamma_2 = 1/2, E[d|x] = (.30, .35, .35)."""
    world, labeler = distillation_counterexample()
    m = labeler.membership(theory.TopK(2))
    assert theory.delta(m, world.joint) == 0.0
    assert theory.gamma(m, world.joint) == pytest.approx(0.5)
    target = theory.distillation_target(world.eta, labeler.mean_soft_labels())
    np.testing.assert_allclose(target, [[0.30, 0.35, 0.35]], atol=EXACT_ATOL)
    assert theory.distillation_oracle(world.eta, labeler.mean_soft_labels())[0] != 0
    assert theory.set_oracle(world.eta, m)[0] == 0  # the top-2 learner is consistent


def test_distillation_counterexample_with_two_classes() -> None:
    """Found by the ce-learner search: c = 2, top-1, y = 1, d = (1, 0) w.p. 1/4 and
    (3/7, 4/7) w.p. 3/4: Delta = gamma = 1/4, yet E[d|x] = (4/7, 3/7) picks label 0."""
    world = FiniteWorld(np.ones(1), np.array([[0.0, 1.0]]))
    soft = np.zeros((1, 2, 2, 2))
    soft[0, :] = [[1.0, 0.0], [3 / 7, 4 / 7]]
    labeler = FiniteLabeler(soft, np.array([[[0.25, 0.75], [0.25, 0.75]]]))
    m = labeler.membership(theory.TopK(1))
    assert theory.delta(m, world.joint) == pytest.approx(0.25)
    assert theory.gamma(m, world.joint) == pytest.approx(0.25)
    target = theory.distillation_target(world.eta, labeler.mean_soft_labels())
    np.testing.assert_allclose(target, [[4 / 7, 3 / 7]], atol=EXACT_ATOL)  # .25 + .75 * 3/7


@pytest.mark.parametrize(("c", "a"), [(3, 0.2), (3, 0.18), (4, 0.2), (5, 0.16)])
def test_cc_surrogate_counterexample_closed_form(c: int, a: float) -> None:
    """synth.cc_surrogate_counterexample: Delta = (c-1) a, gamma = 1/(c-1), minimizer
    p_j = a (c-1)/(c-2) for j != 0 (derived in its docstring), wrong for a > (c-2)/(c(c-1))."""
    world, labeler = cc_surrogate_counterexample(a, c)
    rule = theory.Support()
    m = labeler.membership(rule)
    d, g = float(theory.delta(m, world.joint)), float(theory.gamma(m, world.joint))
    assert (d, g) == pytest.approx(((c - 1) * a, 1 / (c - 1)))
    assert theory.worst_case_condition(float(theory.delta_max(m, world.joint)), g)
    masks, weights = labeler.set_law(rule, world.eta)
    sol = theory.cc_target(masks, weights)
    t = a * (c - 1) / (c - 2)
    np.testing.assert_allclose(sol.probs[0], [1 - (c - 1) * t] + [t] * (c - 1), atol=1e-7)
    lo, hi = theory.cc_maximizer_range(masks, weights, sol)
    assert hi[0, 0] < lo[0, 1:].max()  # every maximizer misclassifies, not just this one


def test_cc_family_boundary_is_five_sixths() -> None:
    """At a = (c-2)/(c(c-1)) = 1/6 (c = 3) the minimizer is uniform: the family's boundary."""
    world, labeler = cc_surrogate_counterexample(1 / 6, 3)
    masks, weights = labeler.set_law(theory.Support(), world.eta)
    np.testing.assert_allclose(theory.cc_target(masks, weights).probs[0], [1 / 3] * 3, atol=1e-7)


@pytest.mark.property
@given(finite_problems(max_classes=5))
def test_cc_target_is_optimal(problem: Problem) -> None:
    """The CC solution is a maximizer: KKT gap ~ 0, it is a fixed point of EM, and 200 EM
    steps from uniform (which increase the objective monotonically) never beat it."""
    world, labeler = problem
    rule = theory.Support()
    masks, weights = labeler.set_law(rule, world.eta)
    sol = theory.cc_target(masks, weights)
    assert np.all(sol.converged)
    assert np.all(sol.kkt_gap <= 1e-7)
    p = np.full_like(sol.probs, 1 / world.num_classes)
    previous = theory.cc_objective(masks, weights, p)
    for _ in range(200):
        p = theory.cc_em_step(masks, weights, p)
        now = theory.cc_objective(masks, weights, p)
        assert np.all(now >= previous - EXACT_ATOL)  # EM ascent
        previous = now
    best = theory.cc_objective(masks, weights, sol.probs)
    # The KKT gap bounds the solution's objective shortfall (Frank-Wolfe duality gap).
    assert np.all(best >= previous - sol.kkt_gap - EXACT_ATOL)
    # Fixed point: one EM step moves the solution by at most ~ its KKT gap (1e-7 scale).
    assert np.max(np.abs(theory.cc_em_step(masks, weights, sol.probs) - sol.probs)) < 1e-6


def test_cc_ties_split_evenly() -> None:
    # Labels 1 and 2 always appear together: any split of their mass is optimal; the
    # solver returns the analytic centre (equal split), whatever the label order.
    masks = np.array([[[True, False, False], [False, True, True]]])
    sol = theory.cc_target(masks, np.array([[0.5, 0.5]]))
    np.testing.assert_allclose(sol.probs[0], [0.5, 0.25, 0.25], atol=1e-7)
    lo, hi = theory.cc_maximizer_range(masks, np.array([[0.5, 0.5]]), sol)
    np.testing.assert_allclose(lo[0], [0.5, 0.0, 0.0], atol=1e-6)
    np.testing.assert_allclose(hi[0], [0.5, 0.5, 0.5], atol=1e-6)


def test_cc_empty_sets_are_ignored_and_all_empty_refused() -> None:
    masks = np.array([[[False, False], [True, False]]])
    sol = theory.cc_target(masks, np.array([[0.9, 0.1]]))
    np.testing.assert_allclose(sol.probs[0], [1.0, 0.0], atol=1e-7)
    with pytest.raises(ValueError, match="every label set of positive weight is empty"):
        theory.cc_target(masks[:, :1], np.array([[1.0]]))
