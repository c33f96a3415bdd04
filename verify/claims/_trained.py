"""Claims on JAX-trained students in continuous worlds (docs/theory.md sections 3 and 5).

Each cell's whole grid (sample sizes x seeds) trains in one compiled call, so a stopped run
resumes cell by cell.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

import theory
from synth import (
    AdditiveNoise,
    BayesTeacher,
    ConfuserTeacher,
    GaussianClasses,
    PartialLabels,
    RealizableLinear,
    SkillfulButBad,
    Teacher,
)
from verify._models import linear
from verify._population import TOL, floor_of, population_minimizer
from verify._records import Estimation, Floor, MeanCI, Slope
from verify._registry import register
from verify._spec import CellContext, CellSpec, ClaimSpec, Judgement, confirmed, refuted, silent
from verify._students import Evaluation, class_indicators, class_oracles, learning_curve
from verify._train import TrainConfig
from verify.claims._common import holds
from verify.claims._training import (
    DECAY,
    FLOOR_TOL,
    LINEAR,
    Reaches,
    judge_reaches,
    reference,
    target_margin,
)


@dataclass(frozen=True)
class Setting:
    """A world, a teacher and its set rule, as a consistency claim runs them."""

    name: str
    describe: str
    teacher: Callable[[], Teacher]
    rule: Any


C, P = 5, 5  # the realizable world of the consistency claims: 5 classes in R^5
WORLD = f"RealizableLinear.random({C}, {P}, rng=11)"
SETTINGS = [
    Setting(
        "sbt",
        "skillful-but-bad, k = 2, top-1 accuracy 0.2, Delta = 0.3",
        lambda: SkillfulButBad(C, 2, accuracy=0.2, delta=0.3),
        theory.TopK(2),
    ),
    Setting(
        "partial",
        "partial labels, Delta = 0.3, gamma = 0.4 (support sets)",
        lambda: PartialLabels.from_targets(C, delta=0.3, gamma=0.4),
        theory.Support(),
    ),
    Setting(
        "confuser",
        "fixed confuser, k = 2, Delta = 0.2, gamma = 0.6, accuracy 0.3",
        lambda: ConfuserTeacher(C, 2, 0.2, 0.6, accuracy=0.3),
        theory.TopK(2),
    ),
    Setting(
        "noise",
        "additive Gaussian noise with Delta_2 = 0.3, tau = 0.5",
        lambda: AdditiveNoise.from_delta(C, 2, 0.3, tau=0.5),
        theory.TopK(2),
    ),
]
LEARNERS = ("cc", "distill")


def _world() -> RealizableLinear:
    return RealizableLinear.random(C, P, rng=11)


def _evaluation_sample(ctx: CellContext) -> tuple[np.ndarray, np.ndarray]:
    # Every consistency cell shares its seed scope, hence this sample and the student
    # seeds: curves differ only by teacher and learner.
    return _world().sample(ctx.size("eval"), rng=np.random.default_rng(ctx.seed("eval")))


@dataclass(frozen=True)
class Indicators:
    """``Delta``, ``Delta_max`` and ``gamma`` of a teacher's set rule (classes uniform)."""

    delta: float
    delta_max: float
    gamma: float


@dataclass(frozen=True)
class Oracles:
    """What each population minimizer predicts when the true class is ``y`` (``[c]``)."""

    set_risk: list[int]
    distill: list[int]
    cc: list[int]
    cc_margin: list[float]
    how: dict[str, str]


@dataclass(frozen=True)
class ConsistencyGrid:
    """One teacher's students of one learner over sizes and seeds, and the population
    minimizer of their objective within the linear class.

    Attributes:
      teacher, learner: which students.
      sizes: training-set sizes; seeds: students per size.
      evaluation: accuracy and agreement with Bayes and every oracle, per size.
      indicators: of the teacher's rule; oracles: the minimizers over *all* classifiers,
        per class.
      floor: the linear class's population minimizer against Bayes (the approximation floor).
      estimation: the students against that minimizer, per size, and its rate.
      target_margin: the smallest gap, over classes, between the top two entries of the
        target the loss is minimized by over all classifiers (``E[d | y]`` for distillation,
        the CC minimizer for CC): a small one makes the argmax fragile under any
        approximation.
      disagreement_with_bayes, disagreement_with_own_oracle: means over seeds per size.
    """

    teacher: str
    learner: str
    sizes: list[int]
    seeds: int
    evaluation: Evaluation
    indicators: Indicators
    oracles: Oracles
    floor: Floor
    estimation: Estimation
    target_margin: float
    disagreement_with_bayes: MeanCI
    disagreement_with_own_oracle: MeanCI


