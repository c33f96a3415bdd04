"""The paper's headline: a skillful-but-bad teacher (top-1 accuracy below 30%) whose soft
labels still teach a top-k student nearly as well as the true labels (THEORY.md section 5)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np

import theory
from synth import GaussianClasses
from verify._claim import Claim
from verify._registry import Context, claim
from verify._sbt import SKILLFUL_BUT_BAD, teacher_probabilities, train_sbt_teacher
from verify._train import predict, train
from verify.claims._common import LINEAR

C, P, K = 10, 10, 3
TEACHER = replace(SKILLFUL_BUT_BAD, k=K)
WITHIN = 0.05  # the student must come within 5 accuracy points of the oracle student
BAD = 0.30  # "skillful but bad": top-1 accuracy below 30%


def _world() -> GaussianClasses:
    return GaussianClasses.random(C, P, separation=3.0, rng=7)


def _students(
    x: np.ndarray,
    y: np.ndarray,
    soft: list[np.ndarray],
    x_eval: np.ndarray,
    y_eval: np.ndarray,
    seed: int,
) -> dict[str, list[float]]:
    """Held-out accuracy of CC (top-k sets) and distillation students for each soft-label set."""
    n = len(y)
    xs = np.repeat(x.T[None], len(soft), axis=0)
    seeds = np.full(len(soft), seed)
    out = {}
    for name, loss, targets in (
        ("cc", "set", [theory.TopK(K)(d).T for d in soft]),
        ("distill", "soft", [d.T for d in soft]),
    ):
        cfg = replace(LINEAR, loss=loss)
        res = train(
            cfg, xs, np.stack(targets).astype(np.float32), np.full(len(soft), n), seeds=seeds
        )
        out[name] = np.mean(predict(cfg, res.params, x_eval.T) == y_eval, axis=1).tolist()
    return out


def _headline(ctx: Context) -> dict[str, Any]:
    world = _world()
    n = ctx.pick(quick=2000, paper=2000)
    teachers = ctx.learner_seeds(quick=1, paper=3)
    cfg = replace(
        TEACHER, steps=ctx.pick(quick=3000, paper=4000), checkpoints=ctx.pick(quick=6, paper=8)
    )
    x_eval, y_eval = world.sample(
        ctx.pick(quick=10000, paper=50000), rng=np.random.default_rng(ctx.derived_seed("eval"))
    )
    runs = []
    for seed in teachers:  # one teacher per seed; its students train in one call
        x, y = world.sample(n, rng=np.random.default_rng(np.random.SeedSequence(seed).spawn(1)[0]))
        snapshots, steps = train_sbt_teacher(x.T, y, cfg, seed=seed)
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
        reports = [theory.soft_label_report(y, d, ks=[K]) for d in soft]
        rows = [
            {
                "step": s,
                "teacher_top1_train": r["top1_accuracy"],
                "teacher_top1_heldout": float(
                    np.mean(teacher_probabilities(p, x_eval, cfg.hidden).argmax(1) == y_eval)
                ),
                "delta": r["per_k"][0]["delta"],
                "delta_ci": r["per_k"][0]["delta_ci"],
                "gamma_cls": r["per_k"][0]["gamma_cls"],
                "gamma_cls_ci": r["per_k"][0]["gamma_cls_ci"],
                # a teacher that is a function of x puts k >= 2 labels in every set, one of them
                # wrong, with membership 1: the essential-supremum gamma is 1 at every checkpoint
                "gamma": 1.0,
            }
            for s, p, r in zip(steps, snapshots, reports, strict=True)
        ]
        students = _students(x, y, soft, x_eval, y_eval, seed)
        for row, cc, dist in zip(rows, students["cc"], students["distill"], strict=True):
            row["student_cc"], row["student_distill"] = cc, dist
        runs.append({"seed": seed, "oracle_accuracy": oracle_acc, "checkpoints": rows})
    return {
        "n": n,
        "k": K,
        "teacher": {k: v for k, v in vars(cfg).items()},
        "runs": runs,
        "bayes_error": world.bayes_error().value,
    }


@claim(
    "sbt/headline",
    "a teacher below 30% top-1 accuracy teaches a top-k student to within 5% of the oracle",
    "extension",
)
def headline(ctx: Context) -> Claim:
    """THEORY.md section 5, learned skillful-but-bad teacher."""
    m = ctx.cell("grid", lambda: _headline(ctx))
    qualifying, met, gaps = [], [], []
    for run in m["runs"]:
        for row in run["checkpoints"]:
            if row["teacher_top1_train"] < BAD and row["delta"] + row["gamma_cls"] < 1:
                qualifying.append(row)
                gaps.append(run["oracle_accuracy"] - row["student_cc"])
                if row["student_cc"] >= run["oracle_accuracy"] - WITHIN:
                    met.append(row | {"oracle_accuracy": run["oracle_accuracy"]})
    best = max(met, key=lambda r: r["student_cc"]) if met else None
    worst_gap = max(gaps) if gaps else None
    return Claim(
        id="sbt/headline",
        statement="THEORY.md section 5 (the paper's headline): a learned teacher with top-1 "
        f"accuracy below {BAD:.0%} whose Delta_k + gamma_k < 1 (gamma measured at class level, "
        f"gamma_cls, on the training split) teaches a top-{K} (CC) student to within "
        f"{WITHIN:.0%} of the student trained on the true labels. The teacher is an MLP trained "
        "with L_ce + a1 L_pun + a2 L_comp + a3 L_rnd on a 10-class Gaussian world; students are "
        "linear. (For a teacher that is a function of x the essential-supremum gamma is 1 for "
        "k >= 2, so Theorem C itself never applies to it; the class-level condition is the one "
        "the paper can measure.)",
        status="extension",
        setting={
            "world": f"GaussianClasses.random({C}, {P}, separation=3.0, rng=7)",
            "n": m["n"],
            "k": m["k"],
            "teacher": m["teacher"],
            "teachers": len(m["runs"]),
            "students": "linear, L-BFGS; CC on top-k sets, distillation on the soft labels",
        },
        prediction=f"some checkpoint with teacher top-1 < {BAD:.0%} and Delta_k + gamma_cls,k < 1 "
        f"has a CC student within {WITHIN:.0%} of the oracle student",
        measurement={
            **m,
            "qualifying_checkpoints": len(qualifying),
            "meeting_the_bar": len(met),
            "largest_gap_among_qualifying": worst_gap,
            "best": best,
        },
        verdict="confirmed" if met else "refuted",
        summary=(
            f"{len(met)}/{len(qualifying)} qualifying checkpoints meet the bar; best: teacher "
            f"top-1 {best['teacher_top1_train']:.3f}, Delta {best['delta']:.3f} + gamma_cls "
            f"{best['gamma_cls']:.3f}, CC student {best['student_cc']:.3f} vs oracle "
            f"{best['oracle_accuracy']:.3f}, distillation {best['student_distill']:.3f}"
            if best
            else f"no qualifying checkpoint meets the bar ({len(qualifying)} qualify)"
        ),
    )
