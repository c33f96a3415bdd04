"""Learners per second: this project's trainer against the usual ways to train many students.

Run (in the benchmark's own environment, which adds PyTorch and scikit-learn):

    python3 -m venv .venv-bench
    .venv-bench/bin/pip install . -r benchmarks/requirements.txt
    .venv-bench/bin/python benchmarks/trainers.py

Workload: K independent students, n = 2000, p = 20, c = 10, Gaussian
classes, soft targets 0.7 onehot(y) + 0.3 Dirichlet(1), objective mean soft cross-entropy +
1e-4/2 ||W||^2.

- Linear, at K = 100 and 1000: every student must end within 1e-4 of the scipy L-BFGS
  optimum of its own objective (checked in float64, reported as the largest gap). Compared:
  this project's trainer (``verify.train``: L-BFGS, shard_map over the host devices,
  lax.map per device); a Python loop over the same jitted single-learner trainer; scipy
  L-BFGS-B per learner (which also gives the optima); scikit-learn ``LogisticRegression``
  (lbfgs) on the teacher's top-1 labels with the matching penalty ``C = 1 / (l2 n)``.
- MLP 20-64-10, 200 full-batch Adam steps (lr 1e-2) from the same initial weights in every
  framework: this project's trainer, a Python loop over its jitted single-learner trainer,
  a PyTorch CPU loop (torch 2.13.0) and a PyTorch batched ensemble (all K as stacked
  weights with ``bmm`` and one Adam, the same K optimizations).
- The linear peers also include scikit-learn with joblib over every core.
- Achieved GFLOP/s (6 n p c per linear objective-and-gradient evaluation; 6 n (p h + h c) per
  MLP step) against the float32 matmul peak measured here (numpy, 2048^2).

Compile time is excluded everywhere (one warm-up call); each rate is the median of repeats.
"""

from __future__ import annotations

# ruff: noqa: I001, E402  (verify must be imported before jax: it sets XLA's device count)
import argparse
import os
import platform
import statistics
import time
from typing import Any

import verify  # noqa: F401  (before jax: importing it gives JAX one device per core)
import jax
import numpy as np
from scipy import optimize, special

from verify import TrainConfig, train

N, P, C, H, L2 = 2000, 20, 10, 64, 1e-4


