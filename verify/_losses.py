"""Losses of a student on soft labels (docs/theory.md section 3), per example, classes first.

- ``soft``: soft cross-entropy ``-sum_j d_j log p_j``: distillation with a soft target, the
  oracle ceiling with ``d = onehot(y)`` and hard distillation with ``d = onehot(argmax
  teacher)``. Population minimizer ``p = E[d | x]``.
- ``set``: the partial-label (CC) loss ``-log sum_{j in Omega(d)} p_j`` on a set mask.
  Population minimizer: ``theory.cc_target``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

import jax
import jax.numpy as jnp

LossFn = Callable[[jax.Array, jax.Array], jax.Array]

#: The name of a loss, as a training configuration gives it.
Loss = Literal["soft", "set"]


def soft_cross_entropy(logits: jax.Array, targets: jax.Array) -> jax.Array:
    """``[n]``: ``-sum_j d_j log softmax(logits)_j`` for logits and targets ``[c, n]``."""
    return -jnp.sum(targets * jax.nn.log_softmax(logits, axis=0), axis=0)


def set_cross_entropy(logits: jax.Array, mask: jax.Array) -> jax.Array:
    """``[n]``: ``-log sum_{j in S} p_j`` for logits ``[c, n]`` and a 0/1 set mask ``[c, n]``.

    An empty set would make the loss infinite whatever the student does; it counts as the
    full set here (loss 0, no gradient), so it neither breaks training nor teaches anything.
    """
    member = (mask > 0) | ~jnp.any(mask > 0, axis=0, keepdims=True)
    inside = jax.nn.logsumexp(jnp.where(member, logits, -jnp.inf), axis=0)
    return jax.nn.logsumexp(logits, axis=0) - inside


LOSSES: dict[Loss, LossFn] = {"soft": soft_cross_entropy, "set": set_cross_entropy}
