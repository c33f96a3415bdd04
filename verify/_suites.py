"""The suite table: which claims run, in what order, and every size each suite gives them.

The one place suite sizes live (``python -m verify list --suite full`` prints it). ``SIZES``
is keyed by the name a cell reads its sizes from (the cell's id, or a name shared by the
cells of one family); every cell's key holds the sizes it ran with, so a changed size
recomputes exactly the cells that use it. ``full`` is larger than ``paper`` wherever more
worlds, samples, seeds or sizes tighten a verdict; it is meant for a cluster.
"""

from __future__ import annotations

from typing import Any

from verify._spec import Per

#: Claims in the order they run and are reported.
ORDER: tuple[str, ...] = (
    "facts",
    "lemma",
    "thm-C",
    "thm-C-average-delta",
    "thm-C-tightness",
    "thm-C-noisy",
    "ce-learner",
    "cc-surrogate",
    "thm-L",
    *(
        f"consistency/{t}/{learner}"
        for t in ("sbt", "partial", "confuser", "noise")
        for learner in ("cc", "distill")
    ),
    "floors/width",
    "consistency/mlp",
    "beyond-boundary",
    "well-specified",
    "learnability/margin",
    "learnability/bound",
    "learnability/collapse",
    "conditions/phase",
    "partial-labels/grid",
    "additive-noise/sweep",
    "incomplete/self-training",
    "sbt/headline",
    "certificate/coverage",
    "certificate/tightness",
    "certificate/x-dependent",
)

_CURVE_SIZES: Per[list[int]] = Per(
    [100, 300, 1000, 3000],
    [100, 300, 1000, 3000, 10000, 30000],
    [100, 300, 1000, 3000, 10000, 30000, 100000],
)
_EVAL = Per(10000, 50000, 100000)
_SEEDS = Per(3, 10, 20)
#: Population references (docs/theory.md section 3, restricted classes): inputs standing for the
#: input distribution, and soft labels per class for a label law without a closed form.
_POPULATION: dict[str, Per[Any]] = {
    "population": Per(20000, 100000, 200000),
    "law_draws": Per(200000, 400000, 1000000),
}
_TEACHERS = ["sbt", "partial", "confuser", "noise"]
_SMALL_SWEEP = Per(150, 1500, 15000)  # random worlds per (shape, rule)
_SIGMAS_PAPER = [0.1, 0.2, 0.3, 0.4, 0.5, 0.7, 1.0, 1.3, 1.7, 2.2, 3.0, 4.0, 6.0, 10.0]
_SET_LAWS_PAPER = [(3, 3), (3, 4), (3, 5), (4, 4), (4, 5), (4, 6), (5, 6)]

