"""Learning curves against the margin ``1 - Delta - gamma`` (THEORY.md section 4)."""

from __future__ import annotations

from typing import Any

import numpy as np

import theory
from synth import RealizableLinear, SkillfulButBad
from verify._claim import Claim
from verify._registry import Context, claim
from verify._students import learning_curve, mean_ci, slope_with_interval
from verify.claims._common import DECAY, LINEAR

C, P = 5, 5
DELTAS = (0.15, 0.3, 0.45, 0.6)  # top-1 SBT: gamma = Delta/(c-1), margins 0.81 .. 0.25
BOUND_DELTA = 0.05


def _grid(ctx: Context) -> dict[str, Any]:
    """Learning curves of the top-1 (hard-label) student for each teacher margin."""
    world = RealizableLinear.random(C, P, rng=23)
    sizes = ctx.pick(quick=[100, 300, 1000, 3000], paper=[100, 300, 1000, 3000, 10000, 30000])
    x_eval, y_eval = world.sample(
        ctx.pick(quick=10000, paper=50000), rng=np.random.default_rng(ctx.derived_seed("eval"))
    )
    rule = theory.TopK(1)
    dim = theory.linear_natarajan_dim(C, P)
    out: dict[str, Any] = {"sizes": sizes, "curves": []}
    for delta in DELTAS:
        teacher = SkillfulButBad(C, 1, accuracy=1 - delta, delta=delta)
        m = teacher.membership(np.zeros((1, 1)), rule)
        joint = np.full((1, C), 1.0 / C)
        d_max, g = float(theory.delta_max(m, joint)), float(theory.gamma(m, joint))
        curve = learning_curve(
            world,
            teacher,
            "cc",
            rule,
            sizes=sizes,
            seeds=ctx.learner_seeds(quick=3, paper=10),
            x_eval=x_eval,
            cfg=LINEAR,
        )
        error = curve.disagreement(y_eval)  # Bayes error is 0: excess error = error
        bound = [
            theory.theorem_l_bound(theory.natarajan_epsilon(n, dim, C, BOUND_DELTA), g, d_max)
            for n in sizes
        ]
        out["curves"].append(
            {
                "delta": delta,
                "gamma": g,
                "margin": 1 - d_max - g,
                "excess_error": mean_ci(error),
                "max_error_over_seeds": error.max(axis=1).tolist(),
                "slope": slope_with_interval(np.asarray(sizes), error, 1.0 / len(y_eval)),
                "theorem_l_bound": bound,
            }
        )
    return out


@claim(
    "learnability/margin",
    "excess error falls with n, more slowly for a smaller margin",
    "extension",
)
def margin_curves(ctx: Context) -> Claim:
    """THEORY.md section 4: what Theorem L predicts that is testable, on trained students."""
    m = ctx.cell("grid", lambda: _grid(ctx))
    curves = m["curves"]
    falls = [c["slope"]["ci"][1] < DECAY for c in curves]
    # "slower": at every n the smaller margin's mean error is not below the larger margin's
    # lower interval end (ties inside the noise are allowed)
    order = sorted(curves, key=lambda c: -c["margin"])
    slower = all(
        small["excess_error"]["mean"][i] >= big["excess_error"]["ci_low"][i]
        for big, small in zip(order, order[1:], strict=False)
        for i in range(len(m["sizes"]))
    )
    ok = all(falls) and slower
    return Claim(
        id="learnability/margin",
        statement="THEORY.md section 4: the rate degrades like 1/(1 - gamma - Delta_max). On a "
        f"realizable linear world (c = {C}, p = {P}) with top-1 skillful-but-bad teachers of "
        "margins 0.81, 0.63, 0.44, 0.25, the top-1 student's excess error falls with n, and "
        "more slowly "
        "for a smaller margin.",
        status="extension",
        setting={
            "world": f"RealizableLinear.random({C}, {P}, rng=23)",
            "teachers": [
                f"SkillfulButBad({C}, 1, accuracy={1 - d:.1f}, delta={d})" for d in DELTAS
            ],
            "student": "linear, L-BFGS, CE on the teacher's top-1",
            "sizes": m["sizes"],
        },
        prediction=f"every curve's log-log slope is below {DECAY} (95% upper end); at every n "
        "the error is ordered by margin",
        measurement=m,
        verdict="confirmed" if ok else "refuted",
        summary="slopes "
        + ", ".join(f"{c['slope']['slope']:.2f} (margin {c['margin']:.2f})" for c in curves)
        + f"; ordered by margin at every n: {slower}",
    )


