"""What the world is: worlds with known posteriors and soft labelers with known laws.

Finite worlds and labelers (every quantity exact), continuous worlds with closed-form Bayes
posteriors, and the biased teachers of docs/theory.md section 5 with closed-form membership where
one exists. docs/theory.md sections 1-5. Hypothesis strategies for random problems are in
``synth.strategies``. Public names are re-exported here.
"""

from synth._distributions import BayesError as BayesError
from synth._distributions import Distribution as Distribution
from synth._distributions import GaussianClasses as GaussianClasses
from synth._distributions import MixtureClasses as MixtureClasses
from synth._distributions import NoisyLabels as NoisyLabels
from synth._distributions import RealizableLinear as RealizableLinear
from synth._finite import FiniteLabeler as FiniteLabeler
from synth._finite import FiniteWorld as FiniteWorld
from synth._finite import TrainingSets as TrainingSets
from synth._finite import sample_training_sets as sample_training_sets
from synth._finite_examples import bayes_labeler as bayes_labeler
from synth._finite_examples import cc_surrogate_counterexample as cc_surrogate_counterexample
from synth._finite_examples import distillation_counterexample as distillation_counterexample
from synth._finite_examples import onehot_labeler as onehot_labeler
from synth._finite_examples import smoothed_labeler as smoothed_labeler
from synth._finite_examples import tightness_problem as tightness_problem
from synth._random_problems import random_problems as random_problems
from synth._rng import as_generator as as_generator
from synth._teacher_base import DeterministicTeacher as DeterministicTeacher
from synth._teacher_base import NoClosedForm as NoClosedForm
from synth._teacher_base import Teacher as Teacher
from synth._teacher_base import rank_profile as rank_profile
from synth._teachers_deterministic import BayesTeacher as BayesTeacher
from synth._teachers_deterministic import LabelSmoothing as LabelSmoothing
from synth._teachers_deterministic import Miscalibrated as Miscalibrated
from synth._teachers_deterministic import TemperatureTeacher as TemperatureTeacher
from synth._teachers_ranked import ConfuserTeacher as ConfuserTeacher
from synth._teachers_ranked import SkillfulButBad as SkillfulButBad
from synth._teachers_region import RegionTeacher as RegionTeacher
from synth._teachers_sets import AdditiveNoise as AdditiveNoise
from synth._teachers_sets import PartialLabels as PartialLabels
from synth._teachers_sets import additive_noise_delta as additive_noise_delta
from synth.checks import PROB_ATOL as PROB_ATOL
from synth.checks import SOFT_LABEL_ATOL as SOFT_LABEL_ATOL
from synth.checks import check_labels as check_labels
from synth.checks import check_soft_labels as check_soft_labels

__all__ = [
    "PROB_ATOL",
    "SOFT_LABEL_ATOL",
    "AdditiveNoise",
    "BayesError",
    "BayesTeacher",
    "ConfuserTeacher",
    "DeterministicTeacher",
    "Distribution",
    "FiniteLabeler",
    "FiniteWorld",
    "GaussianClasses",
    "LabelSmoothing",
    "Miscalibrated",
    "MixtureClasses",
    "NoClosedForm",
    "NoisyLabels",
    "PartialLabels",
    "RealizableLinear",
    "RegionTeacher",
    "SkillfulButBad",
    "Teacher",
    "TemperatureTeacher",
    "TrainingSets",
    "additive_noise_delta",
    "as_generator",
    "bayes_labeler",
    "cc_surrogate_counterexample",
    "check_labels",
    "check_soft_labels",
    "distillation_counterexample",
    "onehot_labeler",
    "random_problems",
    "rank_profile",
    "sample_training_sets",
    "smoothed_labeler",
    "tightness_problem",
]
