"""Reports: ``report.json`` (everything) and ``report.md`` (a table, then details).

Both are written atomically (a temporary file renamed over the target), and rewritten after
every claim, so a stopped run leaves a consistent partial report marked incomplete.
"""

from __future__ import annotations

import json
import math
import os
import platform
import sys
import tempfile
from importlib import metadata
from pathlib import Path
from typing import Any

from verify._claim import VERDICTS, Claim


def versions() -> dict[str, str]:
    """Versions of Python and of the packages results depend on."""
    found = {"python": platform.python_version()}
    for name in ("biased-soft-labels", "numpy", "scipy", "hypothesis", "jax", "optax"):
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so that readers see the old or the new file, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def jsonable(value: Any) -> Any:
    """Numpy scalars and arrays to plain JSON; non-finite floats to strings."""
    if hasattr(value, "tolist"):
        value = value.tolist()
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return value


def build_report(
    claims: list[Claim],
    *,
    suite: str,
    seed: int,
    seconds: float,
    complete: bool,
    seeds: int | None = None,
) -> dict[str, Any]:
    """The report as a JSON-ready dictionary."""
    counts = {v: sum(c.verdict == v for c in claims) for v in VERDICTS}
    failing = [c.id for c in claims if c.fails_suite]
    return jsonable(
        {
            "suite": suite,
            "seed": seed,
            "seeds": seeds,
            "complete": complete,
            "seconds": round(seconds, 3),
            "versions": versions(),
            "platform": platform.platform(),
            "command": " ".join(sys.argv),
            "summary": {**counts, "proved_refuted": failing},
            "claims": [c.as_dict() for c in claims],
        }
    )


def render_markdown(report: dict[str, Any]) -> str:
    """``report.md``: the table of claims and verdicts, then each claim in detail."""
    lines = [
        f"# Verification report: suite `{report['suite']}`",
        "",
        f"Seed {report['seed']}; {report['seconds']:.1f} s; "
        + ("complete." if report["complete"] else "**incomplete** (the run was stopped)."),
        "",
        "| claim | status | verdict | result |",
        "|---|---|---|---|",
    ]
    for c in report["claims"]:
        verdict = f"**{c['verdict']}**" if c["verdict"] == "refuted" else c["verdict"]
        lines.append(f"| `{c['id']}` | {c['status']} | {verdict} | {c['summary']} |")
    lines += ["", "Versions: " + ", ".join(f"{k} {v}" for k, v in report["versions"].items())]
    for c in report["claims"]:
        lines += [
            "",
            f"## `{c['id']}`: {c['verdict']}",
            "",
            f"*Statement* ({c['status']}): {c['statement']}",
            "",
            f"*Prediction*: {c['prediction']}",
            "",
            *([c["table"], ""] if c.get("table") else []),
            "*Setting*:",
            "```json",
            json.dumps(c["setting"], indent=1),
            "```",
            "*Measurement*:",
            "```json",
            json.dumps(c["measurement"], indent=1),
            "```",
        ]
        if c.get("counterexample"):
            lines += [
                "*Counterexample*:",
                "```json",
                json.dumps(c["counterexample"], indent=1),
                "```",
            ]
        lines.append(f"Seed {c['seed']}, {c['seconds']:.2f} s.")
    return "\n".join(lines) + "\n"


def write_report(out: Path, report: dict[str, Any]) -> None:
    """Write ``out/report.json`` and ``out/report.md`` atomically."""
    write_atomic(out / "report.json", json.dumps(report, indent=1) + "\n")
    write_atomic(out / "report.md", render_markdown(report))
