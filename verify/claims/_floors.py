"""Approximation floors against the student class's width, and MLP students (docs/theory.md
section 3, restricted classes).

A student converges to its class's population minimizer; the class's *floor* is that
minimizer's disagreement with Bayes. Over all classifiers the minimizer is the oracle of
the learner's loss (the CC minimizer per class, ``argmax E[d|x]``), so as the class grows
(linear, then MLPs of growing width) the floor should fall toward that oracle's, which is 0
where the oracle is Bayes. How fast depends on the *margin* of the target: a near tie (the
confuser teacher's ``E[d|y]`` gives the truth 0.316 and the confuser 0.304) flips under any
approximation error.

One cell (``consistency/mlp``) solves every population minimizer and trains the MLP
students; two claims read it: ``floors/width`` and ``consistency/mlp``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

import theory
from synth import Distribution, MixtureClasses, SkillfulButBad, Teacher
from verify._models import Model, linear, mlp
from verify._population import Reference, class_reference, class_target_law
from verify._records import Estimation, Floor, MeanCI
from verify._registry import register
from verify._spec import CellContext, CellSpec, ClaimSpec, Judgement, confirmed, refuted, silent
from verify._students import class_oracles, learning_curve
from verify._train import TrainConfig
from verify.claims._trained import SETTINGS, WORLD, C, P, _world
from verify.claims._training import DECAY, FLOOR_TOL, LINEAR, Reaches, judge_reaches, target_margin

#: A world no linear classifier fits, labelled by a biased teacher inside the condition.
CHECKERBOARD = "MixtureClasses.checkerboard(4, cells=4, scale=0.25)"
CHECKERBOARD_TEACHER = "SkillfulButBad(4, 2, accuracy=0.3, delta=0.2)"
LEARNERS = ("cc", "distill")


@dataclass(frozen=True)
class FloorRow:
    """One (world, teacher, learner): its floors from the linear class to the widest MLP.

    Attributes:
      oracle_is_bayes: the minimizer over all classifiers maps every class to itself.
      target_margin: the smallest gap between the top two entries of that minimizer's
        target (``E[d|y]``, or the CC minimizer), over classes.
      floors: ``linear`` first, then one per MLP width.
    """

    world: str
    teacher: str
    learner: str
    oracle_is_bayes: bool
    target_margin: float
    floors: list[Floor]


@dataclass(frozen=True)
class FloorsByWidth:
    """Floors of every row for the linear class and each MLP width."""

    widths: list[int]
    rows: list[FloorRow]


@dataclass(frozen=True)
class MLPRow:
    """One teacher's MLP students of one learner: the floor of their class, their distance
    from its population minimizer, and from Bayes."""

    teacher: str
    learner: str
    target_margin: float
    floor: Floor
    estimation: Estimation
    disagreement_with_bayes: MeanCI


@dataclass(frozen=True)
class MLPConsistency:
    """MLP students of one width on the consistency teachers the suite names."""

    width: int
    sizes: list[int]
    seeds: int
    student: str
    rows: list[MLPRow]


@dataclass(frozen=True)
class MLPGrid:
    """The cell both claims read: floors by width, and MLP students of one width."""

    floors: FloorsByWidth
    students: MLPConsistency


@dataclass(frozen=True)
class _Row:
    world_name: str
    world: Distribution
    teacher_name: str
    teacher: Teacher
    rule: Any
    students: bool  # MLP students are trained on the consistency world's rows


def _rows_for(ctx: CellContext) -> list[_Row]:
    by_name = {s.name: s for s in SETTINGS}
    rows = [
        _Row("consistency world", _world(), name, by_name[name].teacher(), by_name[name].rule, True)
        for name in ctx.size("teachers")
    ]
    if not ctx.size("checkerboard"):
        return rows
    rows.append(
        _Row(
            "checkerboard",
            MixtureClasses.checkerboard(4, cells=4, scale=0.25),
            "skillful-but-bad",
            SkillfulButBad(4, 2, accuracy=0.3, delta=0.2),
            theory.TopK(2),
            False,
        )
    )
    return rows


def compute_mlp_grid(ctx: CellContext) -> MLPGrid:
    """Population minimizers per row and class, each from the exact (or sampled) label law,
    and learning curves of MLP students of the student width on the consistency world."""
    widths = list(ctx.size("widths"))
    width = int(ctx.size("student_width"))
    if width not in widths:
        raise ValueError(f"student_width {width} must be one of the widths {widths}")
    cfg = TrainConfig(
        model=mlp(width),
        optimizer="adam",
        steps=ctx.size("adam_steps"),
        learning_rate=3e-3,
        l2=LINEAR.l2,
    )
    sizes = ctx.size("sizes")
    floor_rows, student_rows = [], []
    for row in _rows_for(ctx):
        fit = row.world.sample(ctx.size("population"), rng=ctx.rng("population", row.world_name))
        held_out = row.world.sample(ctx.size("eval"), rng=ctx.rng("eval", row.world_name))
        oracles = class_oracles(row.teacher, row.rule, rng=ctx.rng("oracle", row.teacher_name))
        for learner in LEARNERS:
            law = class_target_law(
                row.teacher,
                learner,
                row.rule,
                draws=ctx.size("law_draws"),
                rng=ctx.rng("law", row.teacher_name),
            )
            own = oracles.cc if learner == "cc" else oracles.distill
            margin = target_margin(oracles, law, learner)

            samples = (fit, held_out)
            refs = {
                w: _solve(ctx, row, law, learner, mlp(w), samples, ctx.size("starts"))
                for w in widths
            }
            floor_rows.append(
                FloorRow(
                    world=row.world_name,
                    teacher=row.teacher_name,
                    learner=learner,
                    oracle_is_bayes=bool(np.array_equal(own, np.arange(len(own)))),
                    target_margin=margin,
                    floors=[
                        _solve(ctx, row, law, learner, linear(), samples, None).floor,
                        *(refs[w].floor for w in widths),
                    ],
                )
            )
            if not row.students:
                continue
            curve = learning_curve(
                row.world,
                row.teacher,
                learner,
                row.rule,
                sizes=sizes,
                seeds=ctx.learner_seeds(),
                x_eval=held_out[0],
                cfg=cfg,
            )
            student_rows.append(
                MLPRow(
                    teacher=row.teacher_name,
                    learner=learner,
                    target_margin=margin,
                    floor=refs[width].floor,
                    estimation=Estimation.of(
                        sizes, curve.disagreement(refs[width].predictions), 1 / len(held_out[1])
                    ),
                    disagreement_with_bayes=MeanCI.over_seeds(curve.disagreement(held_out[1])),
                )
            )
    students = MLPConsistency(
        width=width,
        sizes=list(sizes),
        seeds=len(ctx.learner_seeds()),
        student=f"MLP {width}, Adam {cfg.steps} full-batch steps, l2 {cfg.l2:g}",
        rows=student_rows,
    )
    return MLPGrid(FloorsByWidth(widths, floor_rows), students)


def _solve(
    ctx: CellContext,
    row: _Row,
    law: Any,
    learner: str,
    model: Model,
    samples: tuple[Any, Any],
    starts: int | None,
) -> Reference:
    """One class's population minimizer for one row and learner (``starts`` None: the
    class's default, :func:`verify._population.class_reference`)."""
    return class_reference(
        row.world,
        law,
        model,
        fit=samples[0],
        held_out=samples[1],
        l2=LINEAR.l2,
        starts=starts,
        seed=ctx.seed("starts", row.teacher_name, learner, model.name),
        steps=ctx.size("solver_steps"),
        tol=1e-6,
    )


