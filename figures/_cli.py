"""``python -m figures all --results DIR --out DIR`` and ``python -m figures list``.

Exit status: 0 every figure asked for was drawn (or skipped for lack of its claims); 2 bad
usage, unreadable results, an unwritable ``--out``, or a figure that cannot be drawn from
the results (the others are still drawn); 130 interrupted.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import sys
import tempfile
from pathlib import Path
from typing import Any, NoReturn

from figures._registry import all_figures
from figures._style import save, supported_formats
from verify.schema import SchemaError, load_report


class _Help(argparse.RawDescriptionHelpFormatter):
    """Descriptions as written; ``(default: X)`` after options with a default value."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        default = action.default
        shown = not (default is None or default is False or default == argparse.SUPPRESS)
        if shown and "default" not in text and action.option_strings:
            text += " (default: %(default)s)"
        return text


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _Help)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:  # one line, status 2
        self.exit(2, f"error: {self.prog}: {message} (see --help)\n")


def _directory(text: str) -> Path:
    if not text.strip():
        raise argparse.ArgumentTypeError("an empty path (say '.' for the current directory)")
    return Path(text)


def _not_finite(value: Any) -> bool:
    """Whether a measurement holds NaN or an infinity anywhere."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return any(_not_finite(getattr(value, f.name)) for f in dataclasses.fields(value))
    if isinstance(value, dict):
        return any(_not_finite(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(_not_finite(v) for v in value)
    return isinstance(value, float) and not math.isfinite(value)


DESCRIPTION = """\
Draw every figure from a saved verification report (nothing is trained or sampled).

  python -m figures all --results results/quick      PNG and PDF in results/quick/figures
  python -m figures list                             the figures and the claims each needs

A figure whose claims the report lacks is skipped (run the suite that makes them).
Exit status: 0 drawn; 2 bad usage, unreadable results, an unwritable --out or a figure
that cannot be drawn (the others are still drawn); 130 interrupted.
"""


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m figures", description=DESCRIPTION)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    draw = sub.add_parser(
        "all",
        help="draw every figure whose claims are in the results",
        description="Draw every figure (or --only one) whose claims the report in --results "
        "holds, into --out.",
    )
    draw.add_argument(
        "--results",
        type=Path,
        required=True,
        metavar="DIR",
        help="a run's --out directory, holding report.json",
    )
    draw.add_argument(
        "--out",
        type=_directory,
        default=None,
        metavar="DIR",
        help="where the files go (default: RESULTS/figures, where report.md links them)",
    )
    draw.add_argument(
        "--only", default=None, metavar="NAME", help="draw just this figure (default: all)"
    )
    draw.add_argument("--formats", default="png,pdf", help="comma-separated file types")
    draw.add_argument("--dpi", type=int, default=150, help="resolution of raster files")
    sub.add_parser(
        "list",
        help="list the figures and the claims each needs",
        description="List every figure, what it shows and the claims it is drawn from.",
    )
    return parser


def _check_out(out: Path) -> None:
    """Create ``out`` and write a file in it (a nameless one: runs at once cannot collide),
    or raise ``OSError``."""
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryFile(dir=out) as probe:
        probe.write(b"probe")


def _draw_all(args: argparse.Namespace) -> int:
    specs = all_figures()
    if args.command == "list":
        for spec in specs:
            print(f"{spec.name:22s} {spec.description}  [needs: {', '.join(spec.needs)}]")
        return 0
    formats = tuple(f.strip().lower() for f in args.formats.split(",") if f.strip())
    supported = supported_formats()
    unknown = sorted(set(formats) - supported)
    if not formats or unknown:
        print(
            f"error: --formats: {', '.join(unknown) or 'none given'} not supported "
            f"(choose from {', '.join(sorted(supported))})",
            file=sys.stderr,
        )
        return 2
    if args.only and args.only not in {s.name for s in specs}:
        print(f"error: --only: no figure named {args.only!r} (see: list)", file=sys.stderr)
        return 2
    if args.dpi < 1:
        print(f"error: --dpi: must be positive, got {args.dpi}", file=sys.stderr)
        return 2
    report_path = args.results / "report.json"
    try:
        report = load_report(report_path)
    except OSError as exc:
        print(f"error: {report_path}: cannot read the results ({exc.strerror})", file=sys.stderr)
        return 2
    except SchemaError as exc:
        print(f"error: cannot read the results: {exc}", file=sys.stderr)
        return 2
    try:
        _check_out(args.out)
    except OSError as exc:
        print(f"error: --out {args.out}: cannot write there ({exc.strerror})", file=sys.stderr)
        return 2
    claims = {c.id for c in report.claims}
    drawn = skipped = 0
    failed = []
    for spec in specs:
        if args.only and spec.name != args.only:
            continue
        missing = [c for c in spec.needs if c not in claims]
        if missing:
            print(f"skip {spec.name}: the results lack {', '.join(missing)}", file=sys.stderr)
            skipped += 1
            continue
        gaps = [c for c in spec.needs if _not_finite(report.claim(c).measurement)]
        if gaps:
            print(
                f"warning: {spec.name}: {', '.join(gaps)} hold NaN or infinite values, drawn as "
                "gaps or left out",
                file=sys.stderr,
            )
        try:
            paths = save(spec.draw(report), args.out, spec.name, formats=formats, dpi=args.dpi)
        except OSError:
            raise  # the environment, not the results: reported once by main
        # A result the figure cannot show (NaN where a number is plotted, a claim measured
        # without the part it draws) fails this figure only; the others are still drawn.
        except Exception as exc:  # noqa: BLE001
            print(
                f"error: {spec.name}: cannot be drawn from {report_path} "
                f"({type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''})",
                file=sys.stderr,
            )
            failed.append(spec.name)
            continue
        print(f"drew {spec.name}: {', '.join(str(p) for p in paths)}")
        drawn += 1
    print(
        f"{drawn} figures drawn, {skipped} skipped (run the suite that makes their claims)"
        + (f", {len(failed)} failed: {', '.join(failed)}" if failed else "")
    )
    return 2 if failed else 0


def _say(line: str) -> None:
    try:
        print(line, file=sys.stderr, flush=True)
    except (OSError, ValueError):  # stderr gone: the status still tells
        pass


def main(argv: list[str] | None = None) -> int:
    """Entry point; the exit statuses are in the module docstring."""
    parser = _parser()
    if not (sys.argv[1:] if argv is None else argv):
        parser.print_help()
        return 0
    args = parser.parse_args(argv)
    if getattr(args, "out", None) is None and args.command == "all":
        args.out = args.results / "figures"
    try:
        return _draw_all(args)
    except KeyboardInterrupt:
        _say("\ninterrupted")
        return 130
    except OSError as exc:  # a disk that fills, a directory removed while drawing
        where = f"{exc.filename}: " if exc.filename else ""
        _say(f"error: {where}{exc.strerror or exc}")
        return 2
