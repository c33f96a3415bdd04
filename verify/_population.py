"""Population references: the minimizer of a student's own objective within its class.

A student that minimizes a surrogate over a class ``F`` (linear softmax, an MLP of one
width) converges to the class's population minimizer ``f_F``, not to the Bayes classifier
(docs/theory.md section 3, "Restricted classes"). This module computes ``f_F`` for the
students of this project's claims from the *law* of the teacher's labels rather than from
sampled labels (the linear class in float64 by Newton's method over a compiled objective and
Hessian, from zero, with the minima of random starts reported beside it over label sets;
MLPs in float32 with optax's L-BFGS from several starts, their objective being non-convex
and solved to a few hundred iterations, far above float32's rounding; float64 was 2.5 times
slower here):

- a CC student's objective at ``x`` is ``sum_S q(S | x) (-log p(S | x))`` over the label
  sets ``S`` of the teacher's rule;
- a distillation student's is ``-sum_j E[d_j | x] log p_j(x)``: the same form with
  singleton sets weighted by ``E[d | x]``;
- both add the student's weight decay ``l2 / 2 ||weights||^2``.

The expectation over ``x`` is a large sample of inputs (stated in each result). Its
argmax against the Bayes classifier on fresh inputs is the class's **approximation
floor**; students are then judged by their distance from ``f_F`` (estimation).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax.sharding import Mesh, NamedSharding, PartitionSpec

from synth import Distribution, NoClosedForm, Teacher
from verify._devices import over_devices, pad_leading
from verify._models import Model, Params, l2_penalty, linear
from verify._newton import hessian_program, newton, pairs_of
from verify._records import Floor, Minimum, Rate
from verify._train import minimize_lbfgs

#: Starts of a linear reference whose CC objective is not convex (label sets of two labels
#: or more): zero (the one kept) and two random points, reported. In the paper suite a
#: random start found a lower minimum than zero's for 2 of its 77 set-loss references, of
#: floor 0.012 and 0.007 below the start from zero's (docs/theory.md section 3).
SET_STARTS = 3

#: Inputs a random start of a linear reference is first solved on (then on all of them).
SCREEN_INPUTS = 5000

#: Gradient-norm tolerance of the float64 solves (the student's trainer stops at 1e-5 in
#: float32): tight enough that the argmax of ``f_F`` is settled except on a set of inputs
#: of vanishing mass.
TOL = 1e-7


@dataclass(frozen=True)
class TargetLaw:
    """What a class-conditional teacher asks of a student, per true class.

    Attributes:
      masks: ``[S, c]`` 0/1 label sets (singletons for distillation).
      weights: ``[c, S]``: row ``y`` is the law over the sets when the true class is ``y``.
      how: closed form, or the Monte Carlo sample it came from.
    """

    masks: np.ndarray
    weights: np.ndarray
    how: str

    def per_point(self, eta: np.ndarray) -> np.ndarray:
        """``[S, N]`` set weights of inputs whose class posteriors are ``eta [N, c]``:
        ``q(S | x) = sum_y eta_y(x) q(S | y)`` (one-hot rows for a deterministic world)."""
        return (np.asarray(eta) @ self.weights).T

    def margin(self) -> float:
        """Smallest gap, over classes, between the two largest entries of the target the
        learner's loss is minimized by over all classifiers: ``E[d | y]`` for distillation
        (the sets are singletons). ``nan`` for set laws (their minimizer is not a weight)."""
        if not np.array_equal(self.masks, np.eye(self.masks.shape[1])):
            return float("nan")
        top2 = np.sort(self.weights, axis=1)[:, -2:]
        return float(np.min(top2[:, 1] - top2[:, 0]))


def class_target_law(
    teacher: Teacher, learner: str, rule: Any, *, draws: int, rng: np.random.Generator
) -> TargetLaw:
    """The target law of a teacher whose soft labels depend on the true class only.

    Args:
      teacher: a class-conditional teacher (its soft labels ignore ``x``).
      learner: ``cc`` (sets of ``rule``), ``distill`` (``E[d | y]``), ``hard`` (the top-1
        label) or ``truth`` (the true label).
      rule: the set rule of the ``cc`` learner.
      draws: soft labels per class when the law has no closed form.
      rng: the stream those draws come from.
    """
    c = teacher.num_classes
    if learner == "truth":
        return TargetLaw(np.eye(c), np.eye(c), "closed form")
    if learner == "distill":
        try:
            mean = teacher.mean_soft_labels(np.zeros((1, 1)))[0]
            return TargetLaw(np.eye(c), mean, "closed form")
        except NoClosedForm:
            pass
    labels = np.repeat(np.arange(c), draws)
    d = teacher.sample(np.zeros((len(labels), 1)), labels, rng=rng)
    how = f"Monte Carlo: {draws} soft labels per class ({c * draws} in all)"
    if learner == "distill":
        return TargetLaw(np.eye(c), d.reshape(c, draws, c).mean(axis=1), how)
    if learner == "hard":
        sets = np.eye(c, dtype=bool)[np.argmax(d, axis=1)]
    elif learner == "cc":
        sets = np.asarray(rule(d), dtype=bool)
    else:
        raise ValueError(f"learner: must be cc, distill, hard or truth, got {learner!r}")
    masks, index = distinct_sets(sets)
    cell = labels * len(masks) + index
    counts = np.bincount(cell, minlength=c * len(masks)).reshape(c, len(masks))
    return TargetLaw(masks, counts / draws, how)


def distinct_sets(sets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct rows of 0/1 label sets ``[N, c]``, as ``(masks [S, c] float, index
    [N])`` with ``sets == masks[index]``; rows are coded as integer bits (``c <= 62``), so
    this is a sort of ``N`` integers rather than of ``N`` rows."""
    sets = np.asarray(sets, dtype=bool)
    c = sets.shape[1]
    if c > 62:
        raise ValueError(f"a set law needs c <= 62 (sets are coded as int64 bits), got {c}")
    codes = sets.astype(np.int64) @ (np.int64(1) << np.arange(c, dtype=np.int64))
    found, index = np.unique(codes, return_inverse=True)
    masks = (found[:, None] >> np.arange(c)) & 1
    return masks.astype(float), index.ravel()


