"""Learners Theorem C does not cover, judged against their own population minimizers.

docs/theory.md section 3: distillation (soft cross-entropy) and the partial-label CC surrogate.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

import theory
from synth import cc_surrogate_counterexample, distillation_counterexample
from verify._records import Rate
from verify._registry import register
from verify._schema import Json
from verify._spec import CellContext, CellSpec, ClaimSpec, Judgement, confirmed, refuted, silent
from verify.claims._common import (
    ARGMAX_TOL,
    EXACT_TOL,
    Batch,
    holds,
    smallest,
    sweep,
    verdicts,
    with_cc_targets,
)


@dataclass(frozen=True)
class Tally:
    """Worlds on one side of the condition: inconsistent among those decided, and how many
    were near-ties (undetermined)."""

    inconsistent: Rate
    undetermined: int


def _tally(
    counts: dict[bool, list[int]], cond: np.ndarray, consistent: np.ndarray, bad: np.ndarray
) -> None:
    """Add one batch's worlds to ``counts[inside] = [inconsistent, decided, undetermined]``."""
    for side, part in ((True, cond), (False, ~cond)):
        acc = counts.setdefault(side, [0, 0, 0])
        acc[0] += int((part & bad).sum())
        acc[1] += int((part & (consistent | bad)).sum())
        acc[2] += int((part & ~consistent & ~bad).sum())


def _tallies(counts: dict[bool, list[int]]) -> tuple[Tally, Tally]:
    inside, outside = (counts.get(side, [0, 0, 0]) for side in (True, False))
    return (
        Tally(Rate.of(inside[0], inside[1]), inside[2]),
        Tally(Rate.of(outside[0], outside[1]), outside[2]),
    )


# --- Distillation ------------------------------------------------------------------------


@dataclass(frozen=True)
class ClosedForm:
    """The counterexample's closed form, as computed: top-2 indicators, ``E[d|x]`` and the
    top-k risk minimizer's label at its one point."""

    delta: float
    gamma: float
    target: list[float]
    set_oracle: int


@dataclass(frozen=True)
class Distillation:
    """The docs/theory.md counterexample and inconsistency rates on random worlds."""

    closed_form: ClosedForm
    inside: Tally
    outside: Tally
    counterexample: Json | None


@dataclass(frozen=True)
class DistillationPrediction:
    """docs/theory.md section 3's counterexample: ``c = 3``, ``y = 0``, top-2 sets."""

    true_label: int = 0
    delta: float = 0.0
    gamma: float = 0.5
    target: tuple[float, ...] = (0.30, 0.35, 0.35)
    tol: float = EXACT_TOL


def compute_distillation(ctx: CellContext) -> Distillation:
    """The counterexample's closed form, then distillation's oracle on random worlds."""
    world, labeler = distillation_counterexample()
    m = labeler.membership(theory.TopK(2))
    target = theory.distillation_target(world.eta, labeler.mean_soft_labels())[0]
    closed = ClosedForm(
        delta=float(theory.delta(m, world.joint)),
        gamma=float(theory.gamma(m, world.joint)),
        target=[float(v) for v in target],
        set_oracle=int(theory.set_oracle(world.eta, m)[0]),
    )
    counts: dict[bool, list[int]] = {}
    bad: list[tuple[tuple[Any, ...], Batch, int]] = []
    for b in sweep(ctx.rng(), ctx.size("worlds_per_shape_and_rule"), deterministic=True):
        scores = theory.distillation_target(b.world.eta, b.labeler.mean_soft_labels())
        consistent, inconsistent = verdicts(scores, b.world.bayes(), b.world.probs > 0, EXACT_TOL)
        cond = b.indicators["delta_max"] + b.indicators["gamma"] < 1 - EXACT_TOL
        _tally(counts, cond, consistent, inconsistent)
        bad += [((b.shape,), b, int(i)) for i in np.flatnonzero(cond & inconsistent)]
    inside, outside = _tallies(counts)
    return Distillation(closed, inside, outside, smallest(bad))


