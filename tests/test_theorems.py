"""Lemma, Theorem C, tightness and Theorem C' (docs/theory.md section 3), exhaustively over all
classifiers of random finite worlds."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import EXACT_ATOL
from hypothesis import given
from hypothesis import strategies as st

import theory
from synth import FiniteLabeler, FiniteWorld, tightness_problem
from synth.strategies import finite_problems
from theory.strategies import set_rules

Problem = tuple[FiniteWorld, FiniteLabeler]


def _setup(problem: Problem, data: st.DataObject) -> tuple:
    world, labeler = problem
    rule = data.draw(set_rules(world.num_classes), label="rule")
    m = labeler.membership(rule)
    h = theory.all_classifiers(world.num_points, world.num_classes)
    return world, m, h


@pytest.mark.property
@given(finite_problems(), st.data())
def test_lemma_risk_sandwich(problem: Problem, data: st.DataObject) -> None:
    """Lemma: R_Omega = P(h=y, y notin Omega) + P(h!=y, h notin Omega); second term
    >= (1-gamma) R(h); first = E[1(h=y) Delta(x,y)]; R_Omega <= R + Delta."""
    world, m, h = _setup(problem, data)
    joint = world.joint
    first, second = theory.sandwich_terms(h, joint, m)
    r_omega = theory.set_risk(h, joint, m)
    r = theory.risk(h, joint)
    g, d = theory.gamma(m, joint), theory.delta(m, joint)
    np.testing.assert_allclose(first + second, r_omega, atol=EXACT_ATOL)
    assert np.all(second >= (1 - g) * r - EXACT_ATOL)
    expected_first = theory.table_risk(joint * theory.pointwise_delta(m), h)
    np.testing.assert_allclose(first, expected_first, atol=EXACT_ATOL)
    assert np.all(r_omega <= r + d + EXACT_ATOL)


@pytest.mark.property
@given(finite_problems(deterministic=True), st.data())
def test_theorem_c(problem: Problem, data: st.DataObject) -> None:
    """Theorem C: R_Omega(h) - R_Omega(f*) >= (1 - gamma - Delta_max) R(h) for every h, and
    R_Omega(f*) = Delta; inside the condition f* is the unique minimizer (up to null points)."""
    world, m, h = _setup(problem, data)
    joint = world.joint
    f_star = world.bayes()
    margin = 1 - theory.gamma(m, joint) - theory.delta_max(m, joint)
    gap = theory.set_risk(h, joint, m) - theory.set_risk(f_star, joint, m)
    r = theory.risk(h, joint)
    assert np.all(gap >= margin * r - EXACT_ATOL)
    assert theory.set_risk(f_star, joint, m) == pytest.approx(
        theory.delta(m, joint), abs=EXACT_ATOL
    )
    dmax, g = float(theory.delta_max(m, joint)), float(theory.gamma(m, joint))
    if theory.worst_case_condition(dmax, g, tol=EXACT_ATOL):
        assert np.all(gap[r > EXACT_ATOL] > 0)


@pytest.mark.property
@given(finite_problems(), st.data())
def test_set_oracle_minimizes_set_risk(problem: Problem, data: st.DataObject) -> None:
    """h_Omega = argmax pi minimizes R_Omega over all classifiers (docs/theory.md section 3)."""
    world, m, h = _setup(problem, data)
    oracle = theory.set_oracle(world.eta, m)
    best = theory.set_risk(h, world.joint, m).min()
    assert theory.set_risk(oracle, world.joint, m) <= best + EXACT_ATOL


@pytest.mark.property
@given(st.floats(0.0, 1.0))
def test_tightness(a: float) -> None:
    """Tightness: Delta = gamma = a, and f* = 0 is the unique minimizer iff a < 1/2."""
    world, labeler = tightness_problem(a)
    m = labeler.membership(theory.TopK(1))
    assert theory.delta(m, world.joint) == pytest.approx(a, abs=EXACT_ATOL)
    assert theory.gamma(m, world.joint) == pytest.approx(a, abs=EXACT_ATOL)
    r0, r1 = theory.set_risk(np.array([[0], [1]]), world.joint, m)
    assert (r0 < r1) == (a < 0.5)
    assert (r0 <= r1) == (a <= 0.5)  # at a = 1/2, f* ties with the wrong label


@pytest.mark.property
@given(finite_problems(deterministic=False), st.data())
def test_theorem_c_prime(problem: Problem, data: st.DataObject) -> None:
    """Theorem C': where the pointwise condition holds, argmax pi(x) = argmax eta(x)."""
    world, m, _ = _setup(problem, data)
    # tol keeps exact boundary cases (equality up to rounding) out of the strict statement
    held = theory.noisy_condition(world.eta, m, tol=EXACT_ATOL)
    pi = theory.set_scores(world.eta, m)
    b = world.bayes()
    pi_b = np.take_along_axis(pi, b[:, None], 1)[:, 0]
    rival = np.where(np.arange(world.num_classes) == b[:, None], -np.inf, pi).max(1)
    assert np.all(pi_b[held] > rival[held])


@pytest.mark.property
@given(finite_problems(deterministic=True), st.data())
def test_theorem_c_prime_reduces_to_c(problem: Problem, data: st.DataObject) -> None:
    """For one-hot eta, C' reads Delta(x, B) + gamma(x) < 1."""
    world, m, _ = _setup(problem, data)
    b = world.bayes()
    d_b = np.take_along_axis(theory.pointwise_delta(m), b[:, None], 1)[:, 0]
    pointwise = d_b + theory.pointwise_gamma(m, world.eta) < 1 - EXACT_ATOL
    np.testing.assert_array_equal(theory.noisy_condition(world.eta, m, tol=EXACT_ATOL), pointwise)


def test_theorem_c_needs_delta_max_not_the_average() -> None:
    """The thm-C-average-delta finding, by hand: a rare point with high Delta(x, y).

    x0 (mass 0.9) is labeled perfectly; at x1 (mass 0.1, y = 0) top-1 is label 1 with
    probability 0.6. Delta = 0.06, gamma = 0.6: Delta + gamma = 0.66 < 1, yet predicting 1
    at x1 has the smaller set risk; Delta_max + gamma = 1.2 correctly refuses.
    """
    world = FiniteWorld(np.array([0.9, 0.1]), np.eye(2)[[0, 0]])
    soft = np.zeros((2, 2, 2, 2))
    soft[:, :] = np.eye(2)
    weights = np.zeros((2, 2, 2))
    weights[0, :, 0] = 1.0
    weights[1, :] = [0.4, 0.6]
    m = FiniteLabeler(soft, weights).membership(theory.TopK(1))
    d, dmax, g = (float(f(m, world.joint)) for f in (theory.delta, theory.delta_max, theory.gamma))
    assert (d, dmax, g) == pytest.approx((0.06, 0.6, 0.6))
    assert theory.paper_condition(d, g) and not theory.worst_case_condition(dmax, g)
    assert theory.set_oracle(world.eta, m).tolist() == [0, 1]
