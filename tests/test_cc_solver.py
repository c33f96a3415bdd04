"""The compiled CC solver (``theory._cc_solver``) against the numpy solver it replaced and
against itself however the points are spread over calls and lanes."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import theory
from theory import _cc_solver

BEFORE = Path(__file__).parent / "data" / "cc_surrogate_quick_before_compiled_solver.json"


def _differences(old: Any, new: Any, path: str = "") -> list[str]:
    """Where two measurements differ: anything but a float exactly, floats beyond 1e-6
    (the solvers' end points agree to ~1e-7 at ties; the KKT gaps, ~1e-9, are not compared)."""
    if isinstance(old, dict) and isinstance(new, dict):
        if set(old) != set(new):
            return [f"{path}: keys {sorted(set(old) ^ set(new))}"]
        return [
            d for k in old if k != "kkt_gap" for d in _differences(old[k], new[k], f"{path}/{k}")
        ]
    if isinstance(old, list) and isinstance(new, list):
        if len(old) != len(new):
            return [f"{path}: {len(old)} items against {len(new)}"]
        return [
            d
            for i, (a, b) in enumerate(zip(old, new, strict=True))
            for d in _differences(a, b, f"{path}/{i}")
        ]
    if isinstance(old, float) and isinstance(new, float):
        return (
            [] if math.isclose(old, new, rel_tol=1e-6, abs_tol=1e-6) else [f"{path}: {old} {new}"]
        )
    return [] if old == new else [f"{path}: {old!r} against {new!r}"]


def test_the_quick_cc_claim_is_what_the_numpy_solver_measured(
    quick_report: tuple[int, dict, str, Path],
) -> None:
    """Every count, set law, certificate verdict and counterexample of ``cc-surrogate`` in the
    quick suite equals the numpy solver's (recorded in tests/data from the release before
    the compiled solver; its source line says how)."""
    _, report, _, _ = quick_report
    before = json.loads(BEFORE.read_text())
    (claim,) = [c for c in report["claims"] if c["id"] == "cc-surrogate"]
    assert _differences(before["measurement"], claim["measurement"]) == []
    assert claim["measurement"]["set_laws"]["inconsistent_inside"]["hits"] == 12  # not vacuous


def _random_laws(rng: np.random.Generator, n: int, s: int, c: int) -> tuple[np.ndarray, ...]:
    masks = rng.random((n, s, c)) < rng.random((n, 1, 1))
    masks[:, 0, 0] = True  # no point without a non-empty set
    weights = rng.dirichlet(np.full(s, 0.7), size=n)
    return masks, weights


def test_a_point_gets_the_same_answer_alone_or_among_many(
    rng: np.random.Generator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Points are independent: spreading 45 of them over calls of 8 (several per device,
    lanes refilled as points finish) gives each the answer it gets alone."""
    masks, weights = _random_laws(rng, 45, 5, 4)
    monkeypatch.setattr(_cc_solver, "CALL", 8)
    monkeypatch.setattr(_cc_solver, "LANES", 4)
    together = theory.cc_target(masks, weights)
    for i in (0, 17, 44):
        alone = theory.cc_target(masks[i : i + 1], weights[i : i + 1])
        np.testing.assert_allclose(together.probs[i], alone.probs[0], atol=1e-12)
    assert np.all(together.converged)


def test_many_draws_of_few_sets_are_merged_first(rng: np.random.Generator) -> None:
    """An empirical law of 3000 equal-weight draws (at most 2^c distinct sets) gives the
    maximizer of the law with each set once and its frequency as weight."""
    c = 4
    distinct = np.array([[1, 0, 0, 0], [1, 1, 0, 0], [0, 1, 1, 0], [0, 0, 1, 1]], dtype=bool)
    draws = rng.integers(0, len(distinct), size=(2, 3000))
    many = theory.cc_target(distinct[draws], np.full((2, 3000), 1 / 3000))
    frequency = np.stack([np.bincount(d, minlength=len(distinct)) / 3000 for d in draws])
    few = theory.cc_target(np.broadcast_to(distinct, (2, 4, c)), frequency)
    np.testing.assert_allclose(many.probs, few.probs, atol=1e-9)
    assert np.all(many.converged)


def test_no_points_is_an_empty_answer() -> None:
    sol = theory.cc_target(np.zeros((0, 3, 2), dtype=bool), np.zeros((0, 3)))
    assert sol.probs.shape == (0, 2) and sol.kkt_gap.shape == (0,)


def _cache_dir_seen_by_jax(env: dict[str, str]) -> str:
    code = "import verify, jax; print(jax.config.jax_compilation_cache_dir or '')"
    clean = {k: v for k, v in os.environ.items() if not k.startswith("JAX_")}
    proc = subprocess.run(
        [sys.executable, "-c", code], env={**clean, **env}, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


def test_compiled_programs_are_cached_where_the_user_says(tmp_path: Path) -> None:
    """Importing verify points JAX's compilation cache at the project's cache directory,
    unless JAX_COMPILATION_CACHE_DIR says otherwise (an empty value turns it off)."""
    assert _cache_dir_seen_by_jax({"XDG_CACHE_HOME": str(tmp_path)}) == str(
        tmp_path / "biased-soft-labels" / "xla"
    )
    assert _cache_dir_seen_by_jax({"JAX_COMPILATION_CACHE_DIR": str(tmp_path / "x")}) == str(
        tmp_path / "x"
    )
    assert _cache_dir_seen_by_jax({"JAX_COMPILATION_CACHE_DIR": ""}) == ""
