"""The paper's headline: a skillful-but-bad teacher (top-1 accuracy below 30%) whose soft
labels still teach a top-k student nearly as well as the true labels (docs/theory.md section 5)."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

import theory
from synth import GaussianClasses
from verify._losses import Loss
from verify._models import Params, linear
from verify._population import floor_of, one_set_minimizer, population_minimizer
from verify._records import Estimation, Floor, MeanCI
from verify._registry import register
from verify._sbt import SKILLFUL_BUT_BAD, last_below, teacher_probabilities, train_sbt_teachers
from verify._spec import CellContext, CellSpec, ClaimSpec, Judgement, confirmed, refuted, silent
from verify._train import predict, train
from verify.claims._training import LINEAR

C, P, K = 10, 10, 3
TEACHER = replace(SKILLFUL_BUT_BAD, k=K)
WORLD = f"GaussianClasses.random({C}, {P}, separation=3.0, rng=7)"


def _world() -> GaussianClasses:
    return GaussianClasses.random(C, P, separation=3.0, rng=7)


@dataclass(frozen=True)
class Checkpoint:
    """The teacher at one training step, its indicators and its students.

    Attributes:
      step: teacher training step.
      teacher_top1_train, teacher_top1_heldout: its top-1 accuracy on its training sample
        and on a validation sample drawn apart from it (the checkpoint rule reads the latter).
      delta, delta_ci, gamma_cls, gamma_cls_ci: ``Delta_k`` and ``gamma_cls,k`` on the
        training split, with intervals.
      gamma: the essential-supremum ``gamma`` (1 for a teacher that is a function of x).
      student_cc, student_distill: held-out accuracy of its top-k (CC) and distillation
        students.
    """

    step: int
    teacher_top1_train: float
    teacher_top1_heldout: float
    delta: float
    delta_ci: tuple[float, float]
    gamma_cls: float
    gamma_cls_ci: tuple[float, float]
    gamma: float
    student_cc: float
    student_distill: float


@dataclass(frozen=True)
class TeacherRun:
    """One teacher (one seed): its checkpoints, the one the checkpoint rule chose, and the
    true-label student's accuracy.

    Attributes:
      chosen: index of the last checkpoint whose held-out (validation) top-1 accuracy is
        below the target (the rule fixed before training); ``None`` when none is.
      floor_cc, floor_distill: at the chosen checkpoint, the linear population minimizer of
        each student's loss on the teacher's labels of *fresh* inputs, against Bayes (what a
        student of this teacher converges to as it sees more teacher-labelled inputs).
      estimation_cc, estimation_distill: the students' disagreement with that minimizer at
        ``n`` (they learn from the teacher's own training sample, on which a memorizing
        teacher labels differently from fresh inputs).
      fresh_cc, fresh_distill: per size of ``Headline.student_sizes``, the disagreement
        with that minimizer of a student of the chosen checkpoint's labels of fresh inputs
        (what the minimizer is the limit of: the estimation error's rate).
    """

    seed: int
    oracle_accuracy: float
    checkpoints: list[Checkpoint]
    chosen: int | None
    floor_cc: Floor | None = None
    floor_distill: Floor | None = None
    estimation_cc: float | None = None
    estimation_distill: float | None = None
    fresh_cc: list[float] | None = None
    fresh_distill: list[float] | None = None

    def at_choice(self) -> Checkpoint | None:
        """The checkpoint the rule chose, if any."""
        return None if self.chosen is None else self.checkpoints[self.chosen]


#: The target of the checkpoint rule: the paper's "top-1 accuracy below 30%", on held-out data.
TARGET = 0.30


@dataclass(frozen=True)
class Headline:
    """Teachers trained with the skillful-but-bad loss, and their students.

    Attributes:
      n: the teacher's training size (its students learn from the same sample).
      student_sizes: sizes of the students of fresh inputs; estimation: learner -> their
        disagreement with the chosen checkpoint's population minimizer, over the seeds
        whose rule chose a checkpoint, and its rate.
    """

    n: int
    k: int
    teacher: dict[str, float]
    runs: list[TeacherRun]
    bayes_error: float
    student_sizes: list[int]
    estimation: dict[str, Estimation]


def _students(
    x: np.ndarray, soft: list[np.ndarray], sizes: list[int], x_eval: np.ndarray, seed: int
) -> dict[str, np.ndarray]:
    """``[problems, m]`` held-out predictions of CC (top-k sets) and distillation students,
    all trained in one call per learner: problem ``i`` learns from the first ``sizes[i]``
    inputs of ``x [n, p]`` labelled by ``soft[i] [n, c]``."""
    xs = np.repeat(x.T[None], len(soft), axis=0)
    seeds = np.full(len(soft), seed)
    out = {}
    runs: tuple[tuple[str, Loss, list[np.ndarray]], ...] = (
        ("cc", "set", [theory.TopK(K)(d).T for d in soft]),
        ("distill", "soft", [d.T for d in soft]),
    )
    for name, loss, targets in runs:
        cfg = replace(LINEAR, loss=loss)
        stacked = np.stack(targets).astype(np.float32)
        res = train(cfg, xs, stacked, np.asarray(sizes), seeds=seeds)
        out[name] = predict(cfg, res.params, x_eval.T)
    return out


#: The references of a learned teacher stop at a looser gradient norm than the default:
#: with 10 classes and a hundred label sets the last decades cost seconds per seed and
#: moved no prediction on the held-out inputs (measured).
TOL_HERE = 1e-6


def _references(
    ctx: CellContext,
    params: Params,
    hidden: int,
    held_out: tuple[np.ndarray, np.ndarray],
    teacher_seed: int,
) -> dict[str, tuple[Floor, np.ndarray]]:
    """Linear population minimizers of students of the teacher ``params`` on fresh inputs
    (the CC student's: one top-k set per input, from several starts; the distillation
    student's), each with its floor and its predictions on the held-out inputs."""
    world = _world()
    x_fit, _ = world.sample(ctx.size("population"), rng=ctx.rng("population"))
    d = teacher_probabilities(params, x_fit, hidden)
    pops = {
        "cc": one_set_minimizer(
            x_fit,
            theory.TopK(K)(d),
            l2=LINEAR.l2,
            tol=TOL_HERE,
            seed=ctx.seed("starts", teacher_seed),
        ),
        "distill": population_minimizer(
            linear(), x_fit, np.eye(C), d.T, l2=LINEAR.l2, tol=TOL_HERE
        ),
    }
    return {
        name: floor_of(
            pop,
            world,
            held_out,
            f"linear minimizer of the {name} loss on the teacher's labels of {len(x_fit)} "
            f"fresh inputs, float64 Newton to gradient norm {TOL_HERE:g}; floor on "
            f"{len(held_out[1])} fresh inputs",
        )
        for name, pop in pops.items()
    }


def _fresh_students(
    ctx: CellContext,
    params: Params,
    hidden: int,
    x_eval: np.ndarray,
    stream: np.random.SeedSequence,
    seed: int,
) -> dict[str, np.ndarray]:
    """``[sizes, m]`` held-out predictions of students of the teacher ``params``'s labels
    of fresh inputs, one per size of ``ctx.size("student_sizes")`` (nested prefixes of one
    sample)."""
    sizes = list(ctx.size("student_sizes"))
    x, _ = _world().sample(max(sizes), rng=np.random.default_rng(stream))
    d = teacher_probabilities(params, x, hidden)
    return _students(x, [d] * len(sizes), sizes, x_eval, seed)


def compute_headline(ctx: CellContext) -> Headline:
    """Train each teacher, keep checkpoints, and train students from each checkpoint."""
    world = _world()
    n = ctx.size("n")
    cfg = replace(TEACHER, steps=ctx.size("steps"), checkpoints=ctx.size("checkpoints"))
    x_eval, y_eval = world.sample(ctx.size("eval"), rng=np.random.default_rng(ctx.seed("eval")))
    seeds = ctx.learner_seeds("teachers")
    samples = []  # one teacher per seed, each from its own streams
    for seed in seeds:
        train_stream, validation_stream, fresh_stream = np.random.SeedSequence(seed).spawn(3)
        x, y = world.sample(n, rng=np.random.default_rng(train_stream))
        x_val, y_val = world.sample(
            ctx.size("validation"), rng=np.random.default_rng(validation_stream)
        )
        samples.append((x, y, x_val, y_val, fresh_stream))
    taught, steps = train_sbt_teachers(
        np.stack([s[0].T for s in samples]), np.stack([s[1] for s in samples]), cfg, seeds=seeds
    )
    runs = []
    for seed, (x, y, x_val, y_val, fresh_stream), snapshots in zip(
        seeds, samples, taught, strict=True
    ):  # each teacher's students in one call
        soft = [teacher_probabilities(p, x, cfg.hidden) for p in snapshots]
        oracle_cfg = replace(LINEAR, loss="soft")
        oracle = train(
            oracle_cfg,
            x.T[None],
            np.eye(C, dtype=np.float32)[y].T[None],
            np.array([n]),
            seeds=np.array([seed]),
        )
        oracle_acc = float(np.mean(predict(oracle_cfg, oracle.params, x_eval.T)[0] == y_eval))
        students = _students(x, soft, [n] * len(soft), x_eval, seed)
        accuracy = {k: np.mean(v == y_eval, axis=1) for k, v in students.items()}
        checkpoints = []
        for i, (step, params, d) in enumerate(zip(steps, snapshots, soft, strict=True)):
            report = theory.soft_label_report(y, d, ks=[K])
            row = report["per_k"][0]
            held = teacher_probabilities(params, x_val, cfg.hidden).argmax(1) == y_val
            checkpoints.append(
                Checkpoint(
                    step=int(step),
                    teacher_top1_train=float(report["top1_accuracy"]),
                    teacher_top1_heldout=float(np.mean(held)),
                    delta=row["delta"],
                    delta_ci=tuple(row["delta_ci"]),
                    gamma_cls=row["gamma_cls"],
                    gamma_cls_ci=tuple(row["gamma_cls_ci"]),
                    # a teacher that is a function of x puts k >= 2 labels in every set, one
                    # of them wrong, with membership 1: the essential-supremum gamma is 1
                    gamma=1.0,
                    student_cc=float(accuracy["cc"][i]),
                    student_distill=float(accuracy["distill"][i]),
                )
            )
        chosen = last_below([c.teacher_top1_heldout for c in checkpoints], TARGET)
        floors: dict[str, Floor] = {}
        estimation: dict[str, float] = {}
        fresh: dict[str, list[float]] = {}
        if chosen is not None:
            refs = _references(ctx, snapshots[chosen], cfg.hidden, (x_eval, y_eval), seed)
            later = _fresh_students(ctx, snapshots[chosen], cfg.hidden, x_eval, fresh_stream, seed)
            for name, (floor, predictions) in refs.items():
                floors[name] = floor
                estimation[name] = float(np.mean(students[name][chosen] != predictions))
                fresh[name] = np.mean(later[name] != predictions, axis=1).tolist()
        runs.append(
            TeacherRun(
                int(seed),
                oracle_acc,
                checkpoints,
                chosen,
                floor_cc=floors.get("cc"),
                floor_distill=floors.get("distill"),
                estimation_cc=estimation.get("cc"),
                estimation_distill=estimation.get("distill"),
                fresh_cc=fresh.get("cc"),
                fresh_distill=fresh.get("distill"),
            )
        )
    sizes = list(ctx.size("student_sizes"))
    rates = {}
    for name in ("cc", "distill"):
        found = [getattr(r, f"fresh_{name}") for r in runs if r.chosen is not None]
        if found:
            rates[name] = Estimation.of(np.asarray(sizes), np.array(found).T, 1 / len(y_eval))
    return Headline(
        n=n,
        k=K,
        teacher={k: float(v) for k, v in vars(cfg).items()},
        runs=runs,
        bayes_error=float(world.bayes_error().value),
        student_sizes=sizes,
        estimation=rates,
    )


@dataclass(frozen=True)
class HeadlinePrediction:
    """A teacher qualifies when the checkpoint rule found a checkpoint below ``bad`` on
    held-out data and ``Delta_k + gamma_cls,k < 1`` there; the bar is the CC student within
    ``within`` of the true-label student, judged on the mean gap over qualifying seeds."""

    bad: float = TARGET
    within: float = 0.05

    def in_regime(self, c: Checkpoint) -> bool:
        """Below ``bad`` held out and inside the class-level condition."""
        return c.teacher_top1_heldout < self.bad and c.delta + c.gamma_cls < 1

    def outside(self, c: Checkpoint | None) -> bool:
        """Shown outside the regime: no checkpoint chosen, at or above ``bad`` held out, or
        the lower ends of the ``Delta_k`` and ``gamma_cls,k`` intervals summing to 1 or more
        (a point estimate above 1 with intervals across it decides nothing)."""
        if c is None or c.teacher_top1_heldout >= self.bad:
            return True
        return c.delta_ci[0] + c.gamma_cls_ci[0] >= 1

    def qualifying(self, m: Headline) -> list[tuple[TeacherRun, Checkpoint]]:
        """The seeds (with their chosen checkpoint) in the regime the statement is about."""
        out = []
        for run in m.runs:
            c = run.at_choice()
            if c is not None and self.in_regime(c):
                out.append((run, c))
        return out

    def gaps(self, m: Headline) -> np.ndarray:
        """``[qualifying seeds]``: true-label student's accuracy minus the CC student's."""
        return np.array([run.oracle_accuracy - c.student_cc for run, c in self.qualifying(m)])


PREDICTION = HeadlinePrediction()


def judge_headline(m: Headline, p: HeadlinePrediction) -> Judgement:
    """On the mean gap over the seeds whose chosen checkpoint qualifies, with its 95%
    interval: confirmed when the interval's upper end is within the bar, refuted when its
    lower end is beyond it, silent in between. Refuted when no seed produced a qualifying
    teacher and each is shown outside the regime (the teacher's existence is part of the
    statement; see :meth:`HeadlinePrediction.outside`); silent when none qualifies but the
    intervals leave some open, when nothing was measured, or when a single seed qualifies
    (no interval)."""
    if not any(run.checkpoints for run in m.runs):
        return silent("no teacher checkpoint was measured")
    gaps = p.gaps(m)
    if gaps.size == 0:
        open_runs = sum(not p.outside(run.at_choice()) for run in m.runs)
        if open_runs:
            return silent(
                f"no seed's teacher qualifies on the point estimates, but for {open_runs} of "
                f"{len(m.runs)} the intervals of Delta and gamma_cls reach below 1: whether "
                "such a teacher was produced is undecided"
            )
        return refuted(
            f"no seed's teacher has held-out top-1 accuracy below {p.bad:.0%} inside the "
            f"condition at its chosen checkpoint (of {len(m.runs)} seeds, each shown outside)"
        )
    gap = MeanCI.over_seeds(gaps[None])
    mean, lo, hi = gap.mean[0], gap.ci_low[0], gap.ci_high[0]
    text = (
        f"mean gap to the true-label student {mean:.3f} [{lo:.3f}, {hi:.3f}] over "
        f"{gaps.size}/{len(m.runs)} qualifying seeds (bar {p.within:g})"
    )
    if gaps.size < 2:
        return silent(text + ": one qualifying seed gives no interval")
    if not np.isfinite(hi) or lo > p.within:
        return refuted(text)
    if hi <= p.within:
        return confirmed(text)
    return silent(text + ": the interval straddles the bar")


def _summary(m: Headline) -> str:
    qualifying = PREDICTION.qualifying(m)
    if not qualifying:
        return f"no qualifying teacher among {len(m.runs)} seeds"
    held = np.mean([c.teacher_top1_heldout for _, c in qualifying])
    train_acc = np.mean([c.teacher_top1_train for _, c in qualifying])
    cc = np.mean([c.student_cc for _, c in qualifying])
    distill = np.mean([c.student_distill for _, c in qualifying])
    oracle = np.mean([run.oracle_accuracy for run, _ in qualifying])
    gaps = PREDICTION.gaps(m)
    met = int(np.sum(gaps <= PREDICTION.within))
    # for the record only: the verdict reads the chosen checkpoint, fixed in advance
    any_met = sum(
        run.oracle_accuracy - c.student_cc <= PREDICTION.within and PREDICTION.in_regime(c)
        for run in m.runs
        for c in run.checkpoints
    )
    # the floors and the estimation over the same seeds: every one whose rule chose a
    # checkpoint (qualifying or not)
    floors = [run.floor_cc.value for run in m.runs if run.floor_cc is not None]
    floor = ""
    if floors and "cc" in m.estimation:
        e = m.estimation["cc"]
        floor = (
            f"; over the {len(floors)} seeds with a chosen checkpoint: linear CC floor "
            f"{np.mean(floors):.3f} ({min(floors):.3f} to {max(floors):.3f}); students of "
            f"fresh teacher labels disagree with its minimizer on {e.disagreement.mean[0]:.3f} "
            f"at n = {m.student_sizes[0]}, {e.disagreement.mean[-1]:.3f} at n = "
            f"{m.student_sizes[-1]} (slope {e.slope.slope:.2f} [{e.slope.ci[0]:.2f}, "
            f"{e.slope.ci[1]:.2f}])"
        )
    return (
        f"{len(qualifying)}/{len(m.runs)} seeds qualify (teacher top-1 {held:.3f} held out, "
        f"{train_acc:.3f} on its training sample); means: CC student {cc:.3f}, distillation "
        f"{distill:.3f}, true labels {oracle:.3f}; {met}/{len(qualifying)} within the bar"
        + floor
        + f" (at any checkpoint, not the chosen one: {any_met} qualify and meet the bar)"
    )


register(
    ClaimSpec(
        id="sbt/headline",
        status="extension",
        title="a teacher below 30% top-1 accuracy teaches a top-k student to within 5% of "
        "the oracle",
        section="5",
        statement="The paper's headline: a learned teacher with top-1 accuracy below "
        f"{PREDICTION.bad:.0%} on held-out data whose Delta_k + gamma_cls,k < 1 teaches a "
        f"top-{K} (CC) student to within {PREDICTION.within:.0%} of the student trained on the "
        "true labels. The teacher is an MLP trained with L_ce + a1 L_pun + a2 L_comp + "
        "a3 L_rnd on a 10-class Gaussian world; students are linear. Protocol fixed before "
        "training: per seed, the checkpoint is the last one whose top-1 accuracy on a "
        "validation sample is below the target; the verdict is on the mean gap over seeds. "
        "gamma_cls (measured on the training sample) is a lower bound on gamma: for a teacher "
        "that is a function of x the essential-supremum gamma is 1 for k >= 2, so Theorem C "
        "never applies to it as stated and the class-level condition is a heuristic.",
        predicts=f"over the seeds whose chosen checkpoint has held-out top-1 < "
        f"{PREDICTION.bad:.0%} and Delta_k + gamma_cls,k < 1, the mean gap between the "
        f"true-label and CC students has its 95% upper end within {PREDICTION.within:.0%}",
        prediction=PREDICTION,
        needs=(CellSpec("sbt/headline", Headline, compute_headline),),
        measurement=Headline,
        judge=judge_headline,
        summary=_summary,
        setting={
            "world": WORLD,
            "k": K,
            "students": "linear, L-BFGS; CC on top-k sets, distillation on the soft labels",
        },
    )
)
