"""What the world is: finite worlds and soft labelers with exactly known quantities.

THEORY.md sections 1-5. Hypothesis strategies for random problems are in
``synth.strategies``. Public names are re-exported here.
"""

from synth._checks import PROB_ATOL as PROB_ATOL
from synth._checks import SOFT_LABEL_ATOL as SOFT_LABEL_ATOL
from synth._checks import check_labels as check_labels
from synth._checks import check_soft_labels as check_soft_labels
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

__all__ = [
    "PROB_ATOL",
    "SOFT_LABEL_ATOL",
    "FiniteLabeler",
    "FiniteWorld",
    "TrainingSets",
    "bayes_labeler",
    "cc_surrogate_counterexample",
    "check_labels",
    "check_soft_labels",
    "distillation_counterexample",
    "onehot_labeler",
    "random_problems",
    "sample_training_sets",
    "smoothed_labeler",
    "tightness_problem",
]
