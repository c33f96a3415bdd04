"""Expose both host CPU cores to JAX as devices, before JAX is first imported.

PERFORMANCE.md: XLA's own threading uses 1.0-1.6 cores for these small problems; two host
devices with ``shard_map`` over independent learners use 1.95. The flag only takes effect
if it is set before the first ``import jax``; a user who imported JAX earlier gets one
device and the same results, more slowly. An explicit ``XLA_FLAGS`` setting is respected.
"""

from __future__ import annotations

import os
import sys

_FLAG = "--xla_force_host_platform_device_count"


def configure_host_devices() -> None:
    """Ask XLA for one host device per CPU core (at most 8), unless already configured."""
    if "jax" in sys.modules or _FLAG in os.environ.get("XLA_FLAGS", ""):
        return
    cores = min(os.cpu_count() or 1, 8)
    if cores > 1:
        os.environ["XLA_FLAGS"] = f"{os.environ.get('XLA_FLAGS', '')} {_FLAG}={cores}".strip()