@dataclass(frozen=True)
class Ceiling:
    """Students of the true labels on the consistency world: accuracy per size."""

    sizes: list[int]
    accuracy: list[float]


@dataclass(frozen=True)
class Consistency:
    """A consistency claim's measurement: its grid and the shared true-label ceiling."""

    grid: ConsistencyGrid
    ceiling: Ceiling


def _grid_cell(setting: Setting, learner: str) -> CellSpec[ConsistencyGrid]:
    def compute(ctx: CellContext) -> ConsistencyGrid:
        teacher = setting.teacher()
        x_eval, y_eval = _evaluation_sample(ctx)
        oracles = class_oracles(
            teacher, setting.rule, rng=np.random.default_rng(ctx.seed("oracle", ctx.cell))
        )
        ref = reference(
            ctx, _world(), teacher, learner, setting.rule, (x_eval, y_eval), scope=ctx.cell
        )
        sizes = ctx.size("sizes")
        curve = learning_curve(
            _world(),
            teacher,
            learner,
            setting.rule,
            sizes=sizes,
            seeds=ctx.learner_seeds(),
            x_eval=x_eval,
            cfg=LINEAR,
        )
        own = oracles.cc if learner == "cc" else oracles.distill
        resolution = 1.0 / len(y_eval)
        mapped = {
            "set_risk": oracles.set_risk[y_eval],
            "distill": oracles.distill[y_eval],
            "cc": oracles.cc[y_eval],
            "population_minimizer": ref.predictions,
        }
        margin = target_margin(oracles, ref.law, learner)
        return ConsistencyGrid(
            teacher=setting.name,
            learner=learner,
            sizes=list(sizes),
            seeds=len(curve.seeds),
            evaluation=curve.evaluate(y_eval, y_eval, 0.0, mapped),
            indicators=Indicators(**oracles.indicators),
            oracles=Oracles(
                set_risk=oracles.set_risk.tolist(),
                distill=oracles.distill.tolist(),
                cc=oracles.cc.tolist(),
                cc_margin=oracles.cc_margin.tolist(),
                how=oracles.how,
            ),
            floor=ref.floor,
            estimation=Estimation.of(sizes, curve.disagreement(ref.predictions), resolution),
            target_margin=margin,
            disagreement_with_bayes=MeanCI.over_seeds(curve.disagreement(y_eval)),
            disagreement_with_own_oracle=MeanCI.over_seeds(curve.disagreement(own[y_eval])),
        )

    return CellSpec(
        f"consistency/{setting.name}/{learner}",
        ConsistencyGrid,
        compute,
        sizes="consistency",
        scope="consistency",
    )


def compute_ceiling(ctx: CellContext) -> Ceiling:
    """Students of the true labels on the consistency world's samples."""
    setting = SETTINGS[0]  # the teacher labels nothing the true-label student sees
    x_eval, y_eval = _evaluation_sample(ctx)
    sizes = ctx.size("sizes")
    curve = learning_curve(
        _world(),
        setting.teacher(),
        "truth",
        setting.rule,
        sizes=sizes,
        seeds=ctx.learner_seeds(),
        x_eval=x_eval,
        cfg=LINEAR,
    )
    return Ceiling(list(sizes), curve.evaluate(y_eval, y_eval, 0.0, {}).accuracy)


CEILING = CellSpec(
    "consistency/ceiling", Ceiling, compute_ceiling, sizes="consistency", scope="consistency"
)


def judge_consistency(m: Consistency, p: Reaches) -> Judgement:
    """The linear student reaches Bayes iff its class's floor is below the tolerance and
    its students approach the class's population minimizer (:func:`judge_reaches`)."""
    return judge_reaches(m.grid.floor, m.grid.estimation, p)


def _consistency_summary(m: Consistency) -> str:
    g = m.grid
    return (
        f"floor {g.floor.value:.3f} [{g.floor.ci[0]:.3f}, {g.floor.ci[1]:.3f}] "
        f"(target margin {g.target_margin:.3f}); at n = {g.sizes[-1]}: "
        f"{g.disagreement_with_bayes.mean[-1]:.3f} from Bayes, "
        f"{g.estimation.disagreement.mean[-1]:.3f} from the floor's minimizer (slope "
        f"{g.estimation.slope.slope:.2f})"
    )


