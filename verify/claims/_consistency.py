"""Claims on classifier-consistency, exhaustive on random finite worlds (docs/theory.md
section 3)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

import theory
from synth import tightness_problem
from verify._records import Rate
from verify._registry import register
from verify._schema import Json
from verify._spec import CellContext, CellSpec, ClaimSpec, Judgement, confirmed, refuted, silent
from verify.claims._common import (
    EXACT_TOL,
    Batch,
    Exact,
    Violations,
    holds,
    judge_violations,
    lead_over_rival,
    smallest,
    sweep,
    worst_of,
)

SETTING = {
    "worlds": "random finite worlds, M <= 3 points, c <= 4 classes, K <= 3 soft labels per (x, y)",
    "rules": "top-k (every k), support, threshold 0.5",
}


def _risks(b: Batch) -> dict[str, np.ndarray]:
    """Risks of every classifier on every world of the batch: ``[B, H]`` arrays."""
    m, c, _ = b.shape
    h = theory.all_classifiers(m, c)
    joint = b.world.joint
    table = theory.set_loss_table(joint, b.membership)
    return {
        "h": h,
        "R": theory.table_risk(theory.error_table(joint)[:, None], h),
        "R_omega": theory.table_risk(table[:, None], h),
        "R_omega_star": theory.table_risk(table, b.world.bayes()),
    }


# --- Lemma -------------------------------------------------------------------------------


def compute_lemma(ctx: CellContext) -> Violations:
    """The identity and three inequalities of the Lemma for every classifier of every world."""
    rng = ctx.rng()
    worst = {"identity": 0.0, "second_term": 0.0, "first_term": 0.0, "upper": 0.0}
    checked = 0
    for deterministic in (True, False):
        for b in sweep(rng, ctx.size("worlds_per_shape_and_rule"), deterministic=deterministic):
            r = _risks(b)
            first, second = theory.sandwich_terms(
                r["h"], b.world.joint[:, None], b.membership[:, None]
            )
            pd = theory.pointwise_delta(b.membership)
            # P(x, y = j) Delta(x, j): summed at j = h(x) it is E[1(h = y) Delta(x, y)]
            right_delta = theory.table_risk((b.world.joint * pd)[:, None], r["h"])
            g = b.indicators["gamma"][:, None]
            d = b.indicators["delta"][:, None]
            worst["identity"] = worst_of(
                worst["identity"], float(np.max(np.abs(first + second - r["R_omega"])))
            )
            worst["second_term"] = worst_of(
                worst["second_term"], float(np.max((1 - g) * r["R"] - second))
            )
            worst["first_term"] = worst_of(worst["first_term"], float(np.max(right_delta - first)))
            worst["upper"] = worst_of(worst["upper"], float(np.max(r["R_omega"] - r["R"] - d)))
            checked += r["R"].size
    return Violations(checked=checked, largest=worst)


register(
    ClaimSpec(
        id="lemma",
        status="proved",
        title="risk sandwich: R_Omega = two terms, bounded as stated, for every h",
        section="3",
        statement="Lemma: R_Omega(h) = P(h=y, y not in Omega) + P(h!=y, h not in Omega); second "
        "term >= (1-gamma) R(h); first >= E[1(h=y) Delta(x,y)]; R_Omega(h) <= R(h) + Delta.",
        predicts=f"every violation <= {EXACT_TOL:g} (rounding only)",
        prediction=Exact(EXACT_TOL),
        needs=(CellSpec("lemma", Violations, compute_lemma),),
        measurement=Violations,
        judge=judge_violations,
        summary=lambda m: (
            f"{m.checked} (world, classifier) pairs; largest violation "
            f"{worst_of(*m.largest.values()):.1e}"
        ),
        setting={**SETTING, "posteriors": "one-hot and noisy"},
    )
)


# --- Theorem C ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TheoremC:
    """Theorem C checked exhaustively.

    Attributes:
      worlds, classifiers: how many were checked.
      largest_violation: of ``(1 - gamma - Delta_max) R(h) - (R_Omega(h) - R_Omega(f*))``.
      unique_inside: worlds inside ``Delta_max + gamma < 1`` where ``f*`` is the unique
        minimizer of ``R_Omega``.
      minimizer_outside: worlds outside where ``f*`` still minimizes it.
      counterexample: the smallest violating world, if any.
    """

    worlds: int
    classifiers: int
    largest_violation: float
    unique_inside: Rate
    minimizer_outside: Rate
    counterexample: Json | None


def compute_theorem_c(ctx: CellContext) -> TheoremC:
    """The inequality for every classifier, and uniqueness of ``f*`` inside the condition."""
    rng = ctx.rng()
    checked = worlds = inside = inside_unique = outside = outside_consistent = 0
    worst = 0.0
    bad: list[tuple[tuple[Any, ...], Batch, int]] = []
    for b in sweep(rng, ctx.size("worlds_per_shape_and_rule"), deterministic=True):
        r = _risks(b)
        margin = 1.0 - b.indicators["delta_max"] - b.indicators["gamma"]
        gap = r["R_omega"] - r["R_omega_star"][:, None]
        slack = margin[:, None] * r["R"] - gap  # > 0 is a violation
        worst = worst_of(worst, float(slack.max()))
        viol = np.flatnonzero(slack.max(axis=1) > EXACT_TOL)
        bad += [((b.shape, float(margin[i])), b, int(i)) for i in viol]
        wrong = r["R"] > EXACT_TOL
        unique = np.all(~wrong | (gap > EXACT_TOL), axis=1)
        minimizer = np.all(gap >= -EXACT_TOL, axis=1)
        cond = margin > EXACT_TOL  # exact boundary cases (margin 0 up to rounding) stay out
        inside += int(cond.sum())
        inside_unique += int((cond & unique).sum())
        outside += int((~cond).sum())
        outside_consistent += int((~cond & minimizer).sum())
        checked += r["R"].size
        worlds += len(margin)
    return TheoremC(
        worlds=worlds,
        classifiers=checked,
        largest_violation=worst,
        unique_inside=Rate.of(inside_unique, inside),
        minimizer_outside=Rate.of(outside_consistent, outside),
        counterexample=smallest(bad),
    )


def judge_theorem_c(m: TheoremC, p: Exact) -> Judgement:
    """Refuted by any violation of the inequality or any world inside the condition where
    ``f*`` is not the unique minimizer; silent if no classifier was checked."""
    if m.classifiers == 0:
        return silent("no classifier was checked")
    if not holds(m.largest_violation, p.tol):
        return refuted(f"the inequality is violated by {m.largest_violation:.3g}")
    if not m.unique_inside.all:
        missing = m.unique_inside.total - m.unique_inside.hits
        return refuted(f"f* is not the unique minimizer in {missing} worlds inside")
    return confirmed(
        f"no violation over {m.classifiers} classifiers; f* unique in all "
        f"{m.unique_inside.total} worlds inside"
    )


register(
    ClaimSpec(
        id="thm-C",
        status="proved",
        title="deterministic labels: R_Omega(h) - R_Omega(f*) >= (1-gamma-Delta_max) R(h)",
        section="3",
        statement="Theorem C: with deterministic labels, for every h, R_Omega(h) - R_Omega(f*) "
        ">= (1 - gamma - Delta_max) R(h); so Delta_max + gamma < 1 makes f* the unique "
        "minimizer of R_Omega.",
        predicts="no violation of the inequality; f* the unique minimizer in every world "
        "inside the condition",
        prediction=Exact(EXACT_TOL),
        needs=(CellSpec("thm-C", TheoremC, compute_theorem_c),),
        measurement=TheoremC,
        judge=judge_theorem_c,
        summary=lambda m: (
            f"{m.worlds} worlds, {m.classifiers} classifiers; f* unique minimizer "
            f"in {m.unique_inside.hits}/{m.unique_inside.total} worlds inside; "
            f"{m.minimizer_outside.hits}/{m.minimizer_outside.total} outside still consistent (the "
            "condition is sufficient, not necessary)"
        ),
        setting=SETTING,
    )
)


# --- Average Delta -----------------------------------------------------------------------


@dataclass(frozen=True)
class AverageDelta:
    """Worlds with the paper's ``Delta + gamma < 1`` (average ``Delta``) where ``f*``
    minimizes ``R_Omega``; the smallest world where it does not."""

    minimizer_inside: Rate
    counterexample: Json | None


def compute_average_delta(ctx: CellContext) -> AverageDelta:
    """Is ``f*`` a minimizer in every world with ``Delta + gamma < 1``?"""
    rng = ctx.rng()
    inside = consistent = 0
    bad: list[tuple[tuple[Any, ...], Batch, int]] = []
    for b in sweep(rng, ctx.size("worlds_per_shape_and_rule"), deterministic=True):
        r = _risks(b)
        total = b.indicators["delta"] + b.indicators["gamma"]
        paper = total < 1 - EXACT_TOL
        minimizer = np.all(r["R_omega"] >= r["R_omega_star"][:, None] - EXACT_TOL, axis=1)
        inside += int(paper.sum())
        consistent += int((paper & minimizer).sum())
        bad += [((b.shape, float(total[i])), b, int(i)) for i in np.flatnonzero(paper & ~minimizer)]
    return AverageDelta(Rate.of(consistent, inside), smallest(bad))


def judge_all_inside(m: AverageDelta, p: Exact) -> Judgement:
    """Refuted by any world inside the paper's condition where ``f*`` is not a minimizer;
    silent if no world was inside."""
    del p
    rate = m.minimizer_inside
    if rate.total == 0:
        return silent("no world satisfies Delta + gamma < 1")
    if not rate.all:
        return refuted(f"{rate.total - rate.hits}/{rate.total} worlds inside are inconsistent")
    return confirmed(f"f* minimizes R_Omega in all {rate.total} worlds inside")


def _average_delta_summary(m: AverageDelta) -> str:
    rate = m.minimizer_inside
    if rate.all:
        return f"f* minimizes R_Omega in all {rate.total} worlds with Delta + gamma < 1"
    return (
        f"refuted: {rate.total - rate.hits}/{rate.total} worlds with Delta + gamma < 1 are "
        "inconsistent (a rare point with high Delta(x,y)); Delta_max is needed"
    )


register(
    ClaimSpec(
        id="thm-C-average-delta",
        status="conjecture",
        title="the paper's Delta + gamma < 1 with average Delta suffices when Delta(x,y) varies",
        section="3",
        statement="Probe: Theorem C is proved with Delta_max; is the paper's Delta + gamma < 1, "
        "with the average Delta, enough when Delta(x, y) depends on x?",
        predicts="f* minimizes R_Omega in every world with Delta + gamma < 1",
        prediction=Exact(EXACT_TOL),
        needs=(CellSpec("thm-C-average-delta", AverageDelta, compute_average_delta),),
        measurement=AverageDelta,
        judge=judge_all_inside,
        summary=_average_delta_summary,
        setting={**SETTING, "labels": "deterministic"},
    )
)


# --- Tightness ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Boundary:
    """The prediction of a boundary: the property holds exactly for ``a < at``."""

    at: float
    tol: float = EXACT_TOL


@dataclass(frozen=True)
class Tightness:
    """The tightness family on a grid of ``a`` (top-1 wrong with probability ``a``).

    Attributes:
      points, a_min, a_max: the grid.
      largest_indicator_error: ``max |Delta - a|, |gamma - a|`` over the grid.
      unique_is_prefix: ``f*`` is the unique minimizer on an initial run of the grid only.
      largest_a_unique: the largest ``a`` where it is (``None``: nowhere).
      smallest_a_not_unique: the smallest ``a`` where it is not (``None``: everywhere it is).
    """

    points: int
    a_min: float
    a_max: float
    largest_indicator_error: float
    unique_is_prefix: bool
    largest_a_unique: float | None
    smallest_a_not_unique: float | None


def compute_tightness(ctx: CellContext) -> Tightness:
    """Indicators and uniqueness of the minimizer for each ``a`` of the grid."""
    grid = np.linspace(0.0, 1.0, ctx.size("grid_points"))
    rule = theory.TopK(1)
    indicator_error = 0.0
    unique = np.zeros(grid.shape, dtype=bool)
    h = theory.all_classifiers(1, 2)  # f* = 0 and the wrong classifier 1
    for i, a in enumerate(grid):
        world, labeler = tightness_problem(float(a))
        m = labeler.membership(rule)
        d, g = float(theory.delta(m, world.joint)), float(theory.gamma(m, world.joint))
        indicator_error = worst_of(indicator_error, abs(d - a), abs(g - a))
        r = theory.set_risk(h, world.joint, m)
        unique[i] = r[0] < r[1] - EXACT_TOL
    run = int(np.argmin(unique)) if not unique.all() else len(unique)
    return Tightness(
        points=len(grid),
        a_min=float(grid[0]),
        a_max=float(grid[-1]),
        largest_indicator_error=indicator_error,
        unique_is_prefix=bool(unique[:run].all() and not unique[run:].any()),
        largest_a_unique=float(grid[unique].max()) if unique.any() else None,
        smallest_a_not_unique=float(grid[~unique].min()) if not unique.all() else None,
    )


def judge_tightness(m: Tightness, p: Boundary) -> Judgement:
    """Confirmed when ``Delta = gamma = a`` and ``f*`` is the unique minimizer exactly on
    the grid points below ``p.at``; silent when the grid does not straddle ``p.at``."""
    if not m.a_min < p.at <= m.a_max:
        return silent(f"the grid [{m.a_min:g}, {m.a_max:g}] does not straddle {p.at:g}")
    if not holds(m.largest_indicator_error, p.tol):
        return refuted(f"Delta or gamma differs from a by {m.largest_indicator_error:.3g}")
    if not m.unique_is_prefix:
        return refuted("the unique-minimizer region is not an interval starting at a = 0")
    if m.largest_a_unique is None or m.largest_a_unique >= p.at:
        return refuted(f"f* is still the unique minimizer at a = {m.largest_a_unique}")
    if m.smallest_a_not_unique is None or m.smallest_a_not_unique < p.at:
        return refuted(f"f* stops being the unique minimizer at a = {m.smallest_a_not_unique}")
    return confirmed(f"boundary between a = {m.largest_a_unique:g} and {m.smallest_a_not_unique:g}")


register(
    ClaimSpec(
        id="thm-C-tightness",
        status="proved",
        title="one point, c=2: f* uniquely minimizes R_Omega iff a < 1/2",
        section="3",
        statement="Tightness: one point, c = 2, k = 1, y = 0, top-1 label wrong with "
        "probability a: Delta = gamma = a and f* is the unique minimizer of R_Omega iff "
        "a < 1/2, i.e. iff Delta + gamma < 1, so no constant below 1 works. (At a = 1/2 f* "
        "still minimizes, tied with the wrong label: 'iff' holds for the unique minimizer.)",
        predicts="Delta = gamma = a; unique minimizer exactly for a < 1/2",
        prediction=Boundary(0.5),
        needs=(CellSpec("thm-C-tightness", Tightness, compute_tightness),),
        measurement=Tightness,
        judge=judge_tightness,
        summary=lambda m: (
            f"boundary at a = {m.smallest_a_not_unique} (predicted 0.5) over {m.points} values of a"
        ),
        setting={"rule": "top1", "grid": "a evenly spaced on [0, 1]"},
    )
)


# --- Theorem C' --------------------------------------------------------------------------


@dataclass(frozen=True)
class TheoremCNoisy:
    """Theorem C' against the exact oracle ``argmax pi(x)``, point by point.

    Attributes:
      right_where_condition: points where C' holds at which the oracle is ``h_B``.
      condition_where_right: points where the oracle is right at which C' holds (how
        conservative the condition is).
      onehot_reduction: one-hot points where C' equals ``Delta(x,B) + gamma(x) < 1``.
      counterexample: the smallest world with a point where C' holds and the oracle errs.
    """

    right_where_condition: Rate
    condition_where_right: Rate
    onehot_reduction: Rate
    counterexample: Json | None


def compute_theorem_c_noisy(ctx: CellContext) -> TheoremCNoisy:
    """C' and the oracle at every support point of random noisy worlds."""
    rng = ctx.rng()
    held = held_right = right = right_held = 0
    onehot_points = onehot_agree = 0
    bad: list[tuple[tuple[Any, ...], Batch, int]] = []
    for b in sweep(rng, ctx.size("worlds_per_shape_and_rule"), deterministic=False):
        eta, m = b.world.eta, b.membership
        support = b.world.probs > 0
        cond = theory.noisy_condition(eta, m, tol=EXACT_TOL)
        pi = theory.set_scores(eta, m)
        hb = b.world.bayes()
        lead = lead_over_rival(pi, hb)
        oracle_right = lead > EXACT_TOL
        oracle_wrong = lead < -EXACT_TOL
        held += int((cond & support).sum())
        held_right += int((cond & support & oracle_right).sum())
        right += int((support & oracle_right).sum())
        right_held += int((support & oracle_right & cond).sum())
        viol = np.flatnonzero(np.any(cond & support & oracle_wrong, axis=1))
        bad += [((b.shape,), b, int(i)) for i in viol]
        onehot = support & (eta.max(-1) == 1.0)
        d_b = np.take_along_axis(theory.pointwise_delta(m), hb[..., None], -1)[..., 0]
        reduced = d_b + theory.pointwise_gamma(m, eta) < 1 - EXACT_TOL
        onehot_points += int(onehot.sum())
        onehot_agree += int((onehot & (reduced == cond)).sum())
    return TheoremCNoisy(
        right_where_condition=Rate.of(held_right, held),
        condition_where_right=Rate.of(right_held, right),
        onehot_reduction=Rate.of(onehot_agree, onehot_points),
        counterexample=smallest(bad),
    )