GRID = CellSpec("consistency/mlp", MLPGrid, compute_mlp_grid)


def judge_floors(m: FloorsByWidth, p: None) -> Judgement:
    """Over the rows whose minimizer over all classifiers is Bayes: confirmed when the
    widest MLP's floor lies below the linear floor in every row (intervals apart), refuted
    by a row where it lies above it (intervals apart), silent otherwise or without MLPs."""
    del p
    rows = [r for r in m.rows if r.oracle_is_bayes]
    if not m.widths or not rows:
        return silent("no MLP width, or no row whose oracle is Bayes")
    worse = [r for r in rows if r.floors[-1].ci[0] > r.floors[0].ci[1]]
    if worse:
        r = worse[0]
        return refuted(
            f"{r.world}, {r.teacher}, {r.learner}: width {m.widths[-1]} floor "
            f"{r.floors[-1].value:.3f} above the linear {r.floors[0].value:.3f}"
        )
    unclear = [r for r in rows if not r.floors[-1].ci[1] < r.floors[0].ci[0]]
    if unclear:
        r = unclear[0]
        return silent(
            f"{r.world}, {r.teacher}, {r.learner}: width {m.widths[-1]} floor "
            f"{r.floors[-1].value:.3f} not apart from the linear {r.floors[0].value:.3f} "
            f"(target margin {r.target_margin:.3f})"
        )
    reached = sum(r.floors[-1].ci[1] <= FLOOR_TOL for r in rows)
    unsolved = sum(not f.converged for r in rows for f in r.floors)
    return confirmed(
        f"the widest MLP's floor is below the linear one in all {len(rows)} rows; "
        f"below {FLOOR_TOL:g} in {reached} ({unsolved} of the solves stopped at their "
        "iteration cap: a better minimizer could only be found further from the start)"
    )


def _floors_summary(m: FloorsByWidth) -> str:
    parts = []
    for r in m.rows:
        values = "/".join(f"{f.value:.3f}" for f in r.floors)
        world = "" if r.world == "consistency world" else f" ({r.world})"
        parts.append(f"{r.teacher}{world} {r.learner} {values} (margin {r.target_margin:.3f})")
    return "floors linear/" + "/".join(f"mlp{w}" for w in m.widths) + ": " + "; ".join(parts)


