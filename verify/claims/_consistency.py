"""Claims on classifier-consistency, exhaustive on random finite worlds (THEORY.md section 3)."""

from __future__ import annotations

from typing import Any

import numpy as np

import theory
from synth import tightness_problem
from verify._claim import Claim
from verify._registry import Context, claim
from verify.claims._common import EXACT_TOL, Batch, lead_over_rival, rate, smallest, sweep


def _worlds(ctx: Context) -> int:
    return ctx.pick(quick=150, paper=1500, full=15000)


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


@claim("lemma", "risk sandwich: R_Omega = two terms, bounded as stated, for every h", "proved")
def lemma(ctx: Context) -> Claim:
    """THEORY.md section 3, Lemma: identity and three inequalities, all classifiers."""
    rng = ctx.rng()
    worst = {"identity": 0.0, "second_term": 0.0, "first_term": 0.0, "upper": 0.0}
    checked = 0
    for deterministic in (True, False):
        for b in sweep(rng, _worlds(ctx), deterministic=deterministic):
            r = _risks(b)
            first, second = theory.sandwich_terms(
                r["h"], b.world.joint[:, None], b.membership[:, None]
            )
            pd = theory.pointwise_delta(b.membership)
            # P(x, y = j) Delta(x, j): summed at j = h(x) it is E[1(h = y) Delta(x, y)]
            right_delta = theory.table_risk((b.world.joint * pd)[:, None], r["h"])
            g = b.indicators["gamma"][:, None]
            d = b.indicators["delta"][:, None]
            worst["identity"] = max(
                worst["identity"], float(np.max(np.abs(first + second - r["R_omega"])))
            )
            worst["second_term"] = max(
                worst["second_term"], float(np.max((1 - g) * r["R"] - second))
            )
            worst["first_term"] = max(worst["first_term"], float(np.max(right_delta - first)))
            worst["upper"] = max(worst["upper"], float(np.max(r["R_omega"] - r["R"] - d)))
            checked += r["R"].size
    ok = all(v <= EXACT_TOL for v in worst.values())
    return Claim(
        id="lemma",
        statement="THEORY.md section 3, Lemma: R_Omega(h) = P(h=y, y not in Omega) + "
        "P(h!=y, h not in Omega); second term >= (1-gamma) R(h); first >= E[1(h=y) Delta(x,y)]; "
        "R_Omega(h) <= R(h) + Delta.",
        status="proved",
        setting={
            "worlds_per_shape_and_rule": _worlds(ctx),
            "posteriors": "one-hot and noisy",
            "pairs_checked": checked,
        },
        prediction=f"every violation <= {EXACT_TOL:g} (rounding only)",
        measurement={"largest_violation": worst},
        verdict="confirmed" if ok else "refuted",
        summary=f"{checked} (world, classifier) pairs; largest violation {max(worst.values()):.1e}",
    )


@claim(
    "thm-C", "deterministic labels: R_Omega(h) - R_Omega(f*) >= (1-gamma-Delta_max) R(h)", "proved"
)
def theorem_c(ctx: Context) -> Claim:
    """THEORY.md section 3, Theorem C, exhaustively over all classifiers."""
    rng = ctx.rng()
    checked = worlds = inside = inside_unique = outside = outside_consistent = 0
    worst = 0.0
    bad: list[tuple[tuple[Any, ...], Batch, int]] = []
    for b in sweep(rng, _worlds(ctx), deterministic=True):
        r = _risks(b)
        margin = 1.0 - b.indicators["delta_max"] - b.indicators["gamma"]
        gap = r["R_omega"] - r["R_omega_star"][:, None]
        slack = margin[:, None] * r["R"] - gap  # > 0 is a violation
        worst = max(worst, float(slack.max()))
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
    ok = worst <= EXACT_TOL and inside_unique == inside
    return Claim(
        id="thm-C",
        statement="THEORY.md section 3, Theorem C: with deterministic labels, for every h, "
        "R_Omega(h) - R_Omega(f*) >= (1 - gamma - Delta_max) R(h); so Delta_max + gamma < 1 makes "
        "f* the unique minimizer of R_Omega.",
        status="proved",
        setting={
            "worlds": worlds,
            "shapes (M, c, K)": "M<=3, c<=4, K<=3",
            "rules": "top-k (all k), support, threshold 0.5",
            "pairs_checked": checked,
        },
        prediction="no violation of the inequality; f* the unique minimizer in every world "
        "inside the condition",
        measurement={
            "largest_violation": worst,
            "inside_condition_unique_minimizer": rate(inside_unique, inside),
            "outside_condition_f*_still_a_minimizer": rate(outside_consistent, outside),
        },
        verdict="confirmed" if ok else "refuted",
        summary=f"{worlds} worlds, {checked} classifiers; f* unique minimizer in "
        f"{inside_unique}/{inside} worlds inside; {outside_consistent}/{outside} outside still "
        "consistent (the condition is sufficient, not necessary)",
        counterexample=smallest(bad),
    )