def sampled_reference(
    world: Distribution,
    teacher: Teacher,
    learner: str,
    rule: Any,
    *,
    fit_inputs: int,
    labels_per_input: int,
    held_out: tuple[np.ndarray, np.ndarray],
    l2: float,
    rng: np.random.Generator,
    law_draws: int = 100_000,
    tol: float = TOL,
    seed: int = 0,
) -> tuple[Floor, np.ndarray]:
    """The linear population minimizer of a student of ``teacher`` when its set law is too
    rich to weigh every set at every input (a law with a thousand sets costs tens of
    seconds per solve): a CC student's objective is the Monte Carlo one of ``fit_inputs``
    fresh inputs, each with ``labels_per_input`` soft labels of the teacher; a
    distillation student's weighs ``E[d | y]`` (closed form, or ``law_draws`` soft labels
    per class) at those inputs. A CC objective over sets of two labels or more gets
    :func:`set_starts` starts, the random ones seeded by ``seed``.

    Returns the floor and the minimizer's predictions on ``held_out``, as :func:`floor_of`.
    """
    x, y = world.sample(fit_inputs, rng=rng)
    if learner == "cc":
        m = labels_per_input
        d = teacher.sample(np.repeat(x, m, axis=0), np.repeat(y, m), rng=rng)
        sets = np.asarray(rule(d), dtype=np.float64).reshape(fit_inputs, m, -1)
        pop = one_set_minimizer(x, sets, l2=l2, tol=tol, seed=seed)
        how = (
            f"Monte Carlo: {m} soft labels at each of {fit_inputs} inputs ({m * fit_inputs} in all)"
        )
    else:
        law = class_target_law(teacher, learner, rule, draws=law_draws, rng=rng)
        weights = law.per_point(world.posterior(x))
        pop = population_minimizer(linear(), x, law.masks, weights, l2=l2, tol=tol)
        how = law.how
    method = (
        f"linear minimizer of the expected loss over {fit_inputs} inputs; label law: {how}; "
        f"float64 Newton to gradient norm {tol:g}; floor on {len(held_out[1])} fresh "
        "inputs"
    )
    return floor_of(pop, world, held_out, method)


