"""Hypothesis strategies for set rules, for property tests. docs/theory.md section 1."""

from __future__ import annotations

from hypothesis import strategies as st

from theory._setrules import SetRule, Support, Threshold, TopK

__all__ = ["set_rules", "top_k_rules"]


def top_k_rules(num_classes: int) -> st.SearchStrategy[TopK]:
    """``TopK(k)`` for ``1 <= k <= c - 1`` (docs/theory.md section 1)."""
    return st.integers(1, num_classes - 1).map(TopK)


def set_rules(num_classes: int) -> st.SearchStrategy[SetRule]:
    """Any set rule for ``c`` classes: top-k, support, or a threshold on a 1/8 grid.

    docs/theory.md section 1: every result holds for any set rule, so property tests draw them all.
    """
    return st.one_of(
        top_k_rules(num_classes),
        st.just(Support()),
        st.integers(1, 8).map(lambda i: Threshold(i / 8)),
    )
