"""Seconds computing each cell took on the reference machine, per suite: what the
progress bar expects of a cell that neither this run's ``--out`` nor its previous
report knows. Measured on x86_64 with 2 cores; written by
``benchmarks/typical.py``."""

SECONDS: dict[str, dict[str, float]] = {
    "quick": {
        "additive-noise/sweep": 0.4,
        "beyond-boundary": 4.9,
        "cc-surrogate": 13.3,
        "ce-learner": 0.2,
        "conditions/phase": 5.4,
        "consistency/ceiling": 1.9,
        "consistency/confuser/cc": 2.9,
        "consistency/confuser/distill": 2.3,
        "consistency/mlp": 16.1,
        "consistency/noise/cc": 1.6,
        "consistency/noise/distill": 1.4,
        "consistency/partial/cc": 1.2,
        "consistency/partial/distill": 0.9,
        "consistency/sbt/cc": 4.2,
        "consistency/sbt/distill": 0.8,
        "facts": 0.3,
        "incomplete/self-training": 6.0,
        "learnability/curves": 3.0,
        "lemma": 0.4,
        "partial-labels/grid": 0.6,
        "sbt/headline": 38.8,
        "thm-C": 0.1,
        "thm-C-average-delta": 0.1,
        "thm-C-noisy": 0.1,
        "thm-C-tightness": 0.1,
        "thm-L": 1.4,
        "well-specified": 2.5,
    },
}
