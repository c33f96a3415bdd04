"""``python -m verify distill``: the headline experiment on a user's own dataset.

Split the data (train / validation / test, stratified, seeded); train a teacher on the
training split (skillful-but-bad by default, or a plain cross-entropy teacher, which stops
at its best validation accuracy); measure its top-1 accuracy, ``Delta_k`` and
``gamma_cls,k`` on the training split; train CC
(top-k) and distillation students on its soft labels and an oracle student on the true
labels; report test accuracies. THEORY.md sections 2 and 5.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from typing import Any

import numpy as np

import theory
from synth import check_labels
from verify._files import InputError, load_label_vector, load_matrix
from verify._losses import Loss
from verify._sbt import SKILLFUL_BUT_BAD, teacher_probabilities, train_sbt_teacher
from verify._train import TrainConfig, predict, train

SPLIT = (0.6, 0.2, 0.2)  # train, validation, test


def add_parser(sub: Any) -> None:
    """Register the ``distill`` subcommand."""
    p = sub.add_parser(
        "distill",
        help="train a (skillful-but-bad) teacher on your data and distill students from it",
        description=__doc__.splitlines()[0] if __doc__ else None,
    )
    p.add_argument(
        "--features",
        required=True,
        metavar="FILE",
        help="[n, p] features (.npy, .csv, .npz[:NAME])",
    )
    p.add_argument("--labels", required=True, metavar="FILE", help="[n] integer labels")
    p.add_argument(
        "--k", type=int, default=None, help="top-k size (default: 3, or c - 1 if smaller)"
    )
    p.add_argument("--teacher", choices=("sbt", "plain"), default="sbt")
    p.add_argument("--student", choices=("linear", "mlp"), default="linear")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--steps", type=int, default=3000, help="teacher training steps")
    p.add_argument("--json", action="store_true", help="print one JSON object")


def _load(args: argparse.Namespace) -> tuple[np.ndarray, np.ndarray]:
    x = load_matrix(args.features, default_key="features", what="features", min_columns=1)
    if not np.all(np.isfinite(x)):
        raise InputError(
            f"{args.features}: {int(np.size(x) - np.isfinite(x).sum())} entries are NaN or inf"
        )
    y = load_label_vector(args.labels, rows=len(x), rows_spec=args.features)
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


def run_distill(
    x: np.ndarray, y: np.ndarray, *, k: int, teacher: str, student: str, seed: int, steps: int
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The whole experiment on arrays ``x [n, p]``, ``y [n]``.

    Returns:
      the report (the ``--json`` object) and extra details (the teacher's checkpoint and
      its validation accuracy).
    """
    c = int(y.max()) + 1
    train_idx, val_idx, test_idx = stratified_split(y, seed=seed)
    mean, std = x[train_idx].mean(axis=0), x[train_idx].std(axis=0)
    z = (x - mean) / np.where(std > 0, std, 1.0)  # standardized on the training split only
    xt, yt = z[train_idx], y[train_idx]
    cfg = replace(SKILLFUL_BUT_BAD, k=k, steps=steps)
    if teacher == "plain":
        cfg = replace(cfg, punish=0.0, complete=0.0, random=0.0)
    snapshots, checkpoint_steps = train_sbt_teacher(xt.T, yt, cfg, seed=seed)
    val_acc = [
        float(np.mean(teacher_probabilities(p, z[val_idx], cfg.hidden).argmax(1) == y[val_idx]))
        for p in snapshots
    ]
    # A plain teacher stops early at its best validation accuracy; a skillful-but-bad one is
    # taken as trained (its objective, not accuracy, is what it optimizes).
    best = int(np.argmax(val_acc)) if teacher == "plain" else len(snapshots) - 1
    soft = teacher_probabilities(snapshots[best], xt, cfg.hidden)
    row = theory.soft_label_report(yt, soft, ks=[k])
    student_cfg = (
        TrainConfig(model="linear", optimizer="lbfgs", steps=300, tol=1e-5, l2=1e-4)
        if student == "linear"
        else TrainConfig(
            model="mlp", hidden=64, optimizer="adam", steps=1000, learning_rate=3e-3, l2=1e-4
        )
    )
    targets: dict[str, tuple[Loss, np.ndarray]] = {
        "cc": ("set", theory.TopK(k)(soft)),
        "distill": ("soft", soft),
        "oracle": ("soft", np.eye(c)[yt]),
    }
    accuracy = {}
    for name, (loss, t) in targets.items():
        scfg = replace(student_cfg, loss=loss)
        res = train(
            scfg,
            xt.T[None],
            np.asarray(t, np.float32).T[None],
            np.array([len(yt)]),
            seeds=np.array([seed]),
        )
        accuracy[name] = float(np.mean(predict(scfg, res.params, z[test_idx].T)[0] == y[test_idx]))
    per_k = row["per_k"][0]
    return {
        "teacher_accuracy": row["top1_accuracy"],
        "delta": per_k["delta"],
        "gamma_cls": per_k["gamma_cls"],
        "condition_holds": per_k["condition_holds"],
        "k": k,
        "student_accuracy_cc": accuracy["cc"],
        "student_accuracy_distill": accuracy["distill"],
        "oracle_accuracy": accuracy["oracle"],
        "n_train": int(len(train_idx)),
        "n_test": int(len(test_idx)),
    }, {"teacher_step": checkpoint_steps[best], "teacher_validation_accuracy": val_acc[best]}


def run(args: argparse.Namespace) -> int:
    """Load, run, print; one line and exit status 2 on bad input."""
    try:
        x, y = _load(args)
        c = int(y.max()) + 1
        k = args.k if args.k is not None else min(3, c - 1)
        if not 1 <= k <= c - 1:
            raise InputError(f"--k: must lie in [1, c - 1] = [1, {c - 1}], got {k}")
        if args.steps < 6:
            raise InputError(f"--steps: must be at least 6, got {args.steps}")
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    report, extra = run_distill(
        x, y, k=k, teacher=args.teacher, student=args.student, seed=args.seed, steps=args.steps
    )
    if args.json:
        print(json.dumps(report))
        return 0
    print(
        f"train {report['n_train']}, test {report['n_test']}; teacher ({args.teacher}, step "
        f"{extra['teacher_step']}): top-1 accuracy {report['teacher_accuracy']:.3f} "
        "on the training split\n"
        f"Delta_{k} = {report['delta']:.3f}, gamma_cls,{k} = {report['gamma_cls']:.3f}: condition "
        f"{'holds' if report['condition_holds'] else 'fails'} (optimistic: gamma_cls <= gamma)\n"
        f"test accuracy: top-{k} (CC) student {report['student_accuracy_cc']:.3f}, distillation "
        f"student {report['student_accuracy_distill']:.3f}, oracle {report['oracle_accuracy']:.3f}"
    )
    return 0
