"""Command line: ``python -m verify run|list|indicators|distill|certify|findings``.

Exit status, for every command: 0 success; 1 only when a ``[proved]`` claim is refuted;
2 bad usage, a bad input file or an environment problem (an unwritable or full disk, a
report under ``--out`` of other settings, memory exhausted, output closed early), always
with one line and never a traceback; 130 interrupted (Ctrl-C), also while loading.
"""

from __future__ import annotations

import _thread
import argparse
import os
import sys
import threading
from pathlib import Path
from typing import Any

from verify import _certify_cli, _distill_cli, _findings, _indicators_cli
from verify._catalog import all_claims, select
from verify._help import OneLineParser
from verify._outputs import OutputRefused
from verify._runner import run_claims
from verify._spec import SUITES
from verify._suites import sizes_for

DEFAULT_SEED = 0
#: ``--seeds`` above this is refused: fifty times the full suite's 20 students per setting,
#: and every setting's students train in one call whose memory grows with them.
MAX_SEEDS = 1000


def _say(line: str) -> None:
    """A line on stderr; a stderr that cannot be written must not change the status."""
    try:
        print(line, file=sys.stderr, flush=True)
    except (OSError, ValueError):
        pass


def _deliver_swallowed_interrupts(unraisable: Any) -> None:
    """``sys.unraisablehook``: a Ctrl-C that landed in a callback Python cannot raise from
    (JAX's garbage-collection hook) is delivered again to the main thread, not dropped."""
    if issubclass(unraisable.exc_type, KeyboardInterrupt):
        # From another thread, a moment later: raised here, it would be unraisable again.
        threading.Timer(0.01, _thread.interrupt_main).start()
        return
    sys.__unraisablehook__(unraisable)


DESCRIPTION = """\
Verify the theory of learning from biased soft labels (Yuan et al., NeurIPS 2023): run
named claims with verdicts, measure a teacher's soft labels, distill on your own data.

  python -m verify run --suite quick              the quick suite, report in results/quick
  python -m verify list                           every claim, one line each
  python -m verify indicators --soft-labels P --labels Y
  python -m verify distill --features X --labels Y
  python -m verify certify --predictions H --soft-labels D --k K --gamma G --delta-max DM

Exit status: 0 success; 1 a [proved] statement refuted; 2 bad usage, input or
environment; 130 interrupted. The theory: docs/theory.md; the claims: docs/claims/.
"""

RUN = """\
Run claims and write DIR/report.md (a summary to read), DIR/report.json (every
measurement) and DIR/cells/ (finished pieces of work: a sweep of worlds, a grid of
students, each kept under a key of everything that determines it, so a rerun or a
resumed run reads them back instead of computing them again).

A claim is confirmed, refuted (with the smallest counterexample found) or silent (the
measurement cannot decide at these sizes). A refuted conjecture or extension is a
finding: the run still exits 0; only a refuted [proved] statement exits 1.
"""


def _parser() -> argparse.ArgumentParser:
    parser = OneLineParser(prog="python -m verify", description=DESCRIPTION)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    run = sub.add_parser("run", help="run a suite of claims and write a report", description=RUN)
    run.add_argument(
        "--suite",
        choices=SUITES,
        default="quick",
        help="sizes of the run: quick (minutes), paper (the paper's sizes), full (largest)",
    )
    run.add_argument(
        "--out",
        type=_directory,
        default=None,
        metavar="DIR",
        help="directory for the report and the kept cells (default: results/SUITE); a "
        "report already there is added to when its settings match",
    )
    run.add_argument(
        "--replace",
        action="store_true",
        help="start a new report under --out instead of adding to the one there (kept "
        "cells are still reused)",
    )
    run.add_argument(
        "--claims",
        default=None,
        metavar="PATTERN",
        help="shell patterns of claim ids, comma-separated, e.g. 'thm-C*,sbt/*' (default: "
        "every claim; see `list`)",
    )
    run.add_argument("--seed", type=int, default=DEFAULT_SEED, help="base seed of the run")
    run.add_argument(
        "--seeds",
        type=int,
        default=None,
        metavar="N",
        help=f"students per setting, 1..{MAX_SEEDS} (default: the suite's)",
    )
    listing = sub.add_parser(
        "list",
        help="list the claims with one-line descriptions",
        description="List every claim: its id, the status of its statement and its title.",
    )
    listing.add_argument(
        "--suite",
        choices=SUITES,
        default=None,
        help="also show the cells each claim needs and their sizes in this suite (default: "
        "not shown)",
    )
    _indicators_cli.add_parser(sub)
    _distill_cli.add_parser(sub)
    _certify_cli.add_parser(sub)
    _findings.add_parser(sub)
    return parser


