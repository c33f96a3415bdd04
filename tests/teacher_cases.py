"""The table of teachers the closed-form tests run over (a table drives the tests)."""

from __future__ import annotations

import numpy as np

import theory
from synth import (
    AdditiveNoise,
    BayesTeacher,
    ConfuserTeacher,
    GaussianClasses,
    LabelSmoothing,
    Miscalibrated,
    MixtureClasses,
    PartialLabels,
    RegionTeacher,
    SkillfulButBad,
    Teacher,
    TemperatureTeacher,
)

C = 4
WORLD = GaussianClasses.random(C, 2, separation=1.5, rng=3)
NONLINEAR = MixtureClasses.checkerboard(C, cells=4, scale=0.4)

TEACHERS: dict[str, Teacher] = {
    "bayes": BayesTeacher(WORLD),
    "bayes-mixture": BayesTeacher(NONLINEAR),
    "temperature": TemperatureTeacher(WORLD, 0.5),
    "smoothing": LabelSmoothing(C, 0.3),
    "sbt": SkillfulButBad(C, 2, accuracy=0.2, delta=0.3),
    "sbt-k1": SkillfulButBad(C, 1, accuracy=0.6, delta=0.4),
    "confuser": ConfuserTeacher(C, 2, 0.2, 0.7, accuracy=0.3),
    "fixed-confuser": ConfuserTeacher(C, 1, 0.3, 0.3),
    "partial": PartialLabels(C, 0.3, 0.4),
    "noise": AdditiveNoise(C, 0.8, tau=0.5),
    "region": RegionTeacher.halfspace(
        SkillfulButBad(C, 2, accuracy=0.5, delta=0.1),
        SkillfulButBad(C, 2, accuracy=0.1, delta=0.6),
        direction=[1.0, 0.0],
    ),
    **{
        f"miscalibrated-{kind}": Miscalibrated(BayesTeacher(WORLD), kind, 0.25)
        for kind in ("over-extremity", "under-extremity", "over-prediction", "under-prediction")
    },
}

RULES: list[theory.SetRule] = [
    theory.TopK(1),
    theory.TopK(2),
    theory.TopK(3),
    theory.Support(),
    theory.Threshold(0.3),
]


def world_of(name: str) -> GaussianClasses | MixtureClasses:
    """The world a teacher's points come from."""
    return NONLINEAR if name == "bayes-mixture" else WORLD


def draw_points(name: str, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    return world_of(name).sample(n, rng=rng)
