"""Test configuration: hypothesis profiles and a visible seed.

Profiles (select with ``HYPOTHESIS_PROFILE``): ``default`` for the README's test run,
``dev`` for quick local iterations, ``thorough`` for a long search. All print the
reproduction blob on failure and have no deadline (the first call of a test pays numpy's
warm-up).
"""

from __future__ import annotations

# ruff: noqa: I001  (verify must be imported before jax: it sets XLA's device count)
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

import verify  # noqa: F401
import jax

# Implicit rank promotion hides shape bugs; make it an error in tests.
jax.config.update("jax_numpy_rank_promotion", "raise")

_BASE = settings(deadline=None, print_blob=True, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("default", _BASE, max_examples=150)
settings.register_profile("dev", _BASE, max_examples=25)
settings.register_profile("thorough", _BASE, max_examples=2000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

# A test run started in the background by a non-interactive shell inherits SIGINT ignored,
# and so would every command it starts: the interrupt tests need Ctrl-C delivered.
if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

SEED = 20231127


@pytest.fixture
def rng(request: pytest.FixtureRequest) -> np.random.Generator:
    """A generator seeded from a fixed base and the test's name, shown on failure."""
    seed = (SEED + sum(map(ord, request.node.name))) % 2**32
    request.node.user_properties.append(("seed", seed))
    print(f"rng seed: {seed}")
    return np.random.default_rng(seed)


@pytest.fixture(scope="session")
def quick_report(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, dict, str, Path]:
    """The quick suite, run once per session as the README runs it: exit status, report,
    Markdown and the output directory (the figures' smoke test draws from it)."""
    out = tmp_path_factory.mktemp("quick")
    proc = subprocess.run(
        [sys.executable, "-m", "verify", "run", "--suite", "quick", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=900,
    )
    report = json.loads((out / "report.json").read_text())
    return proc.returncode, report, (out / "report.md").read_text(), out