def judge_distillation(m: Distillation, p: DistillationPrediction) -> Judgement:
    """Confirmed when the counterexample reproduces: its indicators and ``E[d|x]`` are the
    predicted ones, the top-k risk minimizer is right (Theorem C) and distillation's argmax
    is wrong. Any departure from the predicted closed form refutes, before anything else.
    Silent when the predicted counterexample itself lies outside ``Delta + gamma < 1``:
    then it shows nothing about what the indicators decide inside the condition."""
    cf = m.closed_form
    if len(cf.target) != len(p.target):
        return refuted(f"E[d|x] has {len(cf.target)} classes, docs/theory.md's {len(p.target)}")
    off = float(
        np.max(np.abs(np.subtract([cf.delta, cf.gamma, *cf.target], [p.delta, p.gamma, *p.target])))
    )
    if not holds(off, p.tol):
        return refuted(f"the closed form differs from docs/theory.md's by {off:.3g}")
    if not p.delta + p.gamma < 1:
        return silent("the counterexample is not inside Delta + gamma < 1")
    if cf.set_oracle != p.true_label:
        return refuted("the top-k risk minimizer is wrong inside the condition")
    rivals = [v for j, v in enumerate(cf.target) if j != p.true_label]
    if not cf.target[p.true_label] < max(rivals) - p.tol:
        return refuted("distillation's argmax is not wrong: no counterexample")
    return confirmed("the counterexample reproduces")


register(
    ClaimSpec(
        id="ce-learner",
        status="proved",
        title="distillation is consistent iff argmax E[d|x] = h_B: indicators don't decide",
        section="3",
        statement="The soft cross-entropy minimizer is E[d|x]; it is consistent iff "
        "argmax E[d|x] = argmax eta(x), which Delta and gamma do not decide (counterexample: "
        "c = 3, y = 0, d = (.3,.7,0) or (.3,0,.7): Delta_2 = 0, gamma_2 = 1/2, "
        "E[d|x] = (.30,.35,.35)).",
        predicts="the counterexample reproduces; inconsistency is possible inside the "
        "condition (rates on random worlds are reported)",
        prediction=DistillationPrediction(),
        needs=(CellSpec("ce-learner", Distillation, compute_distillation),),
        measurement=Distillation,
        judge=judge_distillation,
        summary=lambda m: (
            "distillation inconsistent in "
            f"{m.inside.inconsistent.hits}/{m.inside.inconsistent.total} random worlds inside the "
            f"condition, {m.outside.inconsistent.hits}/{m.outside.inconsistent.total} outside"
        ),
        setting={
            "worlds": "random finite worlds, M <= 3, c <= 4, K <= 3, deterministic labels",
            "condition": "Delta_max + gamma < 1 for the rule",
        },
    )
)


# --- The CC surrogate --------------------------------------------------------------------


@dataclass(frozen=True)
class Certificate:
    """The CC maximizer at one point, and whether *every* maximizer misclassifies (LP over
    the maximizers' face, ``theory.cc_maximizer_range``)."""

    probs: list[float]
    kkt_gap: float
    p_true_max_over_maximizers: float
    best_rival_min_over_maximizers: float
    every_maximizer_wrong: bool


def _certify(masks: np.ndarray, weights: np.ndarray, label: int) -> Certificate:
    sol = theory.cc_target(masks[None], weights[None])
    lo, hi = theory.cc_maximizer_range(masks[None], weights[None], sol)
    rival_lo = float(np.delete(lo[0], label).max())
    return Certificate(
        probs=np.round(sol.probs[0], 6).tolist(),
        kkt_gap=float(sol.kkt_gap[0]),
        p_true_max_over_maximizers=float(hi[0, label]),
        best_rival_min_over_maximizers=rival_lo,
        every_maximizer_wrong=bool(hi[0, label] < rival_lo),
    )


@dataclass(frozen=True)
class SetLawCase:
    """A partial-label set law at one point (true label 0) whose CC minimizer is wrong."""

    num_classes: int
    distinct_sets: int
    sets: list[list[int]]
    weights: list[float]
    delta: float
    gamma: float
    certificate: Certificate


@dataclass(frozen=True)
class SetLawSearch:
    """Random partial-label set laws inside ``Delta + gamma < 1``."""

    configs: list[tuple[int, int]]
    samples_per_config: int
    inconsistent_inside: Rate
    undetermined: int
    smallest: SetLawCase | None
    deepest: SetLawCase | None


@dataclass(frozen=True)
class FamilyMember:
    """One member of ``synth.cc_surrogate_counterexample(a)``, certified."""

    a: float
    delta: float
    gamma: float
    certificate: Certificate


@dataclass(frozen=True)
class CCSurrogate:
    """The CC conjecture probed three ways.

    Attributes:
      inside, outside: grid-labeler worlds on each side of ``Delta_max + gamma < 1``.
      points_not_converged: support points where the CC solver did not converge.
      lowest_total: the smallest ``Delta_max + gamma`` of an inconsistent grid world.
      set_laws: the random search over partial-label set laws.
      family: the closed-form family, certified by LP.
      counterexample: the smallest inconsistent grid world, with an LP certificate.
    """

    inside: Tally
    outside: Tally
    points_not_converged: int
    lowest_total: float | None
    set_laws: SetLawSearch
    family: list[FamilyMember]
    counterexample: Json | None


