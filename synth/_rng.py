"""Randomness arrives as an argument (STYLE.md 3): a numpy Generator, an int seed or a JAX key."""

from __future__ import annotations

from typing import Any

import numpy as np


def as_generator(rng: Any, name: str = "rng") -> np.random.Generator:
    """A numpy ``Generator`` from a ``Generator``, an int seed, or a JAX PRNG key.

    Every sampler of THEORY.md sections 1 and 5 takes its randomness this way.

    A JAX key (typed or raw ``uint32[2]``) seeds a generator from its bits, so a caller that
    threads JAX keys gets reproducible numpy draws without importing JAX here.
    """
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, int | np.integer) and not isinstance(rng, bool):
        return np.random.default_rng(int(rng))
    data = getattr(rng, "dtype", None)
    if data is not None:
        try:
            import jax  # noqa: PLC0415  (only when a JAX key is passed)

            bits = np.asarray(
                jax.random.key_data(rng)
                if jax.dtypes.issubdtype(rng.dtype, jax.dtypes.prng_key)
                else rng
            )
        except ImportError:
            bits = np.asarray(rng)
        if bits.dtype.kind == "u" and bits.size >= 1:
            return np.random.default_rng(bits.astype(np.uint64).ravel().tolist())
    raise ValueError(
        f"{name}: expected a numpy Generator, an int seed or a JAX key, got {type(rng).__name__}"
    )
