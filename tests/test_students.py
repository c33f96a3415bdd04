"""Students on teachers' labels: grids, shared inputs, oracles (docs/theory.md sections 3, 5)."""

from __future__ import annotations

import numpy as np

import theory
from synth import AdditiveNoise, PartialLabels, RealizableLinear, SkillfulButBad
from verify import TrainConfig, class_oracles, student_grid

CFG = TrainConfig(model="linear", optimizer="lbfgs", steps=200, tol=1e-5)


def test_teacher_noise_is_independent_of_the_inputs() -> None:
    """Regression: labels drawn with default_rng([seed, 0]) replayed the stream that drew x
    (numpy ignores trailing zero seed words), so an additive-noise teacher's noise equalled
    x when c = p and its students learned a wrong function (disagreement 0.8). With
    independent streams the CC student approaches the Bayes classifier."""
    world = RealizableLinear.random(5, 5, rng=11)
    teacher = AdditiveNoise.from_delta(5, 2, 0.3, tau=0.5)
    x_eval, y_eval = world.sample(2000, rng=5)
    curve = student_grid(
        world, [(teacher, theory.TopK(2))], "cc", sizes=[2000], seeds=[1, 2], x_eval=x_eval, cfg=CFG
    )[0]
    assert curve.disagreement(y_eval).mean() < 0.3


def test_teachers_share_inputs_and_grid_shapes() -> None:
    world = RealizableLinear.random(3, 2, rng=0)
    teachers = [
        (SkillfulButBad(3, 1, accuracy=0.8, delta=0.2), theory.TopK(1)),
        (PartialLabels(3, 0.1, 0.2), theory.Support()),
    ]
    x_eval, _ = world.sample(100, rng=1)
    curves = student_grid(
        world, teachers, "truth", sizes=[50, 100], seeds=[3, 4, 5], x_eval=x_eval, cfg=CFG
    )
    assert len(curves) == 2 and curves[0].predictions.shape == (2, 3, 100)
    # the true-label student ignores the teacher: same inputs give the same student
    np.testing.assert_array_equal(curves[0].predictions, curves[1].predictions)


def test_class_oracles(rng: np.random.Generator) -> None:
    sbt = class_oracles(SkillfulButBad(4, 2, accuracy=0.2, delta=0.3), theory.TopK(2), rng=rng)
    assert sbt.set_risk.tolist() == sbt.distill.tolist() == sbt.cc.tolist() == [0, 1, 2, 3]
    assert sbt.how["set_risk"] == "closed form"
    flipped = class_oracles(SkillfulButBad(2, 1, accuracy=0.3, delta=0.7), theory.TopK(1), rng=rng)
    assert flipped.set_risk.tolist() == [1, 0]  # beyond the boundary: the wrong classifier
    assert flipped.indicators["delta"] + flipped.indicators["gamma"] > 1
