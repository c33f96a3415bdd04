"""Command line: ``python -m verify run|list|indicators|distill|findings``.

Exit status, for every command: 0 success; 1 only when a ``[proved]`` claim is refuted;
2 bad usage, a bad input file or an environment problem (an unwritable or full disk, a
report under ``--out`` of other settings, memory exhausted, output closed early), always
with one line and never a traceback; 130 interrupted (Ctrl-C), also while loading.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from verify import _distill_cli, _findings, _indicators_cli
from verify._catalog import all_claims, select
from verify._outputs import OutputRefused
from verify._runner import run_claims
from verify._spec import SUITES
from verify._suites import sizes_for

DEFAULT_SEED = 0
#: ``--seeds`` above this is refused: fifty times the full suite's 20 students per setting,
#: and every setting's students train in one call whose memory grows with them.
MAX_SEEDS = 1000


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m verify",
        description="Verify the theory of learning from biased soft labels.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run a suite of claims and write a report")
    run.add_argument("--suite", choices=SUITES, default="quick", help="size of the run")
    run.add_argument(
        "--out",
        type=_directory,
        default=None,
        help="directory for report.json/.md and the kept cells (default: results/SUITE); a "
        "report already there is added to when its settings match",
    )
    run.add_argument(
        "--replace",
        action="store_true",
        help="start a new report under --out instead of adding to the one there",
    )
    run.add_argument("--claims", default=None, help="shell pattern of claim ids, e.g. 'thm-C*'")
    run.add_argument("--seed", type=int, default=DEFAULT_SEED, help="base seed of the run")
    run.add_argument(
        "--seeds",
        type=int,
        default=None,
        help="students per setting, 1..1000 (default: the suite's)",
    )
    listing = sub.add_parser("list", help="list the claims with one-line descriptions")
    listing.add_argument(
        "--suite", choices=SUITES, default=None, help="also show what this suite runs"
    )
    _indicators_cli.add_parser(sub)
    _distill_cli.add_parser(sub)
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
    args = _parser().parse_args(argv)
    try:
        return _command(args)
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader left (`| head`): nothing more to say, to anyone
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 2
    except MemoryError:
        print("error: out of memory (try a smaller input or fewer --seeds)", file=sys.stderr)
        return 2
    except OSError as exc:  # the environment: a disk that fills, a directory made read-only
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"error: {where}{exc.strerror or exc}", file=sys.stderr)
        return 2


def _command(args: argparse.Namespace) -> int:
    if args.command == "indicators":
        return _indicators_cli.run(args)
    if args.command == "distill":
        return _distill_cli.run(args)
    if args.command == "findings":
        return _findings.run(args)
    if args.command == "list":
        _list(args.suite)
        return 0
    try:
        specs = select(args.claims)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    out = args.out or Path("results") / args.suite
    if args.seeds is not None and not 1 <= args.seeds <= MAX_SEEDS:
        print(
            f"error: --seeds must lie in 1..{MAX_SEEDS} (students per setting, all trained in "
            f"one call), got {args.seeds}",
            file=sys.stderr,
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
        print(
            f"\ninterrupted: finished work is kept under {out}; run the same command again "
            "to resume",
            file=sys.stderr,
        )
        return 130
    except OutputRefused as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(
            f"error: {exc.filename or out}: {exc.strerror or exc}; finished cells and the report "
            f"so far are kept under {out}",
            file=sys.stderr,
        )
        return 2
    failing = [c.id for c in claims if c.fails_suite]
    counts = {v: sum(c.verdict == v for c in claims) for v in ("confirmed", "refuted", "silent")}
    print(
        f"{len(claims)} claims: {counts['confirmed']} confirmed, {counts['refuted']} refuted, "
        f"{counts['silent']} silent. Report: {out / 'report.md'}"
    )
    if failing:
        print(f"[proved] statements refuted: {', '.join(failing)}", file=sys.stderr)
        return 1
    return 0