def _set_law_search(
    rng: np.random.Generator, configs: list[tuple[int, int]], samples: int
) -> SetLawSearch:
    """Random partial-label set laws at one point with true label 0 (any label, by symmetry).

    Each law is ``K`` random candidate sets with Dirichlet(0.7) weights, the structure of the
    partial-label generator of docs/theory.md section 5 without its symmetry.
    """
    inside = wrong_total = undetermined = 0
    found: list[tuple[tuple[Any, ...], np.ndarray, np.ndarray]] = []
    for c, k in configs:
        masks = rng.random((samples, k, c)) < rng.random((samples, 1, 1))
        weights = rng.dirichlet(np.full(k, 0.7), size=samples)
        weights = np.where(masks.any(-1), weights, 0.0)
        keep = weights.sum(-1) > 0
        masks, weights = masks[keep], weights[keep] / weights[keep].sum(-1, keepdims=True)
        mem = np.einsum("bs,bsj->bj", weights, masks)
        total = (1 - mem[:, 0]) + mem[:, 1:].max(-1)
        cond = total < 1 - EXACT_TOL
        masks, weights, total = masks[cond], weights[cond], total[cond]
        sol = theory.cc_target(masks, weights)
        rival = sol.probs[:, 1:].max(-1)
        wrong = sol.converged & (sol.probs[:, 0] < rival - ARGMAX_TOL)
        right = sol.converged & (sol.probs[:, 0] > rival + ARGMAX_TOL)
        inside += int(cond.sum())
        wrong_total += int(wrong.sum())
        undetermined += int((~wrong & ~right).sum())
        for i in np.flatnonzero(wrong):
            used = weights[i] > 0
            distinct = len({tuple(row) for row in masks[i][used]})
            found.append(((c, distinct, float(total[i])), masks[i][used], weights[i][used]))

    def describe(entry: tuple[tuple[Any, ...], np.ndarray, np.ndarray]) -> SetLawCase:
        (c, distinct, _), masks, weights = entry
        mem = weights @ masks
        return SetLawCase(
            num_classes=c,
            distinct_sets=distinct,
            sets=[np.flatnonzero(row).tolist() for row in masks],
            weights=np.round(weights, 6).tolist(),
            delta=float(1 - mem[0]),
            gamma=float(mem[1:].max()),
            certificate=_certify(masks, weights, 0),
        )

    return SetLawSearch(
        configs=[(int(c), int(k)) for c, k in configs],
        samples_per_config=samples,
        inconsistent_inside=Rate.of(wrong_total, inside - undetermined),
        undetermined=undetermined,
        smallest=describe(min(found, key=lambda e: e[0])) if found else None,
        deepest=describe(min(found, key=lambda e: e[0][2])) if found else None,
    )


#: Members of the closed-form family checked: both inside the condition (Delta + gamma =
#: 0.9 and 0.86 for c = 3), both wrong since a > (c-2)/(c(c-1)) = 1/6.
FAMILY = (0.2, 0.18)


