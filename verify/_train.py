"""Train many students at once: compiled once per shape, ``lax.map`` per device, ``shard_map``
over the host's devices.

Measured on a 2-core CPU: a single huge ``vmap`` streams every dataset
through memory at every step and slows down as K grows; running problems one after the
other inside a compiled ``lax.map`` (in small vmapped chunks) keeps the rate flat, and
``shard_map`` over two host devices uses both cores. The linear student is solved by L-BFGS
(it reaches its minimizer in ~20 evaluations; the soft cross-entropy objective is convex,
the CC one need not be); the MLP by Adam (full batch or
minibatch).

Shapes: ``x [K, p, n]`` (features first), ``targets [K, c, n]`` (soft labels, one-hot labels
or 0/1 set masks, classes first), ``sizes [K]``: problem ``k`` uses its first ``sizes[k]``
examples, the rest is padding, so problems of different sizes share one compiled program.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, Literal

import jax
import jax.numpy as jnp
import numpy as np
import optax
from jax import lax

from verify._devices import over_devices, pad_leading
from verify._losses import LOSSES, Loss
from verify._models import Model, Params, get_model, l2_penalty
from verify._progress import advance


def _model(cfg: TrainConfig) -> Model:
    assert isinstance(cfg.model, Model)  # resolved in TrainConfig.__post_init__
    return cfg.model


@dataclass(frozen=True)
class TrainConfig:
    """How to train a student (docs/theory.md section 3 names the losses' population minimizers).

    Every field is validated, and the model resolved, when the configuration is made: a
    configuration is a value (equal configurations are interchangeable and share compiled
    code).

    Attributes:
      model: a :class:`~verify.Model` (``verify.linear()``, ``verify.mlp(64)``), or the
        shorthand ``"linear"`` / ``"mlp"`` (then ``hidden`` is the MLP's width); always a
        ``Model`` once made.
      hidden: MLP width for the ``"mlp"`` shorthand (ignored otherwise).
      loss: ``soft`` (cross-entropy on a target distribution) or ``set`` (CC loss on a mask).
      optimizer: ``lbfgs`` (full batch, stops when the gradient norm falls below ``tol``) or
        ``adam``.
      steps: L-BFGS iteration cap, or Adam steps.
      learning_rate: Adam's step size.
      l2: weight decay: the objective adds ``l2 / 2 * ||weights||^2``.
      batch_size: Adam minibatch size (``None``: full batch).
      tol: L-BFGS stops, and a learner counts as converged, when the gradient norm of the
        full objective is at most ``tol``; for Adam, converged means the full objective
        changed by at most ``tol`` (relative) over the last tenth of the steps.
      chunk: problems vmapped together inside each device's ``lax.map``; 1 (the default)
        runs them one after another, which measured fastest here (a size-1 vmap is 3x
        slower than none, and a while loop under vmap runs until its slowest member stops).
    """

    model: Model | str = "linear"
    hidden: int = 64
    loss: Loss = "soft"
    optimizer: Literal["lbfgs", "adam"] = "lbfgs"
    steps: int = 100
    learning_rate: float = 1e-2
    l2: float = 1e-4
    batch_size: int | None = None
    tol: float = 1e-5
    chunk: int = 1

    def __post_init__(self) -> None:
        model = get_model(self.model, self.hidden)
        object.__setattr__(self, "model", model)
        object.__setattr__(self, "hidden", model.hidden)
        if self.loss not in LOSSES:
            raise ValueError(f"loss: must be one of {sorted(LOSSES)}, got {self.loss!r}")
        if self.optimizer not in ("lbfgs", "adam"):
            raise ValueError(f"optimizer: must be 'lbfgs' or 'adam', got {self.optimizer!r}")
        if self.optimizer == "lbfgs" and self.batch_size is not None:
            raise ValueError("batch_size: L-BFGS is full batch; minibatches need optimizer='adam'")
        if self.steps < 1 or self.chunk < 1 or self.l2 < 0 or self.tol <= 0:
            raise ValueError("steps and chunk must be >= 1, l2 >= 0 and tol > 0")


@dataclass(frozen=True)
class TrainResult:
    """Trained students and how training ended, one entry per problem.

    Attributes:
      params: pytree of arrays with a leading ``[K]`` axis.
      objective: ``[K]`` final full objective.
      grad_norm: ``[K]`` its gradient norm.
      converged: ``[K]`` per the criterion of :class:`TrainConfig`.
      steps: ``[K]`` iterations run.
    """

    params: Params
    objective: np.ndarray
    grad_norm: np.ndarray
    converged: np.ndarray
    steps: np.ndarray


def _tree_norm(tree: Any) -> jax.Array:
    return jnp.sqrt(sum(jnp.sum(leaf**2) for leaf in jax.tree.leaves(tree)))


def _objective_fn(cfg: TrainConfig, model: Model):
    loss = LOSSES[cfg.loss]

    def objective(params: Params, x: jax.Array, t: jax.Array, size: jax.Array) -> jax.Array:
        n = x.shape[1]
        w = (jnp.arange(n) < size).astype(jnp.float32) / size
        return jnp.sum(w * loss(model.apply(params, x), t)) + 0.5 * cfg.l2 * l2_penalty(
            model, params
        )

    return objective


def minimize_lbfgs(fun, params: Any, *, steps: int, tol: float) -> tuple[Any, Any, Any]:
    """Minimize ``fun`` from ``params`` with optax's L-BFGS inside a compiled loop.

    Stops after ``steps`` iterations or when the gradient norm is at most ``tol``; works in
    the parameters' dtype (float32 for students, float64 for population references).

    Returns:
      the parameters, the final gradient norm, and the iterations run.
    """
    opt = optax.lbfgs()
    value_and_grad = optax.value_and_grad_from_state(fun)

    def cond(carry):
        _, _, it, gnorm = carry
        return (it < steps) & (gnorm > tol)

    def body(carry):
        p, state, it, _ = carry
        value, grad = value_and_grad(p, state=state)
        updates, state = opt.update(grad, state, p, value=value, grad=grad, value_fn=fun)
        p = optax.apply_updates(p, updates)
        # The line search left the value and gradient at the new point in the state:
        # reading them back costs nothing and makes the stopping test exact.
        _, grad = value_and_grad(p, state=state)
        return p, state, it + 1, _tree_norm(grad)

    dtype = jax.tree.leaves(params)[0].dtype
    init = (params, opt.init(params), jnp.int32(0), jnp.asarray(jnp.inf, dtype))
    params, _, it, gnorm = lax.while_loop(cond, body, init)
    return params, gnorm, it


def _fit_one_fn(cfg: TrainConfig):
    model = _model(cfg)
    objective = _objective_fn(cfg, model)

    def lbfgs(params, x, t, size, key):
        del key

        def fun(p):
            return objective(p, x, t, size)

        params, gnorm, it = minimize_lbfgs(fun, params, steps=cfg.steps, tol=cfg.tol)
        return params, fun(params), gnorm, gnorm <= cfg.tol, it

    def adam(params, x, t, size, key):
        opt = optax.adam(cfg.learning_rate)
        n = x.shape[1]

        def step(carry, k):
            p, state = carry
            if cfg.batch_size is None:
                grad = jax.grad(objective)(p, x, t, size)
            else:
                idx = jnp.floor(jax.random.uniform(k, (cfg.batch_size,)) * size).astype(jnp.int32)
                idx = jnp.minimum(idx, n - 1)
                grad = jax.grad(objective)(p, x[:, idx], t[:, idx], jnp.float32(cfg.batch_size))
            updates, state = opt.update(grad, state, p)
            return (optax.apply_updates(p, updates), state), None

        late = max(cfg.steps // 10, 1)
        keys = jax.random.split(key, cfg.steps)
        carry = (params, opt.init(params))
        carry, _ = lax.scan(step, carry, keys[: cfg.steps - late])
        before = objective(carry[0], x, t, size)
        carry, _ = lax.scan(step, carry, keys[cfg.steps - late :])
        params = carry[0]
        value, grad = jax.value_and_grad(objective)(params, x, t, size)
        change = jnp.abs(value - before) / jnp.maximum(1.0, jnp.abs(value))
        return params, value, _tree_norm(grad), change <= cfg.tol, jnp.int32(cfg.steps)

    return model, (lbfgs if cfg.optimizer == "lbfgs" else adam)


@functools.lru_cache(maxsize=64)
def _compiled(cfg: TrainConfig, devices: tuple[Any, ...]):
    """One compiled trainer per configuration and device set; shapes are traced by jit."""
    model, fit_one = _fit_one_fn(cfg)
    # The initial parameters enter the shard_map as sharded inputs (in JAX 0.10, parameters
    # created inside a shard_map from constants would be replicated and their gradients
    # summed across shards).
    fit_block = over_devices(fit_one, devices, batch=None if cfg.chunk == 1 else cfg.chunk)

    def keys_of(seeds: jax.Array) -> tuple[jax.Array, jax.Array]:
        keys = jax.vmap(jax.random.key)(seeds)
        init_keys, fit_keys = jax.vmap(lambda kk: jax.random.split(kk, 2))(keys).transpose(1, 0)
        return init_keys, fit_keys

    def from_seeds(seeds, x, t, size):
        init_keys, fit_keys = keys_of(seeds)
        c = t.shape[1]
        # made here, outside the shard_map, so they enter it as sharded inputs
        params0 = jax.vmap(lambda k: model.init(k, x.shape[1], c))(init_keys)
        return fit_block(params0, x, t, size, fit_keys)

    def from_params(params0, seeds, x, t, size):
        return fit_block(params0, x, t, size, keys_of(seeds)[1])

    # Keys and initial parameters are derived inside the compiled call: done eagerly, each
    # new number of problems would compile a handful of small programs of its own.
    return model, jax.jit(from_seeds), jax.jit(from_params)


def train(
    cfg: TrainConfig,
    x: np.ndarray,
    targets: np.ndarray,
    sizes: np.ndarray,
    *,
    seeds: np.ndarray,
    devices: list[Any] | None = None,
    params0: Params | None = None,
) -> TrainResult:
    """Train ``K`` independent students, in one compiled call per group of sizes.

    Args:
      cfg: the training configuration.
      x: ``[K, p, n]`` inputs, features first.
      targets: ``[K, c, n]`` soft labels (``loss='soft'``) or 0/1 set masks (``'set'``).
      sizes: ``[K]`` number of real examples of each problem (the rest is padding).
      seeds: ``[K]`` integer seeds (initialization, minibatches).
      devices: JAX devices to shard over (default: all local devices).
      params0: initial parameters with a leading ``[K]`` axis (default: the model's
        initializer with each problem's seed), e.g. to start every framework of a benchmark
        from the same weights.

    Returns:
      a :class:`TrainResult`; row ``k`` depends only on problem ``k`` and its seed, not on
      how problems were batched or sharded, except through float rounding: problems of
      very different sizes are trained in groups padded to their own largest size
      (:func:`size_groups`), and a sum over more padding rounds differently.
    """
    x = np.asarray(x, np.float32)
    targets = np.asarray(targets, np.float32)
    sizes = np.asarray(sizes)
    seeds = np.asarray(seeds)
    k, p, n = x.shape
    if targets.shape[::2] != (k, n) or targets.ndim != 3:
        raise ValueError(f"targets: expected shape [{k}, c, {n}], got {targets.shape}")
    if sizes.shape != (k,) or seeds.shape != (k,):
        raise ValueError(f"sizes and seeds: expected shape [{k}]")
    if np.any(sizes < 1) or np.any(sizes > n):
        raise ValueError(f"sizes: must lie in [1, {n}]")
    devs = tuple(devices if devices is not None else jax.local_devices())
    _, from_seeds, from_params = _compiled(cfg, devs)
    parts = []
    for rows, width in size_groups(sizes, n, _example_cost(cfg, p, targets.shape[1])):
        part = (x[rows, :, :width], targets[rows, :, :width], sizes[rows], seeds[rows])
        xs, ts, size_part, seed_part = pad_leading(part, len(devs))
        seed_bits = seed_part.astype(np.uint32)  # converted here: no eager compile
        size_f = size_part.astype(np.float32)
        if params0 is None:
            out = from_seeds(seed_bits, xs, ts, size_f)
        else:
            start = pad_leading(
                jax.tree.map(lambda a, r=rows: np.asarray(a)[r], params0), len(devs)
            )
            start = jax.tree.map(lambda a: jnp.asarray(a, jnp.float32), start)
            out = from_params(start, seed_bits, xs, ts, size_f)
        parts.append((rows, jax.device_get(out)))
    advance("grids trained")

    def gather(pick: Any) -> Any:  # problem k's row back in place k
        def place(*leaves: Any) -> np.ndarray:
            out = np.empty((k, *np.shape(leaves[0])[1:]), np.asarray(leaves[0]).dtype)
            for (rows, _), leaf in zip(parts, leaves, strict=True):
                out[rows] = np.asarray(leaf)[: len(rows)]
            return out

        return jax.tree.map(place, *[pick(res) for _, res in parts])

    return TrainResult(
        params=gather(lambda r: r[0]),
        objective=gather(lambda r: r[1]),
        grad_norm=gather(lambda r: r[2]),
        converged=gather(lambda r: r[3]),
        steps=gather(lambda r: r[4]),
    )


#: Work (floating-point operations) worth one more compiled program: splitting a grid's
#: problems into groups of their own width saves padding but compiles a program per width,
#: about a second each here, in which two cores do some 10^11 operations.
SPLIT_WORTH = 1e11


def _example_cost(cfg: TrainConfig, p: int, c: int) -> float:
    """Operations one example costs a student over its whole training (forward and
    backward: ``6 x`` the multiply-adds of a forward pass, at every step)."""
    model = _model(cfg)
    per_step = 6 * (p * c if model.kind == "linear" else model.hidden * (p + c))
    return float(per_step * cfg.steps)


def size_groups(sizes: np.ndarray, n: int, example_cost: float) -> list[tuple[np.ndarray, int]]:
    """Problems grouped for training: ``(rows, width)`` pairs, each group trained on its
    first ``width`` examples (the largest size in it).

    Every problem of a call costs as much as the widest: going down the distinct sizes, a
    new group starts when the padding it saves (the problems at or below that size, times
    the width they drop, times ``example_cost``) is worth more than compiling one more
    program (:data:`SPLIT_WORTH`). Small grids stay one group, one program.
    """
    sizes = np.asarray(sizes)
    widths = np.full(len(sizes), n)
    width = n
    for size in np.unique(sizes)[::-1]:
        below = sizes <= size
        if (width - size) * np.count_nonzero(below) * example_cost > SPLIT_WORTH:
            width = int(size)
        widths[below] = width
    return [(np.flatnonzero(widths == w), int(w)) for w in np.unique(widths)[::-1]]


def predict(cfg: TrainConfig, params: Params, x: np.ndarray) -> np.ndarray:
    """``[K, m]`` predicted labels of ``K`` students on shared inputs ``x [p, m]``.

    Compiled once per model and shapes: equal configurations share the compiled function.
    """
    return np.asarray(_batched(_model(cfg), False, True)(params, jnp.asarray(x, jnp.float32)))


def probabilities(cfg: TrainConfig, params: Params, x: np.ndarray) -> np.ndarray:
    """``[K, c, m]`` predicted class probabilities on shared inputs ``x [p, m]``."""
    logits = _batched(_model(cfg), False, False)(params, jnp.asarray(x, jnp.float32))
    return np.asarray(jax.nn.softmax(logits, axis=1))


def probabilities_each(cfg: TrainConfig, params: Params, x: np.ndarray) -> np.ndarray:
    """``[K, c, n]``: student ``k``'s class probabilities on its own inputs ``x [K, p, n]``."""
    logits = _batched(_model(cfg), True, False)(params, jnp.asarray(x, jnp.float32))
    return np.asarray(jax.nn.softmax(logits, axis=1))


@functools.lru_cache(maxsize=32)
def _batched(model: Model, paired: bool, labels: bool):
    """``K`` students' logits (or labels) as one compiled function per (model, pairing,
    output) and shapes. The cache is keyed by the model's value, so a rebuilt but equal
    configuration reuses it. The argmax is compiled in (eagerly it would compile on its own
    for every shape); a softmax is not: compiled together with an MLP, XLA on CPU ran 25 to
    200 times slower on 50,000 inputs (measured here), and compiled on its own it rounds
    differently from the eager softmax earlier results were computed with."""
    logits = jax.vmap(model.apply, in_axes=(0, 0 if paired else None))

    def run(params: Params, x: jax.Array) -> jax.Array:
        z = logits(params, x)
        return jnp.argmax(z, axis=1) if labels else z

    return jax.jit(run)
