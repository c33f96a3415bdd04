"""Theorem L on exact ERM over all classifiers of finite worlds (THEORY.md section 4)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy import stats

import theory
from synth import random_problems, sample_training_sets
from verify._claim import Claim
from verify._registry import Context, claim
from verify.claims._common import EXACT_TOL

BOUND_DELTA = 0.05  # confidence parameter delta of the bound


def _pick_worlds(rng: np.random.Generator, targets: list[float], shape: tuple[int, int, int]):
    """Deterministic worlds whose worst-case margin is nearest to each target."""
    m, c, k = shape
    world, labeler = random_problems(
        4000, num_points=m, num_classes=c, components=k, deterministic=True, rng=rng
    )
    rule = theory.TopK(1)
    mem = labeler.membership(rule)
    margin = 1 - theory.delta_max(mem, world.joint) - theory.gamma(mem, world.joint)
    picked = [int(np.argmin(np.abs(margin - t))) for t in targets]
    return [(world[i], labeler[i], rule, float(margin[i])) for i in picked]


@claim("thm-L", "exact ERM error <= 2 eps_m / (1 - gamma - Delta_max) w.p. >= 1 - delta", "proved")
def theorem_l(ctx: Context) -> Claim:
    """THEORY.md section 4, Theorem L, link by link on exact ERM."""
    rng = ctx.rng()
    shape = (4, 3, 2)
    targets = ctx.pick(quick=[0.6, 0.3, 0.1], paper=[0.8, 0.6, 0.4, 0.3, 0.2, 0.1])
    sizes = ctx.pick(
        quick=[10, 30, 100, 300, 1000, 3000], paper=[10, 30, 100, 300, 1000, 3000, 10000]
    )
    trials = ctx.pick(quick=200, paper=1000)
    # A correct bound fails with probability <= delta per training set; allow the binomial
    # upper 1e-6 quantile of that before calling a cell a violation.
    allowed = int(stats.binom.ppf(1 - 1e-6, trials, BOUND_DELTA))
    rows: list[dict[str, Any]] = []
    chain_worst = 0.0
    cells_failing = 0
    for index, (world, labeler, rule, margin) in enumerate(_pick_worlds(rng, targets, shape)):
        mem = labeler.membership(rule)
        joint = world.joint
        g = float(theory.gamma(mem, joint))
        dmax = float(theory.delta_max(mem, joint))
        log_h = world.num_points * math.log(world.num_classes)
        for m in sizes:
            sample = sample_training_sets(world, labeler, rule, m, trials=trials, rng=rng)
            h_hat = theory.exact_erm(sample.x, sample.sets, world.num_points)
            error = theory.risk(h_hat, joint)
            excess = theory.set_risk(h_hat, joint, mem) - theory.set_risk(world.bayes(), joint, mem)
            dev = theory.uniform_deviation(sample.x, sample.sets, joint, mem)
            eps = theory.finite_class_epsilon(m, log_h, BOUND_DELTA)
            bound = theory.theorem_l_bound(eps, g, dmax)
            # Deterministic links: ERM gives excess <= 2 dev; Theorem C, error <= excess / margin.
            chain_worst = max(
                chain_worst, float(np.max(excess - 2 * dev)), float(np.max(error * margin - excess))
            )
            over_bound = int(np.sum(error > bound))
            over_eps = int(np.sum(dev > eps))
            cells_failing += int(over_bound > allowed or over_eps > allowed)
            rows.append(
                {
                    "world": index,
                    "margin": round(margin, 4),
                    "m": m,
                    "mean_error": float(error.mean()),
                    "p95_error": float(np.quantile(error, 0.95)),
                    "max_error": float(error.max()),
                    "mean_sup_deviation": float(dev.mean()),
                    "eps_m": eps,
                    "bound": bound,
                    "trials_error_over_bound": over_bound,
                    "trials_deviation_over_eps": over_eps,
                }
            )
    ok = chain_worst <= EXACT_TOL and cells_failing == 0
    falling = all(
        rows[i]["mean_error"] >= rows[i + len(sizes) - 1]["mean_error"]
        for i in range(0, len(rows), len(sizes))
    )
    return Claim(
        id="thm-L",
        statement="THEORY.md section 4, Theorem L: with probability >= 1 - delta, exact ERM of "
        "the set 0/1 loss over all classifiers has R(h_hat) <= 2 eps_m / (1 - gamma - Delta_max), "
        "eps_m the finite-class uniform deviation sqrt((M ln c + ln(2/delta)) / (2m)).",
        status="proved",
        setting={
            "shape (M, c, K)": shape,
            "rule": "top1",
            "worlds_margins": targets,
            "sample_sizes": sizes,
            "trials": trials,
            "delta": BOUND_DELTA,
            "allowed_violations_per_cell": allowed,
        },
        prediction="error above the bound (and sup deviation above eps_m) in at most a delta "
        "fraction of trials; the deterministic links excess <= 2 sup-deviation and "
        "margin * error <= excess never fail",
        measurement={
            "largest_chain_violation": chain_worst,
            "cells_failing": cells_failing,
            "mean_error_falls_from_smallest_to_largest_m": falling,
            "table": rows,
        },
        verdict="confirmed" if ok else "refuted",
        summary=f"{len(rows)} (world, m) cells x {trials} trials: {cells_failing} cells over "
        f"the bound's delta; chain violation {chain_worst:.1e}; error falls with m: {falling}",
    )