def compute_cc_surrogate(ctx: CellContext) -> CCSurrogate:
    """Grid-labeler worlds, random set laws and the closed-form family."""
    rng = ctx.rng()
    counts: dict[bool, list[int]] = {}
    bad: list[tuple[tuple[Any, ...], Batch, int]] = []
    unconverged = 0
    lowest: float | None = None
    # Threshold sets can be empty at every draw of a point, where the CC loss is infinite
    # whatever p is; top-k and support sets never are.
    batches = sweep(
        rng, ctx.size("worlds_per_shape_and_rule"), deterministic=True, with_threshold=False
    )
    for b, sol in with_cc_targets(batches):
        unconverged += int((~sol.converged & (b.world.probs > 0)).sum())
        consistent, inconsistent = verdicts(
            sol.probs, b.world.bayes(), (b.world.probs > 0) & sol.converged, ARGMAX_TOL
        )
        consistent &= np.all(sol.converged | (b.world.probs == 0), axis=-1)
        total = b.indicators["delta_max"] + b.indicators["gamma"]
        cond = total < 1 - EXACT_TOL
        _tally(counts, cond, consistent, inconsistent)
        found = np.flatnonzero(cond & inconsistent)
        m, c, _ = b.shape
        bad += [
            ((int((b.world.probs[i] > 0).sum()), c, m, float(total[i])), b, int(i)) for i in found
        ]
        if found.size:
            low = float(total[found].min())
            lowest = low if lowest is None else min(lowest, low)
    family = []
    for a in FAMILY:
        world, labeler = cc_surrogate_counterexample(a)
        masks, weights = labeler.set_law(theory.Support(), world.eta)
        mem = labeler.membership(theory.Support())
        family.append(
            FamilyMember(
                a=a,
                delta=float(theory.delta(mem, world.joint)),
                gamma=float(theory.gamma(mem, world.joint)),
                certificate=_certify(masks[0], weights[0], 0),
            )
        )
    counterexample = smallest(bad)
    if bad and counterexample is not None:
        _, b, i = min(bad, key=lambda item: item[0])
        masks, weights = b.labeler.set_law(b.rule, b.world.eta)
        labels = b.world.bayes()[i]
        wrong = (b.world.probs[i] > 0) & (
            np.argmax(theory.cc_target(masks[i], weights[i]).probs, axis=-1) != labels
        )
        point = int(np.flatnonzero(wrong)[0])
        cert = _certify(masks[i, point], weights[i, point], int(labels[point]))
        counterexample["certificate"] = {"point": point, **vars(cert)}
    inside, outside = _tallies(counts)
    search = _set_law_search(
        rng, [tuple(c) for c in ctx.size("set_law_configs")], ctx.size("set_law_samples")
    )
    return CCSurrogate(inside, outside, unconverged, lowest, search, family, counterexample)


def judge_cc_surrogate(m: CCSurrogate, p: None) -> Judgement:
    """Refuted by an inconsistent grid world inside the condition, or a set law or family
    member inside it whose every CC maximizer is wrong (LP certificate); silent when no
    case inside the condition was decided. (Set laws whose minimizer is wrong by the argmax
    tolerance but that were not certified do not refute; the report counts them.)"""
    del p
    certified = [
        e
        for e in (m.set_laws.smallest, m.set_laws.deepest, *m.family)
        if e is not None and e.delta + e.gamma < 1 and e.certificate.every_maximizer_wrong
    ]
    if m.inside.inconsistent.hits or certified:
        return refuted(
            f"{m.inside.inconsistent.hits} grid worlds inside are inconsistent; "
            f"{len(certified)} certified counterexamples"
        )
    decided = m.inside.inconsistent.total + m.set_laws.inconsistent_inside.total
    if decided == 0:
        return silent("no case inside the condition was decided")
    uncertified = m.set_laws.inconsistent_inside.hits
    return confirmed(
        f"no certified counterexample among {decided} cases inside"
        + (f" ({uncertified} set laws wrong by the argmax tolerance only)" if uncertified else "")
    )


def _cc_summary(m: CCSurrogate) -> str:
    laws = m.set_laws
    text = (
        f"inconsistent in {m.inside.inconsistent.hits}/{m.inside.inconsistent.total} grid "
        f"worlds and {laws.inconsistent_inside.hits}/{laws.inconsistent_inside.total} "
        "partial-label laws inside the condition"
    )
    if laws.deepest is not None:
        text += f" (lowest Delta + gamma {laws.deepest.delta + laws.deepest.gamma:.3f})"
    wrong = [f for f in m.family if f.certificate.every_maximizer_wrong]
    if wrong:
        f = wrong[0]
        probs = ", ".join(f"{v:.1f}" for v in f.certificate.probs)
        text += f"; closed form: Delta = {f.delta:.1f}, gamma = {f.gamma:.1f}, minimizer ({probs})"
    return text


register(
    ClaimSpec(
        id="cc-surrogate",
        status="conjecture",
        title="CC partial-label surrogate consistent when Delta_max + gamma < 1?",
        section="3",
        statement="Conjecture: the CC surrogate -log sum_{j in Omega(d)} p_j is "
        "classifier-consistent whenever Delta_max + gamma < 1 (deterministic labels).",
        predicts="argmax of the CC minimizer = f* at every support point inside the condition",
        prediction=None,
        needs=(CellSpec("cc-surrogate", CCSurrogate, compute_cc_surrogate),),
        measurement=CCSurrogate,
        judge=judge_cc_surrogate,
        summary=_cc_summary,
        setting={
            "worlds": "random finite worlds, M <= 3, c <= 4, K <= 3, deterministic labels; "
            "top-k and support rules",
            "set_laws": "random candidate-set laws at one point, Dirichlet(0.7) weights",
            "family": "synth.cc_surrogate_counterexample(a) for a in "
            + ", ".join(map(str, FAMILY)),
            "argmax_tolerance": ARGMAX_TOL,
        },
    )
)
