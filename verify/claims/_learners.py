"""Learners Theorem C does not cover, judged against their own population minimizers.

THEORY.md section 3: distillation (soft cross-entropy) and the partial-label CC surrogate.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import theory
from synth import cc_surrogate_counterexample, distillation_counterexample
from verify._claim import Claim
from verify._registry import Context, claim
from verify.claims._common import ARGMAX_TOL, EXACT_TOL, Batch, rate, smallest, sweep, verdicts


def _worlds(ctx: Context) -> int:
    return ctx.pick(quick=200, paper=3000, full=30000)


def _tally(
    totals: dict[str, dict[str, int]], cond: np.ndarray, consistent: np.ndarray, bad: np.ndarray
) -> None:
    """Add one batch's worlds to the counts, split by whether the condition holds."""
    for side, part in (("condition holds", cond), ("condition fails", ~cond)):
        acc = totals.setdefault(side, {"inconsistent": 0, "decided": 0, "undetermined": 0})
        acc["inconsistent"] += int((part & bad).sum())
        acc["decided"] += int((part & (consistent | bad)).sum())
        acc["undetermined"] += int((part & ~consistent & ~bad).sum())


def _rates(totals: dict[str, dict[str, int]]) -> dict[str, Any]:
    return {
        side: {
            "inconsistent": rate(v["inconsistent"], v["decided"]),
            "undetermined (near-ties)": v["undetermined"],
        }
        for side, v in totals.items()
    }


@claim(
    "ce-learner",
    "distillation is consistent iff argmax E[d|x] = h_B: indicators don't decide",
    "proved",
)
def distillation(ctx: Context) -> Claim:
    """THEORY.md section 3: the counterexample, and inconsistency rates on random worlds."""
    world, labeler = distillation_counterexample()
    m = labeler.membership(theory.TopK(2))
    target = theory.distillation_target(world.eta, labeler.mean_soft_labels())[0]
    d2, g2 = float(theory.delta(m, world.joint)), float(theory.gamma(m, world.joint))
    reproduced = (
        abs(d2) <= EXACT_TOL
        and abs(g2 - 0.5) <= EXACT_TOL
        and np.allclose(target, [0.30, 0.35, 0.35], rtol=0, atol=EXACT_TOL)
        and int(theory.distillation_oracle(world.eta, labeler.mean_soft_labels())[0]) != 0
        and int(theory.set_oracle(world.eta, m)[0]) == 0
    )
    rng = ctx.rng()
    totals: dict[str, dict[str, int]] = {}
    bad: list[tuple[tuple[Any, ...], Batch, int]] = []
    for b in sweep(rng, _worlds(ctx), deterministic=True):
        scores = theory.distillation_target(b.world.eta, b.labeler.mean_soft_labels())
        consistent, inconsistent = verdicts(scores, b.world.bayes(), b.world.probs > 0, EXACT_TOL)
        cond = b.indicators["delta_max"] + b.indicators["gamma"] < 1 - EXACT_TOL
        _tally(totals, cond, consistent, inconsistent)
        bad += [((b.shape,), b, int(i)) for i in np.flatnonzero(cond & inconsistent)]
    rates = _rates(totals)
    inside = rates["condition holds"]["inconsistent"]
    return Claim(
        id="ce-learner",
        statement="THEORY.md section 3: the soft cross-entropy minimizer is E[d|x]; it is "
        "consistent iff argmax E[d|x] = argmax eta(x), which Delta and gamma do not decide "
        "(counterexample: c = 3, y = 0, d = (.3,.7,0) or (.3,0,.7): Delta_2 = 0, gamma_2 = 1/2, "
        "E[d|x] = (.30,.35,.35)).",
        status="proved",
        setting={
            "worlds_per_shape_and_rule": _worlds(ctx),
            "labels": "deterministic",
            "condition": "Delta_max + gamma < 1 for the rule",
        },
        prediction="the counterexample reproduces; inconsistency is possible inside the condition",
        measurement={
            "counterexample": {
                "Delta_2": d2,
                "gamma_2": g2,
                "E[d|x]": target.tolist(),
                "reproduced": reproduced,
            },
            "random_worlds": rates,
        },
        verdict="confirmed" if reproduced else "refuted",
        summary=f"counterexample reproduced: {reproduced}; distillation inconsistent in "
        f"{inside['hits']}/{inside['total']} random worlds inside the condition, "
        f"{rates['condition fails']['inconsistent']['hits']}/"
        f"{rates['condition fails']['inconsistent']['total']} outside",
        counterexample=smallest(bad),
    )


