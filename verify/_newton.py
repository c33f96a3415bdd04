"""Newton's method for the linear population references (float64, compiled, the inputs split
over the host's devices).

The linear reference minimizes ``mean_n sum_s w[n, s] (-log p(S_s | x_n)) + l2/2 ||W||^2``
over ``W [c, p]``, ``b [c]``: a few hundred parameters, up to 10^5 inputs. Quasi-Newton
(L-BFGS) needs 40 to 350 evaluations here, most on the ill-conditioned problems of sharp
teachers; the exact Hessian costs one ``[c^2, N] @ [N, (p+1)(p+2)/2]`` product, a few
evaluations' worth, and Newton's method then converges in a handful of steps.

In the logits ``z`` of one input, with ``p = softmax(z)``, a set's mass ``P_s = p . m_s``,
``W_n = sum_s w_s``, ``A = sum_s (w_s / P_s) m_s`` and ``Q = sum_s (w_s / P_s^2) m_s m_s^T``:

- gradient ``g = W_n p - p * A``;
- Hessian ``diag(g) + (p p^T) * (Q - W_n)`` (``*`` elementwise), i.e. ``W_n Cov_p - sum_s
  w_s Cov_{r_s}`` with ``r_s`` the softmax restricted to ``S_s``. It is indefinite for
  label sets (the CC loss is not convex in the logits), so the step uses the Hessian's
  eigenvalues in absolute value (a descent direction whatever their signs; Newton's own
  step where the Hessian is positive definite, as near a strict minimizer). A step is at
  most twice as long as the last accepted one, then halved until Armijo's condition holds.

The parameters ``b`` are only determined up to a common shift (the softmax ignores it); the
shift's direction is added to the Hessian with weight one, so the step never moves along it
(the gradient never points along it either).
"""

from __future__ import annotations

import functools
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

#: Armijo's sufficient-decrease constant and the most halvings of a step.
ARMIJO, HALVINGS = 1e-4, 40


def newton(
    value_and_grad: Any,
    parts: Any,
    theta: np.ndarray,
    *,
    c: int,
    steps: int,
    tol: float,
) -> tuple[np.ndarray, float, np.ndarray, int]:
    """Minimize from ``theta`` (``W [c, p]`` flattened, then ``b [c]``).

    Args:
      value_and_grad: ``theta -> (value, gradient)``.
      parts: ``theta -> (value, gradient, hessian)``.
      steps: the most Newton steps; tol: stop when the gradient norm is at most it.

    Returns:
      the parameters, their value and gradient, and the steps taken.
    """
    d = len(theta)
    shift = np.zeros(d)
    shift[d - c :] = 1.0 / np.sqrt(c)
    value, grad, hess = parts(theta)
    taken, reach = 0, np.inf
    while taken < steps and np.linalg.norm(grad) > tol:
        eig, vec = np.linalg.eigh(hess + np.outer(shift, shift))
        scale = np.maximum(np.abs(eig), 1e-12 * np.max(np.abs(eig)))
        step = -vec @ ((vec.T @ grad) / scale)
        # Where the objective is not convex the absolute eigenvalues near zero make steps
        # far too long, and halving them back cost 4 to 6 evaluations a step; a step is
        # capped at twice the last accepted one (measured on six paper partial-label
        # references: 25% fewer evaluations, the same minimizers).
        length = np.linalg.norm(step)
        if length > reach:
            step *= reach / length
        slope = float(grad @ step)
        t = 1.0
        for _ in range(HALVINGS):
            trial, _ = value_and_grad(theta + t * step)
            if trial <= value + ARMIJO * t * slope:
                break
            t *= 0.5
        else:  # no decrease along the step: rounding has the last word
            break
        theta = theta + t * step
        reach = 2 * t * float(np.linalg.norm(step))
        value, grad, hess = parts(theta)
        taken += 1
    return theta, float(value), grad, taken


