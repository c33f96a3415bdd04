"""Slopes of learning curves: the interval is over seeds, whose curves are independent
(the sizes of one seed are nested prefixes of one sample)."""

from __future__ import annotations

import numpy as np
from scipy import stats

from verify._records import Slope


def test_the_slope_is_the_mean_of_the_seeds_slopes() -> None:
    sizes = np.array([100, 300, 1000, 3000])
    rng = np.random.default_rng(0)
    exponents = np.array([-0.4, -0.5, -0.6])
    values = sizes[:, None] ** exponents * np.exp(rng.normal(0, 0.01, (4, 3)))
    fit = Slope.fit(sizes, values, 0.0)
    pooled = stats.linregress(np.repeat(np.log(sizes), 3), np.log(values).ravel()).slope
    assert abs(fit.slope - pooled) < 1e-12  # the same sizes for every seed
    # three seeds at -0.4, -0.5, -0.6 (up to the noise): t(2) = 4.30 times 0.1 / sqrt(3)
    half = (fit.ci[1] - fit.ci[0]) / 2
    assert abs(half - 4.303 * 0.1 / np.sqrt(3)) < 0.02, half


def test_one_seed_uses_its_own_regression_and_one_size_gives_nothing() -> None:
    sizes = np.array([100, 1000, 10000])
    exact = Slope.fit(sizes, (sizes**-0.5)[:, None], 0.0)
    assert abs(exact.slope + 0.5) < 1e-12 and exact.ci[1] - exact.ci[0] < 1e-6
    assert np.isnan(Slope.fit(np.array([100]), np.array([[0.1, 0.2]]), 0.0).slope)
