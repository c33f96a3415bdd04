"""The result schema: what ``report.json`` holds, read back through the same types.

``python -m verify run`` writes a :class:`Report`; :func:`load_report` reads one back with
every claim's measurement as the typed record its claim declares (and refuses a report of
another schema version, or one whose fields do not fit, naming the offending path).
``figures`` reads results only through this module.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from verify._catalog import all_claims
from verify._records import Estimation as Estimation
from verify._records import Floor as Floor
from verify._records import MeanCI as MeanCI
from verify._records import MeanCIGrid as MeanCIGrid
from verify._records import Rate as Rate
from verify._records import Slope as Slope
from verify._schema import Json, from_json, to_json
from verify._schema import SchemaError as SchemaError
from verify._spec import Status, Suite, Verdict
from verify.claims._applications import NoiseSweep as NoiseSweep
from verify.claims._applications import PartialGrid as PartialGrid
from verify.claims._applications import StudentSweep as StudentSweep
from verify.claims._certificates import Certificates as Certificates
from verify.claims._certificates import Coverage as Coverage
from verify.claims._certificates import XDependent as XDependent
from verify.claims._curves import Collapse as Collapse
from verify.claims._curves import LearningCurves as LearningCurves
from verify.claims._floors import FloorsByWidth as FloorsByWidth
from verify.claims._headline import Headline as Headline
from verify.claims._incomplete import SelfTraining as SelfTraining
from verify.claims._phase import Phase as Phase
from verify.claims._trained import Consistency as Consistency

#: Bumped whenever a field of the report or of a measurement changes meaning or shape.
SCHEMA_VERSION = 4

T = TypeVar("T")


@dataclass(frozen=True)
class CellRef:
    """A cell a claim read: its id, seed scope, key hash, whether this run computed it (or
    read it back) and how long computing it took."""

    id: str
    scope: str
    key: str
    computed: bool
    seconds: float


@dataclass(frozen=True)
class ClaimResult:
    """One claim's outcome.

    Attributes:
      id, status, title, section, statement, predicts, setting: from the claim's spec.
      sizes: the sizes each of its cells ran with, by sizes-table name.
      measurement: the typed measurement (a dataclass of the claim's measurement type).
      verdict: ``confirmed``, ``refuted`` or ``silent``; reason: the judge's one line.
      summary: one line for the report's table; table: optional Markdown.
      cells: the cells read; seconds: wall time of this claim in this run (near 0 when
        every cell was read back: :attr:`cached`, :attr:`cost_seconds` keep what computing
        them took).
    """

    id: str
    status: Status
    title: str
    section: str
    statement: str
    predicts: str
    setting: dict[str, Json]
    sizes: dict[str, dict[str, Json]]
    measurement: Json
    verdict: Verdict
    reason: str
    summary: str
    table: str | None
    cells: list[CellRef]
    seconds: float

    @property
    def cached(self) -> bool:
        """Every cell was read back: this run computed nothing for this claim."""
        return bool(self.cells) and not any(c.computed for c in self.cells)

    @property
    def cost_seconds(self) -> float:
        """What computing this claim's cells took, in this run or the one that kept them."""
        return float(sum(c.seconds for c in self.cells))

    def timing(self) -> str:
        """``12.3 s``, or for a cached claim ``cached (12.3 s when computed)``."""
        if self.cached:
            return f"cached ({self.cost_seconds:.1f} s when computed)"
        return f"{self.seconds:.1f} s"

    @property
    def fails_suite(self) -> bool:
        """A refuted [proved] statement: the suite exits non-zero."""
        return self.status == "proved" and self.verdict == "refuted"


@dataclass(frozen=True)
class Report:
    """A run's report.

    Attributes:
      schema_version: :data:`SCHEMA_VERSION` of the code that wrote it.
      suite, seed, seeds: the run's settings (``seeds``: the ``--seeds`` override).
      complete: every claim of the catalogue is here, each computed from the cells the
        current code keys (a run of a subset, or a stopped one, is not complete).
      seconds: wall time so far.
      versions, platform, command: where and how it ran.
      counts: claims per verdict; proved_refuted: ids of refuted [proved] claims.
      claims: the results, in suite order.
    """

    schema_version: int
    suite: Suite
    seed: int
    seeds: int | None
    complete: bool
    seconds: float
    versions: dict[str, str]
    platform: str
    command: str
    counts: dict[str, int]
    proved_refuted: list[str]
    claims: list[ClaimResult]

    def claim(self, claim_id: str) -> ClaimResult:
        """The result of ``claim_id`` (``KeyError`` naming the claims present otherwise)."""
        for c in self.claims:
            if c.id == claim_id:
                return c
        raise KeyError(f"the report has no claim {claim_id!r}")

    def measurement(self, claim_id: str, kind: type[T]) -> T:
        """The measurement of ``claim_id``, checked to be a ``kind``."""
        value = self.claim(claim_id).measurement
        if not isinstance(value, kind):
            raise TypeError(
                f"{claim_id}: measurement is {type(value).__name__}, not {kind.__name__}"
            )
        return value

    def to_json(self) -> dict[str, Any]:
        """The report as JSON-ready values."""
        data: dict[str, Any] = to_json(self)
        return data


def parse_report(data: Any, source: str = "report.json") -> Report:
    """A report from parsed JSON, with typed measurements; :class:`SchemaError` (naming
    ``source`` and the offending path) when it is of another schema version or does not
    fit."""
    if not isinstance(data, dict):
        raise SchemaError(f"{source}: not a report (expected a JSON object)")
    version = data.get("schema_version", 1)
    if version != SCHEMA_VERSION:
        raise SchemaError(
            f"{source}: written with result schema version {version}; this version of the "
            f"package reads version {SCHEMA_VERSION}: run the suite again to regenerate it"
        )
    try:
        report = from_json(Report, data)
        types = {spec.id: spec.measurement for spec in all_claims()}
        claims = []
        for i, c in enumerate(report.claims):
            if c.id not in types:
                raise SchemaError(f"$.claims[{i}]: unknown claim {c.id!r}")
            typed = from_json(types[c.id], c.measurement, f"$.claims[{i}].measurement")
            claims.append(dataclasses.replace(c, measurement=typed))
    except SchemaError as exc:
        raise SchemaError(f"{source}: {exc}") from None
    return dataclasses.replace(report, claims=claims)


def load_report(path: Path | str) -> Report:
    """Read ``path`` (a ``report.json`` or a directory holding one) as a :class:`Report`.

    Raises:
      OSError: the file cannot be read.
      SchemaError: it is not valid JSON, of another schema version, or does not fit.
    """
    file = Path(path)
    if file.is_dir():
        file = file / "report.json"
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise SchemaError(f"{file}: not valid JSON ({exc})") from None
    return parse_report(data, str(file))


__all__ = [
    "SCHEMA_VERSION",
    "CellRef",
    "Certificates",
    "ClaimResult",
    "Collapse",
    "Consistency",
    "Coverage",
    "Estimation",
    "Floor",
    "FloorsByWidth",
    "Headline",
    "LearningCurves",
    "MeanCI",
    "MeanCIGrid",
    "NoiseSweep",
    "PartialGrid",
    "Phase",
    "Rate",
    "Report",
    "SchemaError",
    "StudentSweep",
    "SelfTraining",
    "Slope",
    "XDependent",
    "load_report",
    "parse_report",
]
