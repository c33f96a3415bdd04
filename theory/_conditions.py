"""The sufficient conditions for classifier-consistency. docs/theory.md section 3."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from synth.checks import check_distributions, check_unit_interval
from theory._indicators import check_membership, pointwise_delta, pointwise_gamma


def margin(delta: float, gamma: float) -> float:
    """``1 - delta - gamma``: how far inside the condition a labeler is (negative: outside).

    docs/theory.md sections 3-4 (Theorem C's constant; Theorem L divides by it).

    Pass ``Delta_max`` as ``delta`` for the worst-case margin of Theorem C and Theorem L.
    """
    d = check_unit_interval(delta, "delta")
    g = check_unit_interval(gamma, "gamma")
    return 1.0 - d - g


def paper_condition(delta: float, gamma: float, *, tol: float = 0.0) -> bool:
    """The paper's condition ``Delta + gamma < 1``. docs/theory.md section 3, Theorem C.

    Sufficient for consistency when ``Delta(x, y)`` is constant; in general use
    :func:`worst_case_condition` (the ``thm-C-average-delta`` claim shows why).

    Args:
      delta, gamma: the indicators.
      tol: the margin ``1 - delta - gamma`` must exceed this. Indicators computed in floating
        point from exact boundary cases (``Delta + gamma = 1``) can land a rounding error on
        either side; a ``tol`` such as ``1e-12`` keeps them out.
    """
    return margin(delta, gamma) > tol


def worst_case_condition(delta_max: float, gamma: float, *, tol: float = 0.0) -> bool:
    """``Delta_max + gamma < 1``: Theorem C's hypothesis for deterministic labels.

    ``tol`` as for :func:`paper_condition`. docs/theory.md section 3, Theorem C.
    """
    return margin(delta_max, gamma) > tol


def noisy_condition(
    eta: ArrayLike, membership: ArrayLike, *, tol: float = 0.0
) -> NDArray[np.bool_]:
    """Theorem C' at each point: a sufficient condition for ``h_Omega(x) = h_B(x)``.

    With ``B = argmax eta(x)``: ``eta_B (1 - Delta(x, B)) > max_{j != B} [eta_j +
    (1 - eta_j) gamma(x)]``. docs/theory.md section 3, Theorem C'.

    Args:
      eta: ``[..., c]`` posteriors.
      membership: ``[..., c, c]`` with ``membership[..., y, j] = m_j(x, y)``.
      tol: the left side must exceed the right by more than this (see
        :func:`paper_condition`).

    Returns:
      bool ``[...]``.
    """
    e = check_distributions(eta, "eta")
    m = check_membership(membership)
    g = pointwise_gamma(m, e)
    b = np.argmax(e, axis=-1)[..., None]
    eta_b = np.take_along_axis(e, b, axis=-1)[..., 0]
    delta_b = np.take_along_axis(pointwise_delta(m), b, axis=-1)[..., 0]
    rival = e + (1.0 - e) * g[..., None]
    np.put_along_axis(rival, b, -np.inf, axis=-1)
    return eta_b * (1.0 - delta_b) > np.max(rival, axis=-1) + tol
