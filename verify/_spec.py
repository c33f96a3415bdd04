"""What a claim is made of: a spec, the cells it needs, a typed measurement and a judge.

A **cell** is one finished piece of work (a sweep of random worlds, a grid
of trained students): a deterministic function of its sizes and its seed scope, kept on
disk and read back instead of recomputed. A **claim** names the cells it needs, turns their
records into its measurement (a typed record, the result schema), and hands that to a
**judge**: a pure function of the measurement and the theory's prediction that returns
``confirmed``, ``refuted`` or ``silent``:

- ``confirmed``: prediction and measurement agree within the stated tolerance;
- ``refuted``: they disagree beyond it (the counterexample is kept);
- ``silent``: the theory predicts nothing here (no case inside its condition was measured).

A refuted claim about a [proved] statement is a bug until shown otherwise; a refuted
conjecture or extension is a finding.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, Literal, TypeVar

import numpy as np

Verdict = Literal["confirmed", "refuted", "silent"]
VERDICTS: tuple[Verdict, ...] = ("confirmed", "refuted", "silent")

#: How docs/theory.md marks the statement a claim tests. Only ``proved`` statements make the
#: suite fail when refuted.
Status = Literal["proved", "extension", "conjecture"]
STATUSES: tuple[Status, ...] = ("proved", "extension", "conjecture")

Suite = Literal["quick", "paper", "full"]
SUITES: tuple[Suite, ...] = ("quick", "paper", "full")

R = TypeVar("R")
M = TypeVar("M")
P = TypeVar("P")
V = TypeVar("V")


@dataclass(frozen=True)
class Per(Generic[V]):
    """One size per suite: what ``quick``, ``paper`` and ``full`` run."""

    quick: V
    paper: V
    full: V

    def pick(self, suite: str) -> V:
        """The value for ``suite``."""
        if suite not in SUITES:
            raise ValueError(f"suite: must be one of {SUITES}, got {suite!r}")
        value: V = getattr(self, suite)
        return value


@dataclass(frozen=True)
class Judgement:
    """A verdict and the one-line reason the judge gave for it."""

    verdict: Verdict
    reason: str

    def __post_init__(self) -> None:
        if self.verdict not in VERDICTS:
            raise ValueError(f"verdict: must be one of {VERDICTS}, got {self.verdict!r}")


def confirmed(reason: str) -> Judgement:
    """A ``confirmed`` judgement."""
    return Judgement("confirmed", reason)


def refuted(reason: str) -> Judgement:
    """A ``refuted`` judgement."""
    return Judgement("refuted", reason)


def silent(reason: str) -> Judgement:
    """A ``silent`` judgement."""
    return Judgement("silent", reason)


@dataclass(frozen=True)
class CellContext:
    """What a cell's computation receives: its sizes and seeded randomness, nothing else.

    Attributes:
      cell: the cell's id.
      scope: its seed scope (cells that share a scope share seeds, e.g. one evaluation
        sample for a family of claims).
      sizes: the cell's sizes for the suite being run (names from the suite table).
      run_seed: the base seed of the run.
    """

    cell: str
    scope: str
    sizes: Mapping[str, Any]
    run_seed: int

    def size(self, name: str) -> Any:
        """The size called ``name`` in the suite table."""
        try:
            return self.sizes[name]
        except KeyError:
            raise KeyError(
                f"cell {self.cell!r} asks for size {name!r}, which the suite table does not "
                f"give it (it has: {', '.join(sorted(self.sizes)) or 'nothing'})"
            ) from None

    def seed(self, *parts: Any) -> int:
        """A seed that depends on the run's seed, the seed scope and ``parts`` only."""
        text = f"{self.run_seed}:{self.scope}" + (f":{parts!r}" if parts else "")
        return int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "little")

    def rng(self, *parts: Any) -> np.random.Generator:
        """A generator seeded by :meth:`seed`."""
        return np.random.default_rng(self.seed(*parts))

    def learner_seeds(self, name: str = "seeds") -> list[int]:
        """Seeds for the independent students of a cell; how many is the size ``name``."""
        return [self.seed("student", i) for i in range(int(self.size(name)))]


@dataclass(frozen=True)
class CellSpec(Generic[R]):
    """A cell: its id, the record type it produces and how it is computed.

    Attributes:
      id: stable identifier; also where its files go under ``OUT/cells``.
      record: the dataclass its value is (validated when read back).
      compute: ``(CellContext) -> record``; deterministic given the context.
      sizes: the suite-table entry holding its sizes (default: ``id``).
      scope: its seed scope (default: ``id``).
    """

    id: str
    record: type[R]
    compute: Callable[[CellContext], R]
    sizes: str = ""
    scope: str = ""

    def __post_init__(self) -> None:
        if not self.sizes:
            object.__setattr__(self, "sizes", self.id)
        if not self.scope:
            object.__setattr__(self, "scope", self.id)

    @property
    def module(self) -> str:
        """The module whose code computes the cell (the root of its code fingerprint)."""
        return self.compute.__module__


def _identity(record: Any) -> Any:
    return record


@dataclass(frozen=True)
class ClaimSpec(Generic[M, P]):
    """One claim, declared once: the single source of truth for ``verify list``, the runner,
    the report and the exit status.

    Attributes:
      id: stable identifier, e.g. ``thm-C``.
      status: how docs/theory.md marks the statement (``proved``, ``extension``, ``conjecture``).
      title: one line for ``verify list``.
      section: the docs/theory.md section the statement comes from.
      statement: the statement tested.
      predicts: the prediction in words (written from the same constants as ``prediction``).
      prediction: the prediction's parameters (thresholds, tolerances), passed to ``judge``.
      needs: the cells the claim reads, in the order ``measure`` takes their records.
      measurement: the measurement's type (the result schema).
      judge: ``(measurement, prediction) -> Judgement``; pure.
      summary: ``measurement -> str``, one line for the report's table.
      measure: ``(*records) -> measurement``; pure (default: the one cell's record itself).
      setting: what the claim runs on, in words, for the report.
      table: ``measurement -> str``, an optional Markdown table for ``report.md``.
    """

    id: str
    status: Status
    title: str
    section: str
    statement: str
    predicts: str
    prediction: P
    needs: tuple[CellSpec[Any], ...]
    measurement: type[M]
    judge: Callable[[M, P], Judgement]
    summary: Callable[[M], str]
    measure: Callable[..., M] = _identity
    setting: Mapping[str, Any] = field(default_factory=dict)
    table: Callable[[M], str] | None = None

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"{self.id}: status must be one of {STATUSES}, got {self.status!r}")
        if not self.needs:
            raise ValueError(f"{self.id}: a claim needs at least one cell")
        if self.measure is _identity and len(self.needs) != 1:
            raise ValueError(f"{self.id}: a claim of several cells needs a measure function")

    def evaluate(self, records: list[Any]) -> tuple[M, Judgement, str]:
        """Measurement, judgement and summary from the records of :attr:`needs`."""
        measurement = self.measure(*records)
        if not isinstance(measurement, self.measurement):
            raise TypeError(
                f"{self.id}: measure returned {type(measurement).__name__}, "
                f"expected {self.measurement.__name__}"
            )
        return measurement, self.judge(measurement, self.prediction), self.summary(measurement)