for _setting in SETTINGS:
    for _learner in LEARNERS:
        register(
            ClaimSpec(
                id=f"consistency/{_setting.name}/{_learner}",
                status="extension",
                title=f"does a linear {_learner} student on {_setting.name} labels reach Bayes?",
                section="3",
                statement=f"On a learner Theorem C does not cover ({_learner}, over the linear "
                f"class): with {_setting.describe} on a realizable linear world (c = {C}, "
                f"p = {P}), Delta_max + gamma < 1, does a linear student reach the Bayes "
                "classifier as n grows? Two parts, judged separately (docs/theory.md section 3, "
                "restricted classes): the approximation floor (the linear class's population "
                "minimizer of the student's own objective, against Bayes) and the estimation "
                "error (the students against that minimizer). Over all classifiers the "
                + (
                    "CC minimizer per class is reported beside it."
                    if _learner == "cc"
                    else "distillation minimizer is argmax E[d|x], reported beside it."
                ),
                predicts=f"the floor's 95% interval lies below {FLOOR_TOL:g} and the students' "
                "disagreement with the class's population minimizer falls (log-log slope's "
                f"95% upper end below {DECAY})",
                prediction=Reaches(),
                needs=(_grid_cell(_setting, _learner), CEILING),
                measurement=Consistency,
                measure=Consistency,
                judge=judge_consistency,
                summary=_consistency_summary,
                setting={
                    "world": WORLD,
                    "teacher": _setting.describe,
                    "rule": _setting.rule.name,
                    "learner": _learner,
                    "student": "linear, L-BFGS, l2 1e-4",
                    "floor": "linear population minimizer, float64 (see floor.method)",
                },
            )
        )


# --- Beyond the boundary -----------------------------------------------------------------


@dataclass(frozen=True)
class AgreementCurve:
    """One learner's students beyond the boundary.

    Attributes:
      agreement_with_bayes: per size, means over seeds.
      floor: the linear population minimizer against Bayes (its disagreement: 1 is the
        flipped classifier).
      estimation: the students against that minimizer.
    """

    agreement_with_bayes: MeanCI
    floor: Floor
    estimation: Estimation


@dataclass(frozen=True)
class BeyondBoundary:
    """Both learners of a teacher beyond the boundary (``Delta + gamma > 1``)."""

    sizes: list[int]
    indicators: Indicators
    cc: AgreementCurve
    distill: AgreementCurve


BEYOND_TEACHER = "SkillfulButBad(2, 1, accuracy=0.3, delta=0.7)"


def compute_beyond(ctx: CellContext) -> BeyondBoundary:
    """Students of a c = 2 teacher whose top-1 label is wrong with probability 0.7."""
    world = RealizableLinear.random(2, 3, rng=5)
    teacher = SkillfulButBad(2, 1, accuracy=0.3, delta=0.7)
    rule = theory.TopK(1)
    indicators = Indicators(**class_indicators(teacher.membership(np.zeros((1, 1)), rule)[0]))
    held_out = world.sample(ctx.size("eval"), rng=np.random.default_rng(ctx.seed("eval")))
    sizes = ctx.size("sizes")
    curves = {}
    for learner in LEARNERS:
        ref = reference(ctx, world, teacher, learner, rule, held_out, scope=learner)
        curve = learning_curve(
            world,
            teacher,
            learner,
            rule,
            sizes=sizes,
            seeds=ctx.learner_seeds(),
            x_eval=held_out[0],
            cfg=LINEAR,
        )
        resolution = 1.0 / len(held_out[1])
        curves[learner] = AgreementCurve(
            MeanCI.over_seeds(1 - curve.disagreement(held_out[1])),
            ref.floor,
            Estimation.of(sizes, curve.disagreement(ref.predictions), resolution),
        )
    return BeyondBoundary(list(sizes), indicators, curves["cc"], curves["distill"])


