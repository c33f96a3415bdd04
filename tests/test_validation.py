"""Bad input raises ValueError naming the argument; never a silent wrong number."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import theory
from synth import FiniteLabeler, FiniteWorld, check_labels, check_soft_labels

GOOD = np.array([[0.2, 0.8], [0.5, 0.5]])


@pytest.mark.parametrize(
    ("d", "message"),
    [
        (np.array([[np.nan, 1.0]]), "d: 1 entries are not finite"),
        (np.array([[np.inf, 0.0]]), "not finite"),
        (np.array([[-0.1, 1.1]]), "d: 1 entries are negative"),
        (np.array([[0.3, 0.3]]), "must sum to 1"),
        (np.array([[1.0]]), "needs at least 2"),
        (np.float64(1.0), "got a scalar"),
        ([["a", "b"]], "not a numeric array"),
    ],
)
def test_soft_labels_rejected(d: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        check_soft_labels(d)


def test_soft_label_tolerance_is_stated() -> None:
    # Within SOFT_LABEL_ATOL = 1e-5 is accepted (float32 softmax rounding), beyond is not.
    check_soft_labels([[0.5, 0.5 + 9e-6]])
    with pytest.raises(ValueError, match="within 1e-05"):
        check_soft_labels([[0.5, 0.5 + 2e-5]])


@pytest.mark.parametrize(
    ("y", "message"),
    [
        ([0, 2], r"y: labels must lie in \[0, 2\)"),
        ([-1, 0], r"must lie in \[0, 2\)"),
        ([0.5, 1.0], "non-integral"),
        ([True, False], "booleans"),
        (["a"], "must be integers"),
        ([np.nan], "NaN"),
    ],
)
def test_labels_rejected(y: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        check_labels(y, 2)


def test_integral_float_labels_accepted() -> None:
    assert check_labels([0.0, 1.0], 2).tolist() == [0, 1]


@pytest.mark.parametrize("k", [0, -1, 2.0, True, "1"])
def test_topk_k_rejected_at_construction(k: object) -> None:
    with pytest.raises(ValueError, match="k: must"):
        theory.TopK(k)  # type: ignore[arg-type]


def test_topk_k_must_be_below_c() -> None:
    # k = c would put every label in the set: docs/theory.md section 1 needs k <= c - 1.
    with pytest.raises(ValueError, match="k: must be at most c - 1 = 1"):
        theory.TopK(2)(GOOD)


def test_rule_parameters_rejected() -> None:
    with pytest.raises(ValueError, match="tol"):
        theory.Support(1.0)
    with pytest.raises(ValueError, match="tau"):
        theory.Threshold(0.0)


def test_world_probabilities_must_sum_to_one() -> None:
    with pytest.raises(ValueError, match="probs: entries along the last axis must sum to 1"):
        FiniteWorld(np.array([0.5, 0.4]), np.eye(2))
    with pytest.raises(ValueError, match="eta: expected shape"):
        FiniteWorld(np.array([0.5, 0.5]), np.eye(3))
    with pytest.raises(ValueError, match="eta: .* must sum to 1"):
        FiniteWorld(np.array([1.0]), np.array([[0.5, 0.6]]))


def test_labeler_shapes_checked() -> None:
    with pytest.raises(ValueError, match="weights: expected shape"):
        FiniteLabeler(np.ones((1, 2, 1, 2)) / 2, np.ones((1, 2, 2)) / 2)
    with pytest.raises(ValueError, match="soft_labels: expected shape"):
        FiniteLabeler(np.ones((2, 2)) / 2, np.ones(2) / 2)


def test_mismatched_lengths_rejected() -> None:
    with pytest.raises(ValueError, match="mismatched lengths: y has 3, d has 2"):
        theory.delta_hat([0, 1, 0], GOOD, theory.TopK(1))
    with pytest.raises(ValueError, match="labels: expected shape"):
        theory.TopK(1).contains(GOOD, [0, 1, 1])


def test_indicator_inputs_checked() -> None:
    m = np.ones((1, 2, 2)) * 0.5
    with pytest.raises(ValueError, match="joint: entries along the last axis must sum to 1"):
        theory.delta(m, np.array([[0.5, 0.6]]))
    with pytest.raises(ValueError, match="membership: probabilities must lie in"):
        theory.gamma(m * 3, np.array([[0.5, 0.5]]))
    with pytest.raises(ValueError, match="membership: expected shape"):
        theory.gamma(np.ones((1, 2, 3)) / 2, np.array([[0.5, 0.5]]))


def test_classifier_inputs_checked() -> None:
    joint = np.array([[0.5, 0.0], [0.0, 0.5]])
    with pytest.raises(ValueError, match=r"h: labels must lie in \[0, 2\)"):
        theory.risk([0, 2], joint)
    with pytest.raises(ValueError, match="h: expected shape"):
        theory.risk([0, 1, 1], joint)


def test_bound_inputs_checked() -> None:
    with pytest.raises(ValueError, match="delta: must lie in"):
        theory.vapnik_epsilon(10, 1.0, 1.5)
    with pytest.raises(ValueError, match="m: must be a positive integer"):
        theory.finite_class_epsilon(0, 1.0, 0.05)
    with pytest.raises(ValueError, match="gamma: must lie in"):
        theory.theorem_l_bound(0.1, 1.2, 0.0)
    with pytest.raises(ValueError, match="no sample complexity outside the condition"):
        theory.sample_complexity(0.1, lambda m: 1 / m, 0.6, 0.5)


def test_confidence_checked() -> None:
    with pytest.raises(ValueError, match="confidence"):
        theory.delta_hat([0], [[1.0, 0.0]], theory.TopK(1), confidence=1.0)
    with pytest.raises(ValueError, match="method"):
        theory.binomial_interval(1, 2, method="exact")  # type: ignore[arg-type]


def test_groups_must_share_label() -> None:
    with pytest.raises(ValueError, match="groups: every draw of a group must have the same"):
        theory.gamma_hat([0, 1], GOOD, theory.TopK(1), groups=[7, 7])
