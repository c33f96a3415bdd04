"""Named finite problems and labelers from docs/theory.md: the tightness family, the distillation
counterexample, and the simple labelers of facts F3 and F4.
"""

from __future__ import annotations

import numpy as np

from synth._finite import FiniteLabeler, FiniteWorld
from synth.checks import check_unit_interval


def tightness_problem(a: float) -> tuple[FiniteWorld, FiniteLabeler]:
    """The tightness family of docs/theory.md section 3.

    One point, ``c = 2``, ``y = 0`` surely; the soft label is ``(0, 1)`` with probability
    ``a`` and ``(1, 0)`` otherwise, so with ``TopK(1)``: ``Delta = gamma = a``, and ``f* = 0``
    is the unique minimizer of ``R_Omega`` iff ``a < 1/2``, i.e. iff ``Delta + gamma < 1``.

    Args:
      a: probability in ``[0, 1]`` that the top-1 label is the wrong one.
    """
    a = check_unit_interval(a, "a")
    world = FiniteWorld(probs=np.ones(1), eta=np.array([[1.0, 0.0]]))
    soft = np.array([[[[0.0, 1.0], [1.0, 0.0]], [[0.0, 1.0], [0.0, 1.0]]]])
    weights = np.array([[[a, 1.0 - a], [1.0, 0.0]]])
    return world, FiniteLabeler(soft, weights)


def distillation_counterexample() -> tuple[FiniteWorld, FiniteLabeler]:
    """docs/theory.md section 3: the indicators do not decide distillation's consistency.

    ``c = 3``, one point, ``y = 0``; ``d = (.3, .7, 0)`` or ``(.3, 0, .7)`` with probability
    1/2 each. With ``TopK(2)``: ``Delta_2 = 0``, ``gamma_2 = 1/2`` (condition holds), yet
    ``E[d | x] = (.30, .35, .35)`` has its argmax at a wrong label.
    """
    world = FiniteWorld(probs=np.ones(1), eta=np.array([[1.0, 0.0, 0.0]]))
    soft = np.zeros((1, 3, 2, 3))
    soft[0, 0] = [[0.3, 0.7, 0.0], [0.3, 0.0, 0.7]]
    soft[0, 1:, :] = np.eye(3)[1:, None, :]  # classes 1, 2 have no mass: any valid label
    weights = np.full((1, 3, 2), 0.5)
    return world, FiniteLabeler(soft, weights)


def onehot_labeler(world: FiniteWorld) -> FiniteLabeler:
    """``d = onehot(y)``: the true label as a soft label (docs/theory.md section 2, F3)."""
    return smoothed_labeler(world, 0.0)


def smoothed_labeler(world: FiniteWorld, epsilon: float) -> FiniteLabeler:
    """Label smoothing ``d = (1 - e) onehot(y) + e / c`` (docs/theory.md section 2, F3).

    Args:
      world: supplies ``M``, ``c`` and any batch shape.
      epsilon: ``e`` in ``[0, 1]``.
    """
    e = check_unit_interval(epsilon, "epsilon")
    c = world.num_classes
    d = (1.0 - e) * np.eye(c) + e / c
    return FiniteLabeler.deterministic(
        np.broadcast_to(d, (*world.batch_shape, world.num_points, c, c))
    )


def bayes_labeler(world: FiniteWorld) -> FiniteLabeler:
    """The Bayes teacher ``d = eta(x)``, whatever ``y`` is (docs/theory.md section 2, F4)."""
    c = world.num_classes
    return FiniteLabeler.deterministic(np.repeat(world.eta[..., None, :], c, axis=-2))


def cc_surrogate_counterexample(
    a: float = 0.2, num_classes: int = 3
) -> tuple[FiniteWorld, FiniteLabeler]:
    """A partial-label problem inside ``Delta + gamma < 1`` where the CC surrogate is wrong.

    Found by this project's search (``verify`` claim ``cc-surrogate``) and solved in closed
    form here; it refutes the conjecture of docs/theory.md section 3 that the CC surrogate is
    consistent under the condition. One point, ``y = 0``; for each wrong label ``j`` the
    candidate set is ``{j}`` with probability ``a`` and ``{0, j}`` with probability
    ``b = 1/(c-1) - a``; soft labels are uniform on the set (rule ``Support``). Then
    ``Delta = (c-1) a`` and ``gamma = a + b = 1/(c-1)``. By symmetry the CC minimizer has
    ``p_j = t`` for every wrong label, and maximizing
    ``(c-1) [a log t + b log(1 - (c-2) t)]`` gives ``t = a (c-1) / (c-2)``, so
    ``p_0 = 1 - (c-1) t`` falls below ``t`` exactly when ``a > (c-2) / (c (c-1))``.
    For ``c = 3`` (or 4) that is ``Delta + gamma > 5/6``: with the default ``a = 0.2``,
    ``Delta = 0.4``, ``gamma = 0.5`` and the minimizer is ``(0.2, 0.4, 0.4)``.

    Args:
      a: probability of each singleton wrong set, in ``[0, 1/(c-1)]``.
      num_classes: ``c >= 3``.
    """
    c = int(num_classes)
    if c < 3:
        raise ValueError(f"num_classes: must be at least 3, got {num_classes!r}")
    a = check_unit_interval(a, "a")
    b = 1.0 / (c - 1) - a
    if b < 0:
        raise ValueError(f"a: must be at most 1/(c-1) = {1 / (c - 1):.6g}, got {a!r}")
    eye = np.eye(c)
    wrong = np.arange(1, c)
    soft = np.zeros((1, c, 2 * (c - 1), c))
    soft[0, :] = np.concatenate([eye[wrong], (eye[0] + eye[wrong]) / 2])  # any valid label
    weights = np.zeros((1, c, 2 * (c - 1)))
    weights[0, 0] = np.concatenate([np.full(c - 1, a), np.full(c - 1, b)])
    weights[0, 1:] = 1.0 / (2 * (c - 1))  # classes 1.. have no mass
    world = FiniteWorld(probs=np.ones(1), eta=eye[:1])
    return world, FiniteLabeler(soft, weights)
