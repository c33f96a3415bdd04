"""The JAX trainer: losses, optimality against scipy, padding and sharding invariance."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import partial

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy import optimize, special

import verify
from verify._losses import set_cross_entropy, soft_cross_entropy
from verify._train import TrainConfig, predict, probabilities, train


def _problem(rng: np.random.Generator, k: int, n: int, p: int = 6, c: int = 4):
    means = rng.normal(size=(c, p))
    y = rng.integers(0, c, (k, n))
    x = means[y] + rng.normal(size=(k, n, p))
    t = 0.7 * np.eye(c)[y] + 0.3 * rng.dirichlet(np.ones(c), size=(k, n))
    return x.transpose(0, 2, 1).astype(np.float32), t.transpose(0, 2, 1).astype(np.float32), x, t


def test_losses_by_hand() -> None:
    logits = jnp.array([[2.0, 0.0], [1.0, 0.0], [0.0, 0.0]])  # [c=3, n=2]
    p = special.softmax(np.asarray(logits), axis=0)
    onehot = jnp.array([[1.0, 0.0], [0.0, 0.0], [0.0, 1.0]])
    np.testing.assert_allclose(
        soft_cross_entropy(logits, onehot), -np.log([p[0, 0], p[2, 1]]), rtol=1e-6
    )
    mask = jnp.array([[1.0, 0.0], [1.0, 0.0], [0.0, 0.0]])  # {0, 1} and the empty set
    loss = set_cross_entropy(logits, mask)
    np.testing.assert_allclose(loss[0], -np.log(p[0, 0] + p[1, 0]), rtol=1e-6)
    assert loss[1] == 0.0  # an empty set teaches nothing
    grad = jax.grad(lambda z: set_cross_entropy(z, mask).sum())(logits)
    assert np.all(np.isfinite(grad)) and np.all(grad[:, 1] == 0.0)


def test_linear_student_reaches_the_scipy_optimum(rng: np.random.Generator) -> None:
    """L-BFGS to gradient norm 1e-5 lands within 1e-6 of scipy's float64 optimum of the same
    objective (mean soft cross-entropy + l2/2 ||W||^2)."""
    xs, ts, x, t = _problem(rng, 4, 500)
    l2 = 1e-3
    cfg = TrainConfig(model="linear", loss="soft", optimizer="lbfgs", steps=200, tol=1e-5, l2=l2)
    res = train(cfg, xs, ts, np.full(4, 500), seeds=np.arange(4))
    assert res.converged.all()
    c, p = ts.shape[1], xs.shape[1]

    def objective(w: np.ndarray, k: int) -> tuple[float, np.ndarray]:
        W, b = w[: c * p].reshape(c, p), w[c * p :]
        logits = x[k] @ W.T + b
        logp = logits - special.logsumexp(logits, axis=1, keepdims=True)
        val = -(t[k] * logp).sum(1).mean() + 0.5 * l2 * (W**2).sum()
        g = (np.exp(logp) - t[k]) / len(t[k])
        return val, np.concatenate([(g.T @ x[k] + l2 * W).ravel(), g.sum(0)])

    for k in range(4):
        best = optimize.minimize(
            objective,
            np.zeros(c * p + c),
            args=(k,),
            jac=True,
            method="L-BFGS-B",
            options={"gtol": 1e-10, "ftol": 1e-15},
        ).fun
        mine = objective(np.concatenate([res.params["W"][k].ravel(), res.params["b"][k]]), k)[0]
        assert mine - best <= 1e-6


def test_padding_does_not_change_a_student(rng: np.random.Generator) -> None:
    xs, ts, _, _ = _problem(rng, 1, 300)
    cfg = TrainConfig(model="linear", steps=200, tol=1e-5)
    short = train(cfg, xs[:, :, :200], ts[:, :, :200], np.array([200]), seeds=np.array([1]))
    padded = train(cfg, xs, ts, np.array([200]), seeds=np.array([1]))
    np.testing.assert_allclose(short.params["W"], padded.params["W"], atol=1e-4)


@pytest.mark.parametrize(
    "cfg",
    [
        TrainConfig(model="linear", steps=100, tol=1e-5),
        TrainConfig(model="mlp", hidden=16, optimizer="adam", steps=50, learning_rate=1e-2),
        TrainConfig(model="mlp", hidden=16, optimizer="adam", steps=50, batch_size=32, loss="set"),
    ],
    ids=["linear-lbfgs", "mlp-adam", "mlp-minibatch-cc"],
)
def test_multi_device_equals_single_device(cfg: TrainConfig, rng: np.random.Generator) -> None:
    """A known shard_map trap would sum gradients across shards silently; the sharded
    trainer must give the parameters of the one-device trainer, problem by problem."""
    assert len(jax.local_devices()) >= 2, "conftest imports verify first: two host devices"
    xs, ts, _, _ = _problem(rng, 5, 200)  # 5 problems: also exercises padding to the devices
    if cfg.loss == "set":
        ts = (ts > 0.2).astype(np.float32)
    sizes, seeds = np.array([200, 150, 200, 100, 200]), np.arange(5)
    one = train(cfg, xs, ts, sizes, seeds=seeds, devices=jax.local_devices()[:1])
    many = train(cfg, xs, ts, sizes, seeds=seeds)
    for name in one.params:
        np.testing.assert_allclose(one.params[name], many.params[name], rtol=0, atol=1e-6)
    np.testing.assert_allclose(one.objective, many.objective, rtol=0, atol=1e-6)


def test_predict_and_config_checks(rng: np.random.Generator) -> None:
    xs, ts, _, _ = _problem(rng, 2, 100)
    cfg = TrainConfig(model="linear", steps=50)
    res = train(cfg, xs, ts, np.array([100, 100]), seeds=np.array([0, 1]))
    assert predict(cfg, res.params, xs[0]).shape == (2, 100)
    with pytest.raises(ValueError, match="L-BFGS is full batch"):
        TrainConfig(optimizer="lbfgs", batch_size=10)
    with pytest.raises(ValueError, match="loss"):
        TrainConfig(loss="mse")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="sizes"):
        train(cfg, xs, ts, np.array([0, 100]), seeds=np.array([0, 1]))


def _count_compiles(action: Callable[[], object]) -> int:
    """XLA backend compilations while ``action`` runs (jax.monitoring's compile event)."""
    seen: list[str] = []

    def listen(event: str, duration_secs: float, **kwargs: str | int) -> None:
        if event == "/jax/core/compile/backend_compile_duration":
            seen.append(event)

    jax.monitoring.register_event_duration_secs_listener(listen)
    try:
        action()
    finally:
        jax.monitoring.unregister_event_duration_listener(listen)
    return len(seen)


def test_equal_configurations_share_compiled_code(rng: np.random.Generator) -> None:
    """A configuration is a value: rebuilding an equal one (or one that differs only by
    the loss, for prediction) compiles nothing new."""
    xs, ts, _, _ = _problem(rng, 2, 60)
    x_new = rng.standard_normal((xs.shape[1], 37)).astype(np.float32)  # a shape not seen
    cfg = TrainConfig(model="mlp", hidden=8, optimizer="adam", steps=5)
    res = train(cfg, xs, ts, np.array([60, 60]), seeds=np.array([0, 1]))
    assert _count_compiles(lambda: predict(cfg, res.params, x_new)) == 1
    # the logits; the softmax runs apart from them, eagerly (see verify._train._batched)
    assert _count_compiles(lambda: probabilities(cfg, res.params, x_new)) >= 1
    rebuilt = [
        TrainConfig(model="mlp", hidden=8, optimizer="adam", steps=5),
        TrainConfig(model=verify.mlp(8), optimizer="adam", steps=5),
        replace(cfg, loss="set"),
    ]
    for again in rebuilt:
        assert _count_compiles(partial(predict, again, res.params, x_new)) == 0
        assert _count_compiles(partial(probabilities, again, res.params, x_new)) == 0
    assert (
        _count_compiles(
            lambda: train(rebuilt[1], xs, ts, np.array([60, 60]), seeds=np.array([0, 1]))
        )
        == 0
    )


def test_the_model_is_resolved_once() -> None:
    cfg = TrainConfig(model="mlp", hidden=16)
    assert cfg.model == verify.mlp(16) and cfg.hidden == 16
    assert TrainConfig(model="linear") == TrainConfig(model=verify.linear())
    with pytest.raises(ValueError, match="model"):
        TrainConfig(model="transformer")
    with pytest.raises(ValueError, match="hidden"):
        verify.Model("mlp", 0)


def test_size_groups_split_only_where_the_padding_costs_more_than_a_program() -> None:
    """Worked by hand with SPLIT_WORTH = 1e11: at a cost of 1e6 per example, two problems
    of 1,000 in a call of width 100,000 waste 2 * 99,000 * 1e6 ~ 2e11 (a group of their
    own); at 1e5 per example the same padding is 2e10 (one call)."""
    from verify._train import SPLIT_WORTH, size_groups

    assert SPLIT_WORTH == 1e11
    sizes = np.array([100_000, 1_000, 100_000, 1_000])
    split = size_groups(sizes, 100_000, 1e6)
    assert [(r.tolist(), w) for r, w in split] == [([0, 2], 100_000), ([1, 3], 1_000)]
    whole = size_groups(sizes, 100_000, 1e5)
    assert [(r.tolist(), w) for r, w in whole] == [([0, 1, 2, 3], 100_000)]
    # a call padded beyond its largest problem is trimmed to it when that is worth it
    assert size_groups(np.array([10, 10]), 10**9, 1e3)[0][1] == 10


def test_problems_trained_in_size_groups_match_a_call_of_their_own(
    rng: np.random.Generator,
) -> None:
    """A grid whose sizes are far apart is split (an example costs 6 p c = 144 operations
    a step here, so 10^6 steps make the split worth it); each problem's student is the
    one a call of its own size trains, up to float rounding of the padding."""
    from verify._train import size_groups

    xs, ts, _, _ = _problem(rng, 4, 3000)
    sizes = np.array([3000, 100, 3000, 100])
    cfg = TrainConfig(model="linear", steps=1_000_000, tol=1e-5)
    assert len(size_groups(sizes, 3000, 144.0 * cfg.steps)) == 2
    grid = train(cfg, xs, ts, sizes, seeds=np.arange(4))
    for k in range(4):
        alone = train(cfg, xs[k : k + 1], ts[k : k + 1], sizes[k : k + 1], seeds=np.array([k]))
        np.testing.assert_allclose(grid.params["W"][k], alone.params["W"][0], atol=1e-4)
        assert abs(grid.objective[k] - alone.objective[0]) < 1e-6
