"""What the paper claims: set rules, indicators, conditions, oracles and learnability bounds.

Implements docs/theory.md sections 1-4 and 4b in numpy/scipy, float64. Public names are re-exported
here; the implementation lives in small private modules named for their topic.
"""

from theory._certificates import Bounds as Bounds
from theory._certificates import Certificate as Certificate
from theory._certificates import c1_bound as c1_bound
from theory._certificates import c2_bound as c2_bound
from theory._certificates import certify as certify
from theory._certificates import certify_class_conditional as certify_class_conditional
from theory._certificates import class_conditional_bounds as class_conditional_bounds
from theory._certificates import (
    class_conditional_certificate_bounds as class_conditional_certificate_bounds,
)
from theory._certificates import class_counts as class_counts
from theory._certificates import clopper_pearson_lower as clopper_pearson_lower
from theory._certificates import clopper_pearson_upper as clopper_pearson_upper
from theory._certificates import known_bounds as known_bounds
from theory._conditions import margin as margin
from theory._conditions import noisy_condition as noisy_condition
from theory._conditions import paper_condition as paper_condition
from theory._conditions import worst_case_condition as worst_case_condition
from theory._erm import empirical_set_loss_table as empirical_set_loss_table
from theory._erm import exact_erm as exact_erm
from theory._erm import point_counts as point_counts
from theory._erm import set_counts as set_counts
from theory._erm import uniform_deviation as uniform_deviation
from theory._indicators import check_joint as check_joint
from theory._indicators import check_membership as check_membership
from theory._indicators import class_membership as class_membership
from theory._indicators import delta as delta
from theory._indicators import delta_max as delta_max
from theory._indicators import gamma as gamma
from theory._indicators import gamma_cls as gamma_cls
from theory._indicators import pointwise_delta as pointwise_delta
from theory._indicators import pointwise_gamma as pointwise_gamma
from theory._intervals import Estimate as Estimate
from theory._intervals import binomial_interval as binomial_interval
from theory._learnability import finite_class_epsilon as finite_class_epsilon
from theory._learnability import linear_natarajan_dim as linear_natarajan_dim
from theory._learnability import natarajan_epsilon as natarajan_epsilon
from theory._learnability import natarajan_log_growth as natarajan_log_growth
from theory._learnability import sample_complexity as sample_complexity
from theory._learnability import theorem_l_bound as theorem_l_bound
from theory._learnability import vapnik_epsilon as vapnik_epsilon
from theory._montecarlo import class_membership_hat as class_membership_hat
from theory._montecarlo import delta_hat as delta_hat
from theory._montecarlo import gamma_cls_from_counts as gamma_cls_from_counts
from theory._montecarlo import gamma_cls_hat as gamma_cls_hat
from theory._montecarlo import gamma_hat as gamma_hat
from theory._oracles import CCSolution as CCSolution
from theory._oracles import cc_em_step as cc_em_step
from theory._oracles import cc_maximizer_range as cc_maximizer_range
from theory._oracles import cc_objective as cc_objective
from theory._oracles import cc_oracle as cc_oracle
from theory._oracles import cc_target as cc_target
from theory._oracles import distillation_oracle as distillation_oracle
from theory._oracles import distillation_target as distillation_target
from theory._oracles import set_oracle as set_oracle
from theory._oracles import set_scores as set_scores
from theory._points import PointIndicators as PointIndicators
from theory._points import indicators_from_points as indicators_from_points
from theory._report import soft_label_report as soft_label_report
from theory._risks import all_classifiers as all_classifiers
from theory._risks import error_table as error_table
from theory._risks import risk as risk
from theory._risks import sandwich_terms as sandwich_terms
from theory._risks import set_loss_table as set_loss_table
from theory._risks import set_risk as set_risk
from theory._risks import table_risk as table_risk
from theory._setrules import SetRule as SetRule
from theory._setrules import Support as Support
from theory._setrules import Threshold as Threshold
from theory._setrules import TopK as TopK
from theory._setrules import topk_rank as topk_rank

__all__ = [
    "Bounds",
    "CCSolution",
    "Certificate",
    "Estimate",
    "PointIndicators",
    "SetRule",
    "Support",
    "Threshold",
    "TopK",
    "all_classifiers",
    "binomial_interval",
    "c1_bound",
    "c2_bound",
    "cc_em_step",
    "cc_maximizer_range",
    "cc_objective",
    "cc_oracle",
    "cc_target",
    "certify",
    "certify_class_conditional",
    "check_joint",
    "check_membership",
    "class_conditional_bounds",
    "class_conditional_certificate_bounds",
    "class_counts",
    "class_membership",
    "class_membership_hat",
    "clopper_pearson_lower",
    "clopper_pearson_upper",
    "delta",
    "delta_hat",
    "delta_max",
    "distillation_oracle",
    "distillation_target",
    "empirical_set_loss_table",
    "error_table",
    "exact_erm",
    "finite_class_epsilon",
    "gamma",
    "gamma_cls",
    "gamma_cls_from_counts",
    "gamma_cls_hat",
    "gamma_hat",
    "indicators_from_points",
    "known_bounds",
    "linear_natarajan_dim",
    "margin",
    "natarajan_epsilon",
    "natarajan_log_growth",
    "noisy_condition",
    "paper_condition",
    "point_counts",
    "pointwise_delta",
    "pointwise_gamma",
    "risk",
    "sample_complexity",
    "sandwich_terms",
    "set_counts",
    "set_loss_table",
    "set_oracle",
    "set_risk",
    "set_scores",
    "soft_label_report",
    "table_risk",
    "theorem_l_bound",
    "topk_rank",
    "uniform_deviation",
    "vapnik_epsilon",
    "worst_case_condition",
]