@dataclass(frozen=True)
class Population:
    """The population minimizer of one student class, from one or several starts.

    Attributes:
      params: the kept start's parameters (the linear class: the start from zero; an
        MLP: the lowest objective).
      objective: its objective; grad_norm: its final gradient norm; converged: it is at
        most the tolerance; iterations: iterations it ran (L-BFGS, or Newton steps).
      every, objectives, grad_norms: every start's parameters, objective and final
        gradient norm, in start order.
    """

    model: Model
    params: dict[str, np.ndarray]
    objective: float
    grad_norm: float
    converged: bool
    iterations: int
    every: list[dict[str, np.ndarray]]
    objectives: list[float]
    grad_norms: list[float]

    def probabilities(self, x: np.ndarray) -> np.ndarray:
        """``[m, c]`` class probabilities of a linear ``f_F`` on ``x [m, p]``."""
        if self.model.kind != "linear":
            raise NotImplementedError("probabilities: linear population minimizers only")
        logits = np.asarray(x) @ self.params["W"].T + self.params["b"]
        prob = np.exp(logits - logits.max(axis=1, keepdims=True))
        return prob / prob.sum(axis=1, keepdims=True)

    def predict(self, x: np.ndarray, params: dict[str, np.ndarray] | None = None) -> np.ndarray:
        """``[m]`` labels of ``f_F`` (or of one start's ``params``) on ``x [m, p]``."""
        params = self.params if params is None else params
        if self.model.kind == "linear":
            return np.argmax(np.asarray(x) @ params["W"].T + params["b"], axis=1)
        logits = _apply(self.model)(params, jnp.asarray(x.T, jnp.float32))
        return np.asarray(jnp.argmax(logits, axis=0))


def population_minimizer(
    model: Model,
    x: np.ndarray,
    masks: np.ndarray,
    weights: np.ndarray,
    *,
    l2: float,
    starts: int | None = None,
    seed: int = 0,
    steps: int = 5000,
    tol: float = TOL,
    start: Population | None = None,
) -> Population:
    """Minimize ``mean_i sum_S w[S, i] (-log p(S | x_i)) + l2/2 ||weights||^2`` over ``model``.

    Args:
      model: the student class.
      x: ``[N, p]`` inputs standing for the input distribution.
      masks: ``[S, c]`` 0/1 label sets; weights: ``[S, N]`` each input's law over them.
      l2: the student's weight decay.
      starts: initializations (``None``: :func:`set_starts` of the sets for the linear
        class, one for an MLP). An MLP's are the model's initializer with keys
        ``split(key(seed), starts)``, solved together; the lowest objective is kept (a
        student starts from its own random initialization, none of these). The linear
        class starts from zero (or ``start``), then from ``starts - 1`` random points
        (:func:`random_starts`), one after another, and keeps the start from zero: the
        linear students start there too, and approach the minimizer of that start's basin,
        not a lower one elsewhere. The other starts are solved to be reported
        (:class:`verify._records.Minimum`): the soft cross-entropy objective is convex and
        needs one start, but the CC one, ``-log p(S | x)``, is not, and can have several
        local minimizers; a lower one shows that the class holds a classifier the
        students do not reach.
      steps, tol: iteration cap (Newton steps for the linear class, L-BFGS iterations for
        an MLP) and gradient-norm tolerance.
      start: a linear minimizer to start from (a nearby problem's); linear class only.
    """
    x = np.asarray(x, dtype=np.float64)
    masks = np.asarray(masks, dtype=np.float64)
    weights = np.asarray(weights, dtype=np.float64)
    if x.ndim != 2 or masks.ndim != 2 or weights.shape != (masks.shape[0], x.shape[0]):
        raise ValueError(
            f"shapes: need x [N, p], masks [S, c], weights [S, N]; got {x.shape}, "
            f"{masks.shape}, {weights.shape}"
        )
    if model.kind == "linear":
        return _linear(
            x, masks, weights, l2=l2, steps=steps, tol=tol, start=start, starts=starts, seed=seed
        )
    if start is not None:
        raise ValueError("start: only for the linear class")
    starts = _checked(1 if starts is None else starts)
    c = masks.shape[1]
    # Sets of weight 0 change nothing: pad to a power of two (at least 32) so that laws
    # with different numbers of sets share one compiled solver.
    pad = max(32, 1 << (masks.shape[0] - 1).bit_length()) - masks.shape[0]
    masks = np.concatenate([masks, np.zeros((pad, c))])
    weights = np.concatenate([weights, np.zeros((pad, weights.shape[1]))])
    keys = jax.random.split(jax.random.key(seed), starts)
    params0 = jax.vmap(lambda k: model.init(k, x.shape[1], c))(keys)
    devices = tuple(jax.local_devices()[:starts])  # the starts side by side
    f32 = jnp.float32
    out = _solver(model, float(l2), int(steps), float(tol), devices)(
        jax.tree.map(jnp.asarray, pad_leading(jax.device_get(params0), len(devices))),
        jnp.asarray(x.T, f32),
        jnp.asarray(masks, f32),
        jnp.asarray(weights, f32),
    )
    params, value, gnorm, iterations = jax.tree.map(lambda a: a[:starts], jax.device_get(out))
    best = int(np.nanargmin(value))
    return Population(
        model=model,
        params={k: np.asarray(v[best]) for k, v in params.items()},
        objective=float(value[best]),
        grad_norm=float(gnorm[best]),
        converged=bool(gnorm[best] <= tol),
        iterations=int(iterations[best]),
        every=[{k: np.asarray(v[r]) for k, v in params.items()} for r in range(starts)],
        objectives=[float(v) for v in value],
        grad_norms=[float(g) for g in gnorm],
    )


