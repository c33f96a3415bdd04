"""``python -m figures all --results DIR --out DIR`` and ``python -m figures list``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from figures._registry import all_figures
from figures._style import save
from verify.schema import SchemaError, load_report


def main(argv: list[str] | None = None) -> int:
    """Entry point; exit status 2 when the results cannot be read or a figure fails."""
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
    args = parser.parse_args(argv)
    specs = all_figures()
    if args.command == "list":
        for spec in specs:
            print(f"{spec.name:22s} {spec.description}  [needs: {', '.join(spec.needs)}]")
        return 0
    report_path = args.results / "report.json"
    try:
        report = load_report(report_path)
    except OSError as exc:
        print(f"error: {report_path}: cannot read the results ({exc})", file=sys.stderr)
        return 2
    except SchemaError as exc:
        print(f"error: cannot read the results: {exc}", file=sys.stderr)
        return 2
    claims = {c.id for c in report.claims}
    drawn = skipped = 0
    for spec in specs:
        if args.only and spec.name != args.only:
            continue
        missing = [c for c in spec.needs if c not in claims]
        if missing:
            print(f"skip {spec.name}: the results lack {', '.join(missing)}", file=sys.stderr)
            skipped += 1
            continue
        formats = tuple(f.strip() for f in args.formats.split(",") if f.strip())
        paths = save(spec.draw(report), args.out, spec.name, formats=formats, dpi=args.dpi)
        print(f"drew {spec.name}: {', '.join(str(p) for p in paths)}")
        drawn += 1
    print(f"{drawn} figures drawn, {skipped} skipped (run the suite that makes their claims)")
    return 0