@claim(
    "learnability/bound",
    "Theorem L's bound (linear Natarajan dimension) is never below the error",
    "proved",
)
def margin_bound(ctx: Context) -> Claim:
    """THEORY.md section 4, Theorem L with the linear Natarajan bound, on the same curves."""
    m = ctx.cell("grid", lambda: _grid(ctx), namespace="learnability/margin")
    below = [
        {"margin": c["margin"], "n": n, "bound": b, "max_error": e}
        for c in m["curves"]
        for n, b, e in zip(m["sizes"], c["theorem_l_bound"], c["max_error_over_seeds"], strict=True)
        if b < e
    ]
    smallest = min(b for c in m["curves"] for b in c["theorem_l_bound"])
    return Claim(
        id="learnability/bound",
        statement="THEORY.md section 4, Theorem L: R(h_hat) <= 2 eps_m / (1 - gamma - Delta_max), "
        f"eps_m from Natarajan's lemma with the linear dimension c (p + 1) = {C * (P + 1)}, "
        f"delta = {BOUND_DELTA}. (Proved for exact ERM of the set 0/1 loss; the student here "
        "minimizes the CC surrogate, so a violation would be a finding about the surrogate.)",
        status="proved",
        setting={"curves": "those of learnability/margin", "delta": BOUND_DELTA},
        prediction="the bound is at least the largest error over seeds at every (margin, n)",
        measurement={
            "violations": below,
            "smallest_bound": smallest,
            "bounds": {f"margin {c['margin']:.2f}": c["theorem_l_bound"] for c in m["curves"]},
        },
        verdict="refuted" if below else "confirmed",
        summary=f"{len(below)} violations; the smallest bound is {smallest:.2f} (vacuous above 1: "
        "the bound is loose at these sizes)",
    )


def _spread(curves: list[dict[str, Any]], power: float) -> float:
    """Mean over sizes of the standard deviation, across margins, of log(error * margin^power)."""
    logs = np.stack(
        [
            np.log(np.maximum(c["excess_error"]["mean"], 1e-6)) + power * np.log(c["margin"])
            for c in curves
        ]
    )
    return float(logs.std(axis=0).mean())


@claim(
    "learnability/collapse",
    "do learning curves collapse when the error is scaled by the margin 1 - Delta - gamma?",
    "conjecture",
)
def collapse(ctx: Context) -> Claim:
    """THEORY.md section 4: is Theorem L's 1/(1 - gamma - Delta_max) visible in the curves?"""
    m = ctx.cell("grid", lambda: _grid(ctx), namespace="learnability/margin")
    curves = m["curves"]
    powers = np.round(np.arange(0.0, 4.01, 0.1), 2)
    spreads = [_spread(curves, b) for b in powers]
    best = float(powers[int(np.argmin(spreads))])
    raw, scaled = _spread(curves, 0.0), _spread(curves, 1.0)
    collapses = scaled < raw
    return Claim(
        id="learnability/collapse",
        statement="THEORY.md section 4: Theorem L bounds the error by 2 eps_m / margin, so if the "
        "bound's margin dependence is what the students show, error x margin is the same "
        "curve for every margin. Probed on the curves of learnability/margin.",
        status="conjecture",
        setting={"curves": "those of learnability/margin", "powers_tried": [0.0, 4.0, 0.1]},
        prediction="the spread across margins of log(error x margin) is smaller than that of "
        "log(error)",
        measurement={
            "spread_raw": raw,
            "spread_times_margin": scaled,
            "best_power": best,
            "spread_at_best_power": float(min(spreads)),
            "spreads": dict(zip(map(float, powers), spreads, strict=True)),
        },
        verdict="confirmed" if collapses else "refuted",
        summary=f"spread of log error across margins {raw:.3f} raw, {scaled:.3f} times the margin; "
        f"the best collapse is error x margin^{best:.1f} (spread {min(spreads):.3f})",
    )