@claim(
    "thm-C-average-delta",
    "the paper's Delta + gamma < 1 with average Delta suffices when Delta(x,y) varies",
    "conjecture",
)
def theorem_c_average(ctx: Context) -> Claim:
    """Probe: Theorem C needs ``Delta_max``; does the average ``Delta`` do (THEORY.md section 3)?"""
    rng = ctx.rng()
    inside = consistent = 0
    bad: list[tuple[tuple[Any, ...], Batch, int]] = []
    for b in sweep(rng, _worlds(ctx), deterministic=True):
        r = _risks(b)
        paper = b.indicators["delta"] + b.indicators["gamma"] < 1 - EXACT_TOL
        minimizer = np.all(r["R_omega"] >= r["R_omega_star"][:, None] - EXACT_TOL, axis=1)
        inside += int(paper.sum())
        consistent += int((paper & minimizer).sum())
        total = b.indicators["delta"] + b.indicators["gamma"]
        bad += [((b.shape, float(total[i])), b, int(i)) for i in np.flatnonzero(paper & ~minimizer)]
    refuted = consistent < inside
    return Claim(
        id="thm-C-average-delta",
        statement="Probe of THEORY.md section 3: Theorem C is proved with Delta_max; is the "
        "paper's Delta + gamma < 1, with the average Delta, enough when Delta(x, y) depends on x?",
        status="conjecture",
        setting={"worlds_per_shape_and_rule": _worlds(ctx), "labels": "deterministic"},
        prediction="f* minimizes R_Omega in every world with Delta + gamma < 1",
        measurement={"f*_minimizer_when_Delta+gamma<1": rate(consistent, inside)},
        verdict="refuted" if refuted else "confirmed",
        summary=(
            f"refuted: {inside - consistent}/{inside} worlds with Delta + gamma < 1 are "
            "inconsistent (a rare point with high Delta(x,y)); Delta_max is needed"
            if refuted
            else f"f* minimizes R_Omega in all {inside} worlds with Delta + gamma < 1"
        ),
        counterexample=smallest(bad),
    )


@claim("thm-C-tightness", "one point, c=2: f* uniquely minimizes R_Omega iff a < 1/2", "proved")
def tightness(ctx: Context) -> Claim:
    """THEORY.md section 3, tightness family, on a grid of ``a``."""
    grid = np.linspace(0.0, 1.0, ctx.pick(quick=201, paper=2001, full=20001))
    rule = theory.TopK(1)
    indicator_error = 0.0
    unique = np.zeros(grid.shape, dtype=bool)
    h = theory.all_classifiers(1, 2)  # f* = 0 and the wrong classifier 1
    for i, a in enumerate(grid):
        world, labeler = tightness_problem(float(a))
        m = labeler.membership(rule)
        d, g = float(theory.delta(m, world.joint)), float(theory.gamma(m, world.joint))
        indicator_error = max(indicator_error, abs(d - a), abs(g - a))
        r = theory.set_risk(h, world.joint, m)
        unique[i] = r[0] < r[1] - EXACT_TOL
    predicted = grid < 0.5
    agree = bool(np.all(unique == predicted))
    first_fail = float(grid[np.argmin(unique)]) if not unique.all() else None
    ok = agree and indicator_error <= EXACT_TOL
    return Claim(
        id="thm-C-tightness",
        statement="THEORY.md section 3, tightness: one point, c = 2, k = 1, y = 0, top-1 label "
        "wrong with probability a: Delta = gamma = a and f* is the unique minimizer of R_Omega "
        "iff a < 1/2, i.e. iff Delta + gamma < 1, so no constant below 1 works. (At a = 1/2 "
        "f* still minimizes, tied with the wrong label: 'iff' holds for the unique minimizer.)",
        status="proved",
        setting={"a_grid_points": len(grid), "rule": rule.name},
        prediction="Delta = gamma = a; unique minimizer exactly for a < 1/2",
        measurement={
            "largest_indicator_error": indicator_error,
            "agreement_with_a<1/2": agree,
            "smallest_a_without_unique_minimizer": first_fail,
        },
        verdict="confirmed" if ok else "refuted",
        summary=f"boundary at a = {first_fail} (predicted 0.5) over {len(grid)} values of a",
    )


@claim("thm-C-noisy", "Theorem C' pointwise condition implies h_Omega(x) = h_B(x)", "proved")
def theorem_c_noisy(ctx: Context) -> Claim:
    """THEORY.md section 3, Theorem C', against the exact oracle ``argmax pi(x)``."""
    rng = ctx.rng()
    held = held_right = right = right_held = 0
    onehot_points = onehot_agree = 0
    bad: list[tuple[tuple[Any, ...], Batch, int]] = []
    for b in sweep(rng, _worlds(ctx), deterministic=False):
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
    ok = held_right == held and onehot_agree == onehot_points
    return Claim(
        id="thm-C-noisy",
        statement="THEORY.md section 3, Theorem C' (extension, proved): if eta_B (1 - "
        "Delta(x,B)) > max_{j != B} [eta_j + (1 - eta_j) gamma(x)] then h_Omega(x) = h_B(x); for "
        "one-hot eta it reads Delta(x,B) + gamma(x) < 1.",
        status="proved",
        setting={"worlds_per_shape_and_rule": _worlds(ctx), "posteriors": "grid, noisy or one-hot"},
        prediction="the oracle agrees with h_B at every point where C' holds",
        measurement={
            "oracle_right_where_C'_holds": rate(held_right, held),
            "C'_holds_where_oracle_right (how conservative)": rate(right_held, right),
            "one-hot points where C' equals Delta(x,B)+gamma(x)<1": rate(
                onehot_agree, onehot_points
            ),
        },
        verdict="confirmed" if ok else "refuted",
        summary=f"oracle right at {held_right}/{held} points where C' holds; C' certifies "
        f"{right_held}/{right} of the points the oracle gets right",
        counterexample=smallest(bad),
    )