def _certify(masks: np.ndarray, weights: np.ndarray, label: int) -> dict[str, Any]:
    """Whether every maximizer of the CC objective at one point misclassifies ``label``."""
    sol = theory.cc_target(masks[None], weights[None])
    lo, hi = theory.cc_maximizer_range(masks[None], weights[None], sol)
    rival_lo = np.delete(lo[0], label).max()
    return {
        "probs": np.round(sol.probs[0], 6).tolist(),
        "kkt_gap": float(sol.kkt_gap[0]),
        "p_true_max_over_maximizers": float(hi[0, label]),
        "best_rival_min_over_maximizers": float(rival_lo),
        "every_maximizer_wrong": bool(hi[0, label] < rival_lo),
    }


def _set_law_search(
    rng: np.random.Generator, configs: list[tuple[int, int]], samples: int
) -> dict[str, Any]:
    """Random partial-label set laws at one point with true label 0 (any label, by symmetry).

    Each law is ``K`` random candidate sets with Dirichlet(0.7) weights, the structure of the
    partial-label generator of THEORY.md section 5 without its symmetry. Returns the rate of
    inconsistency inside ``Delta + gamma < 1`` and the smallest and the deepest (lowest
    ``Delta + gamma``) counterexamples found, each certified by LP over all maximizers.
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

    def describe(entry: tuple[tuple[Any, ...], np.ndarray, np.ndarray]) -> dict[str, Any]:
        (c, distinct, total), masks, weights = entry
        mem = weights @ masks
        return {
            "num_classes": c,
            "true_label": 0,
            "distinct_sets": distinct,
            "sets": [np.flatnonzero(row).tolist() for row in masks],
            "weights": np.round(weights, 6).tolist(),
            "Delta": float(1 - mem[0]),
            "gamma": float(mem[1:].max()),
            "Delta+gamma": total,
            **_certify(masks, weights, 0),
        }

    return {
        "configs (c, K)": configs,
        "samples_per_config": samples,
        "inconsistent_inside_condition": rate(wrong_total, inside - undetermined),
        "undetermined": undetermined,
        "smallest": describe(min(found, key=lambda e: e[0])) if found else None,
        "deepest": describe(min(found, key=lambda e: e[0][2])) if found else None,
    }


@claim(
    "cc-surrogate",
    "CC partial-label surrogate consistent when Delta_max + gamma < 1?",
    "conjecture",
)
def cc_surrogate(ctx: Context) -> Claim:
    """THEORY.md section 3 conjecture on the CC surrogate, probed by random search."""
    rng = ctx.rng()
    totals: dict[str, dict[str, int]] = {}
    bad: list[tuple[tuple[Any, ...], Batch, int]] = []
    unconverged = 0
    lowest: tuple[float, Batch, int] | None = None
    # Threshold sets can be empty at every draw of a point, where the CC loss is infinite
    # whatever p is; top-k and support sets never are.
    for b in sweep(rng, _worlds(ctx), deterministic=True, with_threshold=False):
        masks, weights = b.labeler.set_law(b.rule, b.world.eta)
        sol = theory.cc_target(masks, weights)
        unconverged += int((~sol.converged & (b.world.probs > 0)).sum())
        consistent, inconsistent = verdicts(
            sol.probs, b.world.bayes(), (b.world.probs > 0) & sol.converged, ARGMAX_TOL
        )
        consistent &= np.all(sol.converged | (b.world.probs == 0), axis=-1)
        total = b.indicators["delta_max"] + b.indicators["gamma"]
        cond = total < 1 - EXACT_TOL
        _tally(totals, cond, consistent, inconsistent)
        found = np.flatnonzero(cond & inconsistent)
        m, c, _ = b.shape
        bad += [
            ((int((b.world.probs[i] > 0).sum()), c, m, float(total[i])), b, int(i)) for i in found
        ]
        if found.size:
            i = int(found[np.argmin(total[found])])
            if lowest is None or total[i] < lowest[0]:
                lowest = (float(total[i]), b, i)
    rates = _rates(totals)
    # The closed-form family of synth.cc_surrogate_counterexample, certified by LP.
    family = {}
    for a in (0.2, 0.18):
        world, labeler = cc_surrogate_counterexample(a)
        masks, weights = labeler.set_law(theory.Support(), world.eta)
        mem = labeler.membership(theory.Support())
        family[f"a={a}"] = {
            "Delta": float(theory.delta(mem, world.joint)),
            "gamma": float(theory.gamma(mem, world.joint)),
            **_certify(masks[0], weights[0], 0),
        }
    smallest_found = smallest(bad)
    if bad and smallest_found is not None:
        _, b, i = min(bad, key=lambda item: item[0])
        masks, weights = b.labeler.set_law(b.rule, b.world.eta)
        labels = b.world.bayes()[i]
        wrong = (b.world.probs[i] > 0) & (
            np.argmax(theory.cc_target(masks[i], weights[i]).probs, axis=-1) != labels
        )
        point = int(np.flatnonzero(wrong)[0])
        smallest_found["certificate"] = {
            "point": point,
            **_certify(masks[i, point], weights[i, point], int(labels[point])),
        }
    family_refutes = any(v["every_maximizer_wrong"] for v in family.values())
    direct = _set_law_search(
        rng,
        ctx.pick(
            quick=[(3, 4), (4, 5)], paper=[(3, 3), (3, 4), (3, 5), (4, 4), (4, 5), (4, 6), (5, 6)]
        ),
        ctx.pick(quick=10000, paper=40000, full=200000),
    )
    certified = [
        e for e in (direct["smallest"], direct["deepest"]) if e and e["every_maximizer_wrong"]
    ]
    refuted = family_refutes or bool(bad) or bool(certified)
    inside = rates["condition holds"]["inconsistent"]
    return Claim(
        id="cc-surrogate",
        statement="THEORY.md section 3 conjecture: the CC surrogate -log sum_{j in Omega(d)} p_j "
        "is classifier-consistent whenever Delta_max + gamma < 1 (deterministic labels).",
        status="conjecture",
        setting={
            "worlds_per_shape_and_rule": _worlds(ctx),
            "labels": "deterministic",
            "argmax_tolerance": ARGMAX_TOL,
        },
        prediction="argmax of the CC minimizer = f* at every support point inside the condition",
        measurement={
            "random_worlds (grid labelers)": rates,
            "points_not_converged": unconverged,
            "lowest_Delta_max+gamma_of_a_counterexample_found": lowest[0] if lowest else None,
            "random_partial_label_set_laws": direct,
            "closed_form_family (synth.cc_surrogate_counterexample)": family,
            "family_infimum_Delta+gamma": 5 / 6,
        },
        verdict="refuted" if refuted else "confirmed",
        summary=(
            f"{'refuted' if refuted else 'not refuted'}: inconsistent in "
            f"{inside['hits']}/{inside['total']} grid worlds and "
            f"{direct['inconsistent_inside_condition']['hits']}/"
            f"{direct['inconsistent_inside_condition']['total']} partial-label laws inside the "
            "condition"
            + (
                f" (lowest Delta + gamma {direct['deepest']['Delta+gamma']:.3f})"
                if direct["deepest"]
                else ""
            )
            + (
                "; closed form: Delta = 0.4, gamma = 0.5, minimizer (0.2, 0.4, 0.4)"
                if family_refutes
                else ""
            )
        ),
        counterexample=smallest_found or direct["smallest"],
    )