def judge_beyond(m: BeyondBoundary, p: float) -> Judgement:
    """Confirmed when, for both learners, the linear population minimizer agrees with Bayes
    on less than ``p`` of inputs (whole interval) and the students approach it (slope's
    upper end below DECAY); refuted by a minimizer that agrees more or by students shown
    not to approach it (slope's lower end at or above DECAY); silent when the slopes leave
    it open, or unless the teacher is beyond ``Delta + gamma = 1``."""
    total = m.indicators.delta + m.indicators.gamma
    if total <= 1:
        return silent(f"Delta + gamma = {total:.3f} is not beyond the boundary")
    for name, curve in (("cc", m.cc), ("distill", m.distill)):
        agree_hi = 1 - curve.floor.ci[0]
        if not agree_hi < p:
            return refuted(
                f"the {name} population minimizer agrees with Bayes on up to {agree_hi:.3f}"
            )
        if curve.estimation.stalls(DECAY):
            return refuted(f"the {name} students do not approach their population minimizer")
    undecided = [
        n for n, c in (("cc", m.cc), ("distill", m.distill)) if not c.estimation.falls(DECAY)
    ]
    if undecided:
        return silent(
            "both population minimizers are flipped; whether the "
            f"{' and '.join(undecided)} students approach them is undecided at these sizes "
            f"(slope intervals across {DECAY})"
        )
    return confirmed("both population minimizers are flipped, and the students approach them")


register(
    ClaimSpec(
        id="beyond-boundary",
        status="proved",
        title="Delta + gamma > 1 (c = 2 tightness): students learn the flipped classifier",
        section="3",
        statement="Tightness: with Delta + gamma > 1 the top-k risk minimizer is the wrong "
        "classifier. Continuous version: c = 2, realizable linear world, the top-1 label is "
        "wrong with probability 0.7 (Delta = gamma = 0.7, Delta + gamma = 1.4).",
        predicts="the linear population minimizer of each learner agrees with Bayes on less "
        "than 1/2 of inputs (the flipped classifier) and the students approach it (log-log "
        f"slope's upper end below {DECAY})",
        prediction=0.5,
        needs=(CellSpec("beyond-boundary", BeyondBoundary, compute_beyond),),
        measurement=BeyondBoundary,
        judge=judge_beyond,
        summary=lambda m: (
            f"population minimizers agree with Bayes on {1 - m.cc.floor.value:.3f} (cc), "
            f"{1 - m.distill.floor.value:.3f} (distill); students at n = {m.sizes[-1]}: "
            f"{m.cc.agreement_with_bayes.mean[-1]:.3f}, "
            f"{m.distill.agreement_with_bayes.mean[-1]:.3f}"
        ),
        setting={
            "world": "RealizableLinear.random(2, 3, rng=5)",
            "teacher": BEYOND_TEACHER,
            "learners": ["cc (top-1 sets)", "distill"],
        },
    )
)


# --- Well specified ----------------------------------------------------------------------


@dataclass(frozen=True)
class ParameterCurve:
    """Distance of a linear student's (shift-centred) parameters from the truth, per size."""

    parameter_error: MeanCI
    max_parameter_error: float
    slope: Slope
    converged_fraction: float
    estimation: Estimation


@dataclass(frozen=True)
class WellSpecified:
    """The distilled (``d = eta(x)``) and hard-label students of a Gaussian world, and the
    linear population minimizer both converge to (the posterior: ``E[d | x] = eta(x)`` and
    ``E[onehot(y) | x] = eta(x)``), whose floor against Bayes is 0 here."""

    sizes: list[int]
    floor: Floor
    distill: ParameterCurve
    truth: ParameterCurve


def compute_well_specified(ctx: CellContext) -> WellSpecified:
    """Parameter errors of both students over sizes and seeds."""
    world = GaussianClasses(
        means=[[1.0, 0.0, 0.0, 0.5], [-0.5, 1.0, 0.0, 0.0], [0.0, -0.5, 1.0, -0.5]],
        cov=np.eye(4),
    )
    sizes = ctx.size("sizes")
    held_out = world.sample(ctx.size("eval"), rng=ctx.rng("eval"))
    x_eval = held_out[0]
    cfg = TrainConfig(model="linear", optimizer="lbfgs", steps=500, tol=1e-6, l2=0.0)
    w_true, b_true = world.linear_posterior()
    x_fit, _ = world.sample(ctx.size("population"), rng=ctx.rng("population"))
    pop = population_minimizer(linear(), x_fit, np.eye(3), world.posterior(x_fit).T, l2=0.0)
    floor, population = floor_of(
        pop,
        world,
        held_out,
        f"linear minimizer of the expected soft cross-entropy to eta(x) over {len(x_fit)} "
        f"inputs, float64 L-BFGS to gradient norm {TOL:g}; floor on {len(x_eval)} fresh inputs",
    )

    def centered(w: np.ndarray, b: np.ndarray) -> np.ndarray:
        # softmax is unchanged by adding one vector to every class: compare centred params
        full = np.concatenate([w, b[..., None]], axis=-1)
        return full - full.mean(axis=-2, keepdims=True)

    truth = centered(w_true.T, b_true)
    out = {}
    for learner in ("distill", "truth"):
        curve = learning_curve(
            world,
            BayesTeacher(world),
            learner,
            None,
            sizes=sizes,
            seeds=ctx.learner_seeds(),
            x_eval=x_eval,
            cfg=cfg,
        )
        fit = centered(curve.params["W"], curve.params["b"])
        error = np.sqrt(np.sum((fit - truth) ** 2, axis=(-2, -1)))
        out[learner] = ParameterCurve(
            parameter_error=MeanCI.over_seeds(error),
            max_parameter_error=float(error.max()),
            slope=Slope.fit(np.asarray(sizes), error, 0.0),
            converged_fraction=float(curve.converged.mean()),
            estimation=Estimation.of(sizes, curve.disagreement(population), 1.0 / len(x_eval)),
        )
    return WellSpecified(list(sizes), floor, out["distill"], out["truth"])


