"""``python -m verify certify``: bound a classifier's true error from a teacher's soft labels
on fresh inputs, without their true labels (docs/theory.md section 4b)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

import numpy as np

import theory
from synth import check_labels
from theory import Certificate, certify, certify_class_conditional
from verify._files import InputError, add_header_argument, load_label_vector
from verify._indicators_cli import load_soft_labels

DESCRIPTION = """\
Bound a classifier's true error R(h) = P(h(x) != y) from its predictions and a teacher's
soft labels on the same fresh inputs, with no true labels: the top-k risk
R_Omega(h) = P(h(x) not in Omega_k(d)) is measured, bounded from above (one-sided
Clopper-Pearson), and turned into

  C1: R(h) <= R_Omega(h) / (1 - gamma)
  C2: R(h) <= (R_Omega(h) - Delta) / (1 - gamma - Delta_max), when Delta_max + gamma < 1

(docs/theory.md section 4b). Both need the teacher's true gamma and Delta_max: give them
(--gamma, --delta-max, and --delta for C2), or give true labels of the first rows
(--labels: a random sample of the rows, every class among them) and say that the
teacher's soft labels depend on the true class only (--class-conditional): only then is
the class-level gamma_cls, which labels can estimate, equal to gamma. For a teacher that
looks at x, gamma_cls is only a lower bound on gamma and the bounds may fail. The inputs
must not have been used to train the classifier.

example:
  python -m verify certify --predictions h.npy --soft-labels d.npy --k 2 \\
      --gamma 0.275 --delta-max 0.1 --delta 0.1 --json