#: Sizes per suite, keyed by the name cells read them from.
SIZES: dict[str, dict[str, Per[Any]]] = {
    "facts": {"worlds_per_shape": Per(200, 2000, 20000)},
    "lemma": {"worlds_per_shape_and_rule": _SMALL_SWEEP},
    "thm-C": {"worlds_per_shape_and_rule": _SMALL_SWEEP},
    "thm-C-average-delta": {"worlds_per_shape_and_rule": _SMALL_SWEEP},
    "thm-C-tightness": {"grid_points": Per(201, 2001, 20001)},
    "thm-C-noisy": {"worlds_per_shape_and_rule": _SMALL_SWEEP},
    "ce-learner": {"worlds_per_shape_and_rule": Per(200, 3000, 30000)},
    "cc-surrogate": {
        "worlds_per_shape_and_rule": Per(100, 3000, 30000),
        "set_law_configs": Per(
            [(3, 4), (4, 5)],
            _SET_LAWS_PAPER,
            [*_SET_LAWS_PAPER, (5, 5), (5, 7), (6, 6), (6, 8)],
        ),
        "set_law_samples": Per(10000, 40000, 200000),
    },
    "thm-L": {
        "margins": Per(
            [0.6, 0.3, 0.1], [0.8, 0.6, 0.4, 0.3, 0.2, 0.1], [0.8, 0.6, 0.4, 0.3, 0.2, 0.1]
        ),
        "sample_sizes": Per(
            [10, 30, 100, 300, 1000, 3000],
            [10, 30, 100, 300, 1000, 3000, 10000],
            [10, 30, 100, 300, 1000, 3000, 10000, 30000],
        ),
        "trials": Per(200, 1000, 5000),
    },
    # the eight consistency claims and their true-label ceiling: one evaluation sample and
    # one set of student seeds
    "consistency": {"sizes": _CURVE_SIZES, "eval": _EVAL, "seeds": _SEEDS, **_POPULATION},
    # one cell: population floors of every width, and MLP students of one width
    "consistency/mlp": {
        "teachers": Per(["confuser"], _TEACHERS, _TEACHERS),
        "checkerboard": Per(False, True, True),
        "widths": Per([16], [16, 64, 256], [16, 64, 256, 1024]),
        "student_width": Per(16, 64, 64),
        "starts": Per(1, 2, 4),
        "solver_steps": Per(200, 600, 3000),
        "population": Per(5000, 5000, 20000),
        "law_draws": Per(100000, 200000, 1000000),
        "eval": _EVAL,
        # MLP students to n = 10^5 only in full: padded to the largest size, every student
        # of a grid costs as much as the largest
        "sizes": Per([300, 1000, 3000], [1000, 3000, 10000], [1000, 3000, 10000, 30000, 100000]),
        "seeds": Per(2, 5, 10),
        "adam_steps": Per(300, 1000, 2000),
    },
    # Eight students at quick size, not three: with three the t interval of the rate
    # (t_2 = 4.3) was wider than the gap between a fall and a plateau at half the seeds.
    "beyond-boundary": {
        "sizes": _CURVE_SIZES,
        "eval": _EVAL,
        "seeds": Per(8, 10, 20),
        **_POPULATION,
    },
    "well-specified": {
        "sizes": Per(
            [300, 1000, 3000, 10000],
            [300, 1000, 3000, 10000, 30000, 100000],
            [300, 1000, 3000, 10000, 30000, 100000, 300000],
        ),
        "seeds": _SEEDS,
        "eval": _EVAL,
        "population": _POPULATION["population"],
    },
    # the curves that learnability/margin, /bound and /collapse all read
    "learnability/curves": {
        "sizes": _CURVE_SIZES,
        "eval": _EVAL,
        "seeds": _SEEDS,
        **_POPULATION,
    },
    "conditions/phase": {"worlds_per_shape_and_rule": Per(50, 1000, 10000)},
    # students, each with a linear reference of its own (seconds each, 30 cells x 2
    # learners), from the paper suite on
    "partial-labels/grid": {
        "sizes": Per([], [1000, 3000, 10000], [3000, 10000, 30000]),
        # a CC student's reference: inputs, and soft labels drawn at each
        "population": Per(0, 50000, 200000),
        "labels_per_input": Per(0, 20, 20),
        "monte_carlo": Per(10000, 20000, 100000),  # soft labels per class and cell
        "eval": Per(10000, 50000, 100000),
        "seeds": Per(2, 5, 10),
    },
    "additive-noise/sweep": {
        "sigmas": Per(
            [0.2, 0.4, 0.7, 1.0, 1.5, 2.5, 4.0],
            _SIGMAS_PAPER,
            [*_SIGMAS_PAPER, 15.0, 25.0, 40.0],
        ),
        "monte_carlo": Per(20000, 100000, 1000000),
        "sizes": Per([], [1000, 3000, 10000], [3000, 10000, 30000]),
        # a CC student's reference: inputs, and soft labels drawn at each
        "population": Per(0, 50000, 200000),
        "labels_per_input": Per(0, 20, 20),
        "eval": Per(10000, 50000, 100000),
        "seeds": Per(2, 5, 10),
    },
    "incomplete/self-training": {
        "sizes": Per([500, 2000], [1250, 2500, 5000], [5000, 10000, 20000]),
        "population": Per(5000, 50000, 100000),
        "rounds": Per(4, 6, 10),
        "eval": Per(10000, 50000, 100000),
        "seeds": Per(2, 5, 10),
    },
    "sbt/headline": {
        # the teacher's recipe (SKILLFUL_BUT_BAD) was chosen at n = 2000
        "n": Per(2000, 2000, 2000),
        "steps": Per(1500, 4000, 4000),
        "checkpoints": Per(3, 8, 8),
        "teachers": Per(3, 10, 20),
        "validation": Per(2000, 2000, 2000),
        "population": Per(5000, 20000, 100000),
        # students of the chosen checkpoint's labels of fresh inputs: the estimation rate
        "student_sizes": Per(
            [300, 1000, 3000], [300, 1000, 3000, 10000], [1000, 3000, 10000, 30000]
        ),
        "eval": Per(10000, 50000, 100000),
    },
    # students certified on fresh inputs of their own training size, `repeats` times each
    "certificate/students": {
        "sizes": Per([300, 1000, 3000], [300, 1000, 3000, 10000], [300, 1000, 3000, 10000, 30000]),
        "seeds": Per(2, 5, 10),
        "repeats": Per(100, 200, 500),
        "labelled": Per(1000, 2000, 5000),
        "eval": Per(100000, 400000, 1000000),
    },
    "certificate/x-dependent": {
        "sizes": Per([300, 1000, 3000], [300, 1000, 3000, 10000], [300, 1000, 3000, 10000, 30000]),
        "repeats": Per(200, 500, 1000),
        "labelled": Per(1000, 2000, 5000),
        "eval": Per(100000, 400000, 1000000),
    },
}


def sizes_for(name: str, suite: str, *, seeds: int | None = None) -> dict[str, Any]:
    """The sizes entry ``name`` for ``suite``; ``seeds`` (the ``--seeds`` option) replaces
    the number of student seeds where the entry has one."""
    if name not in SIZES:
        raise KeyError(f"the suite table (verify/_suites.py) has no sizes entry {name!r}")
    resolved = {key: per.pick(suite) for key, per in SIZES[name].items()}
    if seeds is not None and "seeds" in resolved:
        resolved["seeds"] = int(seeds)
    return resolved
