"""Write ``verify/_typical.py``: what computing each cell took, per suite, from reports of
full runs on one machine (the progress bar's expectations on a first run).

    python benchmarks/typical.py results/quick results/paper

Run the suites on an idle machine first; each report must hold every claim (``complete``).
"""

from __future__ import annotations

import json
import platform
import sys
from pathlib import Path

TARGET = Path(__file__).resolve().parents[1] / "verify" / "_typical.py"


def cell_seconds(results: Path) -> tuple[str, dict[str, float]]:
    report = json.loads((results / "report.json").read_text())
    if not report["complete"]:
        raise SystemExit(f"{results}: the report is not complete")
    seconds = {
        c["id"]: round(c["seconds"], 1) for claim in report["claims"] for c in claim["cells"]
    }
    return report["suite"], dict(sorted(seconds.items()))


def main(paths: list[str]) -> None:
    table = dict(cell_seconds(Path(p)) for p in paths)
    body = json.dumps(table, indent=4).replace("\n}", ",\n}")
    TARGET.write_text(
        '"""Seconds computing each cell took on the reference machine, per suite: what the\n'
        "progress bar expects of a cell that neither this run's ``--out`` nor its previous\n"
        f"report knows. Measured on {platform.machine()} with 2 cores; written by\n"
        '``benchmarks/typical.py``."""\n\n'
        f"SECONDS: dict[str, dict[str, float]] = {body}\n"
    )
    print(f"wrote {TARGET}")


if __name__ == "__main__":
    main(sys.argv[1:])