def _directory(text: str) -> Path:
    if not text.strip():
        raise argparse.ArgumentTypeError("an empty path (say '.' for the current directory)")
    return Path(text)


def _list(suite: str | None) -> None:
    specs = all_claims()
    width = max(len(s.id) for s in specs)
    for s in specs:
        print(f"{s.id:<{width}}  {'[' + s.status + ']':<12}  {s.title}")
        if suite is None:
            continue
        for cell in s.needs:
            sizes = ", ".join(f"{k} {v}" for k, v in sizes_for(cell.sizes, suite).items())
            print(f"{'':<{width}}    {cell.id}: {sizes}")


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit status (see the module docstring)."""
    parser = _parser()
    if not (sys.argv[1:] if argv is None else argv):
        parser.print_help()
        return 0
    args = parser.parse_args(argv)
    sys.unraisablehook = _deliver_swallowed_interrupts
    try:
        return _command(args)
    except KeyboardInterrupt:
        _say("\ninterrupted")
        return 130
    except BrokenPipeError:  # the reader left (`| head`): no more output goes to stdout
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        _say("error: the output was closed before everything was written (broken pipe)")
        return 2
    except MemoryError:
        _say("error: out of memory (try a smaller input or fewer --seeds)")
        return 2
    except OSError as exc:  # the environment: a disk that fills, a directory made read-only
        where = f"{exc.filename}: " if exc.filename else ""
        _say(f"error: {where}{exc.strerror or exc}")
        return 2
    finally:
        sys.unraisablehook = sys.__unraisablehook__


def _command(args: argparse.Namespace) -> int:
    if args.command == "indicators":
        return _indicators_cli.run(args)
    if args.command == "distill":
        return _distill_cli.run(args)
    if args.command == "findings":
        return _findings.run(args)
    if args.command == "certify":
        return _certify_cli.run(args)
    if args.command == "list":
        _list(args.suite)
        return 0
    try:
        specs = select(args.claims)
    except ValueError as exc:
        _say(f"error: {exc}")
        return 2
    out = args.out or Path("results") / args.suite
    if args.seeds is not None and not 1 <= args.seeds <= MAX_SEEDS:
        _say(
            f"error: --seeds must lie in 1..{MAX_SEEDS} (students per setting, all trained in "
            f"one call), got {args.seeds}"
        )
        return 2
    try:
        claims = run_claims(
            specs,
            suite=args.suite,
            seed=args.seed,
            seeds=args.seeds,
            out=out,
            replace=args.replace,
        )
    except KeyboardInterrupt:
        _say(
            f"\ninterrupted: finished work is kept under {out}; run the same command again "
            "to resume"
        )
        return 130
    except OutputRefused as exc:
        _say(f"error: {exc}")
        return 2
    except OSError as exc:
        _say(
            f"error: {exc.filename or out}: {exc.strerror or exc}; finished cells and the report "
            f"so far are kept under {out}"
        )
        return 2
    failing = [c.id for c in claims if c.fails_suite]
    counts = {v: sum(c.verdict == v for c in claims) for v in ("confirmed", "refuted", "silent")}
    print(
        f"{len(claims)} claim{'s' * (len(claims) != 1)}: {counts['confirmed']} confirmed, "
        f"{counts['refuted']} refuted, {counts['silent']} silent. Report: {out / 'report.md'}"
    )
    if failing:
        _say(f"[proved] statements refuted: {', '.join(failing)}")
        return 1
    return 0
