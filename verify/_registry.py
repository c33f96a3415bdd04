"""The registry of claims and the context a claim runs in (suite size, seeded randomness)."""

from __future__ import annotations

import fnmatch
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import numpy as np

from verify._claim import Claim, Status

SUITES: tuple[str, ...] = ("quick", "paper", "full")

T = TypeVar("T")


@dataclass(frozen=True)
class Context:
    """What a claim function receives.

    Attributes:
      suite: ``quick``, ``paper`` or ``full``; sizes grow in that order.
      seed: base seed of the run; each claim derives its own stream from it and its id.
      claim_id: the running claim.
    """

    suite: str
    seed: int
    claim_id: str

    def pick(self, quick: T, paper: T, full: T | None = None) -> T:
        """The value for this suite (``full`` defaults to ``paper``)."""
        if self.suite == "quick":
            return quick
        if self.suite == "paper" or full is None:
            return paper
        return full

    @property
    def claim_seed(self) -> int:
        """A seed that depends on the run's seed and the claim id only."""
        digest = hashlib.sha256(f"{self.seed}:{self.claim_id}".encode()).digest()
        return int.from_bytes(digest[:4], "little")

    def rng(self) -> np.random.Generator:
        """A generator seeded by :attr:`claim_seed`."""
        return np.random.default_rng(self.claim_seed)


@dataclass(frozen=True)
class ClaimSpec:
    """A registered claim: its id, one-line description, status and function."""

    id: str
    description: str
    status: Status
    run: Callable[[Context], Claim]


_REGISTRY: dict[str, ClaimSpec] = {}


def claim(
    claim_id: str, description: str, status: Status
) -> Callable[[Callable[[Context], Claim]], Callable[[Context], Claim]]:
    """Register a claim function under ``claim_id``."""

    def register(fn: Callable[[Context], Claim]) -> Callable[[Context], Claim]:
        if claim_id in _REGISTRY:
            raise ValueError(f"claim {claim_id!r} is registered twice")
        _REGISTRY[claim_id] = ClaimSpec(claim_id, description, status, fn)
        return fn

    return register


def all_claims() -> list[ClaimSpec]:
    """Every registered claim, in registration order."""
    import verify.claims  # noqa: F401  (registers the claims on import)

    return list(_REGISTRY.values())


def select(pattern: str | None = None) -> list[ClaimSpec]:
    """Claims whose id matches the shell-style ``pattern`` (all when ``None``)."""
    specs = all_claims()
    if pattern is None:
        return specs
    chosen = [s for s in specs if fnmatch.fnmatchcase(s.id, pattern)]
    if not chosen:
        known = ", ".join(s.id for s in specs)
        raise ValueError(f"--claims {pattern!r} matches no claim; known claims: {known}")
    return chosen
