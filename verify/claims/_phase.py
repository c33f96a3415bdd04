"""Where the conditions sit: consistency of each learner family against Delta_max + gamma.

docs/theory.md section 3 on random finite worlds with deterministic labels: the top-k risk
minimizer (covered by Theorem C), the CC surrogate and distillation (not covered), each
judged exactly (oracles, no training), binned by ``Delta_max + gamma``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

import theory
from verify._registry import register
from verify._spec import CellContext, CellSpec, ClaimSpec, Judgement, confirmed, refuted, silent
from verify.claims._common import ARGMAX_TOL, EXACT_TOL, sweep, verdicts, with_cc_targets

EDGES = np.round(np.arange(0.0, 2.01, 0.1), 10)
FAMILIES = ("set_risk", "cc", "distill")


@dataclass(frozen=True)
class Counts:
    """Per bin of ``Delta_max + gamma``: worlds where the family's minimizer is consistent,
    and worlds decided (not a near-tie)."""

    consistent: list[int]
    decided: list[int]

    def fraction(self, bins: np.ndarray) -> float | None:
        """Consistent among decided over the selected bins (``None`` if none decided)."""
        decided = int(np.asarray(self.decided)[bins].sum())
        return int(np.asarray(self.consistent)[bins].sum()) / decided if decided else None


@dataclass(frozen=True)
class Phase:
    """The phase diagram: counts per bin for each family (``set_risk``, ``cc``, ``distill``).

    Attributes:
      edges: bin edges of ``Delta_max + gamma``.
      worlds: how many worlds were judged.
      families: family -> counts.
    """

    edges: list[float]
    worlds: int
    families: dict[str, Counts]

    @property
    def inside(self) -> np.ndarray:
        """Bins wholly below the boundary ``Delta_max + gamma = 1``."""
        return np.asarray(self.edges)[1:] <= 1.0 + 1e-12


def compute_phase(ctx: CellContext) -> Phase:
    """Each family's oracle on random worlds, binned."""
    bins = len(EDGES) - 1
    counts = {f: (np.zeros(bins, int), np.zeros(bins, int)) for f in FAMILIES}
    worlds = 0
    batches = sweep(
        ctx.rng(), ctx.size("worlds_per_shape_and_rule"), deterministic=True, with_threshold=False
    )
    for b, sol in with_cc_targets(batches):
        eta, support, target = b.world.eta, b.world.probs > 0, b.world.bayes()
        total = b.indicators["delta_max"] + b.indicators["gamma"]
        which = np.clip(np.digitize(total, EDGES) - 1, 0, bins - 1)
        scores = {
            "set_risk": (theory.set_scores(eta, b.membership), EXACT_TOL),
            "distill": (theory.distillation_target(eta, b.labeler.mean_soft_labels()), EXACT_TOL),
            "cc": (sol.probs, ARGMAX_TOL),
        }
        for family, (s, tol) in scores.items():
            good, bad = verdicts(s, target, support, tol)
            np.add.at(counts[family][0], which, good)
            np.add.at(counts[family][1], which, good | bad)
        worlds += len(total)
    return Phase(
        edges=EDGES.tolist(),
        worlds=worlds,
        families={f: Counts(c.tolist(), d.tolist()) for f, (c, d) in counts.items()},
    )


def judge_phase(m: Phase, p: None) -> Judgement:
    """Refuted by any decided world inside the condition where the top-k risk minimizer is
    inconsistent; silent when no world inside was decided."""
    del p
    counts = m.families["set_risk"]
    consistent = int(np.asarray(counts.consistent)[m.inside].sum())
    decided = int(np.asarray(counts.decided)[m.inside].sum())
    if decided == 0:
        return silent("no world inside the condition was decided")
    if consistent < decided:
        return refuted(f"{decided - consistent} worlds inside are inconsistent")
    return confirmed(f"the top-k risk minimizer is consistent in all {decided} worlds inside")


def _summary(m: Phase) -> str:
    def shown(value: float | None) -> str:
        return "n/a" if value is None else f"{value:.3f}"

    return "consistent inside / outside the condition: " + ", ".join(
        f"{f} {shown(c.fraction(m.inside))} / {shown(c.fraction(~m.inside))}"
        for f, c in m.families.items()
    )


register(
    ClaimSpec(
        id="conditions/phase",
        status="proved",
        title="consistency of top-k ERM, CC and distillation against Delta_max + gamma",
        section="3",
        statement="Theorem C and the learners it does not cover: on random finite worlds with "
        "deterministic labels, the top-k (set) risk minimizer is consistent whenever "
        "Delta_max + gamma < 1; how often are it, the CC surrogate and distillation "
        "consistent, bin by bin of Delta_max + gamma?",
        predicts="the set-risk family is consistent in every world with Delta_max + gamma < 1 "
        "(the other two are findings)",
        prediction=None,
        needs=(CellSpec("conditions/phase", Phase, compute_phase),),
        measurement=Phase,
        judge=judge_phase,
        summary=_summary,
        setting={
            "worlds": "random finite worlds, M <= 3, c <= 4, K <= 3, deterministic labels",
            "rules": "top-k (all k), support",
            "bins": "width 0.1 on [0, 2]",
        },
    )
)
