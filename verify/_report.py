"""Reports: ``report.json`` (everything, in the result schema) and ``report.md`` (a table,
then details).

Both are written atomically and rewritten after every claim, so a stopped run leaves a
consistent partial report marked incomplete (a report holds every claim of the catalogue
or says it is incomplete; :mod:`verify._outputs` adds a run's claims to those kept).
"""

from __future__ import annotations

import json
import platform
import sys
from pathlib import Path
from typing import cast

from verify._atomic import write_atomic
from verify._fingerprint import library_versions
from verify._schema import to_json
from verify._spec import VERDICTS, Suite
from verify.schema import SCHEMA_VERSION, ClaimResult, Report


def versions() -> dict[str, str]:
    """Versions of Python, this package and the libraries results depend on."""
    from importlib import metadata

    found = dict(library_versions())
    for name in ("biased-soft-labels", "hypothesis"):
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


def build_report(
    claims: list[ClaimResult],
    *,
    suite: str,
    seed: int,
    seconds: float,
    complete: bool,
    seeds: int | None = None,
) -> Report:
    """The report of ``claims`` (in the order given)."""
    return Report(
        schema_version=SCHEMA_VERSION,
        suite=cast(Suite, suite),  # validated by the runner
        seed=seed,
        seeds=seeds,
        complete=complete,
        seconds=round(seconds, 3),
        versions=versions(),
        platform=platform.platform(),
        command=" ".join(sys.argv),
        counts={v: sum(c.verdict == v for c in claims) for v in VERDICTS},
        proved_refuted=[c.id for c in claims if c.fails_suite],
        claims=list(claims),
    )


def render_markdown(report: Report) -> str:
    """``report.md``: the table of claims and verdicts, then each claim in detail."""
    lines = [
        f"# Verification report: suite `{report.suite}`",
        "",
        f"Seed {report.seed}; {report.seconds:.1f} s; "
        + (
            "complete."
            if report.complete
            else "**incomplete**: not every claim is here (a subset was run, or the run was "
            "stopped)."
        ),
        "",
        "| claim | status | verdict | result |",
        "|---|---|---|---|",
    ]
    for c in report.claims:
        verdict = f"**{c.verdict}**" if c.verdict == "refuted" else c.verdict
        lines.append(f"| `{c.id}` | {c.status} | {verdict} | {c.summary} |")
    lines += ["", "Versions: " + ", ".join(f"{k} {v}" for k, v in report.versions.items())]
    for c in report.claims:
        measurement = to_json(c.measurement)
        counterexample = (
            measurement.pop("counterexample", None) if isinstance(measurement, dict) else None
        )
        lines += [
            "",
            f"## `{c.id}`: {c.verdict}",
            "",
            f"*Statement* ({c.status}, THEORY.md section {c.section}): {c.statement}",
            "",
            f"*Prediction*: {c.predicts}",
            "",
            f"*Verdict*: {c.verdict}: {c.reason}.",
            "",
            *([c.table, ""] if c.table else []),
            "*Setting*:",
            "```json",
            json.dumps({**c.setting, "sizes": c.sizes}, indent=1),
            "```",
            "*Measurement*:",
            "```json",
            json.dumps(measurement, indent=1),
            "```",
        ]
        if counterexample:
            lines += ["*Counterexample*:", "```json", json.dumps(counterexample, indent=1), "```"]
        cells = ", ".join(
            f"`{r.id}` ({'computed' if r.computed else 'read back'}, {r.seconds:.1f} s)"
            for r in c.cells
        )
        lines.append(f"Cells: {cells}; {c.seconds:.2f} s in this run.")
    return "\n".join(lines) + "\n"


def write_report(out: Path, report: Report) -> None:
    """Write ``out/report.json`` and ``out/report.md`` atomically."""
    write_atomic(out / "report.json", json.dumps(report.to_json(), indent=1) + "\n")
    write_atomic(out / "report.md", render_markdown(report))
