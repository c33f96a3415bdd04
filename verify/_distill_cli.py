"""``python -m verify distill``: the headline experiment on a user's own dataset.

Per seed: split the data (train / validation / test, stratified, seeded); train a teacher on
the training split (skillful-but-bad by default, or a plain cross-entropy teacher); choose
its checkpoint by a rule fixed in advance (skillful-but-bad: the last checkpoint whose
validation top-1 accuracy is below ``--teacher-accuracy``; plain: the best validation
accuracy); measure its top-1 accuracy on the validation split and on the training split,
and ``Delta_k`` and ``gamma_cls,k`` on the training split; train CC (top-k) and
distillation students on its soft labels and an oracle student on the true labels, each
with the weight decay that scores best on the validation split; report test accuracies,
as means over seeds with 95% intervals. docs/theory.md sections 2, 3 and 5.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any, TextIO

import numpy as np

import theory
from synth import check_labels
from verify._files import InputError, add_header_argument, load_label_vector, load_matrix
from verify._losses import Loss
from verify._progress import clock
from verify._records import MeanCI
from verify._sbt import SKILLFUL_BUT_BAD, last_below, teacher_probabilities, train_sbt_teacher
from verify._train import TrainConfig, probabilities_each, train

DESCRIPTION = """\
The headline experiment on your own dataset. For each seed: split the data 60/20/20
(train / validation / test, stratified); train a teacher on the training split; choose
its checkpoint by a rule fixed in advance (skillful-but-bad: the last checkpoint whose
validation top-1 accuracy is below --teacher-accuracy; plain: the best validation
accuracy); measure its top-1 accuracy on the validation and training splits, and Delta_k
and gamma_cls,k on the training split; train top-k (CC) and distillation students on its
soft labels and an oracle student on the true labels, each with the weight decay that
scores best on the validation split. Test accuracies are reported as means over seeds
with 95% intervals; progress goes to stderr. Theory: docs/theory.md sections 2, 3 and 5.

example:
  python -m verify distill --features X.npy --labels y.npy --k 3 --seeds 3 --json
