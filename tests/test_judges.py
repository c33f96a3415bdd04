"""Every verdict rule on made-up measurements: each must come out ``confirmed``, ``refuted``
and ``silent`` on the cases built for it, so a rule stuck on one verdict fails here.

The cases sit on both sides of each rule's threshold; every number is chosen by hand to
fall clearly on its side (the comment says which).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest

import theory
import verify
from verify._records import Estimation, Floor, MeanCI, MeanCIGrid, Rate, Slope
from verify._students import Evaluation
from verify.claims import (
    _applications,
    _certificates,
    _common,
    _consistency,
    _curves,
    _floors,
    _headline,
    _incomplete,
    _learnability,
    _learners,
    _phase,
    _trained,
)

#: (measurement, expected verdict), or with a third entry: the prediction to judge it by
#: (default: the claim's own)
Case = tuple[Any, ...]


def _violations() -> list[Case]:
    ok = _common.Violations(100, {"a": 1e-16, "b": 0.0})
    return [
        (ok, "confirmed"),
        (replace(ok, largest={"a": 1e-16, "b": 1e-9}), "refuted"),  # 1e-9 > 1e-12
        (replace(ok, largest={"a": float("nan"), "b": 0.0}), "refuted"),  # not a number
        (replace(ok, largest={"a": 0.0, "b": float("nan")}), "refuted"),  # in either place
        (replace(ok, checked=0), "silent"),
    ]


def _theorem_c() -> list[Case]:
    ok = _consistency.TheoremC(10, 100, 1e-17, Rate.of(4, 4), Rate.of(3, 6), None)
    return [
        (ok, "confirmed"),
        (replace(ok, largest_violation=1e-6), "refuted"),
        (replace(ok, largest_violation=float("nan")), "refuted"),
        (replace(ok, unique_inside=Rate.of(3, 4)), "refuted"),
        (replace(ok, classifiers=0), "silent"),
    ]


def _average_delta() -> list[Case]:
    return [
        (_consistency.AverageDelta(Rate.of(5, 5), None), "confirmed"),
        (_consistency.AverageDelta(Rate.of(4, 5), {"x": 1}), "refuted"),
        (_consistency.AverageDelta(Rate.of(0, 0), None), "silent"),
    ]


def _tightness() -> list[Case]:
    ok = _consistency.Tightness(201, 0.0, 1.0, 0.0, True, 0.495, 0.5)
    return [
        (ok, "confirmed"),
        (replace(ok, largest_a_unique=0.5, smallest_a_not_unique=0.505), "refuted"),  # moved
        (replace(ok, largest_a_unique=0.4, smallest_a_not_unique=0.405), "refuted"),
        (replace(ok, unique_is_prefix=False), "refuted"),
        (replace(ok, largest_indicator_error=1e-3), "refuted"),
        (replace(ok, a_max=0.4, largest_a_unique=0.4, smallest_a_not_unique=None), "silent"),
    ]


def _theorem_c_noisy() -> list[Case]:
    ok = _consistency.TheoremCNoisy(Rate.of(7, 7), Rate.of(7, 20), Rate.of(3, 3), None)
    return [
        (ok, "confirmed"),
        (replace(ok, right_where_condition=Rate.of(6, 7)), "refuted"),
        (replace(ok, onehot_reduction=Rate.of(2, 3)), "refuted"),
        (replace(ok, right_where_condition=Rate.of(0, 0)), "silent"),
    ]


def _distillation() -> list[Case]:
    closed = _learners.ClosedForm(0.0, 0.5, [0.30, 0.35, 0.35], 0)
    tally = _learners.Tally(Rate.of(3, 100), 0)
    ok = _learners.Distillation(closed, tally, tally, None)
    ahead = _learners.DistillationPrediction(target=(0.4, 0.3, 0.3))
    on_boundary = _learners.DistillationPrediction(delta=0.5, gamma=0.5)
    return [
        (ok, "confirmed"),
        (replace(ok, closed_form=replace(closed, gamma=0.6)), "refuted"),  # not docs/theory.md's
        (replace(ok, closed_form=replace(closed, target=[1 / 3] * 3)), "refuted"),  # a tie
        (replace(ok, closed_form=replace(closed, set_oracle=1)), "refuted"),
        # the true label ahead in E[d|x], as predicted: then it is no counterexample
        (replace(ok, closed_form=replace(closed, target=[0.4, 0.3, 0.3])), "refuted", ahead),
        # a counterexample predicted (and measured) on the boundary shows nothing inside it
        (replace(ok, closed_form=replace(closed, delta=0.5)), "silent", on_boundary),
    ]


def _cc_surrogate() -> list[Case]:
    right = _learners.Certificate([0.6, 0.2, 0.2], 1e-9, 0.6, 0.2, False)
    wrong = replace(right, probs=[0.2, 0.4, 0.4], every_maximizer_wrong=True)
    search = _learners.SetLawSearch([(3, 4)], 10, Rate.of(0, 10), 0, None, None)
    member = _learners.FamilyMember(0.2, 0.4, 0.5, right)
    tally = _learners.Tally(Rate.of(0, 50), 0)
    ok = _learners.CCSurrogate(tally, tally, 0, None, search, [member], None)
    empty = _learners.Tally(Rate.of(0, 0), 0)
    return [
        (ok, "confirmed"),
        (replace(ok, inside=_learners.Tally(Rate.of(1, 50), 0)), "refuted"),
        (replace(ok, family=[replace(member, certificate=wrong)]), "refuted"),
        # a certified wrong member outside the condition (0.6 + 0.5 > 1) refutes nothing
        (replace(ok, family=[replace(member, delta=0.6, certificate=wrong)]), "confirmed"),
        (
            replace(
                ok,
                inside=empty,
                family=[],
                set_laws=replace(search, inconsistent_inside=Rate.of(0, 0)),
            ),
            "silent",
        ),
    ]


def _theorem_l() -> list[Case]:
    cell = _learnability.ERMCell(0, 0.5, 100, 0.1, 0.2, 0.3, 0.1, 0.3, 1.2, 0, 0)
    ok = _learnability.TheoremL(200, 0.05, 1e-17, [cell])
    # scipy.stats.binom.ppf(1 - 1e-6, 200, 0.05): the 1 - 1e-6 quantile of Bin(200, 0.05)
    allowed = _learnability.PREDICTION.allowed(200, 0.05)
    assert allowed == 27
    return [
        (ok, "confirmed"),
        (replace(ok, cells=[replace(cell, trials_error_over_bound=allowed)]), "confirmed"),
        (replace(ok, cells=[replace(cell, trials_error_over_bound=allowed + 1)]), "refuted"),
        (replace(ok, largest_chain_violation=1e-6), "refuted"),
        (replace(ok, largest_chain_violation=float("nan")), "refuted"),
        (replace(ok, cells=[]), "silent"),
    ]


_FALLING = Slope(-0.5, (-0.6, -0.4), 1e-4)
_FLAT = Slope(-0.03, (-0.05, -0.01), 1e-4)  # lower end -0.05 is above -0.1: a plateau
#: Few seeds at few sizes: the interval reaches both a fall and a plateau, deciding nothing.
_OPEN = Slope(-0.4, (-1.0, 0.2), 1e-4)


def _floor(value: float, ci: tuple[float, float]) -> Floor:
    return Floor("linear", value, ci, value, "made up", 1e-8, True)


def _estimation(slope: Slope = _FALLING) -> Estimation:
    return Estimation(MeanCI([0.2, 0.05], [0.18, 0.04], [0.22, 0.06]), slope)


#: Floors against the tolerance 0.005: whole interval below, above, and straddling it.
LOW, HIGH, STRADDLE = (
    _floor(0.001, (0.0, 0.003)),
    _floor(0.1, (0.09, 0.11)),
    _floor(0.004, (0.003, 0.006)),
)


def _consistency_case(learner: str) -> _trained.Consistency:
    sizes = [100, 1000]
    curve = MeanCI([0.2, 0.05], [0.18, 0.04], [0.22, 0.06])
    evaluation = Evaluation([0.8, 0.95], [0.2, 0.05], {"bayes": [0.8, 0.95]}, 1.0, 1e-6)
    identity = [0, 1, 2]
    grid = _trained.ConsistencyGrid(
        teacher="made-up",
        learner=learner,
        sizes=sizes,
        seeds=3,
        evaluation=evaluation,
        indicators=_trained.Indicators(0.2, 0.2, 0.4),  # margin 0.4: inside
        oracles=_trained.Oracles(identity, identity, identity, [0.3] * 3, {}),
        floor=LOW,
        estimation=_estimation(),
        target_margin=0.3,
        disagreement_with_bayes=curve,
        disagreement_with_own_oracle=curve,
    )
    return _trained.Consistency(grid, _trained.Ceiling(sizes, [0.9, 0.99]))


def _with_grid(m: _trained.Consistency, **changes: Any) -> _trained.Consistency:
    return replace(m, grid=replace(m.grid, **changes))


def _consistency_cases() -> list[Case]:
    cc, distill = _consistency_case("cc"), _consistency_case("distill")
    nan = Slope(float("nan"), (float("nan"), float("nan")), 1e-4)
    one_size = _estimation()
    one_size = replace(one_size, disagreement=MeanCI([0.05], [0.04], [0.06]))
    return [
        (cc, "confirmed"),
        (_with_grid(cc, floor=HIGH), "refuted"),  # a floor above the tolerance
        (_with_grid(cc, floor=HIGH, estimation=_estimation(_FLAT)), "refuted"),
        (_with_grid(cc, estimation=_estimation(_FLAT)), "refuted"),  # no estimation decay
        (_with_grid(cc, estimation=_estimation(nan)), "silent"),  # no rate was measured
        (_with_grid(cc, estimation=_estimation(_OPEN)), "silent"),
        (_with_grid(cc, floor=STRADDLE), "silent"),
        (_with_grid(cc, floor=replace(HIGH, converged=False)), "silent"),  # where it stopped
        (_with_grid(cc, estimation=one_size), "silent"),
        (distill, "confirmed"),
        (_with_grid(distill, floor=HIGH), "refuted"),
        # the floor's interval, not its value: 0.004 < 0.005 but the upper end is 0.006
        (_with_grid(distill, floor=STRADDLE), "silent"),
    ]


def _beyond() -> list[Case]:
    agreement = MeanCI([0.3, 0.02], [0.2, 0.01], [0.4, 0.03])
    flipped = _trained.AgreementCurve(agreement, _floor(0.99, (0.98, 1.0)), _estimation())
    ok = _trained.BeyondBoundary([100, 1000], _trained.Indicators(0.7, 0.7, 0.7), flipped, flipped)
    half = replace(flipped, floor=_floor(0.55, (0.45, 0.6)))  # may agree on 0.55 > 1/2
    return [
        (ok, "confirmed"),
        (replace(ok, distill=replace(flipped, floor=LOW)), "refuted"),  # not flipped
        (replace(ok, cc=half), "refuted"),
        (replace(ok, cc=replace(flipped, estimation=_estimation(_FLAT))), "refuted"),
        (replace(ok, cc=replace(flipped, estimation=_estimation(_OPEN))), "silent"),
        (replace(ok, indicators=_trained.Indicators(0.3, 0.3, 0.3)), "silent"),  # 0.6 < 1
    ]


def _well_specified() -> list[Case]:
    error = MeanCI([0.1, 0.03], [0.09, 0.02], [0.11, 0.04])
    slope = Slope(-0.5, (-0.6, -0.4), 0.0)
    exact = _trained.ParameterCurve(error, 1e-5, slope, 1.0, _estimation())
    hard = _trained.ParameterCurve(error, 0.2, slope, 1.0, _estimation())
    ok = _trained.WellSpecified([300, 3000], LOW, exact, hard)
    far = replace(exact, max_parameter_error=0.01)  # > 1e-3
    return [
        (ok, "confirmed"),
        (replace(ok, distill=replace(exact, converged_fraction=0.9)), "confirmed"),  # close
        (replace(ok, distill=far), "refuted"),
        (replace(ok, floor=HIGH), "refuted"),
        (replace(ok, distill=replace(exact, max_parameter_error=float("nan"))), "refuted"),
        (replace(ok, truth=replace(hard, slope=Slope(0.1, (0.02, 0.2), 0.0))), "refuted"),
        (replace(ok, truth=replace(hard, slope=Slope(0.0, (-0.1, 0.1), 0.0))), "silent"),
        (replace(ok, distill=replace(far, converged_fraction=0.9)), "silent"),
    ]


def _margin_curve(
    margin: float, error: list[float], slope: Slope = _FALLING
) -> _curves.MarginCurve:
    made_up = MeanCI(error, [e * 0.9 for e in error], [e * 1.1 for e in error])
    return _curves.MarginCurve(
        delta=0.1,
        gamma=0.1,
        margin=margin,
        excess_error=made_up,
        max_error_over_seeds=[e * 1.2 for e in error],
        slope=Slope(-0.4, (-0.5, -0.3), 1e-4),
        floor=HIGH,
        estimation=Estimation(made_up, slope),
        theorem_l_bound=[5.0, 2.0],
    )


def _curves_cases() -> list[Case]:
    big, small = _margin_curve(0.8, [0.1, 0.02]), _margin_curve(0.3, [0.2, 0.05])
    ok = _curves.LearningCurves([100, 1000], [big, small])
    return [
        (ok, "confirmed"),
        (replace(ok, curves=[big, _margin_curve(0.3, [0.05, 0.01])]), "refuted"),  # disordered
        (replace(ok, curves=[big, _margin_curve(0.3, [0.2, 0.05], _FLAT)]), "refuted"),
        (replace(ok, curves=[big, _margin_curve(0.3, [0.2, 0.05], _OPEN)]), "silent"),
        (replace(ok, curves=[big, _margin_curve(0.3, [float("nan"), 0.05])]), "refuted"),
        (replace(ok, curves=[_margin_curve(-0.2, [0.5, 0.5])]), "silent"),
        # at the largest n the intervals overlap ([0.018, 0.022] and [0.019, 0.023])
        (replace(ok, curves=[big, _margin_curve(0.3, [0.2, 0.021])]), "silent"),
        # identical curves decide no order (a judge that confirmed them could not fail)
        (replace(ok, curves=[big, _margin_curve(0.3, [0.1, 0.02])]), "silent"),
    ]


def _mlp() -> list[Case]:
    row = _floors.MLPRow("made-up", "cc", 0.3, LOW, _estimation(), _estimation().disagreement)
    ok = _floors.MLPConsistency(
        64, [100, 1000], 3, "made up", [row, replace(row, learner="distill")]
    )
    return [
        (ok, "confirmed"),
        (replace(ok, rows=[row, replace(row, floor=HIGH)]), "refuted"),
        (replace(ok, rows=[row, replace(row, estimation=_estimation(_FLAT))]), "refuted"),
        (replace(ok, rows=[row, replace(row, estimation=_estimation(_OPEN))]), "silent"),
        (replace(ok, rows=[row, replace(row, floor=STRADDLE)]), "silent"),
        (replace(ok, rows=[]), "silent"),
    ]


def _floors_by_width() -> list[Case]:
    def row(linear: Floor, widest: Floor, bayes: bool = True) -> _floors.FloorRow:
        return _floors.FloorRow("w", "t", "cc", bayes, 0.3, [linear, HIGH, widest])

    wide = _floor(0.5, (0.45, 0.55))
    ok = _floors.FloorsByWidth([16, 64], [row(HIGH, LOW), row(wide, HIGH)])
    return [
        (ok, "confirmed"),
        (replace(ok, rows=[row(LOW, HIGH)]), "refuted"),  # wider is worse
        (replace(ok, rows=[row(HIGH, HIGH)]), "silent"),  # intervals overlap
        # a row whose oracle over all classifiers is not Bayes says nothing either way
        (replace(ok, rows=[row(HIGH, LOW), row(LOW, HIGH, bayes=False)]), "confirmed"),
        (replace(ok, widths=[]), "silent"),
    ]


def _bound() -> list[Case]:
    ok = _curves.LinearBound(2, [], 0.8, {}, [], [])
    return [
        (ok, "confirmed"),
        (
            replace(
                ok, violations=[_curves.BoundViolation(0.5, 100, 0.1, 0.2)], smallest_bound=0.1
            ),
            "refuted",
        ),
        (replace(ok, curves_inside=0), "silent"),
        (replace(ok, smallest_bound=1.0), "silent"),  # vacuous everywhere: could not fail
        (replace(ok, smallest_bound=float("nan")), "silent"),
    ]


def _collapse() -> list[Case]:
    ok = _curves.Collapse(4, 0.37, 0.09, 0.9, 0.08, {}, [], [])
    return [
        (ok, "confirmed"),
        (replace(ok, spread_times_margin=0.5), "refuted"),
        (replace(ok, curves=1), "silent"),
    ]


def _phase_cases() -> list[Case]:
    edges = [0.0, 0.5, 1.0, 1.5]  # bins [0, .5), [.5, 1) inside; [1, 1.5) outside
    good = _phase.Counts([5, 5, 1], [5, 5, 4])
    ok = _phase.Phase(edges, 14, {"set_risk": good, "cc": good, "distill": good})
    return [
        (ok, "confirmed"),
        (
            replace(ok, families={**ok.families, "set_risk": _phase.Counts([5, 4, 1], [5, 5, 4])}),
            "refuted",
        ),
        (
            replace(ok, families={**ok.families, "set_risk": _phase.Counts([0, 0, 1], [0, 0, 4])}),
            "silent",
        ),
    ]


def _partial() -> list[Case]:
    acc = MeanCIGrid([[0.9, 0.1, 0.5]], [[0.8, 0.0, 0.4]], [[1.0, 0.2, 0.6]])
    ok = _applications.PartialGrid(
        deltas=[0.2],
        gammas=[0.3, 0.9, 0.8],  # inside, outside, on the boundary
        n=100,
        seeds=2,
        indicators=[[(0.2, 0.3), (0.2, 0.9), (0.2, 0.8)]],
        monte_carlo=10000,
        resolution=0.06,
        set_risk=[["consistent", "inconsistent", "undetermined"]],
        cc=acc,
        distill=acc,
        truth_accuracy=0.99,
    )
    undecided: list[list[_applications.SetRiskOutcome]] = [["undetermined"] * 3]
    return [
        (ok, "confirmed"),
        (replace(ok, set_risk=[["consistent", "consistent", "undetermined"]]), "refuted"),
        # margin 0.5 is far beyond twice the resolution: sampling should have decided it
        (replace(ok, set_risk=[["undetermined", "inconsistent", "undetermined"]]), "refuted"),
        (replace(ok, indicators=[[(0.2, 0.31), (0.2, 0.9), (0.2, 0.8)]]), "refuted"),
        (replace(ok, set_risk=undecided, resolution=0.5), "silent"),
    ]


def _estimate(value: float) -> theory.Estimate:
    return theory.Estimate(value, value - 0.01, value + 0.01, 1000, 0.999, "wilson")


def _noise() -> list[Case]:
    row = _applications.NoiseRow(1.0, 2, 0.3, 0.14, _estimate(0.3), _estimate(0.14))
    ok = _applications.NoiseSweep([1.0], [2], 1000, 0.999, [row], {}, 100, 2)
    crossed = replace(
        row, delta=0.9, gamma=0.2, delta_mc=_estimate(0.9), gamma_cls_mc=_estimate(0.2)
    )
    # the closed form just inside (0.55 + 0.44) and inside its intervals, while the sampled
    # lower ends already sum past 1 (0.56 + 0.445)
    sampled = replace(
        row,
        delta=0.55,
        gamma=0.44,
        delta_mc=theory.Estimate(0.57, 0.56, 0.6, 1000, 0.999, "wilson"),
        gamma_cls_mc=theory.Estimate(0.45, 0.445, 0.46, 1000, 0.999, "wilson"),
    )
    return [
        (ok, "confirmed"),
        (replace(ok, rows=[replace(row, delta=0.35)]), "refuted"),  # 0.35 outside [0.29, 0.31]
        (replace(ok, rows=[crossed]), "refuted"),  # 0.9 + 0.2 >= 1
        (replace(ok, rows=[replace(sampled, delta=0.565, gamma=0.45)]), "refuted"),
        (replace(ok, rows=[]), "silent"),
    ]


def _self_training() -> list[Case]:
    rounds = [
        _incomplete.Round(0, [0.9, 0.9], [0.05, 0.01], [0.5, 0.1], [0.5, 0.1], [0.2, 0.05], [], [])
    ]
    ok = _incomplete.SelfTraining([0.5, 0.9], [100], 1, 100, 0, [0.5, 0.9], [100, 100], rounds)
    bad = [replace(rounds[0], delta_max=[0.5, 0.6], gamma=[0.5, 0.6])]  # p = 0.9 with 1.2
    return [
        (ok, "confirmed"),
        (replace(ok, trajectory=bad), "refuted"),
        (replace(ok, trajectory=[replace(rounds[0], gamma=[0.5, float("nan")])]), "refuted"),
        (replace(ok, fractions=[0.3, 0.5], problem_fraction=[0.3, 0.5]), "silent"),
    ]


def _headline_cases() -> list[Case]:
    c = _headline.Checkpoint(100, 0.25, 0.28, 0.03, (0.02, 0.04), 0.6, (0.55, 0.65), 1.0, 0.95, 0.7)

    def runs(*students: float, chosen: int | None = 0) -> list[_headline.TeacherRun]:
        return [
            _headline.TeacherRun(i, 0.97, [replace(c, student_cc=s)], chosen)
            for i, s in enumerate(students)
        ]

    ok = _headline.Headline(2000, 3, {}, runs(0.95, 0.94, 0.96), 0.0, [], {})  # gaps .02 .03 .01

    def teacher(**changes: Any) -> _headline.Headline:
        """One seed whose chosen checkpoint differs from ``c`` by ``changes``."""
        return replace(
            ok, runs=[replace(r, checkpoints=[replace(c, **changes)]) for r in runs(0.95)]
        )

    return [
        (ok, "confirmed"),
        (replace(ok, runs=runs(0.87, 0.85, 0.88)), "refuted"),  # gaps near 0.1
        (replace(ok, runs=runs(0.97, 0.87, 0.92)), "silent"),  # mean 0.05, wide interval
        # the best seed alone would pass; the mean does not
        (replace(ok, runs=runs(0.96, *[0.84] * 7)), "refuted"),
        # no checkpoint below the target on held-out data: the teacher was not produced
        (replace(ok, runs=runs(0.95, 0.95, chosen=None)), "refuted"),
        # one qualifying seed, far beyond the bar: a mean of one has no interval
        (replace(ok, runs=runs(0.70) + runs(0.95, chosen=None)), "silent"),
        (teacher(teacher_top1_heldout=0.33), "refuted"),  # at or above 30% held out
        # outside the condition, shown by the intervals' lower ends (0.02 + 0.98 >= 1)
        (teacher(gamma_cls=0.99, gamma_cls_ci=(0.98, 1.0)), "refuted"),
        # outside on the point estimate (0.03 + 0.98), but the intervals reach below 1
        (teacher(gamma_cls=0.98, gamma_cls_ci=(0.9, 1.0)), "silent"),
        (replace(ok, runs=[_headline.TeacherRun(1, 0.97, [], None)]), "silent"),
    ]


#: Made-up cases per verdict rule; every rule a claim uses must appear here.
def _certified(**kw: Any) -> _certificates.CertifiedStudents:
    base = dict(
        teacher="sbt",
        n=3000,
        true_error=[0.10, 0.11, 0.09],
        set_risk=[0.34, 0.35, 0.33],
        c1=[0.50, 0.52, 0.49],
        c2=[0.13, 0.14, 0.12],  # 1.3x the true error
        cls_c1=[0.6, 0.6, 0.6],
        cls_c2=[0.3, 0.3, 0.3],
        covered={
            "c1": 1000,
            "c2": 960,
            "class-conditional": 1000,
            "gamma bound": 1000,
            "Delta_max bound": 1000,
            "Delta bound": 995,
        },
        trials=1000,
        theorem_l=5.0,
        sharp=[1.0, 1.0, 1.0],
    )
    return _certificates.CertifiedStudents(**{**base, **kw})


def _certificates_measurement(*cases: _certificates.CertifiedStudents) -> Any:
    return _certificates.Certificates(
        teachers=sorted({c.teacher for c in cases}),
        describe=["made up"],
        gamma=[0.3],
        delta=[0.3],
        delta_max=[0.3],
        sizes=sorted({c.n for c in cases}),
        seeds=3,
        repeats=1000 // 3,
        labelled=1000,
        cases=list(cases),
    )


def _x_dependent(**kw: Any) -> _certificates.XDependent:
    base = dict(
        describe="made up",
        sizes=[300, 3000],
        repeats=1000,
        labelled=1000,
        true_error=0.16,
        gamma=0.45,
        delta=0.11,
        delta_max=0.45,
        gamma_cls=0.14,
        violated_cls_c1=[10, 20],  # 1% and 2%: below 5% beyond their intervals
        violated_cls_c2=[5, 10],
        violated_true=[20, 45],
        cls_c1=[0.2, 0.17],
        true_c1=[0.3, 0.25],
    )
    return _certificates.XDependent(**{**base, **kw})


def _coverage() -> list[Case]:
    ok = _certificates.Coverage(_certificates_measurement(_certified()), _x_dependent())
    low = _certified(covered={**_certified().covered, "c2": 900})  # 90%
    ingredient = _certified(covered={**_certified().covered, "Delta bound": 960})  # < 98.75%
    return [
        (ok, "confirmed"),
        (replace(ok, students=_certificates_measurement(low)), "refuted"),
        (replace(ok, students=_certificates_measurement(ingredient)), "refuted"),
        (replace(ok, x_dependent=_x_dependent(violated_true=[20, 120])), "refuted"),  # 12%
        (replace(ok, students=_certificates_measurement(_certified(trials=0))), "silent"),
    ]


def _cert_tightness() -> list[Case]:
    ok = _certificates_measurement(_certified())
    return [
        (ok, "confirmed"),
        (_certificates_measurement(_certified(c2=[0.30, 0.33, 0.27])), "refuted"),  # 3x
        (_certificates_measurement(_certified(c2=[0.13, 0.40, 0.12])), "silent"),  # wide
    ]


def _x_dependent_cases() -> list[Case]:
    return [
        (_x_dependent(), "confirmed"),
        (_x_dependent(violated_cls_c2=[300, 1000]), "refuted"),  # 30%, 100%
        (_x_dependent(violated_cls_c1=[10, 120]), "refuted"),  # 12%: C1 alone
        (_x_dependent(violated_cls_c1=[30, 55]), "silent"),  # 5.5%: the interval holds 5%
    ]


CASES: dict[Callable[..., Any], Callable[[], list[Case]]] = {
    _certificates.judge_coverage: _coverage,
    _certificates.judge_tightness: _cert_tightness,
    _certificates.judge_x_dependent: _x_dependent_cases,
    _common.judge_violations: _violations,
    _consistency.judge_theorem_c: _theorem_c,
    _consistency.judge_all_inside: _average_delta,
    _consistency.judge_tightness: _tightness,
    _consistency.judge_theorem_c_noisy: _theorem_c_noisy,
    _learners.judge_distillation: _distillation,
    _learners.judge_cc_surrogate: _cc_surrogate,
    _learnability.judge_theorem_l: _theorem_l,
    _trained.judge_consistency: _consistency_cases,
    _trained.judge_beyond: _beyond,
    _trained.judge_well_specified: _well_specified,
    _floors.judge_mlp: _mlp,
    _floors.judge_floors: _floors_by_width,
    _curves.judge_margin: _curves_cases,
    _curves.judge_bound: _bound,
    _curves.judge_collapse: _collapse,
    _phase.judge_phase: _phase_cases,
    _applications.judge_partial: _partial,
    _applications.judge_noise: _noise,
    _incomplete.judge_self_training: _self_training,
    _headline.judge_headline: _headline_cases,
}


def _claims_by_judge() -> dict[Callable[..., Any], verify.ClaimSpec[Any, Any]]:
    found: dict[Callable[..., Any], verify.ClaimSpec[Any, Any]] = {}
    for spec in verify.all_claims():
        found.setdefault(spec.judge, spec)
    return found


def test_every_rule_has_cases() -> None:
    missing = [s.id for j, s in _claims_by_judge().items() if j not in CASES]
    assert not missing, f"verdict rules without made-up cases (claims {missing})"


@pytest.mark.parametrize("judge", list(CASES), ids=lambda j: j.__name__)
def test_rule_gives_each_verdict_where_expected(judge: Callable[..., Any]) -> None:
    spec = _claims_by_judge()[judge]
    cases = CASES[judge]()
    judged = [judge(m, *(rest[1:] or (spec.prediction,))) for m, *rest in cases]
    assert [j.verdict for j in judged] == [want for _, want, *_ in cases]
    assert {"confirmed", "refuted", "silent"} <= {j.verdict for j in judged}
    assert all(j.reason for j in judged)  # every verdict says why
