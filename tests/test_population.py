"""Population references (THEORY.md section 3, restricted classes) against an independent
computation: the same population objective written in numpy with its gradient by hand,
solved by scipy's L-BFGS-B in float64, on other samples of inputs and soft labels."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import optimize, special

from synth import RealizableLinear, SkillfulButBad
from theory import TopK
from verify._models import linear, mlp
from verify._population import (
    class_reference,
    class_target_law,
    population_minimizer,
)
from verify.claims._trained import SETTINGS, _world
from verify.claims._training import LINEAR


def _set_law(teacher, learner: str, rule, draws: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``masks [S, c]``, ``weights [c, S]``: every set a class's soft labels give, with its
    frequency, from ``draws`` labels per class (``E[d | y]`` over singletons for
    distillation)."""
    c = teacher.num_classes
    y = np.repeat(np.arange(c), draws)
    d = teacher.sample(np.zeros((len(y), 1)), y, rng=np.random.default_rng(seed))
    if learner == "distill":
        return np.eye(c), d.reshape(c, draws, c).mean(axis=1)
    codes = np.asarray(rule(d), dtype=int) @ (1 << np.arange(c))  # a set as its bit pattern
    present = np.flatnonzero(np.bincount(codes, minlength=1 << c))
    masks = (present[:, None] >> np.arange(c)) & 1
    counts = np.stack([np.bincount(codes[y == label], minlength=1 << c) for label in range(c)])
    return masks.astype(float), counts[:, present] / draws


def _scipy_floor(masks, weights, x, y, x_eval, y_eval, l2: float) -> float:
    n, p = x.shape
    c = masks.shape[1]
    w_pt = weights[y]  # [n, S]

    def fun(theta: np.ndarray) -> tuple[float, np.ndarray]:
        w, b = theta[: c * p].reshape(c, p), theta[c * p :]
        logits = x @ w.T + b
        prob = special.softmax(logits, axis=1)
        mass = prob @ masks.T  # [n, S]: p(S | x)
        safe = np.where(w_pt > 0, mass, 1.0)
        loss = -np.sum(w_pt * np.log(safe)) / n + 0.5 * l2 * np.sum(w**2)
        # d/dlogits of -log p(S) = p - p * 1_S / p(S)
        ratio = np.where(w_pt > 0, w_pt / safe, 0.0)  # [n, S]
        grad_logits = (prob * w_pt.sum(axis=1, keepdims=True) - prob * (ratio @ masks)) / n
        grad_w = grad_logits.T @ x + l2 * w
        return loss, np.concatenate([grad_w.ravel(), grad_logits.sum(axis=0)])

    res = optimize.minimize(
        fun, np.zeros(c * p + c), jac=True, method="L-BFGS-B", options={"gtol": 1e-10}
    )
    w, b = res.x[: c * p].reshape(c, p), res.x[c * p :]
    return float(np.mean(np.argmax(x_eval @ w.T + b, axis=1) != y_eval))


@pytest.mark.parametrize("learner", ["cc", "distill"])
@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.name)
def test_linear_floor_agrees_with_an_independent_computation(setting, learner: str) -> None:
    """Both floors are estimates from 2 x 10^4 inputs and 10^5 labels per class, on disjoint
    samples; their standard errors are at most sqrt(0.25 / 20000) = 0.0035 each, so 0.01
    (the issue's agreement bar) is about two standard errors of the difference."""
    world, teacher = _world(), setting.teacher()
    masks, weights = _set_law(teacher, learner, setting.rule, 100_000, seed=101)
    x, y = world.sample(20_000, rng=np.random.default_rng(102))
    x_eval, y_eval = world.sample(20_000, rng=np.random.default_rng(103))
    independent = _scipy_floor(masks, weights, x, y, x_eval, y_eval, LINEAR.l2)

    law = class_target_law(
        teacher, learner, setting.rule, draws=100_000, rng=np.random.default_rng(201)
    )
    ref = class_reference(
        world,
        law,
        linear(),
        fit=world.sample(20_000, rng=np.random.default_rng(202)),
        held_out=world.sample(20_000, rng=np.random.default_rng(203)),
        l2=LINEAR.l2,
    )
    assert ref.floor.converged
    assert abs(ref.floor.value - independent) <= 0.01, (ref.floor.value, independent)


def test_a_perfect_teacher_has_no_floor() -> None:
    """Top-1 labels that are always right on a realizable world: the linear minimizer is
    the Bayes classifier (up to the weight decay's pull on the margins)."""
    world = RealizableLinear.random(4, 3, rng=5)
    teacher = SkillfulButBad(4, 1, accuracy=1.0, delta=0.0)
    law = class_target_law(teacher, "cc", TopK(1), draws=1000, rng=np.random.default_rng(0))
    ref = class_reference(
        world,
        law,
        linear(),
        fit=world.sample(5000, rng=np.random.default_rng(1)),
        held_out=world.sample(5000, rng=np.random.default_rng(2)),
        l2=1e-6,
    )
    assert ref.floor.value <= 0.005


def test_best_of_starts_is_kept() -> None:
    x, y = RealizableLinear.random(3, 2, rng=1).sample(500, rng=np.random.default_rng(0))
    pop = population_minimizer(mlp(4), x, np.eye(3), np.eye(3)[y].T, l2=1e-3, starts=3, steps=20)
    assert pop.objective == min(pop.objectives)
    assert len(pop.objectives) == 3


def test_bad_shapes_are_refused() -> None:
    with pytest.raises(ValueError, match="shapes"):
        population_minimizer(linear(), np.zeros((5, 2)), np.eye(3), np.zeros((3, 4)), l2=0.0)