def judge_theorem_c_noisy(m: TheoremCNoisy, p: Exact) -> Judgement:
    """Refuted by a point where C' holds and the oracle is not ``h_B``, or a one-hot point
    where C' is not Theorem C's condition; silent if C' held nowhere."""
    del p
    held = m.right_where_condition
    if held.total == 0:
        return silent("C' holds at no point")
    if not held.all:
        return refuted(f"the oracle errs at {held.total - held.hits} points where C' holds")
    if not m.onehot_reduction.all:
        return refuted("at some one-hot point C' differs from Delta(x,B) + gamma(x) < 1")
    return confirmed(f"the oracle is right at all {held.total} points where C' holds")


register(
    ClaimSpec(
        id="thm-C-noisy",
        status="proved",
        title="Theorem C' pointwise condition implies h_Omega(x) = h_B(x)",
        section="3",
        statement="Theorem C' (extension, proved): if eta_B (1 - Delta(x,B)) > max_{j != B} "
        "[eta_j + (1 - eta_j) gamma(x)] then h_Omega(x) = h_B(x); for one-hot eta it reads "
        "Delta(x,B) + gamma(x) < 1.",
        predicts="the oracle agrees with h_B at every point where C' holds",
        prediction=Exact(EXACT_TOL),
        needs=(CellSpec("thm-C-noisy", TheoremCNoisy, compute_theorem_c_noisy),),
        measurement=TheoremCNoisy,
        judge=judge_theorem_c_noisy,
        summary=lambda m: (
            f"oracle right at {m.right_where_condition.hits}/"
            f"{m.right_where_condition.total} points where C' holds; C' certifies "
            f"{m.condition_where_right.hits}/{m.condition_where_right.total} of the points the "
            "oracle gets right"
        ),
        setting={**SETTING, "posteriors": "grid, noisy or one-hot"},
    )
)
