"""Theorem L on exact ERM over all classifiers of finite worlds (docs/theory.md section 4)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

import theory
from synth import random_problems, sample_training_sets
from verify._registry import register
from verify._spec import CellContext, CellSpec, ClaimSpec, Judgement, confirmed, refuted, silent
from verify.claims._common import EXACT_TOL, holds, worst_of

SHAPE = (4, 3, 2)  # (M, c, K) of the worlds


#: The bound's confidence parameter: part of the experiment (each cell counts training sets
#: above the bound at this delta), recorded in the measurement.
BOUND_DELTA = 0.05


@dataclass(frozen=True)
class BoundPrediction:
    """Theorem L at confidence ``1 - delta`` (``delta`` from the measurement). A correct
    bound fails on at most a ``delta`` fraction of training sets; a cell counts as a
    violation only beyond the binomial upper ``tail`` quantile of that (so a correct bound
    is called violated with probability ``<= tail`` per cell). ``tol``: float64 slack on the
    deterministic links."""

    tail: float = 1e-6
    tol: float = EXACT_TOL

    def allowed(self, trials: int, delta: float) -> int:
        """Training sets of ``trials`` allowed above the bound before a cell is a violation."""
        return int(stats.binom.ppf(1 - self.tail, trials, delta))


PREDICTION = BoundPrediction()


@dataclass(frozen=True)
class ERMCell:
    """Exact ERM on one world at one sample size ``m``, over ``trials`` training sets."""

    world: int
    margin: float
    m: int
    mean_error: float
    p95_error: float
    max_error: float
    mean_sup_deviation: float
    eps_m: float
    bound: float
    trials_error_over_bound: int
    trials_deviation_over_eps: int


@dataclass(frozen=True)
class TheoremL:
    """Theorem L link by link.

    Attributes:
      trials: training sets per cell; delta: the bound's confidence parameter.
      largest_chain_violation: of the deterministic links ``excess <= 2 sup-deviation`` and
        ``margin * error <= excess``.
      cells: one row per (world, m).
    """

    trials: int
    delta: float
    largest_chain_violation: float
    cells: list[ERMCell]

    @property
    def error_falls(self) -> bool:
        """Each world's mean error at its largest ``m`` is at most that at its smallest."""
        first: dict[int, float] = {}
        last: dict[int, float] = {}
        for c in self.cells:
            first.setdefault(c.world, c.mean_error)
            last[c.world] = c.mean_error
        return all(last[w] <= first[w] for w in first)


def _pick_worlds(rng: np.random.Generator, targets: list[float]):
    """Deterministic worlds whose worst-case margin is nearest to each target."""
    m, c, k = SHAPE
    world, labeler = random_problems(
        4000, num_points=m, num_classes=c, components=k, deterministic=True, rng=rng
    )
    rule = theory.TopK(1)
    mem = labeler.membership(rule)
    margin = 1 - theory.delta_max(mem, world.joint) - theory.gamma(mem, world.joint)
    picked = [int(np.argmin(np.abs(margin - t))) for t in targets]
    return [(world[i], labeler[i], rule, float(margin[i])) for i in picked]


def compute_theorem_l(ctx: CellContext) -> TheoremL:
    """Exact ERM's error, sup deviation and the bound for each (world, m)."""
    rng = ctx.rng()
    sizes = ctx.size("sample_sizes")
    trials = ctx.size("trials")
    rows: list[ERMCell] = []
    chain_worst = 0.0
    for index, (world, labeler, rule, margin) in enumerate(_pick_worlds(rng, ctx.size("margins"))):
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
            chain_worst = worst_of(
                chain_worst, float(np.max(excess - 2 * dev)), float(np.max(error * margin - excess))
            )
            rows.append(
                ERMCell(
                    world=index,
                    margin=round(margin, 4),
                    m=int(m),
                    mean_error=float(error.mean()),
                    p95_error=float(np.quantile(error, 0.95)),
                    max_error=float(error.max()),
                    mean_sup_deviation=float(dev.mean()),
                    eps_m=float(eps),
                    bound=float(bound),
                    trials_error_over_bound=int(np.sum(error > bound)),
                    trials_deviation_over_eps=int(np.sum(dev > eps)),
                )
            )
    return TheoremL(trials, BOUND_DELTA, chain_worst, rows)


def judge_theorem_l(m: TheoremL, p: BoundPrediction) -> Judgement:
    """Refuted if a deterministic link fails or a cell has more training sets above the
    bound (or above ``eps_m``) than a correct bound allows; silent if nothing was run."""
    if not m.cells or m.trials == 0:
        return silent("no (world, m) cell was run")
    if not holds(m.largest_chain_violation, p.tol):
        return refuted(f"a deterministic link fails by {m.largest_chain_violation:.3g}")
    allowed = p.allowed(m.trials, m.delta)
    over = [
        c for c in m.cells if max(c.trials_error_over_bound, c.trials_deviation_over_eps) > allowed
    ]
    if over:
        return refuted(f"{len(over)} cells exceed the bound in more than {allowed} trials")
    return confirmed(f"no cell exceeds the bound in more than {allowed} of {m.trials} trials")


def _summary(m: TheoremL) -> str:
    over = sum(
        max(c.trials_error_over_bound, c.trials_deviation_over_eps)
        > PREDICTION.allowed(m.trials, m.delta)
        for c in m.cells
    )
    return (
        f"{len(m.cells)} (world, m) cells x {m.trials} trials: {over} cells over the bound's "
        f"delta; chain violation {m.largest_chain_violation:.1e}; error falls with m: "
        f"{m.error_falls}"
    )


register(
    ClaimSpec(
        id="thm-L",
        status="proved",
        title="exact ERM error <= 2 eps_m / (1 - gamma - Delta_max) w.p. >= 1 - delta",
        section="4",
        statement="Theorem L: with probability >= 1 - delta, exact ERM of the set 0/1 loss over "
        "all classifiers has R(h_hat) <= 2 eps_m / (1 - gamma - Delta_max), eps_m the "
        "finite-class uniform deviation sqrt((M ln c + ln(2/delta)) / (2m)).",
        predicts="error above the bound (and sup deviation above eps_m) in at most a delta "
        "fraction of trials, up to the binomial 1e-6 tail; the deterministic links "
        "excess <= 2 sup-deviation and margin * error <= excess never fail",
        prediction=PREDICTION,
        needs=(CellSpec("thm-L", TheoremL, compute_theorem_l),),
        measurement=TheoremL,
        judge=judge_theorem_l,
        summary=_summary,
        setting={"shape (M, c, K)": list(SHAPE), "rule": "top1", "delta": BOUND_DELTA},
    )
)
