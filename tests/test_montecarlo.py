"""Monte Carlo indicators against exact values on finite worlds (docs/theory.md section 2)."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import Z_MC

import theory
from synth import random_problems

# Intervals at this confidence miss a correct value with probability ~1e-6 (z = 4.9): the
# checks below fail only for a wrong estimator, not by bad luck at the fixed seed.
CONFIDENCE = 1 - 1e-6
RULES = [theory.TopK(1), theory.TopK(2), theory.Support(), theory.Threshold(0.3)]


def test_known_intervals() -> None:
    # Wilson 95% for 5/10 is [0.2366, 0.7634] (Newcombe 1998, Table I); Clopper-Pearson upper
    # end for 0/10 is 1 - 0.025^(1/10) = 0.30850.
    lo, hi = theory.binomial_interval(5, 10, method="wilson")
    assert (float(lo), float(hi)) == pytest.approx((0.2366, 0.7634), abs=1e-4)
    lo, hi = theory.binomial_interval(0, 10, method="clopper-pearson")
    assert (float(lo), float(hi)) == pytest.approx((0.0, 1 - 0.025**0.1), abs=1e-9)


@pytest.mark.parametrize("method", ["wilson", "clopper-pearson"])
def test_interval_coverage(method: str, rng: np.random.Generator) -> None:
    """95% intervals cover p in about 95% of 20000 binomial draws (Clopper-Pearson at least)."""
    trials, p, draws = 40, 0.1, 20000
    k = rng.binomial(trials, p, size=draws)
    lo, hi = theory.binomial_interval(k, trials, method=method)  # type: ignore[arg-type]
    coverage = float(np.mean((lo <= p) & (p <= hi)))
    se = np.sqrt(0.95 * 0.05 / draws)
    # Wilson's coverage oscillates around 95% for small n; both stay above 93%.
    assert coverage >= 0.93 - Z_MC * se


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.name)
def test_delta_and_gamma_cls_intervals_contain_exact_values(
    rule: theory.SetRule, rng: np.random.Generator
) -> None:
    world, labeler = random_problems(
        6, num_points=3, num_classes=4, components=3, deterministic=False, rng=rng
    )
    for i in range(6):
        w, lab = world[i], labeler[i]
        x, y = w.sample(20000, rng=rng)
        d = lab.sample(x, y, rng=rng)
        m = lab.membership(rule)
        est = theory.delta_hat(y, d, rule, confidence=CONFIDENCE)
        assert est.contains(float(theory.delta(m, w.joint))), (i, est)
        est = theory.gamma_cls_hat(y, d, rule, confidence=CONFIDENCE, method="clopper-pearson")
        assert est.contains(float(theory.gamma_cls(m, w.joint))), (i, est)
        # the group estimate with singleton groups is the plain estimate
        grouped = theory.delta_hat(y, d, rule, groups=np.arange(len(y)), confidence=CONFIDENCE)
        assert grouped.value == pytest.approx(theory.delta_hat(y, d, rule).value)


def test_gamma_hat_with_repeated_draws(rng: np.random.Generator) -> None:
    """Repeated draws at each sampled (x, y) estimate m_j(x, y); the interval contains the
    maximum over the sampled groups, which is at most gamma."""
    world, labeler = random_problems(
        1, num_points=4, num_classes=3, components=3, deterministic=True, rng=rng
    )
    w, lab = world[0], labeler[0]
    rule = theory.TopK(1)
    m = lab.membership(rule)
    groups, draws = 30, 2000
    x, y = w.sample(groups, rng=rng)
    xs, ys = np.repeat(x, draws), np.repeat(y, draws)
    d = lab.sample(xs, ys, rng=rng)
    est = theory.gamma_hat(
        ys, d, rule, groups=np.repeat(np.arange(groups), draws), confidence=CONFIDENCE
    )
    wrong = np.arange(3) != y[:, None]
    target = float(np.max(np.where(wrong, m[x, y], -1)))
    assert est.contains(target), (est, target)
    assert target <= float(theory.gamma(m, w.joint))
    assert est.n == groups


def test_delta_hat_by_hand() -> None:
    y = np.array([0, 0, 1, 1])
    d = np.array([[0.9, 0.1], [0.2, 0.8], [0.3, 0.7], [0.5, 0.5]])
    # top-1 sets: {0}, {1}, {1}, {0} (tie to the smaller index): misses at rows 2 and 4
    assert theory.delta_hat(y, d, theory.TopK(1)).value == 0.5
    sums, units = theory.class_membership_hat(y, d, theory.TopK(1))
    np.testing.assert_array_equal(sums, [[1, 1], [1, 1]])
    np.testing.assert_array_equal(units, [2, 2])
