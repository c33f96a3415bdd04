"""``python -m figures all --results DIR --out DIR`` and ``python -m figures list``.

Exit status: 0 every figure asked for was drawn (or skipped for lack of its claims); 2 bad
usage, unreadable results, an unwritable ``--out``, or a figure that cannot be drawn from
the results (the others are still drawn); 130 interrupted.
"""

from __future__ import annotations

import argparse
import errno
import sys
from pathlib import Path

from figures._registry import all_figures
from figures._style import save, supported_formats
from verify.schema import SchemaError, load_report


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m figures", description="Draw figures from saved results."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    draw = sub.add_parser("all", help="draw every figure whose claims are in the results")
    draw.add_argument("--results", type=Path, required=True, help="a directory with report.json")
    draw.add_argument("--out", type=Path, required=True, help="where PNG and PDF files go")
    draw.add_argument("--only", default=None, help="draw just this figure")
    draw.add_argument("--formats", default="png,pdf", help="comma-separated file types")
    draw.add_argument("--dpi", type=int, default=150, help="resolution of raster files")
    sub.add_parser("list", help="list the figures and the claims each needs")
    return parser


def _check_out(out: Path) -> None:
    """Create ``out`` and write a probe file in it, or raise ``OSError``."""
    if str(out) == "":
        raise OSError(errno.EINVAL, "an empty path", "--out")
    out.mkdir(parents=True, exist_ok=True)
    probe = out / ".figures-probe"
    probe.write_bytes(b"")
    probe.unlink()


def _draw_all(args: argparse.Namespace) -> int:
    specs = all_figures()
    if args.command == "list":
        for spec in specs:
            print(f"{spec.name:22s} {spec.description}  [needs: {', '.join(spec.needs)}]")
        return 0
    formats = tuple(f.strip().lower() for f in args.formats.split(",") if f.strip())
    unknown = sorted(set(formats) - supported_formats())
    if not formats or unknown:
        print(
            f"error: --formats: {', '.join(unknown) or 'none given'} not supported "
            f"(choose from {', '.join(sorted(supported_formats()))})",
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


def main(argv: list[str] | None = None) -> int:
    """Entry point; the exit statuses are in the module docstring."""
    args = _parser().parse_args(argv)
    try:
        return _draw_all(args)
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130
    except OSError as exc:  # a disk that fills, a directory removed while drawing
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"error: {where}{exc.strerror or exc}", file=sys.stderr)
        return 2