def make_data(k: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``x [k, n, p]``, soft targets ``t [k, n, c]`` and labels ``y [k, n]``."""
    rng = np.random.default_rng(seed)
    means = rng.normal(size=(C, P))
    y = rng.integers(0, C, (k, N))
    x = (means[y] + rng.normal(size=(k, N, P))).astype(np.float32)
    t = (0.7 * np.eye(C)[y] + 0.3 * rng.dirichlet(np.ones(C), size=(k, N))).astype(np.float32)
    return x, t, y


def linear_objective(w: np.ndarray, x: np.ndarray, t: np.ndarray) -> tuple[float, np.ndarray]:
    """The linear student's objective and gradient in float64 (scipy's view of it)."""
    W, b = w[: C * P].reshape(C, P), w[C * P :]
    logits = x @ W.T + b
    logp = logits - special.logsumexp(logits, axis=1, keepdims=True)
    value = -(t * logp).sum(1).mean() + 0.5 * L2 * (W**2).sum()
    g = (np.exp(logp) - t) / len(t)
    return float(value), np.concatenate([(g.T @ x + L2 * W).ravel(), g.sum(0)])


def timed(fn: Any, repeats: int) -> tuple[float, Any]:
    """Median wall time of ``fn()`` over ``repeats`` runs after one warm-up, and its result."""
    out = fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), out


def matmul_peak() -> float:
    a = np.random.default_rng(0).standard_normal((2048, 2048)).astype(np.float32)
    seconds, _ = timed(lambda: a @ a, 5)
    return 2 * 2048**3 / seconds / 1e9


def bench_linear(k: int, repeats: int) -> list[dict[str, Any]]:
    x, t, y = make_data(k)
    xs, ts = x.transpose(0, 2, 1), t.transpose(0, 2, 1)
    sizes, seeds = np.full(k, N), np.arange(k)
    # tol 1e-3 on the gradient norm: measured to land every student within ~1e-5 of the
    # optimum; the gap column below checks it against scipy for every student.
    cfg = TrainConfig(model="linear", optimizer="lbfgs", steps=100, tol=1e-3, l2=L2)
    rows = []

    sec, res = timed(lambda: train(cfg, xs, ts, sizes, seeds=seeds), repeats)
    optima = []
    t0 = time.perf_counter()
    for i in range(k):  # scipy L-BFGS per learner: the baseline and the optimum
        optima.append(
            optimize.minimize(
                linear_objective,
                np.zeros(C * P + C),
                args=(x[i], t[i]),
                jac=True,
                method="L-BFGS-B",
                options={"gtol": 1e-9, "ftol": 1e-14},
            ).fun
        )
    scipy_sec = time.perf_counter() - t0
    optima = np.array(optima)

    def gaps(params: dict[str, np.ndarray]) -> float:
        return max(
            linear_objective(np.concatenate([params["W"][i].ravel(), params["b"][i]]), x[i], t[i])[
                0
            ]
            - optima[i]
            for i in range(k)
        )

    evals = float(res.steps.mean())
    flops = 6 * N * P * C * evals * k
    rows.append(
        {
            "trainer": "this project (L-BFGS, shard_map + lax.map)",
            "K": k,
            "rate": k / sec,
            "gap": gaps(res.params),
            "gflops": flops / sec / 1e9,
        }
    )

    one = jax.local_devices()[:1]

    def loop() -> dict[str, np.ndarray]:
        parts = [
            train(
                cfg, xs[i : i + 1], ts[i : i + 1], sizes[:1], seeds=seeds[i : i + 1], devices=one
            ).params
            for i in range(k)
        ]
        return {name: np.concatenate([p[name] for p in parts]) for name in parts[0]}

    loop_sec, loop_params = timed(loop, 1)
    rows.append(
        {
            "trainer": "Python loop over the same jitted trainer",
            "K": k,
            "rate": k / loop_sec,
            "gap": gaps(loop_params),
            "gflops": flops / loop_sec / 1e9,
        }
    )
    rows.append(
        {
            "trainer": "scipy L-BFGS-B per learner (the optimum)",
            "K": k,
            "rate": k / scipy_sec,
            "gap": 0.0,
            "gflops": None,
        }
    )
    try:
        from sklearn.linear_model import LogisticRegression

        top1 = np.argmax(t, axis=-1)
        t0 = time.perf_counter()
        for i in range(k):
            LogisticRegression(C=1.0 / (L2 * N), max_iter=1000).fit(x[i], top1[i])
        rows.append(
            {
                "trainer": "scikit-learn LogisticRegression (top-1 labels)",
                "K": k,
                "rate": k / (time.perf_counter() - t0),
                "gap": None,
                "gflops": None,
            }
        )
        from joblib import Parallel, delayed

        def fit(i: int) -> None:
            LogisticRegression(C=1.0 / (L2 * N), max_iter=1000).fit(x[i], top1[i])

        t0 = time.perf_counter()
        Parallel(n_jobs=os.cpu_count() or 1)(delayed(fit)(i) for i in range(k))
        rows.append(
            {
                "trainer": f"scikit-learn, joblib on {os.cpu_count()} cores",
                "K": k,
                "rate": k / (time.perf_counter() - t0),
                "gap": None,
                "gflops": None,
            }
        )
    except ImportError:
        rows.append({"trainer": "scikit-learn: not installed", "K": k, "rate": None})
    return rows


def mlp_init(k: int, seed: int = 1) -> dict[str, np.ndarray]:
    """He initialization, drawn once and given to every framework."""
    rng = np.random.default_rng(seed)
    return {
        "W1": (rng.standard_normal((k, H, P)) * np.sqrt(2 / P)).astype(np.float32),
        "b1": np.zeros((k, H), np.float32),
        "W2": (rng.standard_normal((k, C, H)) * np.sqrt(1 / H)).astype(np.float32),
        "b2": np.zeros((k, C), np.float32),
    }


def bench_mlp(k: int, repeats: int) -> list[dict[str, Any]]:
    x, t, _ = make_data(k, seed=2)
    xs, ts = x.transpose(0, 2, 1), t.transpose(0, 2, 1)
    sizes, seeds = np.full(k, N), np.arange(k)
    init = mlp_init(k)
    steps = 200
    cfg = TrainConfig(
        model="mlp", hidden=H, optimizer="adam", steps=steps, learning_rate=1e-2, l2=L2
    )
    flops = 6 * N * (P * H + H * C) * steps * k
    sec, res = timed(lambda: train(cfg, xs, ts, sizes, seeds=seeds, params0=init), repeats)
    rows = [
        {
            "trainer": "this project (Adam, shard_map + lax.map)",
            "K": k,
            "rate": k / sec,
            "objective": float(np.mean(res.objective)),
            "gflops": flops / sec / 1e9,
        }
    ]
    one = jax.local_devices()[:1]

    def loop() -> list[float]:
        return [
            float(
                train(
                    cfg,
                    xs[i : i + 1],
                    ts[i : i + 1],
                    sizes[:1],
                    seeds=seeds[i : i + 1],
                    devices=one,
                    params0={n: v[i : i + 1] for n, v in init.items()},
                ).objective[0]
            )
            for i in range(k)
        ]

    loop_sec, loop_obj = timed(loop, 1)
    rows.append(
        {
            "trainer": "Python loop over the same jitted trainer",
            "K": k,
            "rate": k / loop_sec,
            "objective": float(np.mean(loop_obj)),
            "gflops": flops / loop_sec / 1e9,
        }
    )
    try:
        import torch

        torch.set_num_threads(os.cpu_count() or 1)

        def torch_one(i: int) -> float:
            w1 = torch.tensor(init["W1"][i], requires_grad=True)
            b1 = torch.tensor(init["b1"][i], requires_grad=True)
            w2 = torch.tensor(init["W2"][i], requires_grad=True)
            b2 = torch.tensor(init["b2"][i], requires_grad=True)
            xi, ti = torch.tensor(x[i]), torch.tensor(t[i])
            opt = torch.optim.Adam([w1, b1, w2, b2], lr=1e-2)

            def objective() -> torch.Tensor:
                logits = torch.relu(xi @ w1.T + b1) @ w2.T + b2
                ce = -(ti * torch.log_softmax(logits, dim=1)).sum(1).mean()
                return ce + 0.5 * L2 * ((w1**2).sum() + (w2**2).sum())

            for _ in range(steps):
                opt.zero_grad()
                objective().backward()
                opt.step()
            with torch.no_grad():
                return float(objective())

        t0 = time.perf_counter()
        torch_obj = [torch_one(i) for i in range(k)]
        rows.append(
            {
                "trainer": f"PyTorch {torch.__version__} CPU loop",
                "K": k,
                "rate": k / (time.perf_counter() - t0),
                "objective": float(np.mean(torch_obj)),
                "gflops": flops / (time.perf_counter() - t0) / 1e9,
            }
        )
        rows.append(_torch_ensemble(x, t, init, steps, flops))
    except ImportError:
        rows.append({"trainer": "PyTorch: not installed", "K": k, "rate": None})
    return rows


def _torch_ensemble(
    x: np.ndarray, t: np.ndarray, init: dict[str, np.ndarray], steps: int, flops: float
) -> dict[str, Any]:
    """All K MLPs as one batched model in PyTorch: stacked weights, ``bmm``, one Adam over
    the stacks (each learner's parameters and moments are its own slices, so this is the
    same K optimizations as the loop)."""
    import torch

    k = x.shape[0]
    w1 = torch.tensor(init["W1"], requires_grad=True)  # [K, H, P]
    b1 = torch.tensor(init["b1"], requires_grad=True)
    w2 = torch.tensor(init["W2"], requires_grad=True)
    b2 = torch.tensor(init["b2"], requires_grad=True)
    xs, ts = torch.tensor(x), torch.tensor(t)  # [K, N, P], [K, N, C]
    opt = torch.optim.Adam([w1, b1, w2, b2], lr=1e-2)

    def objective() -> torch.Tensor:  # the sum of the K objectives: gradients stay per learner
        hidden = torch.relu(torch.bmm(xs, w1.transpose(1, 2)) + b1[:, None])
        logits = torch.bmm(hidden, w2.transpose(1, 2)) + b2[:, None]
        ce = -(ts * torch.log_softmax(logits, dim=2)).sum(2).mean(1)
        return ce + 0.5 * L2 * ((w1**2).sum((1, 2)) + (w2**2).sum((1, 2)))

    t0 = time.perf_counter()
    for _ in range(steps):
        opt.zero_grad()
        objective().sum().backward()
        opt.step()
    seconds = time.perf_counter() - t0
    with torch.no_grad():
        final = float(objective().mean())
    return {
        "trainer": "PyTorch batched ensemble (bmm, one Adam)",
        "K": k,
        "rate": k / seconds,
        "objective": final,
        "gflops": flops / seconds / 1e9,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--linear-k", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--mlp-k", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    peak = matmul_peak()
    print(
        f"{platform.machine()}, {os.cpu_count()} cores, JAX devices {len(jax.local_devices())}, "
        f"jax {jax.__version__}; float32 matmul peak {peak:.0f} GFLOP/s\n"
    )
    print("| student | trainer | K | learners/s | vs this project | gap to optimum | GFLOP/s |")
    print("|---|---|---|---|---|---|---|")
    for k in args.linear_k:
        rows = bench_linear(k, args.repeats)
        ours = rows[0]["rate"]
        for r in rows:
            rate = r["rate"]
            gap = "" if r.get("gap") is None else f"{r['gap']:.1e}"
            gf = "" if r.get("gflops") is None else f"{r['gflops']:.1f} ({r['gflops'] / peak:.0%})"
            ratio = (
                "" if rate is None else f"{ours / rate:.1f}x slower" if r is not rows[0] else "1x"
            )
            print(
                f"| linear | {r['trainer']} | {k} | {'' if rate is None else f'{rate:.0f}'} | "
                f"{ratio} | {gap} | {gf} |"
            )
    rows = bench_mlp(args.mlp_k, args.repeats)
    ours = rows[0]["rate"]
    for r in rows:
        rate = r["rate"]
        obj = "" if r.get("objective") is None else f"final objective {r['objective']:.4f}"
        gf = "" if r.get("gflops") is None else f"{r['gflops']:.1f} ({r['gflops'] / peak:.0%})"
        ratio = "" if rate is None else f"{ours / rate:.1f}x slower" if r is not rows[0] else "1x"
        print(
            f"| MLP 20-64-10 | {r['trainer']} | {args.mlp_k} | "
            f"{'' if rate is None else f'{rate:.1f}'} | "
            f"{ratio} | {obj} | {gf} |"
        )


if __name__ == "__main__":
    main()
