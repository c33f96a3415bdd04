"""Set up JAX before it is first imported: one host device per CPU core this process may use
(its affinity, not the machine's core count), and a cache of compiled programs on disk.

XLA's own threading uses 1.0-1.6 cores for these small problems; two host devices with
``shard_map`` over independent learners use 1.95 (measured on a 2-core machine). The flag
only takes effect if it is set before the first ``import jax``; a user who imported JAX
earlier gets one device and the same results, more slowly. An explicit ``XLA_FLAGS``
setting is respected.

Compiling is a large share of a suite's time (each trainer and solver shape is an XLA
program of 0.3-2 s to compile). JAX's persistent compilation cache keeps them on disk, keyed
by the program, the compiler options and the JAX version, so a second run compiles
nothing it compiled before; results do not depend on it. The cache is
``$XDG_CACHE_HOME/biased-soft-labels/xla`` (``~/.cache/...``) unless
``JAX_COMPILATION_CACHE_DIR`` says otherwise; ``JAX_COMPILATION_CACHE_DIR=`` (empty) turns
it off.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

_FLAG = "--xla_force_host_platform_device_count"
CACHE_VARIABLE = "JAX_COMPILATION_CACHE_DIR"


def default_compilation_cache() -> Path:
    """Where compiled programs are kept unless ``JAX_COMPILATION_CACHE_DIR`` is set."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "biased-soft-labels" / "xla"


def usable_cores() -> int:
    """The CPU cores this process may run on, at most 8: its CPU affinity where the system
    reports one (a batch scheduler's allocation, ``taskset``), else ``os.cpu_count()``,
    which counts the whole machine's cores."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # no affinity on macOS and Windows
        cores = os.cpu_count() or 1
    return max(1, min(cores, 8))


def configure_host_devices() -> None:
    """Ask XLA for one host device per usable CPU core (:func:`usable_cores`), unless already
    configured, and point JAX's compilation cache at :func:`default_compilation_cache`
    unless set."""
    if "jax" in sys.modules:
        return
    if CACHE_VARIABLE not in os.environ:
        os.environ[CACHE_VARIABLE] = str(default_compilation_cache())
    # Cache every program: most compile in under the default threshold of one second.
    os.environ.setdefault("JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS", "0")
    if _FLAG in os.environ.get("XLA_FLAGS", ""):
        return
    cores = usable_cores()
    if cores > 1:
        os.environ["XLA_FLAGS"] = f"{os.environ.get('XLA_FLAGS', '')} {_FLAG}={cores}".strip()
