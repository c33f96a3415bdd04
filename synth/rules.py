"""The set-rule protocol: what ``synth`` and ``theory`` ask of a rule ``Omega(d)``.

docs/theory.md section 1. ``theory`` implements the rules (``TopK``, ``Support``, ``Threshold``)
and re-exports this protocol as ``theory.SetRule``; ``synth`` only calls them, so it is
defined here, in the bottom layer, once.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["SetRule", "top_k_of"]


@runtime_checkable
class SetRule(Protocol):
    """What every set rule provides. docs/theory.md section 1.

    ``top_k`` is ``k`` for the top-k rule ``Omega_k`` and ``None`` for every other rule:
    closed forms that exist only for top-k sets (additive noise, docs/theory.md section 5) ask
    the rule rather than guess from its type.
    """

    @property
    def name(self) -> str:
        """A short name such as ``top2`` or ``support``."""
        ...

    @property
    def top_k(self) -> int | None:
        """``k`` if the rule is ``Omega_k``, else ``None``."""
        ...

    def __call__(self, d: ArrayLike) -> NDArray[np.bool_]:
        """Mask ``[..., c]`` of ``Omega(d)`` for soft labels ``d [..., c]``."""
        ...

    def contains(self, d: ArrayLike, labels: ArrayLike) -> NDArray[np.bool_]:
        """``[...]``: whether ``labels[...]`` lies in ``Omega(d[...])``."""
        ...


def top_k_of(rule: SetRule) -> int | None:
    """``k`` when ``rule`` is a top-k rule ``Omega_k`` (docs/theory.md section 1), else ``None``.

    A callable that does not follow the protocol (no ``top_k``) is not a top-k rule.
    """
    k = getattr(rule, "top_k", None)
    return None if k is None else int(k)
