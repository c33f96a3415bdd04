"""Independent problems spread over the host's devices: one ``shard_map`` call, ``lax.map``
inside each device.

One host device per core (:mod:`verify._jaxsetup`) runs single-threaded, so a batch of
independent problems (students, teachers, starts of a solver) uses both cores only when it is
split over the devices. Inside a device the problems run one after the other (``lax.map``):
a ``vmap`` of while loops runs every member until the slowest stops, and streams every
problem's data through memory at every step.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import jax
import numpy as np
from jax import lax
from jax.sharding import Mesh, PartitionSpec


def over_devices(
    fn: Callable[..., Any],
    devices: Sequence[Any],
    *,
    shared: Sequence[bool] = (),
    batch: int | None = None,
) -> Callable[..., Any]:
    """``fn`` mapped over the leading axis of its arguments, the problems split evenly over
    ``devices`` (traceable: call it inside ``jit``).

    Args:
      fn: one problem's computation, ``fn(*args)`` on arrays without the leading axis.
      devices: the devices to split over; the number of problems must be a multiple of
        their number (:func:`pad_leading`).
      shared: per positional argument, ``True`` when every problem reads the whole of it
        (replicated on every device, not mapped); missing entries are ``False``.
      batch: problems vmapped together within a device's ``lax.map`` (``None``: one at a time).
    """

    def flags_of(args: tuple[Any, ...]) -> list[bool]:
        return list(shared) + [False] * (len(args) - len(shared))

    def block(*args: Any) -> Any:
        flags = flags_of(args)
        mapped = tuple(a for a, s in zip(args, flags, strict=True) if not s)

        def one(per: tuple[Any, ...]) -> Any:
            it = iter(per)
            return fn(*(a if s else next(it) for a, s in zip(args, flags, strict=True)))

        return lax.map(one, mapped, batch_size=batch)

    if len(devices) == 1:
        return block

    def sharded(*args: Any) -> Any:
        specs = tuple(PartitionSpec() if s else PartitionSpec("k") for s in flags_of(args))
        # check_vma=False: optax's L-BFGS state mixes per-problem and constant leaves.
        return jax.shard_map(
            block,
            mesh=Mesh(np.array(devices), ("k",)),
            in_specs=specs,
            out_specs=PartitionSpec("k"),
            check_vma=False,
        )(*args)

    return sharded


def pad_leading(tree: Any, multiple: int) -> Any:
    """Every leaf of ``tree`` (numpy arrays with a common leading axis) padded to a multiple
    of ``multiple`` rows with copies of its last row: the copies fill the devices evenly and
    are dropped from the results."""

    def pad(a: Any) -> Any:
        a = np.asarray(a)
        extra = (-len(a)) % multiple
        return np.concatenate([a, np.repeat(a[-1:], extra, 0)]) if extra else a

    return jax.tree.map(pad, tree)
