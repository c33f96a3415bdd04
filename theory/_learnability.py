"""ERM learnability: growth functions, uniform deviations, Theorem L and sample complexity.

docs/theory.md section 4. Growth functions are handled through their logarithms so that
``c**(2d)`` and ``c**M`` never overflow.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from synth.checks import check_unit_interval


def _positive_int(value: int, name: str) -> int:
    if isinstance(value, bool) or int(value) != value or int(value) < 1:
        raise ValueError(f"{name}: must be a positive integer, got {value!r}")
    return int(value)


def _delta(delta: float) -> float:
    return check_unit_interval(delta, "delta", open_left=True, open_right=True)


def natarajan_log_growth(m: int, dim: int, num_classes: int) -> float:
    """``ln Pi_H(m)`` bounded by Natarajan's lemma ``Pi_H(m) <= m^d c^(2d)``.

    Also capped by the trivial ``Pi_H(m) <= c^m`` (at most ``c^m`` labelings of ``m``
    points), which is smaller for ``m`` below about ``2d``. docs/theory.md section 4.
    """
    m = _positive_int(m, "m")
    d = _positive_int(dim, "dim")
    c = _positive_int(num_classes, "num_classes")
    return min(d * math.log(m) + 2 * d * math.log(c), m * math.log(c))


def linear_natarajan_dim(num_classes: int, num_features: int) -> int:
    """Natarajan dimension bound ``c (p + 1)`` of ``argmax(W x + b)``, ``x in R^p``.

    docs/theory.md section 4.
    """
    c = _positive_int(num_classes, "num_classes")
    p = _positive_int(num_features, "num_features")
    return c * (p + 1)


def vapnik_epsilon(m: int, log_growth_2m: float, delta: float) -> float:
    """``eps_m = sqrt((8/m) (ln Pi_H(2m) + ln(4/delta)))``. docs/theory.md section 4.

    With probability at least ``1 - delta``,
    ``sup_h |R_hat_Omega(h) - R_Omega(h)| <= eps_m``.
    """
    m = _positive_int(m, "m")
    return math.sqrt(8.0 / m * (float(log_growth_2m) + math.log(4.0 / _delta(delta))))


def natarajan_epsilon(m: int, dim: int, num_classes: int, delta: float) -> float:
    """:func:`vapnik_epsilon` with Natarajan's lemma for ``Pi_H(2m)`` (docs/theory.md section 4)."""
    return vapnik_epsilon(m, natarajan_log_growth(2 * int(m), dim, num_classes), delta)


def finite_class_epsilon(m: int, log_size: float, delta: float) -> float:
    """``sqrt((ln|H| + ln(2/delta)) / (2m))`` for a finite class (docs/theory.md section 4).

    Hoeffding plus a union bound: with probability at least ``1 - delta`` every ``h`` in
    ``H`` has ``|R_hat_Omega(h) - R_Omega(h)|`` at most this. For all functions on a domain
    of ``M`` points, ``ln|H| = M ln c``.
    """
    m = _positive_int(m, "m")
    return math.sqrt((float(log_size) + math.log(2.0 / _delta(delta))) / (2.0 * m))


def theorem_l_bound(epsilon: float, gamma: float, delta_max: float) -> float:
    """Theorem L: ``R(h_hat) <= 2 eps / (1 - gamma - Delta_max)``.

    Returns ``inf`` when ``gamma + Delta_max >= 1``: the theorem then bounds nothing.
    docs/theory.md section 4.
    """
    g = check_unit_interval(gamma, "gamma")
    dm = check_unit_interval(delta_max, "delta_max")
    if float(epsilon) < 0:
        raise ValueError(f"epsilon: must be non-negative, got {epsilon!r}")
    margin = 1.0 - g - dm
    return 2.0 * float(epsilon) / margin if margin > 0 else math.inf


def sample_complexity(
    target_error: float,
    epsilon: Callable[[int], float],
    gamma: float,
    delta_max: float,
    *,
    max_m: int = 2**62,
) -> int:
    """The least ``m`` with ``theorem_l_bound(epsilon(m), gamma, delta_max) <= target_error``.

    ``epsilon`` must be non-increasing in ``m`` (every bound in this module is), which makes
    the doubling-then-bisection search exact. docs/theory.md section 4.

    Args:
      target_error: the error ``eps`` asked for, in ``(0, 1)``.
      epsilon: ``m -> eps_m``, e.g. ``lambda m: natarajan_epsilon(m, d, c, 0.05)``.
      gamma, delta_max: the labeler's indicators; their sum must be below 1.
      max_m: give up above this.

    Raises:
      ValueError: if the condition fails or no ``m <= max_m`` reaches the target.
    """
    target = check_unit_interval(target_error, "target_error", open_left=True, open_right=True)
    if theorem_l_bound(0.0, gamma, delta_max) == math.inf:
        raise ValueError(
            f"gamma + delta_max = {gamma + delta_max:.6g} >= 1: Theorem L gives no sample "
            "complexity outside the condition"
        )

    def ok(m: int) -> bool:
        return theorem_l_bound(epsilon(m), gamma, delta_max) <= target

    hi = 1
    while not ok(hi):
        if hi >= max_m:
            raise ValueError(f"no m <= {max_m} reaches target_error={target_error}")
        hi = min(2 * hi, max_m)
    lo = hi // 2  # ok(lo) is False unless lo == 0
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if ok(mid) else (mid, hi)
    return hi