def one_set_minimizer(
    x: np.ndarray,
    sets: np.ndarray,
    *,
    l2: float,
    steps: int = 5000,
    tol: float = TOL,
    starts: int | None = None,
    seed: int = 0,
) -> Population:
    """The linear minimizer of ``mean_i -log p(S_i | x_i) + l2/2 ||W||^2``: each input
    ``x [N, p]`` with one 0/1 label set, ``sets [N, c]`` (a teacher that is a function of
    x), or with ``m`` sets of weight ``1/m`` each, ``sets [N, m, c]`` (labels sampled from
    a teacher's law); no weight matrix over the distinct sets is formed. ``starts`` and
    ``seed`` as :func:`population_minimizer`."""
    x, sets = np.asarray(x, dtype=np.float64), np.asarray(sets, dtype=np.float64)
    if x.ndim != 2 or sets.ndim not in (2, 3) or len(sets) != len(x):
        raise ValueError(
            f"shapes: need x [N, p] and sets [N, c] or [N, m, c]; got {x.shape}, {sets.shape}"
        )
    return _linear(x, None, None, own=sets, l2=l2, steps=steps, tol=tol, starts=starts, seed=seed)


def set_starts(masks: np.ndarray) -> int:
    """How many starts a linear reference over the label sets ``masks [S, c]`` (or ``[N,
    c]``, ``[N, m, c]``) gets: :data:`SET_STARTS` if some set has two labels or more (the
    CC objective is then not convex), else one (soft targets: convex, one minimizer)."""
    return SET_STARTS if bool(np.any(np.asarray(masks).sum(axis=-1) > 1)) else 1


def _checked(starts: int) -> int:
    if starts < 1:
        raise ValueError(f"starts: must be >= 1, got {starts}")
    return starts


def random_starts(theta: np.ndarray, count: int, seed: int) -> np.ndarray:
    """``[count, d]`` random starting points for a linear reference whose solution from
    zero is ``theta [d]``: Gaussian directions scaled to ``theta``'s norm (at least 1), the
    scale where that solution's logits live, drawn from ``default_rng(seed)``."""
    u = np.random.default_rng(seed).standard_normal((count, len(theta)))
    radius = max(float(np.linalg.norm(theta)), 1.0)
    return u * (radius / np.linalg.norm(u, axis=1, keepdims=True))


