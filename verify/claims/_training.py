"""What the claims on trained students share: the student, what "falls toward 0" means, and
how a student is judged against its class's population minimizer.

Kept apart from ``_common`` so that the claims on finite worlds, which train nothing, do not
depend on the trainer's code (a change to it recomputes only the cells that train).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from synth import Distribution
from verify._models import linear
from verify._population import Reference, TargetLaw, class_reference, class_target_law
from verify._records import Estimation, Floor
from verify._spec import CellContext, Judgement, confirmed, refuted, silent
from verify._students import ClassOracles
from verify._train import TrainConfig
from verify.claims._common import holds

#: The linear student of the trained claims: L-BFGS from zero to a small gradient norm. With
#: label sets its objective can have several minimizers: its population reference
#: (verify._population) starts from zero too, and reports the minima of random starts.
LINEAR = TrainConfig(model="linear", optimizer="lbfgs", steps=300, tol=1e-5, l2=1e-4)

#: "Falls toward 0" means the fitted log-log slope's upper 95% end is below this: a decay
#: slower than n^-0.1 would need 10^10 times more data to shrink tenfold, which at these
#: sample sizes is a plateau (a tight interval around -0.03 is not convergence).
DECAY = -0.1

#: A student class "reaches Bayes" when its approximation floor is at most this share of
#: inputs (half a percent: below what the suites' student curves can resolve at n = 3000).
FLOOR_TOL = 0.005


def reference(
    ctx: CellContext,
    world: Distribution,
    teacher,
    learner: str,
    rule,
    held_out: tuple[np.ndarray, np.ndarray],
    *,
    scope: str,
) -> Reference:
    """The linear population minimizer of a class-conditional teacher's students: the
    label law from ``ctx.size("law_draws")`` soft labels per class (or closed form), the
    inputs from ``ctx.size("population")`` draws of the world, both seeded by ``scope``."""
    law = class_target_law(
        teacher, learner, rule, draws=ctx.size("law_draws"), rng=ctx.rng("law", scope)
    )
    fit = world.sample(ctx.size("population"), rng=ctx.rng("population"))
    return class_reference(
        world,
        law,
        linear(),
        fit=fit,
        held_out=held_out,
        l2=LINEAR.l2,
        seed=ctx.seed("starts", scope, learner),
    )


def target_margin(oracles: ClassOracles, law: TargetLaw, learner: str) -> float:
    """The smallest gap, over classes, between the top two entries of the target the
    learner's loss is minimized by over all classifiers: the CC minimizer of the set law
    for ``cc``, ``E[d | y]`` for distillation."""
    return float(np.min(oracles.cc_margin)) if learner == "cc" else law.margin()


@dataclass(frozen=True)
class Reaches:
    """What "the student reaches the Bayes classifier" is judged by: its class's floor is
    at most ``floor_tol`` (the whole 95% interval) and its students' disagreement with the
    class's population minimizer falls (log-log slope's upper end below ``below``)."""

    floor_tol: float = FLOOR_TOL
    below: float = DECAY


def judge_reaches(floor: Floor, estimation: Estimation, p: Reaches) -> Judgement:
    """Refuted by a floor whose interval lies above the tolerance (the class's population
    minimizer is the counterexample) or by students shown not to approach that minimizer
    (slope's lower end at or above ``p.below``); confirmed when the floor's interval is
    below the tolerance and they do approach it (upper end below); silent when the floor's
    interval straddles the tolerance, when the slope's interval straddles ``p.below`` (or
    is not a number), when the minimizer was not solved to its tolerance (a non-convex
    class: its floor is that of wherever the solver stopped), or when fewer than two sizes
    were run."""
    if len(estimation.disagreement.mean) < 2:
        return silent("fewer than two sample sizes: no decay can be fitted")
    if not floor.converged:
        return silent(
            f"the {floor.model} population minimizer was not solved to its tolerance "
            f"(gradient norm {floor.grad_norm:.1e}): its floor {floor.value:.3f} decides nothing"
        )
    lo, hi = floor.ci
    approach = (
        f"students approach it (slope {estimation.slope.slope:.2f}, upper end "
        f"{estimation.slope.ci[1]:.2f})"
    )
    if not holds(lo, p.floor_tol):
        return refuted(
            f"not consistent within the {floor.model} class: its population minimizer "
            f"disagrees with Bayes on {floor.value:.3f} [{lo:.3f}, {hi:.3f}] of inputs "
            f"(tolerance {p.floor_tol:g}); "
            + (approach if estimation.falls(p.below) else "students do not approach it either")
        )
    if estimation.stalls(p.below):
        return refuted(
            f"students do not approach their class's population minimizer (slope lower end "
            f"{estimation.slope.ci[0]:.2f} >= {p.below})"
        )
    if not estimation.falls(p.below):
        return silent(
            f"whether students approach their class's population minimizer is undecided "
            f"(slope {estimation.slope.slope:.2f} [{estimation.slope.ci[0]:.2f}, "
            f"{estimation.slope.ci[1]:.2f}] across {p.below})"
        )
    if not holds(hi, p.floor_tol):
        return silent(
            f"floor {floor.value:.4f} [{lo:.4f}, {hi:.4f}] straddles the tolerance {p.floor_tol:g}"
        )
    return confirmed(f"floor {floor.value:.4f} (upper end {hi:.4f}); " + approach)
