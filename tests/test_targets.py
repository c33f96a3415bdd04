"""Target-seeking constructors hit (Delta, gamma) or (a, Delta) exactly in closed form, over
the whole reachable region, and refuse what is unreachable (docs/theory.md sections 2 and 5)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import theory
from synth import (
    AdditiveNoise,
    ConfuserTeacher,
    PartialLabels,
    SkillfulButBad,
    additive_noise_delta,
)

X0 = np.zeros((1, 1))
unit = st.floats(0.0, 1.0)


def _indicators(teacher, rule) -> tuple[float, float]:
    m = teacher.membership(X0, rule)
    joint = np.full((1, teacher.num_classes), 1.0 / teacher.num_classes)
    return float(theory.delta(m, joint)), float(theory.gamma(m, joint))


@pytest.mark.property
@given(st.integers(2, 12), st.data(), unit, unit)
def test_confuser_reaches_every_reachable_pair(
    c: int, data: st.DataObject, s: float, t: float
) -> None:
    k = data.draw(st.integers(1, c - 1))
    delta = s
    floor = (k - 1 + delta) / (c - 1)
    ceiling = min(1.0, k - 1 + delta) if c > 2 else delta
    gamma = floor + t * (ceiling - floor)
    teacher = ConfuserTeacher.from_targets(c, k, delta=delta, gamma=gamma)
    d, g = _indicators(teacher, theory.TopK(k))
    assert d == pytest.approx(delta, abs=1e-12)
    assert g == pytest.approx(gamma, abs=1e-12)


@pytest.mark.property
@given(st.integers(3, 12), st.data(), unit)
def test_confuser_refuses_below_the_f2_floor(c: int, data: st.DataObject, delta: float) -> None:
    k = data.draw(st.integers(1, c - 1))
    floor = (k - 1 + delta) / (c - 1)
    assume(floor > 1e-6)
    with pytest.raises(ValueError, match="below the F2 floor"):
        ConfuserTeacher.from_targets(c, k, delta=delta, gamma=floor * (1 - 1e-3))


def test_confuser_refuses_above_the_ceiling() -> None:
    # k = 1: a wrong label cannot be top-1 more often than the true label is not (gamma <= Delta)
    with pytest.raises(ValueError, match="above the reachable"):
        ConfuserTeacher.from_targets(5, 1, delta=0.2, gamma=0.3)
    with pytest.raises(ValueError, match="for k = 1 the top-1 set is the top label"):
        ConfuserTeacher.from_targets(5, 1, delta=0.2, gamma=0.2, accuracy=0.5)


@pytest.mark.property
@given(st.integers(2, 12), st.data(), unit, unit)
def test_sbt_reaches_accuracy_and_delta(c: int, data: st.DataObject, s: float, t: float) -> None:
    k = data.draw(st.integers(1, c - 1))
    delta = s
    accuracy = 1 - delta if k == 1 else t * (1 - delta)
    teacher = SkillfulButBad.from_targets(c, k, accuracy=accuracy, delta=delta)
    d, g = _indicators(teacher, theory.TopK(k))
    assert d == pytest.approx(delta, abs=1e-12)
    assert g == pytest.approx((k - 1 + delta) / (c - 1), abs=1e-12)
    top1 = teacher.membership(X0, theory.TopK(1))[0]
    assert top1[0, 0] == pytest.approx(accuracy, abs=1e-12)


def test_sbt_refuses_unreachable_targets() -> None:
    with pytest.raises(ValueError, match="cannot be top-1 more often"):
        SkillfulButBad.from_targets(10, 3, accuracy=0.5, delta=0.6)
    with pytest.raises(ValueError, match="for k = 1 the top-1 accuracy is 1 - delta"):
        SkillfulButBad.from_targets(10, 1, accuracy=0.2, delta=0.3)


@pytest.mark.property
@given(st.integers(2, 12), unit, unit)
def test_partial_labels_reach_every_reachable_pair(c: int, delta: float, t: float) -> None:
    low = delta / (c - 1)
    gamma = low + t * (1 - low)
    teacher = PartialLabels.from_targets(c, delta=delta, gamma=gamma)
    d, g = _indicators(teacher, theory.Support())
    assert d == pytest.approx(delta, abs=1e-12)
    assert g == pytest.approx(gamma, abs=1e-9)  # root finding to xtol 1e-15 in q


def test_partial_labels_refuse_gamma_below_delta_over_c_minus_1() -> None:
    with pytest.raises(ValueError, match="unreachable"):
        PartialLabels.from_targets(5, delta=0.4, gamma=0.05)


@pytest.mark.property
@given(st.integers(2, 10), st.data(), st.floats(0.0, 0.999))
def test_additive_noise_reaches_delta(c: int, data: st.DataObject, t: float) -> None:
    k = data.draw(st.integers(1, c - 1))
    delta = t * (1 - k / c) * 0.98  # stay off the unreachable limit 1 - k/c
    teacher = AdditiveNoise.from_delta(c, k, delta)
    assert additive_noise_delta(c, k, teacher.sigma) == pytest.approx(delta, abs=1e-9)


def test_additive_noise_quadrature_against_simulation(rng: np.random.Generator) -> None:
    """docs/theory.md section 5's formula against 10^6 simulated rankings (c = 10, k = 3)."""
    c, k, sigma, n = 10, 3, 0.9, 1_000_000
    scores = sigma * rng.standard_normal((n, c))
    scores[:, 0] += 1.0
    miss = np.mean(np.sum(scores[:, 1:] > scores[:, :1], axis=1) >= k)
    exact = additive_noise_delta(c, k, sigma)
    assert abs(miss - exact) <= 4.9 * np.sqrt(exact * (1 - exact) / n)


def test_additive_noise_refuses_the_limit() -> None:
    with pytest.raises(ValueError, match="1 - k/c"):
        AdditiveNoise.from_delta(10, 2, 0.8)