#: Parameter agreement expected of the distilled student: L-BFGS stops at gradient norm
#: 1e-6 in float32, which leaves parameter errors near 1e-5; 1e-3 leaves room for the
#: conditioning of small samples without admitting any statistical error (0.1 at n = 300).
PARAMETER_TOL = 1e-3


def judge_well_specified(m: WellSpecified, p: float) -> Judgement:
    """Confirmed when every distilled student is within ``p`` of the truth and the
    hard-label student's error falls (slope's upper end below 0); its error shown not to
    fall (lower end at or above 0) refutes, an interval across 0 is silent. A distilled student
    farther than ``p`` refutes if it reached its empirical minimizer (the statement's
    object); if it did not, the measurement says nothing about the statement: silent. The
    linear population minimizer is the posterior, so its floor must lie within the floor
    tolerance of 0."""
    if not holds(m.floor.ci[0], FLOOR_TOL):
        return refuted(f"the population minimizer's floor is {m.floor.value:.4f}, not 0")
    if not holds(m.distill.max_parameter_error, p):
        if m.distill.converged_fraction < 1:
            return silent("far from the truth, but some students did not reach their minimizer")
        return refuted(f"a distilled student is {m.distill.max_parameter_error:.2g} from the truth")
    if m.truth.slope.ci[0] >= 0:
        return refuted("the hard-label student's parameter error does not fall")
    if not m.truth.slope.ci[1] < 0:
        return silent(
            "distillation recovers the truth at every n; whether the hard-label student "
            "converges is undecided at these sizes (slope interval across 0)"
        )
    return confirmed("distillation recovers the truth at every n; hard labels converge")


register(
    ClaimSpec(
        id="well-specified",
        status="proved",
        title="Bayes teacher, Gaussian classes: the distilled linear student recovers the "
        "posterior",
        section="3",
        statement="Distillation minimizer E[d|x]: with the Bayes teacher d = eta(x) on Gaussian "
        "classes with shared covariance, eta is softmax-linear, so a linear distillation "
        "student (no weight decay) is well specified: its empirical minimizer is the true "
        "posterior at every n (the gradient sum_i (p(x_i) - eta(x_i)) x_i vanishes there), "
        "while a student of sampled hard labels only converges at the parametric rate.",
        predicts=f"distilled parameters within {PARAMETER_TOL:g} of the truth at every n "
        "(shift-centred); the hard-label student's error shrinks (log-log slope below 0, "
        "parametric rate -1/2)",
        prediction=PARAMETER_TOL,
        needs=(CellSpec("well-specified", WellSpecified, compute_well_specified),),
        measurement=WellSpecified,
        judge=judge_well_specified,
        summary=lambda m: (
            f"distill: largest parameter error {m.distill.max_parameter_error:.1e} "
            f"at every n; hard labels: slope {m.truth.slope.slope:.2f} "
            f"[{m.truth.slope.ci[0]:.2f}, {m.truth.slope.ci[1]:.2f}], error "
            f"{m.truth.parameter_error.mean[-1]:.3f} at n = {m.sizes[-1]}; floor "
            f"{m.floor.value:.4f}"
        ),
        setting={
            "world": "3 Gaussian classes in R^4, identity covariance",
            "students": "linear, L-BFGS to gradient norm 1e-6, l2 0; distill (d = eta(x)) "
            "and truth (one-hot sampled y)",
        },
    )
)