def _linear_objective(
    x: np.ndarray,
    masks: np.ndarray | None,
    weights: np.ndarray | None,
    own: np.ndarray | None,
    total: np.ndarray,
    l2: float,
) -> Any:
    """``theta -> (value, gradient)`` of the linear population objective, and ``theta ->
    (value, gradient, Hessian)`` (:func:`verify._newton.hessian_program`).

    Compiled (JAX, float64, the data on the devices once): in numpy, each evaluation at
    paper size (200,000 inputs with 20 label sets each) took 65 ms of einsum and
    elementwise passes. The inputs are split over the host's devices, one block per core
    (23 ms against 15 ms an evaluation at 50,000 inputs with 20 sets each on two cores);
    the padding that evens the blocks has weight 0. ``theta`` is ``W [c, p]`` then ``b
    [c]``, flattened.
    """
    n, p = x.shape
    devices = jax.local_devices()
    rows = NamedSharding(Mesh(np.array(devices), ("n",)), PartitionSpec("n"))
    extra = (-n) % len(devices)

    def split(a: np.ndarray) -> Any:  # rows of weight 0 even the blocks
        a = np.concatenate([a, np.zeros((extra, *a.shape[1:]))]) if extra else a
        return jax.device_put(np.asarray(a, np.float64), rows)  # one copy, straight to blocks

    with jax.enable_x64(True):
        if own is not None:
            mode = "sampled" if own.ndim == 3 else "own"
            totals = split(total)  # the set weights and the totals: one array, one copy
            data = [split(x), split(own), totals, totals]
        else:
            assert masks is not None and weights is not None
            mode = "law"
            data = [split(x), jnp.asarray(masks, jnp.float64), split(weights), split(total)]
        scale = jnp.asarray([1.0 / n, l2], jnp.float64)
        # the same objective in the Hessian program's form: sets per input [N, M, c] (or
        # the law's shared [S, c]) with their weights, and the inputs' products x~_i x~_j
        pairs = split(pairs_of(x))
        if mode == "law":
            newton_data = [data[0], data[1], data[2], pairs]
        elif mode == "own":
            assert own is not None
            newton_data = [data[0], split(own[:, None, :]), split(total[:, None]), pairs]
        else:
            assert own is not None
            m = own.shape[1]
            newton_data = [data[0], data[1], split(np.full((n, m), 1.0 / m)), pairs]
    compiled = _linear_program(mode)
    hessian = hessian_program("law" if mode == "law" else "each")

    def objective(theta: np.ndarray) -> tuple[float, np.ndarray]:
        with jax.enable_x64(True):
            v, g = compiled(jnp.asarray(theta, jnp.float64), *data, scale)
            return float(v), np.asarray(g, dtype=np.float64)

    def parts(theta: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
        with jax.enable_x64(True):
            v, g, h = hessian(jnp.asarray(theta, jnp.float64), *newton_data, scale)
            return float(v), np.asarray(g, np.float64), np.asarray(h, np.float64)

    return objective, parts


@functools.lru_cache(maxsize=4)
def _linear_program(mode: str) -> Any:
    """The compiled value and gradient of one form of the linear objective (``law``: a
    weight per input and set of a law; ``own``: one set per input; ``sampled``: ``m``
    sets per input, weight ``1/m`` each), made once so that every solve of the same
    shapes reuses the program (a fresh function per solve was traced and compiled again,
    0.15-0.2 s each)."""

    def value(theta: Any, x: Any, sets: Any, set_weights: Any, total: Any, scale: Any) -> Any:
        c, p = sets.shape[-1], x.shape[1]
        w, b = theta[: c * p].reshape(c, p), theta[c * p :]
        logp = jax.nn.log_softmax(x @ w.T + b[None], axis=1)
        prob = jnp.exp(logp)
        real = total > 0  # padding rows have no set: log 1 = 0 there
        if mode == "sampled":
            mass = jnp.einsum("nc,nmc->nm", prob, sets)
            risk = -jnp.sum(jnp.log(jnp.where(real[:, None], mass, 1.0))) / sets.shape[1]
        elif mode == "own":
            risk = -jnp.sum(total * jnp.log(jnp.where(real, jnp.sum(prob * sets, axis=1), 1.0)))
        else:
            full = jnp.where(set_weights > 0, prob @ sets.T, 1.0)  # p(S | x); 1 if unweighted
            risk = -jnp.sum(set_weights * jnp.log(full))
        return risk * scale[0] + 0.5 * scale[1] * jnp.sum(w * w)

    return jax.jit(jax.value_and_grad(value))


def _linear(
    x: np.ndarray,
    masks: np.ndarray | None,
    weights: np.ndarray | None,
    *,
    own: np.ndarray | None = None,
    l2: float,
    steps: int,
    tol: float,
    start: Population | None = None,
    starts: int | None = None,
    seed: int = 0,
) -> Population:
    """The linear case by Newton's method in float64 (:mod:`verify._newton`), from zero (or
    ``start``: the start kept) and then ``starts - 1`` random points (:func:`random_starts`;
    past ``2 * SCREEN_INPUTS`` inputs each is first solved on a seeded subsample of
    :data:`SCREEN_INPUTS`), the objective, its gradient and Hessian compiled
    (:func:`_linear_objective`).
    Against the scipy L-BFGS-B it replaces: 4 to 11 steps instead of 41 to 408 iterations,
    1.2 to 5.7 times faster at 50,000 inputs with 20 sets each, the same predictions.
    With soft targets the objective is strictly convex (l2 > 0); with label sets it need not
    be: the CC loss ``logsumexp(z) - logsumexp(z_S)`` has a Hessian ``Cov_p - Cov_r`` in the
    logits that is indefinite (at ``z = 0`` with ``c = 3`` and ``S = {0, 1}`` its eigenvalues
    are 1/3, 0 and -1/6), so this is a local minimizer. ``own [N, c]``, in place of
    ``masks`` and ``weights``, gives each input one set of weight 1."""
    n, p = x.shape
    if own is None:
        assert masks is not None and weights is not None
        used = weights.sum(axis=1) > 0
        masks, weights = masks[used], weights[used].T  # [S, c], [N, S]
        total = weights.sum(axis=1)  # [N]
        # A teacher that is a function of x gives each input one set: then p(S | x) needs
        # only that set's mask, not every set of the law (a hundred times less work at c = 10).
        if np.all(np.count_nonzero(weights, axis=1) == 1):
            own = masks[np.argmax(weights, axis=1)]  # [N, c]
    else:
        total = np.ones(n)
    sets = own if own is not None else masks
    assert sets is not None
    c = sets.shape[-1]
    starts = _checked(set_starts(sets) if starts is None else starts)
    objective, parts = _linear_objective(x, masks, weights, own, total, l2)
    theta0 = (
        np.zeros(c * p + c)
        if start is None
        else np.concatenate([start.params["W"].ravel(), start.params["b"]])
    )
    solved = [newton(objective, parts, theta0, c=c, steps=steps, tol=tol)]
    if starts > 1 and n > 2 * SCREEN_INPUTS:
        # A random start is far from any minimizer: Newton from it took 1.5 to 2 times the
        # steps of the start from zero. Most are taken on a subsample, and the few left
        # near a minimizer on all inputs (five paper partial-label references of 50,000
        # inputs: 3 steps each on all of them; the two random starts took 0.9 times the
        # start from zero's time, against 2.5 times without the subsample).
        idx = np.sort(np.random.default_rng([seed, 1]).choice(n, SCREEN_INPUTS, replace=False))
        screen = _linear_objective(
            x[idx],
            masks,
            None if weights is None else weights[idx],
            None if own is None else own[idx],
            total[idx],
            l2,
        )
    else:
        screen = None
    for theta_r in random_starts(solved[0][0], starts - 1, seed):
        if screen is not None:
            theta_r = newton(screen[0], screen[1], theta_r, c=c, steps=steps, tol=tol)[0]
        solved.append(newton(objective, parts, theta_r, c=c, steps=steps, tol=tol))
    theta, value, grad, taken = solved[0]  # the students' own start: see population_minimizer
    gnorms = [float(np.linalg.norm(s[2])) for s in solved]
    return Population(
        model=linear(),
        params=_linear_params(theta, c, p),
        objective=value,
        grad_norm=gnorms[0],
        converged=gnorms[0] <= tol,
        iterations=taken,
        every=[_linear_params(s[0], c, p) for s in solved],
        objectives=[s[1] for s in solved],
        grad_norms=gnorms,
    )


def _linear_params(theta: np.ndarray, c: int, p: int) -> dict[str, np.ndarray]:
    return {"W": theta[: c * p].reshape(c, p), "b": theta[c * p :]}


@functools.lru_cache(maxsize=16)
def _solver(model: Model, l2: float, steps: int, tol: float, devices: tuple[Any, ...]):
    def objective(params: Params, x: jax.Array, masks: jax.Array, weights: jax.Array):
        p = jax.nn.softmax(model.apply(params, x), axis=0)  # [c, N]
        # log p(S) as a matmul; a set of weight 0 contributes nothing even where p(S) = 0
        log_set = jnp.log(jnp.where(weights > 0, masks @ p, 1.0))
        return -jnp.sum(weights * log_set) / x.shape[1] + 0.5 * l2 * l2_penalty(model, params)

    def one(params0, x, masks, weights):
        def fun(q):
            return objective(q, x, masks, weights)

        params, gnorm, it = minimize_lbfgs(fun, params0, steps=steps, tol=tol)
        return params, fun(params), gnorm, it

    # one start after another on each device: a vmapped while loop (with the line search's
    # own loop inside) would run every start until the slowest stops, masked
    return jax.jit(over_devices(one, devices, shared=(False, True, True, True)))


@functools.lru_cache(maxsize=16)
def _apply(model: Model):
    return jax.jit(model.apply)


@dataclass(frozen=True)
class Reference:
    """A student class's population minimizer on a world, and what it predicts.

    Attributes:
      floor: its disagreement with the Bayes classifier (the approximation floor).
      predictions: ``[m]`` its labels on the held-out inputs the floor was measured on.
      law: the target law it was fitted to.
    """

    floor: Floor
    predictions: np.ndarray
    law: TargetLaw


def class_reference(
    world: Distribution,
    law: TargetLaw,
    model: Model,
    *,
    fit: tuple[np.ndarray, np.ndarray],
    held_out: tuple[np.ndarray, np.ndarray],
    l2: float,
    starts: int | None = None,
    seed: int = 0,
    steps: int = 5000,
    tol: float = TOL,
) -> Reference:
    """The population minimizer of a class-conditional teacher's students, and its floor.

    Args:
      world: the input distribution and its Bayes classifier.
      law: the teacher's target law (:func:`class_target_law`).
      model: the student class.
      fit: ``(x [N, p], y [N])`` inputs standing for the input distribution in the
        objective (their labels are not used: the world's posterior weighs the law).
      held_out: ``(x [m, p], y [m])`` fresh inputs and labels the floor is measured on.
      l2, starts, seed, steps, tol: as :func:`population_minimizer`.
    """
    x_fit = fit[0]
    y_eval = held_out[1]
    pop = population_minimizer(
        model,
        x_fit,
        law.masks,
        law.per_point(world.posterior(x_fit)),
        l2=l2,
        starts=starts,
        seed=seed,
        steps=steps,
        tol=tol,
    )
    method = (
        f"{model.name} minimizer of the expected loss over {len(x_fit)} inputs; label law: "
        f"{law.how}; "
        + ("float64 Newton" if model.kind == "linear" else "float32 L-BFGS (optax)")
        + " to "
        f"gradient norm {tol:g} or {steps} iterations; floor on {len(y_eval)} fresh inputs"
    )
    return Reference(*floor_of(pop, world, held_out, method), law)


def floor_of(
    pop: Population, world: Distribution, held_out: tuple[np.ndarray, np.ndarray], method: str
) -> tuple[Floor, np.ndarray]:
    """The floor of a population minimizer measured on held-out ``(x [m, p], y [m])``, and
    its predictions ``[m]`` there (which the students' estimation error is measured
    against)."""
    x_eval, y_eval = held_out
    bayes = world.bayes_classifier(x_eval)
    pred = pop.predict(x_eval)
    off = int(np.sum(pred != bayes))
    rate = Rate.of(off, len(y_eval))
    assert rate.ci is not None
    minima = []
    if len(pop.every) > 1:
        method += (
            f"; the start from zero, of {len(pop.every)} (the others in minima)"
            if pop.model.kind == "linear"
            else f"; the lowest objective of {len(pop.every)} starts"
        )
        minima = [
            Minimum(objective, float(np.mean(pop.predict(x_eval, params) != bayes)), gnorm)
            for objective, params, gnorm in zip(
                pop.objectives, pop.every, pop.grad_norms, strict=True
            )
        ]
    floor = Floor(
        model=pop.model.name,
        value=float(off / len(y_eval)),
        ci=rate.ci,
        excess_error=float(np.mean(pred != y_eval) - world.bayes_error().value),
        method=method,
        grad_norm=pop.grad_norm,
        converged=pop.converged,
        minima=minima,
    )
    return floor, pred
