"""``python -m verify findings``: the table of findings README shows, from a saved report.

README's table is this command's output on the quick suite's report; a test regenerates it
from a fresh quick run and compares every number within the rounding it is printed with.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

from verify._report import markdown_cell
from verify.schema import SchemaError, load_report

#: Numbers below this are float64 rounding residues of exact identities (the largest
#: violation of an identity, ~1e-16): they differ from machine to machine.
RESIDUE = 1e-9

#: A number as summaries print them (``0.123``, ``-0.45``, ``1e-05``, ``24``).
NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e[-+]?\d+)?")


def findings_table(results: Path) -> str:
    """A Markdown table: one row per claim of the report in ``results``, with its verdict
    and the summary the report gives."""
    report = load_report(results)
    lines = [
        f"| claim | verdict | measured ({report.suite} suite, seed {report.seed}) |",
        "|---|---|---|",
    ]
    for c in report.claims:
        lines.append(f"| `{c.id}` | {c.verdict} | {markdown_cell(c.summary)} |")
    return "\n".join(lines)


def differences(printed: str, measured: str) -> list[str]:
    """Where two renderings of a table disagree: text that differs, or a number off by more
    than one unit in the last decimal place it is printed with (rounding, plus the last
    digit's float noise across machines); integers (counts) exactly. Rounding residues
    below :data:`RESIDUE` are not compared."""
    found = []
    a_lines, b_lines = printed.strip().splitlines(), measured.strip().splitlines()
    if len(a_lines) != len(b_lines):
        return [f"{len(a_lines)} rows printed, {len(b_lines)} measured"]
    for a, b in zip(a_lines, b_lines, strict=True):
        if NUMBER.sub("#", a) != NUMBER.sub("#", b):
            found.append(f"text differs:\n  printed:  {a}\n  measured: {b}")
            continue
        for x, y in zip(NUMBER.findall(a), NUMBER.findall(b), strict=True):
            if max(abs(float(x)), abs(float(y))) < RESIDUE:
                continue  # both are rounding residues of an exact zero
            if abs(float(x) - float(y)) > _unit(x) * 1.0001:
                found.append(f"{x} printed, {y} measured, in: {a[:60]}")
    return found


def _unit(text: str) -> float:
    if "." not in text and "e" not in text:
        return 0.0  # an integer is a count: exact
    mantissa = text.split("e")[0]
    decimals = len(mantissa.split(".")[1]) if "." in mantissa else 0
    scale = 10.0 ** int(text.split("e")[1]) if "e" in text else 1.0
    return 10.0**-decimals * scale


def add_parser(sub: Any) -> None:
    """Register the ``findings`` subcommand."""
    p = sub.add_parser(
        "findings",
        help="print the table of findings (README's) from a saved report",
        description="Print a Markdown table with one row per claim of a saved report: its "
        "verdict and what it measured (README's table is this on the quick suite).",
    )
    p.add_argument(
        "--results",
        type=Path,
        default=Path("results/quick"),
        metavar="DIR",
        help="a run's --out directory",
    )


def run(args: Any) -> int:
    """Print the table; one line and exit status 2 when the report cannot be read."""
    try:
        print(findings_table(args.results))
    except (OSError, SchemaError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0