def _floors_table(m: FloorsByWidth) -> str:
    head = ["world", "teacher", "learner", "oracle is Bayes", "target margin", "linear"]
    head += [f"MLP {w}" for w in m.widths]
    lines = ["| " + " | ".join(head) + " |", "|---" * len(head) + "|"]
    for r in m.rows:
        cells = [r.world, r.teacher, r.learner, str(r.oracle_is_bayes), f"{r.target_margin:.3f}"]
        cells += [f"{f.value:.3f} [{f.ci[0]:.3f}, {f.ci[1]:.3f}]" for f in r.floors]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


register(
    ClaimSpec(
        id="floors/width",
        status="conjecture",
        title="does a wider student class lower the approximation floor?",
        section="3",
        statement="A student minimizing a surrogate over a class converges to the class's "
        "population minimizer; its floor (disagreement with Bayes) can be positive even on "
        "a realizable world. Over all classifiers the minimizer is the loss's oracle, so where "
        "that oracle is Bayes, growing the class (linear, then one-hidden-layer MLPs of "
        "growing width) should lower the floor. Measured on the consistency teachers the "
        "suite names and (paper and full suites) on a checkerboard world (which no linear "
        "classifier fits) with "
        f"{CHECKERBOARD_TEACHER} labels; the target's margin is reported as the cause of "
        "slow progress.",
        predicts="in every row whose minimizer over all classifiers is Bayes, the widest "
        "MLP's floor interval lies below the linear floor's",
        prediction=None,
        needs=(GRID,),
        measurement=FloorsByWidth,
        measure=lambda grid: grid.floors,
        judge=judge_floors,
        summary=_floors_summary,
        table=_floors_table,
        setting={
            "worlds": [WORLD, CHECKERBOARD],
            "classes": "linear and one-hidden-layer ReLU MLPs, l2 1e-4",
            "solver": "from the exact (or sampled) label law: linear by Newton's method in "
            "float64, MLPs by L-BFGS in float32 (optax), best of several starts",
        },
    )
)


def judge_mlp(m: MLPConsistency, p: Reaches) -> Judgement:
    """Every row judged as a linear consistency claim is (:func:`judge_reaches`): refuted by
    the first refuted row (its floor is the counterexample), confirmed when every row is,
    silent otherwise."""
    if not m.rows:
        return silent("no teacher was run")
    verdicts = [(r, judge_reaches(r.floor, r.estimation, p)) for r in m.rows]
    against = [(r, j) for r, j in verdicts if j.verdict == "refuted"]
    if against:  # the strongest counterexample: the floor whose interval is highest
        r, j = max(against, key=lambda pair: pair[0].floor.ci[0])
        return refuted(
            f"{r.teacher}, {r.learner} (target margin {r.target_margin:.3f}): " + j.reason
        )
    for r, j in verdicts:
        if j.verdict == "silent":
            return silent(f"{r.teacher}, {r.learner}: " + j.reason)
    return confirmed(f"all {len(m.rows)} rows reach Bayes")


def _mlp_summary(m: MLPConsistency) -> str:
    return f"MLP {m.width} floors: " + "; ".join(
        f"{r.teacher} {r.learner} {r.floor.value:.3f} (students at n = {m.sizes[-1]}: "
        f"{r.disagreement_with_bayes.mean[-1]:.3f} from Bayes, "
        f"{r.estimation.disagreement.mean[-1]:.3f} from the floor's minimizer)"
        for r in m.rows
    )


register(
    ClaimSpec(
        id="consistency/mlp",
        status="extension",
        title="do MLP students on the consistency teachers reach Bayes?",
        section="3",
        statement="The consistency claims with one-hidden-layer MLP students instead of linear "
        f"ones, on the same realizable linear world (c = {C}, p = {P}) and teachers: per "
        "teacher and learner (CC, distillation), the MLP class's approximation floor (its "
        "population minimizer of the student's own objective, best of several starts, "
        "against Bayes) and the estimation error (Adam-trained students against that "
        "minimizer). A wider class can represent the loss's oracle more closely than the "
        "linear one, but a small target margin (the confuser's E[d|y]) flips under any "
        "approximation error.",
        predicts=f"in every row the floor's 95% interval lies below {FLOOR_TOL:g} and the "
        f"estimation error falls (log-log slope's upper end below {DECAY})",
        prediction=Reaches(),
        needs=(GRID,),
        measurement=MLPConsistency,
        measure=lambda grid: grid.students,
        judge=judge_mlp,
        summary=_mlp_summary,
        setting={
            "world": WORLD,
            "teachers": [s.describe for s in SETTINGS],
            "floor": "MLP population minimizer, float32 L-BFGS (optax), best of several starts",
        },
    )
)