"""

SPLIT = (0.6, 0.2, 0.2)  # train, validation, test
#: ``--steps`` above this is refused: 30x the default, beyond which a teacher of this size
#: has long converged and a typo (an extra zero or three) would run for hours.
MAX_STEPS = 100_000


def add_parser(sub: Any) -> None:
    """Register the ``distill`` subcommand."""
    p = sub.add_parser(
        "distill",
        help="train a (skillful-but-bad) teacher on your data and distill students from it",
        description=DESCRIPTION,
    )
    p.add_argument(
        "--features",
        required=True,
        metavar="FILE",
        help="[n, p] features (.npy, .csv, .npz[:NAME])",
    )
    p.add_argument("--labels", required=True, metavar="FILE", help="[n] integer labels 0..c-1")
    p.add_argument(
        "--k",
        type=int,
        default=None,
        help="top-k size of the teacher and the CC student (default: 3, or c - 1 when the "
        "data have fewer than 4 classes; the command says which it used)",
    )
    p.add_argument(
        "--teacher",
        choices=("sbt", "plain"),
        default="sbt",
        help="the teacher trained on the training split: sbt, skillful-but-bad (punished for "
        "a correct top-1, the true label kept in its top-k); plain, cross-entropy, stopped "
        "at its best validation accuracy",
    )
    p.add_argument(
        "--student",
        choices=("linear", "mlp"),
        default="linear",
        help="the students' class: linear softmax (L-BFGS) or a 64-unit one-hidden-layer "
        "MLP (Adam)",
    )
    p.add_argument(
        "--teacher-accuracy",
        type=float,
        default=0.3,
        metavar="A",
        help="checkpoint rule of the sbt teacher: the last checkpoint whose validation top-1 "
        "accuracy is below A",
    )
    p.add_argument(
        "--seed",
        type=int,
        default=0,
        help="first seed: seed s splits the data, initializes the teacher and the students",
    )
    p.add_argument("--seeds", type=int, default=1, help="seeds s, s+1, ... to average over, 1..100")
    p.add_argument(
        "--steps", type=int, default=3000, help=f"teacher training steps, 6..{MAX_STEPS}"
    )
    p.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    add_header_argument(p)


def _load(args: argparse.Namespace) -> tuple[np.ndarray, np.ndarray]:
    x = load_matrix(
        args.features,
        default_key="features",
        what="features",
        min_columns=1,
        header=args.csv_header,
    )
    if not np.all(np.isfinite(x)):
        raise InputError(
            f"{args.features}: {int(np.size(x) - np.isfinite(x).sum())} entries are NaN or inf"
        )
    y = load_label_vector(args.labels, rows=len(x), rows_spec=args.features, header=args.csv_header)
    if y.dtype.kind not in "iuf" or y.dtype == bool or y.size == 0:
        raise InputError(f"{args.labels}: labels must be integers, got dtype {y.dtype}")
    try:
        top = int(np.nanmax(y)) + 1 if np.all(np.isfinite(y)) else 2
        labels = check_labels(y, max(top, 2), name=args.labels)
    except ValueError as exc:
        raise InputError(str(exc)) from None
    classes = np.unique(labels)
    if len(classes) < 2:
        raise InputError(f"{args.labels}: needs at least 2 classes, found {len(classes)}")
    if not np.array_equal(classes, np.arange(len(classes))):
        raise InputError(
            f"{args.labels}: classes must be 0..c-1 with every class present, "
            f"found {classes.tolist()}"
        )
    if np.bincount(labels).min() < 5:
        raise InputError(
            f"{args.labels}: every class needs at least 5 examples to be split three ways"
        )
    return x, labels


def stratified_split(y: np.ndarray, *, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Index arrays (train, validation, test) with each class split in the ``SPLIT`` proportions."""
    rng = np.random.default_rng(seed)
    parts: list[list[np.ndarray]] = [[], [], []]
    for label in np.unique(y):
        idx = rng.permutation(np.flatnonzero(y == label))
        n_val = max(1, int(round(SPLIT[1] * len(idx))))
        n_test = max(1, int(round(SPLIT[2] * len(idx))))
        parts[0].append(idx[n_val + n_test :])
        parts[1].append(idx[:n_val])
        parts[2].append(idx[n_val : n_val + n_test])
    return tuple(np.sort(np.concatenate(p)) for p in parts)  # type: ignore[return-value]


#: Weight decays a student may take; the one with the best validation accuracy is used.
L2_GRID = (1e-5, 1e-4, 1e-3, 1e-2)


def choose_checkpoint(val_acc: list[float], teacher: str, target: float) -> tuple[int, bool]:
    """The checkpoint rule, fixed before training. ``sbt``: the last checkpoint whose
    validation top-1 accuracy is below ``target`` (if none is, the least accurate one, and
    ``False``: the target was not met). ``plain``: the best validation accuracy."""
    if teacher == "plain":
        return int(np.argmax(val_acc)), True
    chosen = last_below(val_acc, target)
    if chosen is not None:
        return chosen, True
    return int(np.argmin(val_acc)), False


def _student_config(student: str, loss: Loss, l2: float) -> TrainConfig:
    if student == "linear":
        return TrainConfig(model="linear", optimizer="lbfgs", steps=300, tol=1e-5, l2=l2, loss=loss)
    return TrainConfig(
        model="mlp", hidden=64, optimizer="adam", steps=1000, learning_rate=3e-3, l2=l2, loss=loss
    )


