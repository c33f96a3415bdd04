"""Incomplete supervision and self-training (docs/theory.md section 5).

Each point is labeled (one-hot truth) with probability ``p`` independently of ``x``, else it
gets the current teacher's soft label. Round 0's teacher is a student of the labeled points
alone; round ``t + 1``'s student learns from round ``t``'s mixture and becomes the next
teacher. With top-1 sets and a teacher ``t(x)`` (deterministic given ``x``):
``Delta(x, y) = (1-p) 1(t(x) != y)``, so ``Delta = (1-p) err``, and
``Delta_max = gamma = (1-p) 1(err > 0)``: once ``p > 1/2``, ``Delta_max + gamma <= 2 (1-p) < 1``
for every teacher.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from synth import RealizableLinear
from verify._models import linear
from verify._population import TOL, floor_of, population_minimizer
from verify._records import Estimation, Floor
from verify._registry import register
from verify._spec import CellContext, CellSpec, ClaimSpec, Judgement, confirmed, refuted, silent
from verify._train import predict, probabilities_each, train
from verify.claims._training import LINEAR

C, P = 5, 5
FRACTIONS = (0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)


@dataclass(frozen=True)
class Round:
    """One self-training round's teachers, one entry per (size, fraction, seed) problem.

    Attributes:
      round: ``t`` (0: the student of the labeled points alone).
      accuracy: held-out accuracy of the round-``t`` teacher.
      delta, delta_max, gamma: of the mixture it labels, top-1 sets (docs/theory.md section 5:
        ``(1-p) err``, ``(1-p) 1(err > 0)`` twice).
      gamma_cls: class-level ambiguity of the mixture, from the held-out confusion matrix.
      floor: per fraction, the round-``t`` model of the *population* trajectory (each
        round the linear minimizer of the expected loss on the previous round's
        population model's labels) against Bayes.
      estimation: per fraction, the students' disagreement with that model per size.
    """

    round: int
    accuracy: list[float]
    delta: list[float]
    delta_max: list[float]
    gamma: list[float]
    gamma_cls: list[float]
    floor: list[Floor]
    estimation: list[Estimation]


@dataclass(frozen=True)
class SelfTraining:
    """Self-training trajectories for every labeled fraction ``p``, size and seed.

    Attributes:
      fractions, sizes, seeds, rounds: the grid; n: the largest size (what the tables show).
      problem_fraction, problem_size: ``p`` and ``n`` of each problem (size-major, then
        fraction, then seed).
      trajectory: one :class:`Round` per round.
    """

    fractions: list[float]
    sizes: list[int]
    seeds: int
    n: int
    rounds: int
    problem_fraction: list[float]
    problem_size: list[int]
    trajectory: list[Round]

    def by_fraction(self, values: list[float]) -> dict[str, float]:
        """Mean over seeds, at the largest size, of per-problem ``values``, keyed by ``p``
        (as ``f"{p:g}"``)."""
        arr, f = np.asarray(values), np.asarray(self.problem_fraction)
        at_n = np.asarray(self.problem_size) == self.n
        return {f"{p:g}": float(arr[(f == p) & at_n].mean()) for p in self.fractions}


def population_trajectory(
    world: RealizableLinear,
    x: np.ndarray,
    rounds: int,
    held_out: tuple[np.ndarray, np.ndarray],
    fractions: tuple[float, ...] = FRACTIONS,
) -> list[list[tuple[Floor, np.ndarray]]]:
    """``[rounds + 1][fractions]`` floors and held-out predictions of the population
    trajectory: round 0 minimizes the expected loss on the true labels; round ``t + 1``
    on ``p eta(x) + (1 - p) softmax(f_t(x))``, the mixture's expected soft label."""
    eta = world.posterior(x)
    eye = np.eye(C)
    method = (
        f"linear minimizer of the expected soft cross-entropy over {len(x)} inputs, float64 "
        f"Newton to gradient norm {TOL:g}; floor on {len(held_out[1])} fresh inputs"
    )
    first = population_minimizer(linear(), x, eye, eta.T, l2=LINEAR.l2)
    out = [[floor_of(first, world, held_out, method)] * len(fractions)]
    models = [first] * len(fractions)
    for _ in range(rounds):
        models = [
            population_minimizer(
                linear(),
                x,
                eye,
                (p * eta + (1 - p) * f.probabilities(x)).T,
                l2=LINEAR.l2,
                start=f,
            )
            for p, f in zip(fractions, models, strict=True)
        ]
        out.append([floor_of(f, world, held_out, method) for f in models])
    return out


def compute_self_training(ctx: CellContext) -> SelfTraining:
    """Train round 0 on the labeled points, then ``rounds`` rounds of soft self-training,
    at every size; the population trajectory beside them."""
    world = RealizableLinear.random(C, P, rng=41)
    sizes = list(ctx.size("sizes"))
    n = max(sizes)
    rounds = ctx.size("rounds")
    seeds = ctx.learner_seeds()
    x_eval, y_eval = world.sample(ctx.size("eval"), rng=np.random.default_rng(ctx.seed("eval")))
    x_pop, _ = world.sample(ctx.size("population"), rng=ctx.rng("population"))
    population = population_trajectory(world, x_pop, rounds, (x_eval, y_eval))
    xs, ys, labeled, frac, size_of = [], [], [], [], []
    for size in sizes:
        for p in FRACTIONS:
            for seed in seeds:
                s0, s1 = np.random.SeedSequence(seed).spawn(2)
                x, y = world.sample(n, rng=np.random.default_rng(s0))
                lab = np.random.default_rng(s1).random(n) < p
                # the first `size` points are the problem; labeled ones first among them,
                # so that round 0 uses a prefix (the rest is padding)
                order = np.argsort(~lab[:size], kind="stable")
                keep = np.concatenate([order, np.arange(size, n)])
                xs.append(x[keep].T)
                ys.append(y[keep])
                labeled.append(lab[keep] & (np.arange(n) < size))
                frac.append(p)
                size_of.append(size)
    x_all, y_all, lab_all = np.stack(xs), np.stack(ys), np.stack(labeled)
    k = len(xs)
    onehot = np.eye(C, dtype=np.float32)[y_all].transpose(0, 2, 1)  # [K, c, n]
    cfg = replace(LINEAR, loss="soft")
    seed_all = np.tile(np.asarray(seeds), len(sizes) * len(FRACTIONS))
    n_labeled = np.maximum(lab_all.sum(axis=1), 1)
    params = train(cfg, x_all, onehot, n_labeled, seeds=seed_all).params  # round 0
    trajectory = []
    p_col = np.asarray(frac)
    # problems by (size, fraction, seed) -> [fractions][sizes, seeds]
    grid = np.arange(k).reshape(len(sizes), len(FRACTIONS), len(seeds))
    for t in range(rounds + 1):
        pred_eval = predict(cfg, params, x_eval.T)  # [K, m]: the round-t teacher on held-out x
        err = np.mean(pred_eval != y_eval, axis=1)
        cell = (np.arange(k)[:, None] * C + y_eval) * C + pred_eval  # (problem, truth, prediction)
        confusion = np.bincount(cell.ravel(), minlength=k * C * C).reshape(k, C, C).astype(float)
        confusion /= np.maximum(confusion.sum(axis=2, keepdims=True), 1)
        off = confusion * (1 - np.eye(C))
        worst = (1 - p_col) * (err > 0)
        estimation = []
        for i, (_, reference) in enumerate(population[t]):
            apart = np.mean(pred_eval[grid[:, i]] != reference, axis=-1)  # [sizes, seeds]
            estimation.append(Estimation.of(np.asarray(sizes), apart, 1 / len(y_eval)))
        trajectory.append(
            Round(
                round=t,
                accuracy=(1 - err).tolist(),
                delta=((1 - p_col) * err).tolist(),
                delta_max=worst.tolist(),
                gamma=worst.tolist(),
                gamma_cls=((1 - p_col) * off.max(axis=(1, 2))).tolist(),
                floor=[f for f, _ in population[t]],
                estimation=estimation,
            )
        )
        if t == rounds:
            break
        probs = probabilities_each(cfg, params, x_all)  # the teacher on the training points
        mixture = np.where(lab_all[:, None, :], onehot, probs).astype(np.float32)
        params = train(cfg, x_all, mixture, np.asarray(size_of), seeds=seed_all).params
    return SelfTraining(list(FRACTIONS), sizes, len(seeds), n, rounds, frac, size_of, trajectory)


def judge_self_training(m: SelfTraining, p: float) -> Judgement:
    """Refuted by a round where a problem with labeled fraction above ``p`` has
    ``Delta_max + gamma >= 1``; silent when no fraction is above ``p``."""
    if not any(f > p for f in m.fractions):
        return silent(f"no labeled fraction above {p:g}")
    bad = [
        (r.round, f)
        for r in m.trajectory
        for f, dm, g in zip(m.problem_fraction, r.delta_max, r.gamma, strict=True)
        if f > p and not dm + g < 1
    ]
    if bad:
        return refuted(f"Delta_max + gamma >= 1 at round {bad[0][0]} with p = {bad[0][1]:g}")
    return confirmed(f"Delta_max + gamma < 1 at every round for every p > {p:g}")


def _summary(m: SelfTraining) -> str:
    first = m.by_fraction(m.trajectory[0].accuracy)
    last = m.by_fraction(m.trajectory[-1].accuracy)
    shown = ("0.05", "0.3", "0.6", "0.9")
    end = m.trajectory[-1]
    floor = {f"{p:g}": f.value for p, f in zip(m.fractions, end.floor, strict=True)}
    apart = {f"{p:g}": e for p, e in zip(m.fractions, end.estimation, strict=True)}
    return (
        f"accuracy from round 0 to {m.rounds} (n = {m.n}): "
        + ", ".join(f"p={p} {first[p]:.3f}->{last[p]:.3f}" for p in shown)
        + f"; the population trajectory's round-{m.rounds} floor: "
        + ", ".join(f"p={p} {floor[p]:.3f}" for p in shown)
        + "; students' disagreement with it at n = "
        + f"{m.n}: "
        + ", ".join(
            f"p={p} {apart[p].disagreement.mean[-1]:.3f} (slope {apart[p].slope.slope:.2f})"
            for p in shown
        )
    )


def _table(m: SelfTraining) -> str:
    lines = [
        "Means over seeds per labeled fraction p: accuracy, Delta_t and gamma_cls,t of each "
        "round's mixture (the trajectory the map rho traces):",
        "",
        "| p | " + " | ".join(f"round {r.round}" for r in m.trajectory) + " |",
        "|---" * (len(m.trajectory) + 1) + "|",
    ]
    rows = [
        (m.by_fraction(r.accuracy), m.by_fraction(r.delta), m.by_fraction(r.gamma_cls))
        for r in m.trajectory
    ]
    for p in rows[0][0]:
        cells = [f"{a[p]:.3f}, {d[p]:.3f}, {g[p]:.3f}" for a, d, g in rows]
        lines.append(f"| {p} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


register(
    ClaimSpec(
        id="incomplete/self-training",
        status="proved",
        title="p > 1/2 labeled keeps Delta_max + gamma < 1 at every round",
        section="5",
        statement="Incomplete supervision: each point labeled with probability p, else a "
        "teacher's soft label; then Delta = (1-p) Delta_u, gamma = (1-p) gamma_u, "
        "Delta_max = (1-p) Delta_u,max, and a deterministic teacher has Delta_u,max, gamma_u "
        "in {0, 1}: for p > 1/2 the condition holds for any teacher. Self-training: round "
        "t's student labels the unlabeled points for round t + 1.",
        predicts="Delta_max + gamma < 1 at every round for every p > 1/2 (measured on the "
        "teachers actually trained)",
        prediction=0.5,
        needs=(CellSpec("incomplete/self-training", SelfTraining, compute_self_training),),
        measurement=SelfTraining,
        judge=judge_self_training,
        summary=_summary,
        table=_table,
        setting={
            "world": f"RealizableLinear.random({C}, {P}, rng=41)",
            "students": "linear, L-BFGS, soft cross-entropy on the mixture; top-1 sets",
        },
    )
)