@functools.lru_cache(maxsize=4)
def hessian_program(mode: str) -> Any:
    """The compiled ``(value, gradient, hessian)`` of one form of the linear objective (the
    forms of ``verify._population._linear_program``; ``sets`` are ``[N, M, c]`` per input
    for ``each``, ``[S, c]`` shared for ``law``; ``pairs [N, (p+1)(p+2)/2]`` are the
    products ``x~_i x~_j``, ``i <= j``, of the inputs with a 1 appended: :func:`pairs_of`).

    The inputs' factor is symmetric (``x~_i x~_j = x~_j x~_i``), so only its upper triangle
    is multiplied: a ``[c^2, N] @ [N, (p+1)(p+2)/2]`` product, half the full one. The same
    for the classes' factor measured slower: gathering ``hz``'s upper triangle from rows
    split over the devices cost more than the product it saved.
    """

    def parts(theta: Any, x: Any, sets: Any, weights: Any, pairs: Any, scale: Any) -> Any:
        n_inv, l2 = scale[0], scale[1]
        c, p = sets.shape[-1], x.shape[1]
        w, b = theta[: c * p].reshape(c, p), theta[c * p :]
        logp = jax.nn.log_softmax(x @ w.T + b[None], axis=1)
        prob = jnp.exp(logp)  # [N, c]
        used = weights > 0
        if mode == "law":
            mass = prob @ sets.T  # [N, S]
        else:
            mass = jnp.einsum("nc,nmc->nm", prob, sets)
        mass = jnp.where(used, mass, 1.0)
        first = jnp.where(used, weights / mass, 0.0)
        second = first / mass
        if mode == "law":
            a = first @ sets  # [N, c]
            outer = (sets[:, :, None] * sets[:, None, :]).reshape(sets.shape[0], c * c)
            q = (second @ outer).reshape(-1, c, c)
        else:
            a = jnp.einsum("nm,nmc->nc", first, sets)
            q = _weighted_outer_sum(second, sets)
        total = jnp.sum(weights, axis=1)
        value = -jnp.sum(weights * jnp.log(mass)) * n_inv + 0.5 * l2 * jnp.sum(w * w)
        gz = total[:, None] * prob - prob * a  # [N, c]
        hz = (prob[:, :, None] * prob[:, None, :]) * (q - total[:, None, None])
        hz = hz + jax.vmap(jnp.diag)(gz)
        grad = jnp.concatenate([(gz.T @ x).ravel() * n_inv + l2 * w.ravel(), gz.sum(0) * n_inv])
        upper = (hz.reshape(-1, c * c).T @ pairs) * n_inv  # [c^2, (p+1)(p+2)/2]
        hess = upper.ravel()[_hessian_gather(c, p)] + jnp.diag(
            jnp.concatenate([jnp.full(c * p, l2), jnp.zeros(c)])
        )
        return value, grad, hess

    return jax.jit(parts)


def pairs_of(x: np.ndarray) -> np.ndarray:
    """``[N, (p+1)(p+2)/2]``: the products ``x~_i x~_j``, ``i <= j``, of ``x [N, p]`` with a 1
    appended (the Hessian program's ``pairs``)."""
    ones = np.concatenate([x, np.ones((len(x), 1))], axis=1)
    i, j = np.triu_indices(ones.shape[1])
    return ones[:, i] * ones[:, j]


def _weighted_outer_sum(weights: Any, sets: Any) -> Any:
    """``[N, c, c]``: ``sum_m weights[n, m] sets[n, m] sets[n, m]^T`` for ``sets [N, M, c]``.

    Unrolled over ``M`` (elementwise products XLA fuses: 31 ms at N = 50,000, M = 20,
    c = 10, against 90 ms for the same sum as a batched einsum); an einsum past 32 sets.
    The whole square: its upper triangle alone, by static slices, took ten times longer."""
    if sets.shape[1] > 32:
        return jnp.einsum("nma,nmb->nab", weights[:, :, None] * sets, sets)
    total = jnp.zeros((sets.shape[0], sets.shape[2], sets.shape[2]), sets.dtype)
    for i in range(sets.shape[1]):
        v = sets[:, i, :]
        total = total + weights[:, i, None, None] * v[:, :, None] * v[:, None, :]
    return total


@functools.lru_cache(maxsize=16)
def _hessian_gather(c: int, p: int) -> np.ndarray:
    """``[d, d]`` positions in the flattened ``[c^2, (p+1)(p+2)/2]`` product (every class
    pair, the inputs' upper triangle) of each entry of the Hessian in ``theta``'s order
    (``W`` flattened, then ``b``): entry ``((a, i), (b, j))`` is the product's row
    ``(a, b)`` and column ``(min(i, j), max(i, j))``."""
    q = p + 1

    def triangle(m: int) -> np.ndarray:  # [m, m] -> index of (min, max) in triu_indices(m)
        index = np.zeros((m, m), dtype=np.int64)
        i, j = np.triu_indices(m)
        index[i, j] = index[j, i] = np.arange(len(i))
        return index

    inputs = triangle(q)
    order = _theta_order(c, p)
    a, i = np.divmod(order, q)  # class and input (or bias) of each entry of theta
    return (a[:, None] * c + a[None, :]) * (q * (q + 1) // 2) + inputs[i[:, None], i[None, :]]


def _theta_order(c: int, p: int) -> np.ndarray:
    """Positions in the ``[c, p+1]`` layout (``W`` with ``b`` as its last column) of the
    entries of ``theta`` (``W`` flattened, then ``b``)."""
    rows = np.arange(c)[:, None] * (p + 1)
    return np.concatenate([(rows + np.arange(p)).ravel(), rows.ravel() + p])
