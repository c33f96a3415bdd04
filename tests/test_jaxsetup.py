"""How many host devices JAX is given: the cores this process may use, not the machine's."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from verify import _jaxsetup


def test_the_affinity_decides_the_core_count(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "cpu_count", lambda: 64)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0}, raising=False)
    assert _jaxsetup.usable_cores() == 1
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(16)), raising=False)
    assert _jaxsetup.usable_cores() == 8  # at most 8 devices

    def unsupported(pid: int) -> set[int]:
        raise AttributeError("no affinity here")

    monkeypatch.setattr(os, "sched_getaffinity", unsupported, raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 3)
    assert _jaxsetup.usable_cores() == 3


@pytest.mark.skipif(
    shutil.which("taskset") is None
    or not hasattr(os, "sched_getaffinity")
    or len(os.sched_getaffinity(0)) < 2,
    reason="needs taskset and at least two usable cores",
)
def test_a_process_pinned_to_one_core_gets_one_device() -> None:
    """``os.cpu_count()`` would count every core of the machine here."""
    env = {k: v for k, v in os.environ.items() if k != "XLA_FLAGS"}
    code = "import verify, jax; print(jax.local_device_count())"
    out = subprocess.run(
        ["taskset", "-c", "0", sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.split()[-1] == "1"
