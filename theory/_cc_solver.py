"""The CC surrogate's central-path Newton iteration, compiled: one XLA loop per call.

docs/theory.md section 3 (partial-label surrogate); the method is described at
:func:`theory.cc_target`, which calls :func:`central_path`. Each point's iteration depends on
that point alone. Points are not solved in fixed blocks (a block runs until its slowest
point is done, and points differ several-fold in the steps they need) but through a fixed
number of lanes: a lane whose point has finished its last barrier stage takes the next
point at once, so the work is the sum of the points' steps, not their maximum. Each loop
iteration is one trial point per lane (a new Newton direction with its full step, or the
next halving of a step being backtracked), in float64, points on the last axis (XLA on CPU
reduces over a short innermost axis slowly), calls spread over the host devices.

Compiling takes about a second per (padded set count, class count), kept on disk by JAX's
cache; benchmarks/suites.py times the claims built on it against the previous release.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
from numpy.typing import NDArray

# Barrier weights 10^-1, 10^-3, .. 10^-9, one stage each. Smaller ones would not help: along
# a face of maximizers only the barrier term moves p, and once mu nears the rounding error
# of the objective (~1e-16 relative) the steps there become noise. Stages ten times apart
# took 2.5 times the Newton steps in all (75 against 30 a point) for the same end points.
MUS = 10.0 ** -np.arange(1, 10, 2)
STAGES = len(MUS)
NEWTON_STEPS = 50  # per barrier stage; a stage typically needs fewer than ten
# A stage stops once the Newton slope (twice the decrement, so about curvature times squared
# distance to the path) is below (mu / 100)^2: the point is then closer to the central path
# than the path is to the optimum (c mu in the KKT gap).
SLOPE_TOL = 1e-4
BACKTRACK = 40  # halvings of the step at most
ARMIJO = 0.25
TO_BOUNDARY = 0.99  # the longest step goes this fraction of the way to the simplex's boundary

HALVINGS = 0.5 ** np.arange(BACKTRACK)  # exact powers of two: t * 2^-k is exact
# Points per compiled call (padded: one program whatever the number of points) and points in
# flight in it (measured: 64 and 256 lanes were slower).
CALL, LANES = 8192, 128


def central_path(
    sets: NDArray[np.float64], weights: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """Follow the log-barrier central path at every point.

    Args:
      sets: ``[n, S, c]`` 0/1 label sets.
      weights: ``[n, S]`` their probabilities, summing to one, zero for empty sets.

    Returns:
      ``probs [n, c]`` and ``steps [n]``, the Newton steps each point took over all stages.
    """
    import jax

    n, _, c = sets.shape
    if n == 0:
        return np.zeros((0, c)), np.zeros(0, dtype=np.int64)
    sets, weights = _merged(sets, weights)
    s = sets.shape[1]
    # Calls of one size, the set axis padded to a power of two with empty sets of weight
    # zero (they add exact zeros), the class axis to 4 or a power of two with labels in no
    # set, held at zero mass: one compiled program per padded shape, however many points,
    # so that a sweep of many shapes compiles few (each takes one to two seconds).
    s_pad = _padded(s)
    c_pad = _padded(c)
    devices = tuple(jax.local_devices())
    width = len(devices)
    share = min(-(-n // width), CALL)
    blocks = list(range(0, n, share))
    calls = []
    with jax.enable_x64(True):
        solve = _compiled(LANES, devices)
        # Each call gives one block of points to each device: one program for all of them
        # (compiled for each device apart, every shape would compile twice).
        for first_block in range(0, len(blocks), width):
            block_sets = np.zeros((s_pad, c_pad, width * CALL))
            block_weights = np.zeros((s_pad, width * CALL))
            counts = np.zeros(width, dtype=np.int64)
            for d, first in enumerate(blocks[first_block : first_block + width]):
                count = min(share, n - first)
                lane = slice(d * CALL, d * CALL + count)
                block_sets[:s, :c, lane] = sets[first : first + count].transpose(1, 2, 0)
                block_weights[:s, lane] = weights[first : first + count].T
                counts[d] = count
            calls.append((counts, solve(block_sets, block_weights, counts, c)))
        out = []
        for counts, (p, k) in calls:
            p, k = np.asarray(p), np.asarray(k)
            for d, count in enumerate(counts):
                lane = slice(d * CALL, d * CALL + count)
                out.append((p[:c, lane].T, k[lane]))
    probs = np.concatenate([p for p, _ in out])
    steps = np.concatenate([k for _, k in out])
    return probs, steps.astype(np.int64)


def _padded(size: int) -> int:
    return max(4, 1 << (size - 1).bit_length())


def _merged(
    sets: NDArray[np.float64], weights: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """The same set laws with each distinct set once, its weights summed, when there are
    many sets per point (an empirical law of thousands of draws has at most ``2^c``)."""
    n, s, c = sets.shape
    if s <= 64 or c > 62:
        return sets, weights
    codes = (sets.astype(np.int64) << np.arange(c)).sum(axis=-1)  # [n, S]
    codes = np.where(weights > 0, codes, -1)
    laws = [np.unique(row, return_inverse=True) for row in codes]
    width = max(len(u) for u, _ in laws)
    merged_sets = np.zeros((n, width, c))
    merged_weights = np.zeros((n, width))
    for i, (unique, inverse) in enumerate(laws):
        merged_sets[i, : len(unique)] = (np.maximum(unique, 0)[:, None] >> np.arange(c)) & 1
        merged_weights[i, : len(unique)] = np.bincount(inverse, weights[i], len(unique))
        merged_weights[i, unique < 0] = 0.0
    return merged_sets, merged_weights


@functools.cache
def _compiled(lanes: int, devices: tuple[Any, ...]) -> Any:
    """``_solve`` on each device's share of the points: ``[S, c, D N]``, ``[S, D N]``,
    ``counts [D]``, ``classes`` -> ``p [c, D N]``, ``steps [D N]``."""
    import jax
    from jax.sharding import Mesh, PartitionSpec

    def shard(all_sets: Any, all_weights: Any, counts: Any, classes: Any) -> Any:
        return _solve(all_sets, all_weights, counts[0], classes, lanes=lanes)

    points = PartitionSpec(None, None, "d")
    mapped = jax.shard_map(
        shard,
        mesh=Mesh(np.array(devices), ("d",)),
        in_specs=(points, PartitionSpec(None, "d"), PartitionSpec("d"), PartitionSpec()),
        out_specs=(PartitionSpec(None, "d"), PartitionSpec("d")),
        check_vma=False,
    )
    return jax.jit(mapped)


def _solve(all_sets: Any, all_weights: Any, count: Any, classes: Any, *, lanes: int) -> Any:
    """The central path at points ``0 .. count - 1`` of ``all_sets [S, c, N]``,
    ``all_weights [S, N]``, through ``lanes`` lanes -> ``(p [c, N], steps [N])``. Labels
    ``classes ..`` are padding: in no set, with mass zero throughout (``z_j = 0``).

    The damped Newton step in the scaled variable (see :func:`theory.cc_target`), as a state
    machine with one trial point per lane and loop iteration: a lane either takes a new
    Newton direction and tries its full step, or tries the next halving of the step it is
    backtracking on. (Trying all halvings of all lanes together would cost a block of
    trials whenever any lane backtracks, which with many lanes is nearly always.) Each lane
    takes the steps one point alone would take: lanes share loop iterations, not numbers.
    """
    import jax.numpy as jnp
    from jax import lax

    s, c, n = all_sets.shape
    present = (jnp.arange(c) < classes)[:, None]  # [c, 1]
    start = jnp.where(present, 1.0 / classes, 0.0)
    mus = jnp.asarray(MUS)
    halvings = jnp.asarray(HALVINGS)

    def load(index: Any) -> tuple[Any, Any]:
        return all_sets[:, :, index], all_weights[:, index]  # index clipped by jnp

    def increase(sets: Any, weights: Any, p: Any, z: Any, size: Any, mu: Any) -> Any:
        """How much ``objective + mu sum log p`` rises from ``p`` to ``p (1 + size z)``
        renormalized, as a sum of ``log1p`` terms: computed as a difference of two values
        near one, it would be rounding noise once the steps are small (from ``mu = 1e-7``
        on, where half of the numpy line searches failed on noise alone)."""
        positive = weights > 0
        masses = jnp.where(positive, jnp.sum(sets * p[None], axis=1), 1.0)
        moved = jnp.sum(sets * (p * z)[None], axis=1)
        total = jnp.sum(p, axis=0)
        spread = jnp.log1p(size * jnp.sum(p * z, axis=0) / total)  # the renormalization
        sets_term = jnp.sum(
            jnp.where(positive, weights * jnp.log1p(size[None] * moved / masses), 0.0), axis=0
        )
        barrier_term = mu * jnp.sum(jnp.log1p(size[None] * z), axis=0)
        return sets_term + barrier_term - (jnp.sum(weights, axis=0) + mu * classes) * spread

    def direction(sets: Any, weights: Any, p: Any, mu: Any) -> tuple[Any, Any, Any]:
        """``z``, the longest step ``t`` keeping ``p (1 + t z)`` inside, and the slope."""
        positive = weights > 0
        masses = jnp.sum(sets * p[None], axis=1)
        inverse = jnp.where(positive, 1.0 / jnp.where(positive, masses, 1.0), 0.0)
        r1 = weights * inverse
        r2 = r1 * inverse
        barrier = jnp.where(present, mu[None] / jnp.where(present, p, 1.0), 0.0)
        grad = jnp.sum(r1[:, None] * sets, axis=0) + barrier
        # -scaled Hessian: p_i p_j sum_S q(S)/p(S)^2 1(i, j in S) + mu 1(i = j), entry by
        # entry (one contraction ran 40% slower, an [S, c, c, L] product reduced over S ten
        # times slower).
        curvature: list[list[Any]] = [[None] * c for _ in range(c)]
        for i in range(c):
            weighted = r2 * sets[:, i]
            for j in range(i, c):
                entry = p[i] * p[j] * jnp.sum(weighted * sets[:, j], axis=0)
                curvature[i][j] = curvature[j][i] = entry + mu if i == j else entry
        z = _kkt_direction(curvature, p, p * grad)
        slope = jnp.sum(p * grad * z, axis=0)
        worst = jnp.max(-z, axis=0)
        t = jnp.where(
            worst > 0, jnp.minimum(1.0, TO_BOUNDARY / jnp.where(worst > 0, worst, 1.0)), 1.0
        )
        return z, t, slope

    def busy(state: Any) -> Any:
        return jnp.any(state["index"] < count)

    def step(state: Any) -> Any:
        index, stage, k, halving = state["index"], state["stage"], state["k"], state["halving"]
        sets, weights, p = state["sets"], state["weights"], state["p"]
        live = index < count
        mu = mus[stage.clip(max=STAGES - 1)]
        fresh = halving == 0
        z, t, slope = direction(sets, weights, p, mu)
        z = jnp.where(fresh, z, state["z"])
        t = jnp.where(fresh, t, state["t"])
        slope = jnp.where(fresh, slope, state["slope"])
        going = ~fresh | (slope > SLOPE_TOL * mu * mu)
        size = t * halvings[halving]
        trial = p * (1.0 + size[None] * z)
        trial = trial / jnp.sum(trial, axis=0, keepdims=True)
        ok = going & (increase(sets, weights, p, z, size, mu) >= ARMIJO * size * slope)
        exhausted = going & ~ok & (halving == BACKTRACK - 1)
        # A Newton step ends when the slope is flat, a trial passes or no halving is left.
        ended = live & (~going | ok | exhausted)
        still = ok  # the stage goes on only after a step that moved
        k = jnp.where(ended, k + 1, k)
        stage_done = ended & (~still | (k >= NEWTON_STEPS))
        stage = stage + stage_done
        p = jnp.where(ok & live, trial, p)
        done = live & (stage == STAGES)
        steps = state["steps"] + ended
        # Finished points leave their results and their lanes take the next points.
        out = jnp.where(done, index, n)  # n: dropped
        probs = state["probs"].at[:, out].set(p, mode="drop")
        taken = state["taken"].at[out].set(steps, mode="drop")
        following = jnp.where(done, state["next"] + jnp.cumsum(done) - 1, index)
        new_sets, new_weights = load(following)
        return {
            "index": following,
            "next": state["next"] + jnp.sum(done),
            "stage": jnp.where(done, 0, stage),
            "k": jnp.where(stage_done, 0, k),
            "halving": jnp.where(ended, 0, halving + 1),
            "steps": jnp.where(done, 0, steps),
            "p": jnp.where(done, start, p),
            "z": z,
            "t": t,
            "slope": slope,
            "sets": jnp.where(done, new_sets, sets),
            "weights": jnp.where(done, new_weights, weights),
            "probs": probs,
            "taken": taken,
        }

    first = jnp.arange(lanes)
    sets0, weights0 = load(first)
    zeros = jnp.zeros(lanes)
    ints = jnp.zeros(lanes, dtype=jnp.int32)
    state = {
        "index": first,
        "next": jnp.asarray(lanes),
        "stage": ints,
        "k": ints,
        "halving": ints,
        "steps": ints,
        "p": jnp.broadcast_to(start, (c, lanes)),
        "z": jnp.zeros((c, lanes)),
        "t": zeros,
        "slope": zeros,
        "sets": sets0,
        "weights": weights0,
        "probs": jnp.zeros((c, n)),
        "taken": jnp.zeros(n, dtype=jnp.int32),
    }
    state = lax.while_loop(busy, step, state)
    return state["probs"], state["taken"]


def _kkt_direction(b: list[list[Any]], p: Any, r: Any) -> Any:
    """``z [c, L]`` with ``-b z + p lam = -r`` and ``p . z = 0``, for ``b`` (``c x c`` entries,
    each ``[L]``) symmetric positive definite at each point.

    The Schur complement of the KKT system: ``z = b^-1 (r + p lam)``, ``lam`` making
    ``p . z = 0``. The Cholesky factorization is unrolled over ``c`` (small), elementwise
    across the lanes: a batched library solve would be one call per point, and a loop over
    the columns ran at half the speed.
    """
    import jax.numpy as jnp

    c = len(b)
    low: list[list[Any]] = [[None] * c for _ in range(c)]
    for j in range(c):
        low[j][j] = jnp.sqrt(b[j][j] - sum(low[j][k] * low[j][k] for k in range(j)))
        for i in range(j + 1, c):
            low[i][j] = (b[i][j] - sum(low[i][k] * low[j][k] for k in range(j))) / low[j][j]

    def solve(v: Any) -> Any:
        y: list[Any] = []
        for i in range(c):
            y.append((v[i] - sum(low[i][k] * y[k] for k in range(i))) / low[i][i])
        x: list[Any] = [None] * c
        for i in reversed(range(c)):
            x[i] = (y[i] - sum(low[k][i] * x[k] for k in range(i + 1, c))) / low[i][i]
        return jnp.stack(x)

    u, v = solve(r), solve(p)
    lam = -jnp.sum(p * u, axis=0) / jnp.sum(p * v, axis=0)
    return u + lam[None] * v
