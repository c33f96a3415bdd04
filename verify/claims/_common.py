"""Helpers the claims share: tolerances, rule tables, problem sweeps, counterexamples, and
the verdict rules several claim families use."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

import theory
from synth import FiniteLabeler, FiniteWorld, random_problems
from theory import SetRule, Support, Threshold, TopK
from verify._progress import advance
from verify._spec import Judgement, confirmed, refuted, silent

#: Floating slack for inequalities between exact float64 risks (sums of a few hundred
#: products of numbers in [0, 1] carry rounding errors far below this).
EXACT_TOL = 1e-12

#: Margin below which an argmax of a numerically solved minimizer counts as undetermined
#: (the CC solver reaches maximizers to about 1e-7, see ``theory.cc_target``).
ARGMAX_TOL = 1e-6


def rules_for(num_classes: int, *, with_threshold: bool = True) -> list[SetRule]:
    """Every top-k rule for ``c`` classes, the support rule and a threshold at 1/2."""
    rules: list[SetRule] = [TopK(k) for k in range(1, num_classes)] + [Support()]
    return rules + [Threshold(0.5)] if with_threshold else rules


def lead_over_rival(scores: NDArray, target: NDArray) -> NDArray[np.float64]:
    """``[...]``: ``scores[target]`` minus the largest other score, for ``scores [..., c]``."""
    own = np.take_along_axis(scores, target[..., None], -1)[..., 0]
    rival = np.where(np.arange(scores.shape[-1]) == target[..., None], -np.inf, scores).max(-1)
    return own - rival


def verdicts(
    scores: NDArray, target: NDArray, support: NDArray[np.bool_], tol: float
) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:
    """Per world (points on the last axis of ``target``): consistent (every support point
    right by more than ``tol``) and inconsistent (some support point wrong by more than
    ``tol``); neither is a near-tie."""
    lead = lead_over_rival(scores, target)
    return np.all((lead > tol) | ~support, axis=-1), np.any((lead < -tol) & support, axis=-1)


@dataclass(frozen=True)
class Batch:
    """A batch of random finite problems of one shape, under one set rule."""

    shape: tuple[int, int, int]  # (M, c, K)
    rule: SetRule
    world: FiniteWorld
    labeler: FiniteLabeler

    @functools.cached_property
    def membership(self) -> NDArray[np.float64]:
        return self.labeler.membership(self.rule)

    @functools.cached_property
    def indicators(self) -> dict[str, NDArray[np.float64]]:
        m, j = self.membership, self.world.joint
        return {
            "delta": theory.delta(m, j),
            "delta_max": theory.delta_max(m, j),
            "gamma": theory.gamma(m, j),
        }

    def describe(self, index: int) -> dict[str, Any]:
        """One problem of the batch, in full, for a counterexample."""
        w, lab = self.world[index], self.labeler[index]
        keep = lab.weights > 0
        components = [
            {
                "x": int(x),
                "y": int(y),
                "soft_label": np.round(lab.soft_labels[x, y, k], 6).tolist(),
                "weight": round(float(lab.weights[x, y, k]), 6),
            }
            for x, y, k in zip(*np.nonzero(keep), strict=True)
            if w.probs[x] * w.eta[x, y] > 0
        ]
        return {
            "rule": self.rule.name,
            "num_points": w.num_points,
            "num_classes": w.num_classes,
            "probs": np.round(w.probs, 6).tolist(),
            "labels": w.bayes().tolist() if w.deterministic else None,
            "eta": None if w.deterministic else np.round(w.eta, 6).tolist(),
            "soft_labels_in_support": components,
            **{k: float(v[index]) for k, v in self.indicators.items()},
        }


SHAPES_SMALL = [(m, c, k) for m in (1, 2, 3) for c in (2, 3, 4) for k in (1, 2, 3)]


def sweep(
    rng: np.random.Generator,
    batch: int,
    *,
    deterministic: bool,
    shapes: list[tuple[int, int, int]] = SHAPES_SMALL,
    with_threshold: bool = True,
) -> Iterator[Batch]:
    """Random problems for every shape ``(M, c, K)`` and every rule of :func:`rules_for`."""
    for m, c, k in shapes:
        world, labeler = random_problems(
            batch, num_points=m, num_classes=c, components=k, deterministic=deterministic, rng=rng
        )
        for rule in rules_for(c, with_threshold=with_threshold):
            yield Batch((m, c, k), rule, world, labeler)
            advance("batches of worlds")


def with_cc_targets(batches: Iterable[Batch]) -> Iterator[tuple[Batch, theory.CCSolution]]:
    """Each batch with the CC minimizer of its set law (``theory.cc_target``), in order.

    Batches whose set laws have the same shape are solved in one call: each call to the
    compiled solver fills a padded block of points, so one call for many small batches
    does the work of one instead of many. Each point's iteration depends on that point
    alone, so the result is the one each batch would get alone.
    """
    items = []
    for b in batches:
        masks, weights = b.labeler.set_law(b.rule, b.world.eta)
        items.append((b, masks, weights))
    groups: dict[tuple[int, ...], list[int]] = {}
    for i, (_, masks, _) in enumerate(items):
        groups.setdefault(masks.shape[-2:], []).append(i)
    solutions: dict[int, theory.CCSolution] = {}
    for shape, members in groups.items():
        sol = theory.cc_target(
            np.concatenate([items[i][1].reshape(-1, *shape) for i in members]),
            np.concatenate([items[i][2].reshape(-1, shape[0]) for i in members]),
        )
        advance("CC targets solved", len(members))
        start = 0
        for i in members:
            lead = items[i][2].shape[:-1]
            rows = slice(start, start + int(np.prod(lead)))
            start = rows.stop
            solutions[i] = theory.CCSolution(
                probs=sol.probs[rows].reshape(*lead, shape[1]),
                kkt_gap=sol.kkt_gap[rows].reshape(lead),
                iterations=sol.iterations,
                converged=sol.converged[rows].reshape(lead),
            )
    for i, (b, _, _) in enumerate(items):
        yield b, solutions[i]


def smallest(candidates: list[tuple[tuple[Any, ...], Batch, int]]) -> dict[str, Any] | None:
    """The candidate with the smallest key, described in full (``None`` if there is none)."""
    if not candidates:
        return None
    key, found, index = min(candidates, key=lambda item: item[0])
    return found.describe(index)


def worst_of(*values: float) -> float:
    """The largest of ``values``, and NaN if any is NaN (Python's ``max`` would drop a NaN
    that is not first, and a broken measurement would pass for a perfect one)."""
    return float(np.max(np.asarray(values, dtype=float)))


def holds(value: float, tol: float) -> bool:
    """``value <= tol``, and ``False`` for NaN: a violation that is not a number is not
    evidence that nothing was violated."""
    return bool(value <= tol)


@dataclass(frozen=True)
class Exact:
    """The prediction of an exact identity or inequality: violations stay below ``tol``
    (rounding in float64)."""

    tol: float = EXACT_TOL


@dataclass(frozen=True)
class Violations:
    """The largest violation of each exact statement over everything checked.

    Attributes:
      checked: how many cases were checked (worlds, or (world, classifier) pairs).
      largest: statement name -> largest violation (``<= 0`` means it held everywhere).
    """

    checked: int
    largest: dict[str, float]


def judge_violations(m: Violations, p: Exact) -> Judgement:
    """Refuted if any statement is violated by more than ``p.tol``; silent if nothing was
    checked."""
    if m.checked == 0:
        return silent("nothing was checked")
    bad = {name: v for name, v in m.largest.items() if not holds(v, p.tol)}
    if bad:
        name, value = next(iter(bad.items()))
        return refuted(f"{name} violated by {value:.3g} > {p.tol:g}")
    return confirmed(f"every violation <= {p.tol:g} over {m.checked} cases")
