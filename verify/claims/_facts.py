"""Facts F1-F4 of docs/theory.md section 2, on random finite worlds."""

from __future__ import annotations

import numpy as np

import theory
from synth import bayes_labeler, onehot_labeler, random_problems, smoothed_labeler
from verify._registry import register
from verify._spec import CellContext, CellSpec, ClaimSpec
from verify.claims._common import (
    EXACT_TOL,
    SHAPES_SMALL,
    Exact,
    Violations,
    judge_violations,
    worst_of,
)

SMOOTHING = 0.7


def compute(ctx: CellContext) -> Violations:
    """Largest violation of each fact over batches of random worlds of every small shape."""
    rng = ctx.rng()
    batch = ctx.size("worlds_per_shape")
    worst = {"F1": 0.0, "F2_sum": 0.0, "F2_floor": 0.0, "F3": 0.0, "F4_delta": 0.0, "F4_gamma": 0.0}
    worlds = 0
    for m, c, k in SHAPES_SMALL:
        for deterministic in (True, False):
            world, labeler = random_problems(
                batch,
                num_points=m,
                num_classes=c,
                components=k,
                deterministic=deterministic,
                rng=rng,
            )
            joint, support = world.joint, world.joint > 0
            worlds += batch
            previous = None
            for kk in range(1, c):
                mem = labeler.membership(theory.TopK(kk))
                d, g = theory.delta(mem, joint), theory.gamma(mem, joint)
                if previous is not None:  # F1: Delta_k non-increasing, gamma_k non-decreasing
                    worst["F1"] = worst_of(
                        worst["F1"], float(np.max(d - previous[0])), float(np.max(previous[1] - g))
                    )
                previous = (d, g)
                worst["F2_sum"] = worst_of(worst["F2_sum"], float(np.max(np.abs(mem.sum(-1) - kk))))
                floor = (kk - 1 + theory.pointwise_delta(mem)) / (c - 1)
                worst["F2_floor"] = worst_of(
                    worst["F2_floor"],
                    float(np.max(np.where(support, floor - g[:, None, None], -1))),
                )
            top1 = theory.TopK(1)
            if deterministic:  # F3: one-hot and smoothed labels
                for lab in (onehot_labeler(world), smoothed_labeler(world, SMOOTHING)):
                    mem = lab.membership(top1)
                    worst["F3"] = worst_of(
                        worst["F3"],
                        float(np.max(theory.delta(mem, joint))),
                        float(np.max(theory.gamma(mem, joint))),
                    )
            mem = bayes_labeler(world).membership(top1)  # F4: the Bayes teacher
            err = world.bayes_error()
            worst["F4_delta"] = worst_of(
                worst["F4_delta"], float(np.max(np.abs(theory.delta(mem, joint) - err)))
            )
            noisy = err > EXACT_TOL
            if noisy.any():
                worst["F4_gamma"] = worst_of(
                    worst["F4_gamma"], float(np.max(1.0 - theory.gamma(mem, joint)[noisy]))
                )
    return Violations(checked=worlds, largest=worst)


def summary(m: Violations) -> str:
    return f"{m.checked} worlds; largest violation {worst_of(*m.largest.values()):.1e}"


register(
    ClaimSpec(
        id="facts",
        status="proved",
        title="F1-F4: monotonicity in k, sum of memberships, one-hot, Bayes teacher",
        section="2",
        statement="F1-F4: Omega_k nested (Delta_k down, gamma_k up in k); top-k memberships "
        "sum to k and gamma >= (k-1+Delta(x,y))/(c-1); one-hot or smoothed labels give "
        "Delta_1 = gamma_1 = 0; the Bayes teacher has Delta_1 = Bayes error and gamma_1 = 1 "
        "once the Bayes error is positive.",
        predicts=f"every violation <= {EXACT_TOL:g}",
        prediction=Exact(EXACT_TOL),
        needs=(CellSpec("facts", Violations, compute),),
        measurement=Violations,
        judge=judge_violations,
        summary=summary,
        setting={
            "worlds": "random finite worlds, M <= 3 points, c <= 4 classes, K <= 3 soft "
            "labels per (x, y), one-hot and noisy posteriors",
            "smoothing": SMOOTHING,
        },
    )
)
