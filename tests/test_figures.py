"""Every figure draws from saved results alone (figures never train)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import figures
import verify
from figures import _cli


def test_every_figure_draws_from_the_quick_results(
    quick_report: tuple[int, dict, str, Path], tmp_path: Path
) -> None:
    _, report, _, results = quick_report
    out = tmp_path / "figures"
    assert _cli.main(["all", "--results", str(results), "--out", str(out)]) == 0
    ids = {c["id"] for c in report["claims"]}
    for spec in figures.all_figures():
        assert set(spec.needs) <= ids, f"the quick suite lacks the claims of {spec.name}"
        for suffix in ("png", "pdf"):
            path = out / f"{spec.name}.{suffix}"
            assert path.is_file() and path.stat().st_size > 1000, path


def test_figures_skip_what_the_results_lack(tmp_path: Path) -> None:
    empty = verify.build_report([], suite="quick", seed=0, seconds=0.0, complete=True)
    (tmp_path / "report.json").write_text(json.dumps(empty.to_json()))
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "figures",
            "all",
            "--results",
            str(tmp_path),
            "--out",
            str(tmp_path / "o"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0 and "skip phase-diagram" in proc.stderr
    assert "0 figures drawn" in proc.stdout


def test_unreadable_results_exit_2(tmp_path: Path, capsys) -> None:
    assert _cli.main(["all", "--results", str(tmp_path), "--out", str(tmp_path)]) == 2
    assert "cannot read the results" in capsys.readouterr().err


def test_results_of_another_schema_exit_2(tmp_path: Path, capsys) -> None:
    (tmp_path / "report.json").write_text(json.dumps({"suite": "quick", "claims": []}))
    assert _cli.main(["all", "--results", str(tmp_path), "--out", str(tmp_path)]) == 2
    assert "schema version 1" in capsys.readouterr().err


def test_list_names_every_figure(capsys) -> None:
    assert _cli.main(["list"]) == 0
    listed = capsys.readouterr().out
    for spec in figures.all_figures():
        assert spec.name in listed