def standardize(x: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """``x [n, p]`` centred and scaled by the mean and standard deviation of ``x[rows]``
    (the training split). Each column is first divided by its largest magnitude there, so
    that features near the float64 limit (1e300) do not overflow the variance to inf and
    become 0; standardizing is scale-free, so the result is the same up to rounding."""
    scale = np.max(np.abs(x[rows]), axis=0)
    u = x / np.where(scale > 0, scale, 1.0)
    mean, std = u[rows].mean(axis=0), u[rows].std(axis=0)
    return (u - mean) / np.where(std > 0, std, 1.0)


class _Progress:
    """``[m:ss] what is happening`` lines on a stream (``None``: silent)."""

    def __init__(self, stream: TextIO | None):
        self.stream, self.start = stream, time.perf_counter()

    def __call__(self, text: str) -> None:
        if self.stream is not None:
            elapsed = clock(time.perf_counter() - self.start)
            try:
                print(f"[{elapsed}] {text}", file=self.stream, flush=True)
            except (OSError, ValueError):  # a closed or full stream must not stop the work
                self.stream = None


def _one_seed(
    x: np.ndarray,
    y: np.ndarray,
    *,
    k: int,
    teacher: str,
    seed: int,
    steps: int,
    target: float,
    say: Callable[[str], None],
) -> dict[str, Any]:
    """Split, standardize, train the teacher, apply the checkpoint rule, and return what
    the students need and what is measured on the teacher."""
    train_idx, val_idx, test_idx = stratified_split(y, seed=seed)
    z = standardize(x, train_idx)
    xt, yt = z[train_idx], y[train_idx]
    cfg = replace(SKILLFUL_BUT_BAD, k=k, steps=steps)
    if teacher == "plain":
        cfg = replace(cfg, punish=0.0, complete=0.0, random=0.0)
    snapshots, checkpoint_steps = train_sbt_teacher(
        xt.T,
        yt,
        cfg,
        seed=seed,
        on_checkpoint=lambda done, total: say(f"seed {seed}: teacher step {done}/{total}"),
    )
    val_acc = [
        float(np.mean(teacher_probabilities(p, z[val_idx], cfg.hidden).argmax(1) == y[val_idx]))
        for p in snapshots
    ]
    chosen, met = choose_checkpoint(val_acc, teacher, target)
    soft = teacher_probabilities(snapshots[chosen], xt, cfg.hidden)
    per_k = theory.soft_label_report(yt, soft, ks=[k])
    return {
        "z": z,
        "split": (train_idx, val_idx, test_idx),
        "soft": soft,
        "report": per_k,
        "step": checkpoint_steps[chosen],
        "heldout": val_acc[chosen],
        "met": met,
    }


def _agreed(conditions: list[str]) -> str:
    """One decision from every seed's: any ``fails`` fails, all ``holds`` holds."""
    if "fails" in conditions:
        return "fails"
    return "holds" if all(c == "holds" for c in conditions) else "undecided"


def run_distill(
    x: np.ndarray,
    y: np.ndarray,
    *,
    k: int,
    teacher: str,
    student: str,
    seeds: list[int],
    steps: int,
    target: float = 0.3,
    progress: TextIO | None = None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The whole experiment on arrays ``x [n, p]``, ``y [n]``, once per seed.

    Every seed's students of one learner and one weight decay train in one compiled call
    (the splits of all seeds have the same sizes: the split is stratified). Progress lines
    go to ``progress`` (``None``: silent).

    Returns:
      the report (the ``--json`` object: means over seeds, intervals, per-seed values) and
      extra details (each seed's checkpoint step and whether it met the target).
    """
    c = int(y.max()) + 1
    say = _Progress(progress)
    name = "skillful-but-bad" if teacher == "sbt" else "plain"
    say(f"{len(seeds)} seed(s), each: a {name} teacher ({steps} steps), then 3 students")
    runs = []
    for s in seeds:
        runs.append(
            _one_seed(x, y, k=k, teacher=teacher, seed=s, steps=steps, target=target, say=say)
        )
        say(
            f"seed {s}: checkpoint at step {runs[-1]['step']}, validation top-1 "
            f"{runs[-1]['heldout']:.3f}"
        )
    targets: dict[str, tuple[Loss, list[np.ndarray]]] = {
        "cc": ("set", [theory.TopK(k)(r["soft"]) for r in runs]),
        "distill": ("soft", [r["soft"] for r in runs]),
        "oracle": ("soft", [np.eye(c)[y[r["split"][0]]] for r in runs]),
    }

    def inputs(part: int) -> np.ndarray:
        return np.stack([r["z"][r["split"][part]].T for r in runs])

    def labels(part: int) -> np.ndarray:
        return np.stack([y[r["split"][part]] for r in runs])

    x_train = inputs(0)
    x_val, y_val = inputs(1), labels(1)
    x_test, y_test = inputs(2), labels(2)
    accuracy: dict[str, np.ndarray] = {}
    chosen_l2: dict[str, list[float]] = {}
    for name, (loss, t) in targets.items():
        say(
            f"{name} students: {len(L2_GRID)} weight decays x {len(seeds)} seed(s), "
            f"one call per weight decay"
        )
        val_scores, test_scores = [], []
        for l2 in L2_GRID:  # one compiled call per weight decay, all seeds together
            scfg = _student_config(student, loss, l2)
            res = train(
                scfg,
                x_train,
                np.stack([np.asarray(a, np.float32).T for a in t]),
                np.full(len(runs), x_train.shape[-1]),
                seeds=np.asarray(seeds),
            )
            val_scores.append(_accuracy(scfg, res.params, x_val, y_val))
            test_scores.append(_accuracy(scfg, res.params, x_test, y_test))
        best = np.argmax(np.stack(val_scores), axis=0)  # [seeds]: chosen on validation
        accuracy[name] = np.stack(test_scores)[best, np.arange(len(runs))]
        chosen_l2[name] = [L2_GRID[b] for b in best]
    per_k = [r["report"]["per_k"][0] for r in runs]
    say("done")

    def mean(values: Any) -> float:
        return float(np.mean(values))

    def interval(values: np.ndarray) -> list[float]:
        ci = MeanCI.over_seeds(np.asarray(values, float)[None])
        return [ci.ci_low[0], ci.ci_high[0]]

    train_idx, _, test_idx = runs[0]["split"]
    return {
        "teacher_accuracy": mean([r["report"]["top1_accuracy"] for r in runs]),
        "teacher_accuracy_heldout": mean([r["heldout"] for r in runs]),
        "delta": mean([p["delta"] for p in per_k]),
        "gamma_cls": mean([p["gamma_cls"] for p in per_k]),
        "condition": _agreed([p["condition"] for p in per_k]),
        "condition_holds": bool(all(p["condition_holds"] for p in per_k)),
        "k": k,
        "student_accuracy_cc": mean(accuracy["cc"]),
        "student_accuracy_distill": mean(accuracy["distill"]),
        "oracle_accuracy": mean(accuracy["oracle"]),
        "student_accuracy_cc_ci": interval(accuracy["cc"]),
        "student_accuracy_distill_ci": interval(accuracy["distill"]),
        "oracle_accuracy_ci": interval(accuracy["oracle"]),
        "seeds": list(seeds),
        "n_train": int(len(train_idx)),
        "n_test": int(len(test_idx)),
        "per_seed": {
            "teacher_accuracy_heldout": [r["heldout"] for r in runs],
            "teacher_target_met": [bool(r["met"]) for r in runs],
            "student_accuracy_cc": accuracy["cc"].tolist(),
            "student_accuracy_distill": accuracy["distill"].tolist(),
            "oracle_accuracy": accuracy["oracle"].tolist(),
            "student_l2": chosen_l2,
        },
    }, {"teacher_steps": [r["step"] for r in runs]}


def _accuracy(cfg: TrainConfig, params: Any, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """``[K]``: student ``k``'s accuracy on its own inputs ``x [K, p, m]``, labels ``y [K, m]``."""
    return np.mean(np.argmax(probabilities_each(cfg, params, x), axis=1) == y, axis=1)


def choose_k(asked: int | None, c: int) -> tuple[int, str | None]:
    """The top-k size: ``asked``, else 3, or ``c - 1`` when there are fewer than 4 classes,
    with a note saying so (a default that silently changed would surprise)."""
    if asked is not None:
        return asked, None
    k = min(3, c - 1)
    if k == 3:
        return k, None
    return k, (
        f"note: k = {k} (the default 3 needs at least 4 classes; these data have {c}); say "
        "--k to choose"
    )


def run(args: argparse.Namespace) -> int:
    """Load, run, print; one line and exit status 2 on bad input."""
    try:
        x, y = _load(args)
        c = int(y.max()) + 1
        k, note = choose_k(args.k, c)
        if not 1 <= k <= c - 1:
            raise InputError(f"--k: must lie in [1, c - 1] = [1, {c - 1}], got {k}")
        if not 6 <= args.steps <= MAX_STEPS:
            raise InputError(f"--steps: must lie in [6, {MAX_STEPS}], got {args.steps}")
        if not 1 <= args.seeds <= 100:
            raise InputError(f"--seeds: must lie in [1, 100], got {args.seeds}")
        if not 0 <= args.seed <= 2**31 - 1 - args.seeds:
            raise InputError(f"--seed: must lie in [0, 2^31 - 1 - seeds], got {args.seed}")
        if not 0 < args.teacher_accuracy <= 1:
            raise InputError(f"--teacher-accuracy: must lie in (0, 1], got {args.teacher_accuracy}")
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if note:
        print(note, file=sys.stderr)
    if args.teacher == "sbt" and k == 1:
        print(
            f"warning: k = 1{' (c = 2)' if c == 2 else ''}: the skillful-but-bad teacher is "
            "punished for a correct top-1 and has no other top-k slot for the true class, so "
            "it turns into an anti-teacher whose students learn wrong classes; use --teacher "
            "plain, or k >= 2 with c >= 3",
            file=sys.stderr,
        )
    seeds = list(range(args.seed, args.seed + args.seeds))
    report, extra = run_distill(
        x,
        y,
        k=k,
        teacher=args.teacher,
        student=args.student,
        seeds=seeds,
        steps=args.steps,
        target=args.teacher_accuracy,
        progress=sys.stderr,
    )
    if args.json:
        print(json.dumps(report))
        return 0
    met = report["per_seed"]["teacher_target_met"]
    rule = (
        f"the last checkpoint below {args.teacher_accuracy:g} validation top-1 accuracy "
        f"(met in {sum(met)}/{len(met)} seeds)"
        if args.teacher == "sbt"
        else "the best validation accuracy"
    )

    def ci(key: str) -> str:
        lo, hi = report[key + "_ci"]
        return f"{report[key]:.3f} [{lo:.3f}, {hi:.3f}]"

    print(
        f"train {report['n_train']}, test {report['n_test']}, {len(seeds)} seed(s); teacher "
        f"({args.teacher}, checkpoint: {rule}): top-1 accuracy "
        f"{report['teacher_accuracy_heldout']:.3f} on the validation split "
        f"({report['teacher_accuracy']:.3f} on the training split)\n"
        f"Delta_{k} = {report['delta']:.3f}, gamma_cls,{k} = {report['gamma_cls']:.3f}: "
        f"condition {report['condition']} on the intervals (a heuristic for a "
        "learned teacher: gamma_cls is a lower bound on gamma, which is 1 for any teacher "
        "that is a function of x)\n"
        f"test accuracy (mean [95% interval]): top-{k} (CC) student {ci('student_accuracy_cc')}, "
        f"distillation student {ci('student_accuracy_distill')}, oracle {ci('oracle_accuracy')}"
    )
    return 0
