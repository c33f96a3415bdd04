"""The unit of verification: a claim with a prediction, a measurement and a verdict.

ARCHITECTURE.md: ``confirmed`` when prediction and measurement agree within the stated
tolerance, ``refuted`` when they do not (the counterexample is kept), ``silent`` when the
theory predicts nothing. A refuted claim about a [proved] statement is a bug until shown
otherwise; a refuted conjecture is a finding.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

Verdict = Literal["confirmed", "refuted", "silent"]
VERDICTS: tuple[Verdict, ...] = ("confirmed", "refuted", "silent")

#: How THEORY.md marks the statement a claim tests. Only ``proved`` statements make the
#: suite fail when refuted.
Status = Literal["proved", "extension", "conjecture"]
STATUSES: tuple[Status, ...] = ("proved", "extension", "conjecture")


@dataclass
class Claim:
    """One verified statement.

    Attributes:
      id: stable identifier, e.g. ``thm-C``.
      statement: the statement tested, with its THEORY.md section.
      status: how THEORY.md marks it (``proved``, ``extension`` or ``conjecture``).
      setting: what it ran on (shapes, rules, sample sizes, counts).
      prediction: what the theory says should be measured.
      measurement: what was measured (numbers, intervals).
      verdict: ``confirmed``, ``refuted`` or ``silent``.
      summary: one line for the report's table.
      counterexample: the smallest case that disagrees, when there is one.
      seed: the seed the claim's randomness came from.
      seconds: wall time.
      table: an optional Markdown table shown in ``report.md`` before the raw measurement.
    """

    id: str
    statement: str
    status: Status
    setting: dict[str, Any]
    prediction: str
    measurement: dict[str, Any]
    verdict: Verdict
    summary: str
    counterexample: dict[str, Any] | None = None
    seed: int | None = None
    seconds: float = 0.0
    table: str | None = None

    def __post_init__(self) -> None:
        if self.verdict not in VERDICTS:
            raise ValueError(f"verdict: must be one of {VERDICTS}, got {self.verdict!r}")
        if self.status not in STATUSES:
            raise ValueError(f"status: must be one of {STATUSES}, got {self.status!r}")

    @property
    def fails_suite(self) -> bool:
        """A refuted [proved] statement: the suite exits non-zero."""
        return self.status == "proved" and self.verdict == "refuted"

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return asdict(self)
