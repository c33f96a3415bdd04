"""The registry of claims and the context a claim runs in (suite size, seeded randomness)."""

from __future__ import annotations

import fnmatch
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np

from verify._cells import CellStore
from verify._claim import Claim, Status
from verify._report import jsonable

SUITES: tuple[str, ...] = ("quick", "paper", "full")

T = TypeVar("T")


@dataclass(frozen=True)
class Context:
    """What a claim function receives.

    Attributes:
      suite: ``quick``, ``paper`` or ``full``; sizes grow in that order.
      seed: base seed of the run; each claim derives its own stream from it and its id.
      claim_id: the running claim.
      seeds: how many seeds learner claims train (``None``: the suite's default).
      store: where finished cells are kept (``None``: nothing is kept).
    """

    suite: str
    seed: int
    claim_id: str
    seeds: int | None = None
    store: CellStore | None = None

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

    def derived_seed(self, *parts: Any, scope: str | None = None) -> int:
        """A seed that depends on the run's seed, ``scope`` (default: the claim id) and
        ``parts`` only; claims that share a ``scope`` share the seed."""
        digest = hashlib.sha256(f"{self.seed}:{scope or self.claim_id}:{parts!r}".encode()).digest()
        return int.from_bytes(digest[:4], "little")

    def learner_seeds(
        self, quick: int, paper: int, full: int | None = None, *, scope: str | None = None
    ) -> list[int]:
        """Seeds for the independent students of a learner claim (``--seeds`` overrides)."""
        count = self.seeds if self.seeds is not None else self.pick(quick, paper, full)
        return [self.derived_seed("student", i, scope=scope) for i in range(count)]

    def cell(self, key: str, compute: Callable[[], Any], *, namespace: str | None = None) -> Any:
        """The value of one cell of work: read back if a previous run finished it, else
        computed (and saved when the run has a store). Returned JSON-shaped either way, so
        a resumed run sees exactly what a fresh one does.

        ``namespace`` (default: this claim's id) lets claims share cells.
        """
        if self.store is None:
            return jsonable(compute())
        return self.store.get_or_compute(namespace or self.claim_id, key, compute)


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
