"""Every public name documents itself with a pointer to the mathematics."""

from __future__ import annotations

import inspect

import pytest

import synth
import synth.checks
import synth.rules
import synth.strategies
import theory
import theory.strategies
import verify
import verify.schema

PACKAGES = [theory, synth, synth.checks, synth.rules, synth.strategies, theory.strategies]


def _public(module: object) -> list[tuple[str, object]]:
    return [(name, getattr(module, name)) for name in module.__all__]  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("name", "obj"),
    [item for module in PACKAGES for item in _public(module) if callable(item[1])],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_public_names_have_docstrings_pointing_to_theory(name: str, obj: object) -> None:
    doc = inspect.getdoc(obj) or ""
    assert doc, f"{name} has no docstring"
    assert "docs/theory.md" in doc, (
        f"{name}: its docstring does not point to a docs/theory.md section"
    )


@pytest.mark.parametrize("module", [theory, synth, synth.checks, verify, verify.schema])
def test_all_names_exist(module: object) -> None:
    for name in module.__all__:  # type: ignore[attr-defined]
        assert hasattr(module, name), name
