"""Population minimizers of the three learners, per point. docs/theory.md section 3.

- top-k (set) risk: ``h_Omega(x) = argmax_j pi_j(x)``, ``pi_j(x) = sum_y eta_y(x) m_j(x, y)``;
- distillation (soft cross-entropy): ``p(x) = E[d | x]``;
- partial-label surrogate (CC loss ``-log sum_{j in Omega(d)} p_j``): the maximizer of
  ``sum_S q_x(S) log p(S)`` over the simplex.

Every argmax breaks ties toward the smaller index, as ``h_B`` does.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import optimize

from synth.checks import as_float_array, check_distributions
from theory._cc_solver import central_path
from theory._indicators import check_membership


def set_scores(eta: ArrayLike, membership: ArrayLike) -> NDArray[np.float64]:
    """``pi [..., c]`` with ``pi_j(x) = sum_y eta_y(x) m_j(x, y)`` = ``P(j in Omega | x)``.

    docs/theory.md section 3 (the top-k risk minimizer).

    Args:
      eta: ``[..., c]`` posteriors.
      membership: ``[..., c, c]``.
    """
    e = check_distributions(eta, "eta")
    m = check_membership(membership)
    if m.shape != e.shape + (e.shape[-1],):
        raise ValueError(f"membership: expected shape {e.shape + (e.shape[-1],)}, got {m.shape}")
    return np.einsum("...y,...yj->...j", e, m)


def set_oracle(eta: ArrayLike, membership: ArrayLike) -> NDArray[np.int64]:
    """``[...]``: ``h_Omega(x) = argmax pi(x)``, the minimizer of ``R_Omega`` over all classifiers.

    docs/theory.md section 3; shapes as :func:`set_scores`.
    """
    return np.argmax(set_scores(eta, membership), axis=-1).astype(np.int64)


def distillation_target(eta: ArrayLike, mean_soft_labels: ArrayLike) -> NDArray[np.float64]:
    """``E[d | x] = sum_y eta_y(x) E[d | x, y]``, shape ``[..., c]``.

    The population minimizer of the soft cross-entropy ``-sum_j d_j log p_j(x)``
    (docs/theory.md section 3, distillation).

    Args:
      eta: ``[..., c]``.
      mean_soft_labels: ``[..., c, c]`` with ``[..., y, :] = E[d | x, y]``.
    """
    e = check_distributions(eta, "eta")
    md = check_distributions(mean_soft_labels, "mean_soft_labels")
    if md.shape != e.shape + (e.shape[-1],):
        raise ValueError(
            f"mean_soft_labels: expected shape {e.shape + (e.shape[-1],)}, got {md.shape}"
        )
    return np.einsum("...y,...yj->...j", e, md)


def distillation_oracle(eta: ArrayLike, mean_soft_labels: ArrayLike) -> NDArray[np.int64]:
    """``[...]``: ``argmax E[d | x]``, what a perfect distillation student predicts.

    docs/theory.md section 3 (distillation); shapes as :func:`distillation_target`.
    """
    return np.argmax(distillation_target(eta, mean_soft_labels), axis=-1).astype(np.int64)


@dataclass(frozen=True)
class CCSolution:
    """The CC surrogate's population minimizer at each point. docs/theory.md section 3.

    Attributes:
      probs: ``[..., c]``, a maximizer of ``sum_S q_x(S) log p(S)`` (the analytic centre of
        the set of maximizers when there are several, see :func:`cc_target`).
      kkt_gap: ``[...]``, ``max_j g_j - 1`` with ``g_j = sum_S q(S) 1(j in S) / p(S)``. It is
        zero at a maximizer and bounds how far the objective at ``probs`` is below the
        maximum (the Frank-Wolfe duality gap, since ``sum_j p_j g_j = 1``).
      iterations: Newton iterations run, over all barrier stages.
      converged: ``[...]``, whether ``kkt_gap`` is below the tolerance at that point.
    """

    probs: NDArray[np.float64]
    kkt_gap: NDArray[np.float64]
    iterations: int
    converged: NDArray[np.bool_]


def cc_objective(masks: ArrayLike, weights: ArrayLike, probs: ArrayLike) -> NDArray[np.float64]:
    """``[...]``: ``sum_S q_x(S) log p(S)``, the negated population CC risk at one point.

    docs/theory.md section 3 (partial-label surrogate); ``probs [..., c]`` and the set law as in
    :func:`cc_target`.

    Sets of zero weight (and empty sets, whose ``log 0`` does not depend on ``p``) are
    left out, as in :func:`cc_target`.
    """
    problem = _CCProblem.build(masks, weights)
    return problem.objective(check_distributions(probs, "probs"))


def cc_em_step(masks: ArrayLike, weights: ArrayLike, probs: ArrayLike) -> NDArray[np.float64]:
    """One EM step ``p_j <- sum_S q(S) 1(j in S) p_j / p(S)``, shape ``[..., c]``.

    docs/theory.md section 3: EM increases the CC objective monotonically; a maximizer is a
    fixed point. Kept as an independent check on :func:`cc_target`.
    """
    problem = _CCProblem.build(masks, weights)
    return problem.em(check_distributions(probs, "probs"))


def cc_target(
    masks: ArrayLike,
    weights: ArrayLike,
    *,
    tol: float = 1e-7,
) -> CCSolution:
    """Maximize ``sum_S q_x(S) log p(S)`` over the simplex at every point.

    docs/theory.md section 3 (partial-label surrogate). The objective is concave. The EM
    iteration of docs/theory.md converges to a maximizer, but only sublinearly (or with a ratio
    within 1e-4 of one) when the maximizer lies on a face of the simplex, which is common
    for label sets. This solver follows the log-barrier central path instead: for
    ``mu = 10^-1, 10^-3, .., 10^-9`` it maximizes ``objective + mu sum_j log p_j`` by damped Newton
    steps in the scaled variable ``p_j (1 + z_j)`` (so the Hessian stays well conditioned
    near the boundary), with a backtracking line search whose Armijo test sums ``log1p``
    terms (a difference of two objective values is rounding noise once steps are small).
    The iteration is compiled (JAX, float64; ``theory._cc_solver``). The path ends at the
    analytic centre of the set of maximizers: labels that always appear together get equal
    mass, a tie rule that does not depend on label order (to about 1e-7: decide argmaxes
    with a margin above that). The result is certified by ``kkt_gap``, computed here in
    numpy from the returned point, which the central path drives to at most ``c mu``;
    :func:`cc_em_step` gives an independent fixed-point check and
    :func:`cc_maximizer_range` the range over all maximizers.

    Args:
      masks: bool ``[..., S, c]`` label sets.
      weights: ``[..., S]`` their probabilities ``q_x(S)``; rescaled to sum to one over the
        non-empty sets.
      tol: ``converged`` marks points with ``kkt_gap <= tol``.
    """
    problem = _CCProblem.build(masks, weights)
    lead, c = problem.weights.shape[:-1], problem.sets.shape[-1]
    flat = problem.reshape(-1)
    p, steps = central_path(flat.sets, flat.weights)
    gap = flat.gap(p)
    return CCSolution(
        probs=p.reshape(*lead, c),
        kkt_gap=gap.reshape(lead),
        iterations=int(steps.max(initial=0)),
        converged=(gap <= tol).reshape(lead),
    )


class _CCProblem:
    """The per-point CC objective with its derivatives and EM map, in numpy."""

    def __init__(self, sets: NDArray[np.float64], weights: NDArray[np.float64]) -> None:
        self.sets = sets
        self.weights = weights
        self.positive = weights > 0

    @classmethod
    def build(cls, masks: ArrayLike, weights: ArrayLike) -> _CCProblem:
        sets = np.asarray(masks, dtype=bool)
        w = as_float_array(weights, "weights")
        if sets.ndim < 2 or w.shape != sets.shape[:-1]:
            raise ValueError(f"weights: expected shape {sets.shape[:-1]}, got {w.shape}")
        if np.any(w < 0):
            raise ValueError("weights: entries are negative")
        w = np.where(sets.any(axis=-1), w, 0.0)
        total = w.sum(axis=-1, keepdims=True)
        if np.any(total <= 0):
            raise ValueError("masks: at some point every label set of positive weight is empty")
        return cls(sets.astype(np.float64), w / total)

    def reshape(self, *lead: int) -> _CCProblem:
        s, c = self.sets.shape[-2:]
        return _CCProblem(self.sets.reshape(*lead, s, c), self.weights.reshape(*lead, s))

    def _ratio(self, p: NDArray[np.float64]) -> NDArray[np.float64]:
        # q(S) / p(S); sets of zero weight (empty ones among them, with p(S) = 0) contribute
        # nothing rather than 0/0.
        mass = np.einsum("...sj,...j->...s", self.sets, p)
        return np.divide(self.weights, mass, out=np.zeros_like(self.weights), where=self.positive)

    def objective(self, p: NDArray[np.float64]) -> NDArray[np.float64]:
        mass = np.einsum("...sj,...j->...s", self.sets, p)
        with np.errstate(divide="ignore"):
            logs = np.log(np.where(self.positive, mass, 1.0))
        return np.sum(self.weights * logs, axis=-1)

    def gradient(self, p: NDArray[np.float64]) -> NDArray[np.float64]:
        return np.einsum("...s,...sj->...j", self._ratio(p), self.sets)

    def gap(self, p: NDArray[np.float64]) -> NDArray[np.float64]:
        return np.max(self.gradient(p), axis=-1) - 1.0

    def em(self, p: NDArray[np.float64]) -> NDArray[np.float64]:
        new = p * self.gradient(p)
        return new / new.sum(axis=-1, keepdims=True)


def cc_maximizer_range(
    masks: ArrayLike, weights: ArrayLike, solution: CCSolution, *, slack: float = 1e-9
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Range of each ``p_j`` over all maximizers of the CC objective, by linear programs.

    docs/theory.md section 3 (partial-label surrogate): certifies that a counterexample does not
    hinge on which maximizer a learner reaches.

    The maximizers share the vector of set masses ``u* = (p(S))_S`` (the objective is
    strictly concave in it), so they form the polytope ``{p in simplex : p(S) = u*_S}``;
    ``u*`` is taken from ``solution`` with relative ``slack``. A point where ``hi_y`` is
    below ``max_j lo_j`` for some ``j != y`` is misclassified by every maximizer. Solves
    ``2 c`` small LPs per point: meant for certifying a few points, not for sweeps.

    Args:
      masks, weights: as for :func:`cc_target` (``[..., S, c]``, ``[..., S]``); the LPs run
        point by point.
      solution: the :func:`cc_target` result for them.

    Returns:
      ``lo, hi``, each ``[..., c]``.
    """
    sets = np.asarray(masks, dtype=bool)
    w = as_float_array(weights, "weights")
    probs = solution.probs
    lead = probs.shape[:-1]
    c = probs.shape[-1]
    flat_sets = sets.reshape(-1, *sets.shape[-2:])
    flat_w = w.reshape(-1, w.shape[-1])
    flat_p = probs.reshape(-1, c)
    lo = np.empty_like(flat_p)
    hi = np.empty_like(flat_p)
    for i in range(flat_p.shape[0]):  # certification of a handful of points
        keep = flat_sets[i].any(axis=-1) & (flat_w[i] > 0)
        a = flat_sets[i][keep].astype(np.float64)
        u = a @ flat_p[i]
        a_ub = np.vstack([a, -a])
        b_ub = np.concatenate([u * (1 + slack) + slack, -(u * (1 - slack) - slack)])
        for j in range(c):
            obj = np.zeros(c)
            obj[j] = 1.0
            bounds = [(0.0, 1.0)] * c
            eq = (np.ones((1, c)), np.ones(1))
            low = optimize.linprog(obj, A_ub=a_ub, b_ub=b_ub, A_eq=eq[0], b_eq=eq[1], bounds=bounds)
            high = optimize.linprog(
                -obj, A_ub=a_ub, b_ub=b_ub, A_eq=eq[0], b_eq=eq[1], bounds=bounds
            )
            if low.status != 0 or high.status != 0:
                raise RuntimeError(f"cc_maximizer_range: LP failed at point {i}: {low.message}")
            lo[i, j] = low.fun
            hi[i, j] = -high.fun
    return lo.reshape(*lead, c), hi.reshape(*lead, c)


def cc_oracle(masks: ArrayLike, weights: ArrayLike) -> NDArray[np.int64]:
    """``[...]``: argmax of the CC surrogate's population minimizer (:func:`cc_target`).

    docs/theory.md section 3. Near-ties (margins below ~1e-6) are not meaningful; use
    :func:`cc_target` to see the margin.
    """
    return np.argmax(cc_target(masks, weights).probs, axis=-1).astype(np.int64)
