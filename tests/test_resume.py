"""A sweep killed mid-run resumes to the report an uninterrupted run writes (issue: sweeps
that never lose work)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

COMMAND = [
    sys.executable,
    "-m",
    "verify",
    "run",
    "--suite",
    "quick",
    "--claims",
    "consistency/*",
    "--seeds",
    "2",
]


def _claim_cells(out: Path) -> list[Path]:
    return [p for p in (out / "cells").rglob("*.json")] if (out / "cells").exists() else []


def _claims(out: Path) -> list[dict]:
    report = json.loads((out / "report.json").read_text())
    assert report["complete"] is False  # a subset of the claims is never the whole suite
    # everything but how this run got there: wall times and whether a cell was read back
    return [
        {
            **{k: v for k, v in c.items() if k not in ("seconds", "cells")},
            "cells": [(r["id"], r["scope"], r["key"]) for r in c["cells"]],
        }
        for c in report["claims"]
    ]


def test_kill_and_resume_gives_the_same_report(tmp_path: Path) -> None:
    reference = tmp_path / "reference"
    subprocess.run(
        [*COMMAND, "--out", str(reference)], check=True, capture_output=True, timeout=600
    )
    total = len(_claim_cells(reference))

    resumed = tmp_path / "resumed"
    proc = subprocess.Popen(
        [*COMMAND, "--out", str(resumed)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 300
    while len(_claim_cells(resumed)) < 3 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    proc.kill()  # SIGKILL: no chance to clean up
    proc.wait()
    kept = len(_claim_cells(resumed))
    assert 0 < kept < total, f"the kill must land mid-run ({kept} of {total} cells kept)"

    run = subprocess.run(
        [*COMMAND, "--out", str(resumed)], check=True, capture_output=True, text=True, timeout=600
    )
    assert len(_claim_cells(resumed)) == total
    assert _claims(resumed) == _claims(reference)
    assert "Traceback" not in run.stderr


def test_ctrl_c_keeps_finished_work(tmp_path: Path) -> None:
    import signal

    out = tmp_path / "interrupted"
    proc = subprocess.Popen(
        [*COMMAND, "--out", str(out)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 300
    while (
        not (out / "report.json").exists() and proc.poll() is None and time.monotonic() < deadline
    ):
        time.sleep(0.02)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "run the same command again to resume" in err and "Traceback" not in err
    report = json.loads((out / "report.json").read_text())
    assert report["complete"] is False and report["claims"]
