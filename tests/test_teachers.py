"""Closed form against Monte Carlo for every teacher x set rule with a closed form
(docs/theory.md sections 1, 2 and 5; two ways to the same number)."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import Z_MC
from teacher_cases import RULES, TEACHERS, draw_points, world_of

import theory
from synth import NoClosedForm

# Per-entry confidence of the Bonferroni-corrected checks: the family of checks in one test
# fails for a correct implementation with probability ~1e-6 at its fixed seed.
FAMILY_MISS = 1e-6


def _closed_form_pairs() -> list[tuple[str, theory.SetRule]]:
    pairs = []
    x0 = np.zeros((1, 2))
    for name, teacher in TEACHERS.items():
        for rule in RULES:
            try:
                teacher.membership(x0, rule)
            except NoClosedForm:
                continue
            pairs.append((name, rule))
    return pairs


PAIRS = _closed_form_pairs()


def test_the_table_covers_every_teacher_and_the_key_closed_forms() -> None:
    names = {name for name, _ in PAIRS}
    assert names == set(TEACHERS)
    have = {(name, rule.name) for name, rule in PAIRS}
    for must in [
        ("sbt", "top1"),
        ("sbt", "top3"),
        ("partial", "support"),
        ("noise", "top2"),
        ("confuser", "top2"),
        ("fixed-confuser", "top1"),
        ("region", "threshold0.3"),
    ]:
        assert must in have, must


@pytest.mark.parametrize(("name", "rule"), PAIRS, ids=lambda v: getattr(v, "name", v))
def test_membership_at_fixed_points(
    name: str, rule: theory.SetRule, rng: np.random.Generator
) -> None:
    """Repeated draws at each of G points: the frequency of ``j in Omega(d)`` lies in the
    Clopper-Pearson interval around the closed-form ``m_j(x, y)`` for every (point, j)."""
    teacher = TEACHERS[name]
    points, draws = 30, 3000
    x, y = draw_points(name, points, rng)
    xs, ys = np.repeat(x, draws, axis=0), np.repeat(y, draws)
    masks = np.asarray(rule(teacher.sample(xs, ys, rng=rng)), dtype=float)
    freq = masks.reshape(points, draws, -1).sum(axis=1)
    exact = teacher.membership(x, rule)[np.arange(points), y]  # [points, c]
    lo, hi = theory.binomial_interval(
        freq, draws, confidence=1 - FAMILY_MISS / freq.size, method="clopper-pearson"
    )
    bad = (exact < lo - 1e-12) | (exact > hi + 1e-12)
    assert not bad.any(), (exact[bad], (freq / draws)[bad])


@pytest.mark.parametrize(("name", "rule"), PAIRS, ids=lambda v: getattr(v, "name", v))
def test_indicator_estimates_match_closed_form(
    name: str, rule: theory.SetRule, rng: np.random.Generator
) -> None:
    """``delta_hat`` and the class-level membership behind ``gamma_cls_hat`` from iid
    ``(x, y, d)`` agree with the closed form averaged over the same points, within
    ``Z_MC`` conditional standard errors (the closed form is the conditional mean)."""
    teacher = TEACHERS[name]
    n = 40000
    x, y = draw_points(name, n, rng)
    d = teacher.sample(x, y, rng=rng)
    m = teacher.membership(x, rule)[np.arange(n), y]  # [n, c]: m_j(x_i, y_i)
    m_y = m[np.arange(n), y]
    est = theory.delta_hat(y, d, rule)
    spread = np.sqrt(np.sum(m_y * (1 - m_y))) / n
    assert abs(est.value - (1 - m_y.mean())) <= Z_MC * spread + 1e-12
    sums, units = theory.class_membership_hat(y, d, rule)
    c = teacher.num_classes
    expected = np.zeros((c, c))
    variance = np.zeros((c, c))
    np.add.at(expected, y, m)
    np.add.at(variance, y, m * (1 - m))
    present = units > 0
    tol = Z_MC * np.sqrt(variance[present]) / units[present, None] + 1e-12
    diff = np.abs(sums[present] - expected[present]) / units[present, None]
    assert np.all(diff <= tol)


@pytest.mark.parametrize(("name", "rule"), PAIRS, ids=lambda v: getattr(v, "name", v))
def test_monte_carlo_intervals_contain_the_closed_form(
    name: str, rule: theory.SetRule, rng: np.random.Generator
) -> None:
    """``delta_hat`` and ``gamma_cls_hat`` intervals (at 1 - 1e-6) from 40000 iid draws
    contain the closed-form indicators. The closed form integrates exact ``m_j(x, y)`` over
    200000 independent points; that outer average's own standard error (zero for teachers
    that ignore x) widens the check by ``Z_MC`` of it."""
    teacher, world = TEACHERS[name], world_of(name)
    x_ref, _ = world.sample(200_000, rng=rng)
    eta = world.posterior(x_ref)
    m = teacher.membership(x_ref, rule)
    per_point = np.sum(eta * theory.pointwise_delta(m), axis=1)
    delta_ref, delta_se = per_point.mean(), per_point.std() / np.sqrt(len(per_point))
    class_mass = eta.mean(axis=0)
    ratio = np.einsum("iy,iyj->yj", eta, m) / len(eta) / class_mass[:, None]
    # delta-method standard error of each ratio E[eta_y m_j] / E[eta_y]
    resid = eta[:, :, None] * (m - ratio[None])
    ratio_se = resid.std(axis=0) / np.sqrt(len(eta)) / class_mass[:, None]
    off = ~np.eye(teacher.num_classes, dtype=bool)
    gamma_ref = ratio[off].max()

    x, y = world.sample(40000, rng=rng)
    d = teacher.sample(x, y, rng=rng)
    est = theory.delta_hat(y, d, rule, confidence=1 - FAMILY_MISS)
    assert est.lo - Z_MC * delta_se <= delta_ref <= est.hi + Z_MC * delta_se, (est, delta_ref)
    g = theory.gamma_cls_hat(y, d, rule, confidence=1 - FAMILY_MISS)
    slack = Z_MC * ratio_se[off].max()
    assert g.lo - slack <= gamma_ref <= g.hi + slack, (g, gamma_ref)


MEAN_CASES = []
for _name, _teacher in TEACHERS.items():
    try:
        _teacher.mean_soft_labels(np.zeros((1, 2)))
        MEAN_CASES.append(_name)
    except NoClosedForm:
        pass


def test_mean_soft_labels_exist_where_promised() -> None:
    assert set(MEAN_CASES) >= {"bayes", "smoothing", "sbt", "partial", "region", "temperature"}
    assert "noise" not in MEAN_CASES and "confuser" not in MEAN_CASES


@pytest.mark.parametrize("name", MEAN_CASES)
def test_mean_soft_labels(name: str, rng: np.random.Generator) -> None:
    """``E[d | x, y]`` against the mean of repeated draws, within ``Z_MC`` standard errors."""
    teacher = TEACHERS[name]
    points, draws = 20, 4000
    x, y = draw_points(name, points, rng)
    d = teacher.sample(np.repeat(x, draws, axis=0), np.repeat(y, draws), rng=rng)
    d = d.reshape(points, draws, -1)
    exact = teacher.mean_soft_labels(x)[np.arange(points), y]
    se = d.std(axis=1) / np.sqrt(draws)
    assert np.all(np.abs(d.mean(axis=1) - exact) <= Z_MC * se + 1e-12)
    np.testing.assert_allclose(exact.sum(axis=-1), 1.0, atol=1e-12)


def test_samples_are_soft_labels(rng: np.random.Generator) -> None:
    for name, teacher in TEACHERS.items():
        x, y = draw_points(name, 500, rng)
        d = teacher.sample(x, y, rng=rng)
        assert d.shape == (500, teacher.num_classes), name
        assert np.all(d >= 0) and np.allclose(d.sum(-1), 1.0), name


def test_sbt_top1_accuracy_and_floor(rng: np.random.Generator) -> None:
    teacher = TEACHERS["sbt"]
    x, y = draw_points("sbt", 50000, rng)
    d = teacher.sample(x, y, rng=rng)
    acc = float(np.mean(d.argmax(1) == y))
    assert abs(acc - 0.2) <= Z_MC * np.sqrt(0.2 * 0.8 / 50000)
    m = teacher.membership(x[:1], theory.TopK(2))[0]
    assert m[0, 1] == pytest.approx((2 - 1 + 0.3) / 3)  # gamma on the F2 floor


def test_confuser_top1_accuracy(rng: np.random.Generator) -> None:
    teacher = TEACHERS["confuser"]  # accuracy 0.3 asked for
    x, y = draw_points("confuser", 50000, rng)
    acc = float(np.mean(teacher.sample(x, y, rng=rng).argmax(1) == y))
    assert abs(acc - 0.3) <= Z_MC * np.sqrt(0.3 * 0.7 / 50000)


def test_bayes_teacher_has_f4_indicators(rng: np.random.Generator) -> None:
    """F4 on a continuous world: Delta_1 equals the Bayes error (both estimated from the
    same points with exact membership), gamma_1 = 1."""
    world = world_of("bayes")
    x, _ = world.sample(20000, rng=rng)
    eta = world.posterior(x)
    ind = theory.indicators_from_points(eta, TEACHERS["bayes"].membership(x, theory.TopK(1)))
    assert ind.delta.value == pytest.approx(float(np.mean(1 - eta.max(1))), abs=1e-12)
    assert ind.gamma == 1.0


def test_region_teacher_has_delta_max_above_delta(rng: np.random.Generator) -> None:
    world = world_of("region")
    x, _ = world.sample(20000, rng=rng)
    ind = theory.indicators_from_points(
        world.posterior(x), TEACHERS["region"].membership(x, theory.TopK(2))
    )
    assert ind.delta_max == pytest.approx(0.6)
    assert 0.1 < ind.delta.value < 0.6


INDEPENDENT = ["sbt", "sbt-k1", "confuser", "fixed-confuser", "partial", "noise", "smoothing"]


@pytest.mark.parametrize(
    ("name", "rule"), [p for p in PAIRS if p[0] in INDEPENDENT], ids=lambda v: getattr(v, "name", v)
)
def test_x_independent_closed_forms_to_three_decimals(
    name: str, rule: theory.SetRule, rng: np.random.Generator
) -> None:
    """Teachers that ignore x, at 10^6 draws of one class: every membership entry within
    Z_MC standard errors (<= 0.0025), tight enough to catch a wrong term of size 0.005
    (e.g. the empty-set correction of partial labels)."""
    teacher = TEACHERS[name]
    n, label = 1_000_000, 2
    y = np.full(n, label)
    d = teacher.sample(np.zeros((n, 2)), y, rng=rng)
    freq = np.asarray(rule(d), dtype=float).mean(axis=0)
    exact = teacher.membership(np.zeros((1, 2)), rule)[0, label]
    se = np.sqrt(np.maximum(exact * (1 - exact), 1e-12) / n)
    assert np.all(np.abs(freq - exact) <= Z_MC * se + 1e-12), (freq, exact)


@pytest.mark.parametrize("name", [n for n in INDEPENDENT if n in MEAN_CASES])
def test_x_independent_mean_soft_labels_precisely(name: str, rng: np.random.Generator) -> None:
    """``E[d | y]`` at 10^6 draws, within Z_MC standard errors of each entry."""
    teacher = TEACHERS[name]
    n, label = 1_000_000, 1
    d = teacher.sample(np.zeros((n, 2)), np.full(n, label), rng=rng)
    exact = teacher.mean_soft_labels(np.zeros((1, 2)))[0, label]
    se = d.std(axis=0) / np.sqrt(n)
    # + 1e-9: numpy sums along axis 0 row after row, so the mean of 10^6 equal values
    # carries a rounding error near n * eps ~ 1e-10
    assert np.all(np.abs(d.mean(axis=0) - exact) <= Z_MC * se + 1e-9), (d.mean(0), exact)