"""

#: The keys of ``--json``'s object.
KEYS = (
    "n",
    "set_risk",
    "set_risk_ucb",
    "c1",
    "c2",
    "gamma",
    "delta_max",
    "assumption",
    "confidence",
)


def add_parser(sub: Any) -> None:
    """Register the ``certify`` subcommand."""
    p = sub.add_parser(
        "certify",
        help="bound a classifier's true error from a teacher's soft labels alone",
        description=DESCRIPTION,
    )
    p.add_argument(
        "--predictions", required=True, metavar="FILE", help="[n] the classifier's labels"
    )
    p.add_argument(
        "--soft-labels",
        required=True,
        metavar="FILE",
        help="[n, c] the teacher's soft labels of the same inputs (.npy, .csv, .npz[:NAME])",
    )
    p.add_argument("--logits", action="store_true", help="--soft-labels holds logits")
    p.add_argument("--k", type=int, default=1, help="top-k size of the label sets, 1..c-1")
    p.add_argument(
        "--gamma", type=float, default=None, help="the teacher's gamma (default: not known)"
    )
    p.add_argument(
        "--delta-max",
        type=float,
        default=None,
        metavar="DM",
        help="the teacher's Delta_max (default: not known)",
    )
    p.add_argument(
        "--delta",
        type=float,
        default=None,
        metavar="D",
        help="the teacher's Delta, or a lower bound on it, for C2 (default: C2 not given)",
    )
    p.add_argument(
        "--labels",
        default=None,
        metavar="FILE",
        help="[m] true classes of the first m rows, to estimate the indicators from "
        "(default: none; needs --class-conditional)",
    )
    p.add_argument(
        "--class-conditional",
        action="store_true",
        help="the teacher's soft labels depend on the true class only, not on x",
    )
    p.add_argument(
        "--confidence",
        type=float,
        default=0.95,
        help="probability that the bounds hold together, in (0, 1)",
    )
    p.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    add_header_argument(p)


def _inputs(args: argparse.Namespace) -> tuple[np.ndarray, np.ndarray]:
    soft = load_soft_labels(args)
    predictions = load_label_vector(
        args.predictions, rows=soft.shape[0], rows_spec=args.soft_labels, header=args.csv_header
    )
    try:
        predictions = check_labels(predictions, soft.shape[1], name=args.predictions)
    except ValueError as exc:
        raise InputError(str(exc)) from None
    return predictions, soft


def _check_options(args: argparse.Namespace) -> None:
    known = args.gamma is not None or args.delta_max is not None
    if args.labels is not None and known:
        raise InputError("give either --gamma and --delta-max, or --labels, not both")
    if args.labels is not None and not args.class_conditional:
        raise InputError(
            "--labels estimate gamma_cls, which equals gamma only when the teacher's soft "
            "labels depend on the true class alone: say --class-conditional if they do, or "
            "give --gamma and --delta-max"
        )
    if args.class_conditional and args.labels is None:
        raise InputError("--class-conditional needs --labels to estimate the indicators from")
    if args.labels is None and (args.gamma is None or args.delta_max is None):
        raise InputError(
            "the bounds need the teacher's indicators: give --gamma and --delta-max, or "
            "--labels with --class-conditional"
        )
    for name in ("gamma", "delta_max", "delta"):
        value = getattr(args, name)
        if value is not None and not 0 <= value <= 1:
            raise InputError(f"--{name.replace('_', '-')}: must lie in [0, 1], got {value}")
    if args.delta is not None and args.labels is not None:
        raise InputError("--delta goes with --gamma and --delta-max, not with --labels")
    if args.delta is not None and args.delta > args.delta_max:
        raise InputError(f"--delta {args.delta} exceeds --delta-max {args.delta_max}")
    if not 0 < args.confidence < 1:
        raise InputError(f"--confidence: must lie in (0, 1), got {args.confidence}")


def _certificate(args: argparse.Namespace) -> Certificate:
    _check_options(args)
    predictions, soft = _inputs(args)
    c = soft.shape[1]
    if not 1 <= args.k <= c - 1:
        raise InputError(f"--k: must lie in [1, c - 1] = [1, {c - 1}], got {args.k}")
    rule = theory.TopK(args.k)
    if args.labels is None:
        return certify(
            predictions,
            soft,
            rule,
            gamma=args.gamma,
            delta_max=args.delta_max,
            delta=args.delta,
            confidence=args.confidence,
        )
    labels = load_label_vector(
        args.labels,
        rows=soft.shape[0],
        rows_spec=args.soft_labels,
        header=args.csv_header,
        at_most=True,
    )
    try:
        labels = check_labels(labels, c, name=args.labels)
    except ValueError as exc:
        raise InputError(str(exc)) from None
    try:
        return certify_class_conditional(
            predictions, soft, rule, labels, confidence=args.confidence
        )
    except ValueError as exc:  # a class without a labelled row
        raise InputError(f"{args.labels}: {exc}") from None


def _text(cert: Certificate, k: int) -> str:
    estimated = f", estimated from {cert.labelled} labelled rows" if cert.labelled else ""
    if cert.c2 is not None:
        c2 = f"R(h) <= {cert.c2:.4f}"
    elif cert.delta is None:
        c2 = "not given (needs --delta)"
    else:
        c2 = "does not apply (Delta_max + gamma >= 1)"
    return "\n".join(
        [
            f"n = {cert.n} inputs; top-{k} set risk {cert.set_risk:.4f}, at most "
            f"{cert.set_risk_ucb:.4f}",
            f"indicators used: gamma {cert.gamma:.4f}, Delta_max {cert.delta_max:.4f}"
            + (f", Delta {cert.delta:.4f}" if cert.delta is not None else "")
            + estimated,
            f"with probability at least {cert.confidence:g}, together:",
            f"  C1: R(h) <= {cert.c1:.4f}",
            f"  C2: {c2}",
            f"assumes: {cert.assumption}",
        ]
    )


def run(args: argparse.Namespace) -> int:
    """Load, certify, print; one line and exit status 2 on bad input."""
    try:
        cert = _certificate(args)
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.class_conditional:
        print(
            "warning: the bounds assume the teacher's soft labels depend on the true class "
            "only; for a teacher that looks at x they can fail (docs/theory.md section 4b)",
            file=sys.stderr,
        )
    if args.json:
        print(json.dumps({key: getattr(cert, key) for key in KEYS}))
    else:
        print(_text(cert, args.k))
    return 0
