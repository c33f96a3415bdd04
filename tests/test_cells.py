"""Cells: a cell read back is the cell that would be recomputed.

Its key holds its seed scope, sizes, the code that computes it and the library versions, so
neither the order claims run in nor a stale file from older code can change a result; a
file that does not fit is recomputed with one warning, never trusted.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import verify
from verify._cells import cell_key
from verify._fingerprint import module_closure
from verify._schema import to_json
from verify._suites import sizes_for

ROOT = Path(__file__).resolve().parents[1]


def _measurement(out: Path, claim_id: str) -> Any:
    report = json.loads((out / "report.json").read_text())
    (claim,) = [c for c in report["claims"] if c["id"] == claim_id]
    return claim["measurement"]


def _run(pattern: str, out: Path | None, **kw: Any) -> list[verify.ClaimResult]:
    return verify.run_claims(
        verify.select(pattern), suite="quick", seed=0, out=out, progress=None, **kw
    )


def test_shared_cells_do_not_depend_on_which_claim_ran_first(tmp_path: Path) -> None:
    """The issue's run-order experiment: bound first, then margin, into one directory,
    against margin alone into a fresh one."""
    shared, fresh = tmp_path / "shared", tmp_path / "fresh"
    _run("learnability/bound", shared, seeds=2)
    (second,) = _run("learnability/margin", shared, seeds=2)
    assert not second.cells[0].computed  # the grid was read back, not recomputed
    _run("learnability/margin", fresh, seeds=2)
    assert _measurement(shared, "learnability/margin") == _measurement(fresh, "learnability/margin")


def test_the_key_holds_what_determines_a_cell() -> None:
    (spec,) = verify.select("learnability/margin")
    (cell,) = spec.needs
    key = cell_key(cell, sizes_for(cell.sizes, "quick"), 0)
    assert key["cell"] == "learnability/curves" and key["scope"] == "learnability/curves"
    assert key["sizes"] == to_json(sizes_for("learnability/curves", "quick"))
    assert key["seed"] == 0 and len(key["code"]) == 20
    assert {"numpy", "scipy", "jax", "jaxlib", "optax", "python"} <= set(key["versions"])
    other = cell_key(cell, sizes_for(cell.sizes, "quick", seeds=2), 0)
    assert other != key  # --seeds changes the sizes, hence the key


def test_code_closure_follows_imports_and_nothing_else() -> None:
    closure = set(module_closure("verify.claims._facts"))
    assert {"verify.claims._facts", "verify.claims._common", "verify._spec"} <= closure
    assert {"theory._indicators", "synth._finite", "synth", "theory"} <= closure
    # neither the trainer (nothing here trains), the command line, the report, the suite
    # table nor other claims
    assert not closure & {"verify._train", "verify._cli", "verify._report", "verify._suites"}
    assert "verify._train" in module_closure("verify.claims._trained")
    assert not any(m.startswith("figures") for m in closure)
    assert "verify.claims._headline" not in closure


def _cell_file(out: Path, cell_id: str) -> Path:
    (path,) = (out / "cells" / cell_id.replace("/", "__")).glob("*.json")
    return path


@pytest.mark.parametrize(
    "corrupt",
    [
        lambda d: {**d, "record": {**d["record"], "checked": "many"}},  # wrong type
        lambda d: {**d, "record": {"checked": 3}},  # a field missing
        lambda d: {**d, "record": {**d["record"], "extra": 1}},  # an unknown field
        lambda d: [1, 2, 3],  # not a cell at all
        lambda d: {**d, "key": {**d["key"], "seed": 99}},  # another cell's key
    ],
    ids=["wrong-type", "missing-field", "unknown-field", "not-a-cell", "other-key"],
)
def test_a_cell_that_does_not_fit_is_recomputed_with_one_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], corrupt: Any
) -> None:
    (first,) = _run("facts", tmp_path)
    path = _cell_file(tmp_path, "facts")
    path.write_text(json.dumps(corrupt(json.loads(path.read_text()))))
    capsys.readouterr()
    (again,) = _run("facts", tmp_path)
    err = capsys.readouterr().err
    assert err.count("warning:") == 1 and str(path) in err and "recomputing" in err
    assert again.cells[0].computed
    assert to_json(again.measurement) == to_json(first.measurement)
    (third,) = _run("facts", tmp_path)  # the recomputed cell was written back, and fits
    assert not third.cells[0].computed


def test_a_truncated_cell_is_recomputed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _run("facts", tmp_path)
    path = _cell_file(tmp_path, "facts")
    path.write_text(path.read_text()[:40])
    (again,) = _run("facts", tmp_path)
    assert again.cells[0].computed and str(path) in capsys.readouterr().err


def _copy_packages(dest: Path) -> Path:
    for name in ("theory", "synth", "verify"):
        shutil.copytree(ROOT / name, dest / name, ignore=shutil.ignore_patterns("__pycache__"))
    return dest


def _cli(pkgs: Path, out: Path) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": str(pkgs)}
    proc = subprocess.run(
        [sys.executable, "-m", "verify", "run", "--claims", "thm-C-tightness", "--out", str(out)],
        cwd=pkgs,  # so the copy, not this checkout, is imported
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    return json.loads((out / "report.json").read_text())["claims"][0]


def test_a_code_change_recomputes_the_cells_it_touches(tmp_path: Path) -> None:
    """The issue's code-change experiment, on a copy of the packages: the tightness
    boundary moved from 1/2 to 0.6 must be recomputed and refuted, not read back."""
    pkgs = _copy_packages(tmp_path / "pkgs")
    module = pkgs / "verify" / "claims" / "_consistency.py"
    text = module.read_text()
    out = tmp_path / "out"
    first = _cli(pkgs, out)
    assert first["verdict"] == "confirmed" and first["cells"][0]["computed"]
    assert not _cli(pkgs, out)["cells"][0]["computed"]  # unchanged: read back
    # an edit elsewhere leaves this cell alone
    other = pkgs / "verify" / "claims" / "_headline.py"
    other.write_text(other.read_text() + "\n# an unrelated edit\n")
    assert not _cli(pkgs, out)["cells"][0]["computed"]
    # comments, docstrings and formatting of the cell's own code cannot change a number
    reworded = text.replace('"""Claims', '"""Reworded: claims', 1)
    module.write_text(reworded.replace("\n\n\n", "\n\n\n# why\n\n\n", 1))
    assert not _cli(pkgs, out)["cells"][0]["computed"]
    # the experiment: the code that computes the cell changes (and only the copy has it, so
    # a refuted verdict also shows that the copy is what ran)
    edit = "unique[i] = r[0] < r[1] - EXACT_TOL"
    assert edit in text
    module.write_text(text.replace(edit, "unique[i] = a < 0.6"))
    changed = _cli(pkgs, out)
    assert changed["cells"][0]["computed"]
    assert changed["verdict"] == "refuted"
    assert changed["measurement"]["smallest_a_not_unique"] == pytest.approx(0.6)
