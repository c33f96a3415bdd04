"""``python -m verify indicators``: the indicators of a practitioner's own soft labels."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

import numpy as np
from scipy import special

import theory
from synth import check_labels, check_soft_labels
from verify._files import InputError, add_header_argument, load_label_vector, load_matrix

DESCRIPTION = """\
Measure a teacher from its soft labels on data whose true labels you know. For each
top-k size: the unreliability degree Delta (how often the true label is outside the
top-k set) and the class-level ambiguity gamma_cls (how often a given wrong label is
inside it; a lower bound on gamma, so the condition check is optimistic), each with a
confidence interval; the margin 1 - Delta - gamma_cls; and the condition
Delta + gamma_cls < 1 decided on the intervals (docs/theory.md section 2).

example:
  python -m verify indicators --soft-labels probs.npy --labels y.npy --k 3 --json
"""


def add_parser(sub: Any) -> None:
    """Register the ``indicators`` subcommand."""
    p = sub.add_parser(
        "indicators",
        help="Delta_k and gamma_cls of your own soft labels, with intervals",
        description=DESCRIPTION,
    )
    p.add_argument(
        "--soft-labels",
        required=True,
        metavar="FILE",
        help="[n, c] soft labels (.npy, .csv, .npz or .npz:NAME)",
    )
    p.add_argument("--labels", required=True, metavar="FILE", help="[n] true labels")
    which = p.add_mutually_exclusive_group()
    which.add_argument("--k", type=int, help="one top-k size, 1..c-1 (default: every k)")
    which.add_argument("--all-k", action="store_true", help="every k in 1..c-1 (the default)")
    p.add_argument(
        "--logits",
        action="store_true",
        help="the file holds logits: softmax them (-inf masks a class)",
    )
    p.add_argument(
        "--confidence", type=float, default=0.95, help="coverage of every interval, in (0, 1)"
    )
    p.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    add_header_argument(p)


def load_soft_labels(args: argparse.Namespace) -> np.ndarray:
    """``--soft-labels`` (``--logits``: softmaxed) as checked ``[n, c]`` soft labels, or
    :class:`InputError` naming the file (with a hint when they look like logits)."""
    soft = load_matrix(
        args.soft_labels,
        default_key="soft_labels",
        what="soft labels",
        min_columns=2,
        header=args.csv_header,
        simplex=not args.logits,
    )
    if args.logits:
        soft = softmax_logits(soft, args.soft_labels)
    try:
        return check_soft_labels(soft, name=args.soft_labels)
    except ValueError as exc:
        hint = "" if args.logits else " (logits? pass --logits)"
        message = str(exc)
        raise InputError(
            message + (hint if "sum to 1" in message or "negative" in message else "")
        ) from None


def _load(args: argparse.Namespace) -> tuple[np.ndarray, np.ndarray]:
    soft = load_soft_labels(args)
    labels = load_label_vector(
        args.labels, rows=soft.shape[0], rows_spec=args.soft_labels, header=args.csv_header
    )
    try:
        labels = check_labels(labels, soft.shape[1], name=args.labels)
    except ValueError as exc:
        raise InputError(str(exc)) from None
    return soft, labels


def softmax_logits(logits: np.ndarray, name: str) -> np.ndarray:
    """Soft labels from ``[n, c]`` logits; ``-inf`` masks a class (probability 0), NaN and
    ``+inf`` are refused, and so is a row with every class masked."""
    if np.isnan(logits).any() or np.isposinf(logits).any():
        raise InputError(f"{name}: logits contain NaN or +inf")
    masked = np.isneginf(logits).all(axis=1)
    if masked.any():
        raise InputError(
            f"{name}: row {int(np.argmax(masked))} has every logit -inf (no class left)"
        )
    return np.asarray(special.softmax(logits, axis=1))


def _table(report: dict[str, Any], confidence: float) -> str:
    lines = [
        f"n = {report['n']} soft labels, c = {report['c']} classes, "
        f"top-1 accuracy {report['top1_accuracy']:.4f}",
        f"intervals: {confidence:.0%}; the condition Delta + gamma_cls < 1 is decided on them "
        "('undecided' when they straddle 1); gamma_cls <= gamma, so 'holds' is optimistic",
        "",
        f"{'k':>3}  {'Delta':>7}  {'interval':>17}  {'gamma_cls':>9}  {'interval':>17}  "
        f"{'margin':>7}  condition",
    ]
    for row in report["per_k"]:
        d_lo, d_hi = row["delta_ci"]
        g_lo, g_hi = row["gamma_cls_ci"]
        lines.append(
            f"{row['k']:>3}  {row['delta']:7.4f}  [{d_lo:.4f}, {d_hi:.4f}]  "
            f"{row['gamma_cls']:9.4f}  [{g_lo:.4f}, {g_hi:.4f}]  {row['margin']:7.4f}  "
            f"{row['condition']}"
        )
    lines += ["", f"best k (largest margin): {report['best_k']}"]
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    """Load, measure, print; exit status 2 with one line on bad input."""
    try:
        soft, labels = _load(args)
        if not 0 < args.confidence < 1:
            raise InputError(f"--confidence: must lie in (0, 1), got {args.confidence}")
        ks = None if args.k is None else [args.k]
        try:
            report = theory.soft_label_report(labels, soft, ks=ks, confidence=args.confidence)
        except ValueError as exc:  # --k outside [1, c - 1]: the message names k and c
            raise InputError(str(exc)) from None
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(report) if args.json else _table(report, args.confidence))
    return 0
