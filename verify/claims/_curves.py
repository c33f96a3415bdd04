"""Learning curves against the margin ``1 - Delta - gamma`` (docs/theory.md section 4).

Three claims read one grid of students (the cell ``learnability/curves``): its seeds come
from its own scope, so it is the same grid whichever of them runs first.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

import theory
from synth import RealizableLinear, SkillfulButBad
from verify._records import Estimation, Floor, MeanCI, Slope
from verify._registry import register
from verify._spec import CellContext, CellSpec, ClaimSpec, Judgement, confirmed, refuted, silent
from verify._students import class_indicators, learning_curve
from verify.claims._training import DECAY, LINEAR, reference

C, P = 5, 5
DELTAS = (0.15, 0.3, 0.45, 0.6)  # top-1 SBT: gamma = Delta/(c-1), margins 0.81 .. 0.25
BOUND_DELTA = 0.05
WORLD = f"RealizableLinear.random({C}, {P}, rng=23)"
TEACHERS = [f"SkillfulButBad({C}, 1, accuracy={1 - d:.2f}, delta={d})" for d in DELTAS]


@dataclass(frozen=True)
class MarginCurve:
    """The top-1 student of one teacher: its excess error per size, its class's population
    minimizer (floor) and its distance from it (estimation), and Theorem L's bound.

    Attributes:
      excess_error: error against the truth (the Bayes error is 0), per size.
      max_error_over_seeds: the largest of those errors per size.
      slope: log-log slope of the excess error.
      floor: the linear population minimizer of the student's loss against Bayes.
      estimation: the students' disagreement with that minimizer, per size, and its rate.
      theorem_l_bound: Theorem L's bound per size (about exact ERM of the set 0/1 loss).
    """

    delta: float
    gamma: float
    margin: float
    excess_error: MeanCI
    max_error_over_seeds: list[float]
    slope: Slope
    floor: Floor
    estimation: Estimation
    theorem_l_bound: list[float]


@dataclass(frozen=True)
class LearningCurves:
    """One learning curve per teacher margin, on shared sizes."""

    sizes: list[int]
    curves: list[MarginCurve]

    def inside(self) -> list[MarginCurve]:
        """The curves of teachers inside the condition (positive margin)."""
        return [c for c in self.curves if c.margin > 0]


def compute_curves(ctx: CellContext) -> LearningCurves:
    """Learning curves of the top-1 (hard-label) student for each teacher margin."""
    world = RealizableLinear.random(C, P, rng=23)
    sizes = ctx.size("sizes")
    held_out = world.sample(ctx.size("eval"), rng=np.random.default_rng(ctx.seed("eval")))
    x_eval, y_eval = held_out
    rule = theory.TopK(1)
    dim = theory.linear_natarajan_dim(C, P)
    curves = []
    for delta in DELTAS:
        teacher = SkillfulButBad(C, 1, accuracy=1 - delta, delta=delta)
        indicators = class_indicators(teacher.membership(np.zeros((1, 1)), rule)[0])
        d_max, g = indicators["delta_max"], indicators["gamma"]
        ref = reference(ctx, world, teacher, "cc", rule, held_out, scope=f"delta {delta}")
        curve = learning_curve(
            world,
            teacher,
            "cc",
            rule,
            sizes=sizes,
            seeds=ctx.learner_seeds(),
            x_eval=x_eval,
            cfg=LINEAR,
        )
        error = curve.disagreement(y_eval)  # Bayes error is 0: excess error = error
        curves.append(
            MarginCurve(
                delta=delta,
                gamma=g,
                margin=1 - d_max - g,
                excess_error=MeanCI.over_seeds(error),
                max_error_over_seeds=error.max(axis=1).tolist(),
                slope=Slope.fit(np.asarray(sizes), error, 1.0 / len(y_eval)),
                floor=ref.floor,
                estimation=Estimation.of(
                    sizes, curve.disagreement(ref.predictions), 1.0 / len(y_eval)
                ),
                theorem_l_bound=[
                    theory.theorem_l_bound(
                        theory.natarajan_epsilon(n, dim, C, BOUND_DELTA), g, d_max
                    )
                    for n in sizes
                ],
            )
        )
    return LearningCurves(list(sizes), curves)


CURVES = CellSpec("learnability/curves", LearningCurves, compute_curves)


def judge_margin(m: LearningCurves, p: float) -> Judgement:
    """On the estimation error (each curve's students against their class's population
    minimizer, which is what a trained student converges to). Refuted when a curve inside
    the condition is shown not to fall (slope's lower end at or above ``p``) or when, at some size,
    a smaller margin's interval lies wholly below a larger margin's (the wrong order,
    intervals apart). Confirmed when every curve falls and, at the largest size, every
    smaller margin's interval lies wholly above the next larger one's. Silent otherwise
    (a slope interval across ``p``, intervals that overlap decide no order), and when no
    teacher is inside."""
    inside = sorted(m.inside(), key=lambda c: -c.margin)
    if not inside:
        return silent("no teacher is inside the condition")
    est = [c.estimation.disagreement for c in inside]
    if not all(np.all(np.isfinite(e.mean + e.ci_low + e.ci_high)) for e in est):
        return refuted("an estimation curve holds values that are not numbers")
    flat = [c.margin for c in inside if c.estimation.stalls(p)]
    if flat:
        return refuted(f"the estimation errors of margins {flat} do not fall")
    pairs = list(zip(range(len(inside) - 1), range(1, len(inside)), strict=True))
    for i, j in pairs:
        for k, n in enumerate(m.sizes):
            if est[j].ci_high[k] < est[i].ci_low[k]:
                return refuted(
                    f"at n = {n} margin {inside[j].margin:.2f} is below margin "
                    f"{inside[i].margin:.2f}, intervals apart"
                )
    open_rate = [c.margin for c in inside if not c.estimation.falls(p)]
    if open_rate:
        return silent(f"whether the estimation errors of margins {open_rate} fall is undecided")
    last = len(m.sizes) - 1
    unclear = [
        f"{inside[j].margin:.2f} vs {inside[i].margin:.2f}"
        for i, j in pairs
        if not est[j].ci_low[last] > est[i].ci_high[last]
    ]
    if unclear:
        return silent(
            f"every estimation error falls, but at n = {m.sizes[last]} the intervals of "
            f"margins {', '.join(unclear)} overlap: no order is decided"
        )
    return confirmed(
        f"every estimation error falls; at n = {m.sizes[last]} a smaller margin's error is "
        "higher, intervals apart, for every pair"
    )


def _margin_summary(m: LearningCurves) -> str:
    return "estimation slopes " + ", ".join(
        f"{c.estimation.slope.slope:.2f} (margin {c.margin:.2f}, floor {c.floor.value:.3f})"
        for c in m.curves
    )


register(
    ClaimSpec(
        id="learnability/margin",
        status="extension",
        title="excess error falls with n, more slowly for a smaller margin",
        section="4",
        statement="The rate degrades like 1/(1 - gamma - Delta_max). On a realizable linear "
        f"world (c = {C}, p = {P}) with top-1 skillful-but-bad teachers of margins 0.81, 0.63, "
        "0.44, 0.25, the top-1 student's estimation error falls with n and is higher for a "
        "smaller margin (the rate itself, a slope, is reported but not judged: neighbouring "
        "slopes are not resolved at these sizes). Theorem L covers exact ERM of the set 0/1 "
        "loss (thm-L tests it on "
        "finite classes); these students minimize a surrogate over the linear class, so they "
        "converge to that class's population minimizer, whose floor is reported: the "
        "estimation error is their disagreement with that minimizer, not with Bayes.",
        predicts=f"every curve's estimation error has a log-log slope below {DECAY} (95% upper "
        "end); at the largest n each smaller margin's error interval lies wholly above the "
        "next larger margin's, and at no n in the wrong order",
        prediction=DECAY,
        needs=(CURVES,),
        measurement=LearningCurves,
        judge=judge_margin,
        summary=_margin_summary,
        setting={
            "world": WORLD,
            "teachers": TEACHERS,
            "student": "linear, L-BFGS, CE on the teacher's top-1",
        },
    )
)


@dataclass(frozen=True)
class BoundViolation:
    """A (margin, n) where Theorem L's bound is below the largest error over seeds."""

    margin: float
    n: int
    bound: float
    max_error: float


@dataclass(frozen=True)
class LinearBound:
    """Theorem L's bound with the linear Natarajan dimension against the same curves."""

    curves_inside: int
    violations: list[BoundViolation]
    smallest_bound: float
    bounds: dict[str, list[float]]
    floors: list[Floor]
    estimation_slopes: list[Slope]


def measure_bound(curves: LearningCurves) -> LinearBound:
    """Compare each inside curve's bound with its largest error over seeds."""
    inside = curves.inside()
    return LinearBound(
        curves_inside=len(inside),
        violations=[
            BoundViolation(c.margin, n, b, e)
            for c in inside
            for n, b, e in zip(curves.sizes, c.theorem_l_bound, c.max_error_over_seeds, strict=True)
            if not b >= e  # a bound or error that is not a number counts against the bound
        ],
        smallest_bound=min((b for c in inside for b in c.theorem_l_bound), default=float("inf")),
        bounds={f"margin {c.margin:.2f}": c.theorem_l_bound for c in inside},
        floors=[c.floor for c in inside],
        estimation_slopes=[c.estimation.slope for c in inside],
    )


def judge_bound(m: LinearBound, p: None) -> Judgement:
    """Refuted by any (margin, n) whose bound is below the largest error; silent when no
    teacher is inside the condition, or when every bound is at least 1 (a bound on an error
    rate that is at least 1 can be below no error: the comparison could not fail)."""
    del p
    if m.curves_inside == 0:
        return silent("no teacher is inside the condition")
    if not m.smallest_bound < 1:
        return silent(
            f"the bound is vacuous at every n (smallest {m.smallest_bound:.2f} >= 1): it "
            "cannot be below any error"
        )
    if m.violations:
        return refuted(f"{len(m.violations)} (margin, n) with the bound below the error")
    return confirmed("the bound is never below the error")


register(
    ClaimSpec(
        id="learnability/bound",
        status="proved",
        title="Theorem L's bound (linear Natarajan dimension) is never below the error",
        section="4",
        statement="Theorem L: R(h_hat) <= 2 eps_m / (1 - gamma - Delta_max), eps_m from "
        f"Natarajan's lemma with the linear dimension c (p + 1) = {C * (P + 1)}, "
        f"delta = {BOUND_DELTA}. (Proved for exact ERM of the set 0/1 loss; the student here "
        "minimizes the CC surrogate, so a violation would be a finding about the surrogate.)",
        predicts="the bound is at least the largest error over seeds at every (margin, n); "
        "silent where the bound is at least 1 everywhere (it could not fail)",
        prediction=None,
        needs=(CURVES,),
        measurement=LinearBound,
        measure=measure_bound,
        judge=judge_bound,
        summary=lambda m: (
            f"{len(m.violations)} violations; the smallest bound is {m.smallest_bound:.2f}"
            + (
                " (above 1 everywhere: vacuous at these sizes)"
                if not m.smallest_bound < 1
                else f", below 1 at {sum(b < 1 for bs in m.bounds.values() for b in bs)} "
                "(margin, n)"
            )
        ),
        setting={"curves": "those of learnability/margin", "delta": BOUND_DELTA},
    )
)


@dataclass(frozen=True)
class Collapse:
    """How much multiplying the error by a power of the margin aligns the curves.

    Attributes:
      curves: how many curves were compared.
      spread_raw, spread_times_margin: mean over sizes of the standard deviation across
        margins of ``log(error)`` and ``log(error x margin)``, where ``error`` is the
        estimation error (the students' disagreement with their class's population
        minimizer: what Theorem L's rate can speak to, the floor aside).
      best_power, spread_at_best_power: the power of the margin that aligns them best.
      spreads: power -> spread, for every power tried.
      floors, estimation_slopes: each curve's linear floor and estimation rate.
    """

    curves: int
    spread_raw: float
    spread_times_margin: float
    best_power: float
    spread_at_best_power: float
    spreads: dict[str, float]
    floors: list[Floor]
    estimation_slopes: list[Slope]


POWERS = np.round(np.arange(0.0, 4.01, 0.1), 2)


def _spread(curves: list[MarginCurve], power: float) -> float:
    logs = np.stack(
        [
            np.log(np.maximum(c.estimation.disagreement.mean, 1e-6)) + power * np.log(c.margin)
            for c in curves
        ]
    )
    return float(logs.std(axis=0).mean())


def measure_collapse(grid: LearningCurves) -> Collapse:
    """The spread across margins for every power in :data:`POWERS`."""
    inside = grid.inside()
    if len(inside) < 2:
        nan = float("nan")
        return Collapse(len(inside), nan, nan, nan, nan, {}, [], [])
    spreads = [_spread(inside, b) for b in POWERS]
    return Collapse(
        curves=len(inside),
        spread_raw=_spread(inside, 0.0),
        spread_times_margin=_spread(inside, 1.0),
        best_power=float(POWERS[int(np.argmin(spreads))]),
        spread_at_best_power=float(min(spreads)),
        spreads={f"{b:g}": s for b, s in zip(POWERS, spreads, strict=True)},
        floors=[c.floor for c in inside],
        estimation_slopes=[c.estimation.slope for c in inside],
    )


def judge_collapse(m: Collapse, p: None) -> Judgement:
    """Confirmed when ``error x margin`` is less spread across margins than the raw error;
    silent with fewer than two curves inside the condition."""
    del p
    if m.curves < 2:
        return silent("fewer than two curves inside the condition")
    if m.spread_times_margin < m.spread_raw:
        return confirmed("multiplying by the margin brings the curves together")
    return refuted("multiplying by the margin does not bring the curves together")


register(
    ClaimSpec(
        id="learnability/collapse",
        status="conjecture",
        title="do learning curves collapse when the error is scaled by the margin?",
        section="4",
        statement="Theorem L bounds the error by 2 eps_m / margin, so if the bound's margin "
        "dependence is what the students show, error x margin is the same curve for every "
        "margin. Probed on the estimation errors of learnability/margin (the students' "
        "disagreement with their class's population minimizer: the linear class's floor is "
        "not something n or the margin can remove).",
        predicts="the spread across margins of log(estimation error x margin) is smaller than "
        "that of log(estimation error)",
        prediction=None,
        needs=(CURVES,),
        measurement=Collapse,
        measure=measure_collapse,
        judge=judge_collapse,
        summary=lambda m: (
            f"spread of log estimation error across margins {m.spread_raw:.3f} raw, "
            f"{m.spread_times_margin:.3f} times the margin; the best collapse is error x "
            f"margin^{m.best_power:.1f} (spread {m.spread_at_best_power:.3f})"
        ),
        setting={"curves": "those of learnability/margin", "powers_tried": "0 to 4 by 0.1"},
    )
)
