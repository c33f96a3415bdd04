"""Set rules: top-k against a stable-sort reference, ties to the smaller index
(docs/theory.md section 1)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import theory
from synth.strategies import soft_labels


def reference_topk(d: np.ndarray, k: int) -> np.ndarray:
    """Stable descending order: equal entries keep index order, so ties go to the smaller."""
    order = np.argsort(-d, axis=-1, kind="stable")[..., :k]
    mask = np.zeros(d.shape, dtype=bool)
    np.put_along_axis(mask, order, True, axis=-1)
    return mask


def test_topk_ties_go_to_the_smaller_index() -> None:
    d = np.array([0.25, 0.25, 0.25, 0.25])
    assert theory.TopK(2)(d).tolist() == [True, True, False, False]
    d = np.array([0.1, 0.3, 0.3, 0.3])
    assert theory.TopK(2)(d).tolist() == [False, True, True, False]
    assert theory.topk_rank(d, 3) == 2  # #(d_j > d_3) = 0, #(j < 3, d_j = d_3) = 2


@pytest.mark.property
@given(st.integers(2, 6).flatmap(lambda c: st.tuples(soft_labels(c, (5,)), st.integers(1, c - 1))))
def test_topk_matches_stable_sort(case: tuple[np.ndarray, int]) -> None:
    d, k = case
    mask = theory.TopK(k)(d)
    np.testing.assert_array_equal(mask, reference_topk(d, k))
    assert np.all(mask.sum(-1) == k)  # F2 at the level of one soft label
    for y in range(d.shape[-1]):
        labels = np.full(d.shape[0], y)
        np.testing.assert_array_equal(theory.TopK(k).contains(d, labels), mask[:, y])


@pytest.mark.property
@given(st.integers(3, 6).flatmap(lambda c: st.tuples(soft_labels(c, (5,)), st.integers(1, c - 2))))
def test_f1_topk_sets_are_nested(case: tuple[np.ndarray, int]) -> None:
    """docs/theory.md section 2, F1: Omega_k subset Omega_{k+1}."""
    d, k = case
    assert np.all(theory.TopK(k)(d) <= theory.TopK(k + 1)(d))


@pytest.mark.property
@given(st.integers(2, 5).flatmap(lambda c: soft_labels(c, (4,))), st.integers(1, 8))
def test_support_and_threshold_match_definitions(d: np.ndarray, i: int) -> None:
    np.testing.assert_array_equal(theory.Support()(d), d > 0)
    np.testing.assert_array_equal(theory.Threshold(i / 8)(d), d >= i / 8)
    labels = np.zeros(d.shape[0], dtype=int)
    np.testing.assert_array_equal(theory.Threshold(i / 8).contains(d, labels), d[:, 0] >= i / 8)


def test_rules_accept_batches() -> None:
    d = np.full((2, 3, 4), 0.25)
    assert theory.TopK(3)(d).shape == (2, 3, 4)
    assert theory.topk_rank(d, np.zeros((2, 3), dtype=int)).shape == (2, 3)
