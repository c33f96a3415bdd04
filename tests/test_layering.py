"""The layering of the packages, checked on the source: no package reaches into another's
private modules, and the claim modules, the registry and the suite table agree."""

from __future__ import annotations

import ast
from pathlib import Path

import verify
from verify._catalog import HELPERS, claim_modules
from verify._registry import registered
from verify._spec import Per
from verify._suites import ORDER, SIZES

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("synth", "theory", "verify", "figures")


def _private_imports(path: Path, own: str, root: Path = ROOT) -> list[str]:
    """``file:line: name`` for each import of a private name of another package."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [f"{node.module}.{a.name}" for a in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] in PACKAGES and parts[0] != own and any(p.startswith("_") for p in parts):
                line = getattr(node, "lineno", 0)
                found.append(f"{path.relative_to(root)}:{line}: {name}")
    return found


def test_no_package_imports_a_private_name_of_another() -> None:
    bad = [
        hit
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        for hit in _private_imports(path, package)
    ]
    assert not bad, "\n".join(bad)


def test_the_check_sees_a_private_import(tmp_path: Path) -> None:
    sample = tmp_path / "mod.py"
    sample.write_text(
        "from synth._checks import x\nfrom verify import _cli\nimport theory._erm\n"
        "from verify.schema import Report\nfrom synth import checks\n"
    )
    assert _private_imports(sample, "figures", tmp_path) == [
        "mod.py:1: synth._checks.x",
        "mod.py:2: verify._cli",
        "mod.py:3: theory._erm",
    ]
    assert len(_private_imports(sample, "synth", tmp_path)) == 2  # its own are allowed


def test_every_claim_module_on_disk_registers_claims() -> None:
    on_disk = {p.stem for p in (ROOT / "verify" / "claims").glob("*.py")} - {"__init__"}
    assert set(claim_modules()) == on_disk - HELPERS
    verify.all_claims()  # imports every module
    modules = {spec.needs[0].module.rsplit(".", 1)[1] for spec in registered().values()}
    assert modules == set(claim_modules()), "a claim module that registers nothing"


def test_the_suite_table_orders_every_claim_and_sizes_every_cell() -> None:
    assert list(ORDER) == [s.id for s in verify.all_claims()]
    assert sorted(ORDER) == sorted(registered())
    used = {cell.sizes for s in verify.all_claims() for cell in s.needs}
    assert used == set(SIZES), "a sizes entry no cell reads, or a cell without one"


def _amount(value: object) -> float:
    return float(len(value)) if isinstance(value, list) else float(value)  # type: ignore[arg-type]


def test_full_is_larger_than_paper_and_paper_than_quick() -> None:
    for name, entry in SIZES.items():
        grows = False
        for key, per in entry.items():
            assert isinstance(per, Per)
            q, p, f = (_amount(per.pick(s)) for s in ("quick", "paper", "full"))
            assert q <= p <= f, (name, key)
            grows |= f > p
        assert grows, f"{name}: the full suite runs nothing more than paper"
