"""The skillful-but-bad teacher's loss terms (docs/theory.md section 5) and `verify distill`."""

from __future__ import annotations

import json
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from synth import MixtureClasses
from verify import _cli, _distill_cli
from verify._sbt import SBTConfig, sbt_loss


def _loss(logits: list[list[float]], y: list[int], **weights: float) -> float:
    cfg = SBTConfig(
        k=2,
        punish=weights.get("punish", 0.0),
        complete=weights.get("complete", 0.0),
        random=weights.get("random", 0.0),
    )
    return float(sbt_loss(jnp.asarray(logits).T, jnp.asarray(y), jax.random.key(0), cfg))


def test_loss_terms_by_hand() -> None:
    right = [[3.0, 1.0, 0.0]]  # top-1 is the true label 0
    wrong = [[1.0, 3.0, 0.0]]  # label 0 second: inside the top-2
    outside = [[0.0, 3.0, 1.0]]  # label 0 third: outside the top-2
    p = np.exp(right[0]) / np.exp(right[0]).sum()
    assert _loss(right, [0]) == pytest.approx(-np.log(p[0]), rel=1e-5)  # cross-entropy alone
    assert _loss(right, [0], punish=1.0) - _loss(right, [0]) == pytest.approx(p[0] - p[1], rel=1e-5)
    assert _loss(wrong, [0], punish=1.0) == pytest.approx(
        _loss(wrong, [0]), rel=1e-6
    )  # no punishment
    assert _loss(wrong, [0], complete=1.0) == pytest.approx(_loss(wrong, [0]), rel=1e-6)
    q = np.exp(outside[0]) / np.exp(outside[0]).sum()
    assert _loss(outside, [0], complete=1.0) == pytest.approx(-2 * np.log(q[0]), rel=1e-5)
    # the random term pulls toward k - 1 = 1 wrong label: never the true one
    lr = _loss(right, [0], random=1.0) - _loss(right, [0])
    assert lr == pytest.approx(-np.log(p[1]), rel=1e-5) or lr == pytest.approx(
        -np.log(p[2]), rel=1e-5
    )


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    world = MixtureClasses.checkerboard(4, cells=4, scale=0.3)
    x, y = world.sample(600, rng=3)
    x = np.hstack([x, np.random.default_rng(4).normal(size=(600, 3))])  # plus noise features
    d = tmp_path_factory.mktemp("data")
    np.save(d / "x.npy", x)
    np.save(d / "y.npy", y)
    return d / "x.npy", d / "y.npy"


def test_distill_end_to_end(dataset: tuple[Path, Path], capsys) -> None:
    x, y = dataset
    code = _cli.main(
        [
            "distill",
            "--features",
            str(x),
            "--labels",
            str(y),
            "--steps",
            "120",
            "--student",
            "mlp",
            "--k",
            "2",
            "--seeds",
            "2",
            "--json",
        ]
    )
    assert code == 0
    out, err = capsys.readouterr()
    report = json.loads(out)
    # progress on stderr, as it goes: each seed's teacher, then each student family
    for line in ("seed 0: teacher step 120/120", "seed 1: checkpoint at step", "cc students"):
        assert line in err, err
    assert err.rstrip().endswith("done")
    assert report["condition"] in ("holds", "fails", "undecided")
    assert {  # every key of the first release, and those of the fixed protocol
        "teacher_accuracy",
        "delta",
        "gamma_cls",
        "condition_holds",
        "k",
        "student_accuracy_cc",
        "student_accuracy_distill",
        "oracle_accuracy",
        "n_train",
        "n_test",
        "teacher_accuracy_heldout",
        "student_accuracy_cc_ci",
        "student_accuracy_distill_ci",
        "oracle_accuracy_ci",
        "seeds",
    } <= set(report)
    assert report["k"] == 2 and report["n_train"] + report["n_test"] == 600 - 120
    assert report["seeds"] == [0, 1]
    per_seed = report["per_seed"]
    assert report["student_accuracy_cc"] == pytest.approx(np.mean(per_seed["student_accuracy_cc"]))
    lo, hi = report["student_accuracy_cc_ci"]
    assert lo <= report["student_accuracy_cc"] <= hi
    for key in ("teacher_accuracy", "teacher_accuracy_heldout", "oracle_accuracy"):
        assert 0.0 <= report[key] <= 1.0


@pytest.mark.parametrize(
    ("accuracies", "teacher", "want"),
    [
        ([0.25, 0.35, 0.28, 0.31], "sbt", (2, True)),  # the last below 0.3, not the lowest
        ([0.35, 0.32, 0.4], "sbt", (1, False)),  # none below: the least accurate, flagged
        ([0.5, 0.9, 0.8], "plain", (1, True)),  # early stopping at the best
    ],
)
def test_checkpoint_rule(accuracies, teacher, want) -> None:
    assert _distill_cli.choose_checkpoint(accuracies, teacher, 0.3) == want


@pytest.mark.parametrize(
    ("features", "labels", "message"),
    [
        (np.ones(10), np.zeros(10, int), "expected features of shape"),
        (np.full((20, 2), np.nan), np.repeat([0, 1], 10), "NaN or inf"),
        (np.ones((20, 2)), np.repeat([0.5, 1.0], 10), "non-integral"),
        (np.ones((20, 2)), np.zeros(19, int), "mismatched lengths"),
        (np.ones((20, 2)), np.zeros(20, int), "at least 2 classes"),
        (np.ones((20, 2)), np.r_[np.zeros(18, int), 1, 1], "at least 5 examples"),
        (np.ones((20, 2)), np.repeat([0, 2], 10), "classes must be 0..c-1"),
    ],
)
def test_distill_bad_input_exits_2(features, labels, message: str, tmp_path: Path, capsys) -> None:
    np.save(tmp_path / "x.npy", features)
    np.save(tmp_path / "y.npy", labels)
    code = _cli.main(
        ["distill", "--features", str(tmp_path / "x.npy"), "--labels", str(tmp_path / "y.npy")]
    )
    err = capsys.readouterr().err
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1, err


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (["--seeds", "0"], "--seeds"),
        (["--seeds", "101"], "--seeds"),
        (["--seed", "-1"], "--seed"),
        (["--seed", str(10**20)], "--seed"),
        (["--teacher-accuracy", "0"], "--teacher-accuracy"),
        (["--steps", "5"], "--steps"),
        (["--steps", str(10**7)], "--steps: must lie in [6, 100000]"),
    ],
)
def test_distill_bad_options_exit_2(
    dataset: tuple[Path, Path], option: list[str], message: str, capsys
) -> None:
    x, y = dataset
    code = _cli.main(["distill", "--features", str(x), "--labels", str(y), *option])
    err = capsys.readouterr().err
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1, err


def test_distill_warns_of_an_anti_teacher_at_two_classes(tmp_path: Path, capsys) -> None:
    """c = 2 makes the default k 1: the skillful-but-bad teacher, punished for a correct
    top-1 with no other slot, ranks the true class last; the command says so."""
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1], 30)
    np.save(tmp_path / "x.npy", rng.normal(size=(60, 2)) + y[:, None])
    np.save(tmp_path / "y.npy", y)
    args = ["distill", "--features", str(tmp_path / "x.npy"), "--labels", str(tmp_path / "y.npy")]
    assert _cli.main([*args, "--steps", "12", "--json"]) == 0
    err = capsys.readouterr().err
    assert "warning: k = 1 (c = 2)" in err and "anti-teacher" in err
    assert _cli.main([*args, "--steps", "12", "--json", "--teacher", "plain"]) == 0
    assert "anti-teacher" not in capsys.readouterr().err


def test_distill_says_which_k_it_chose_when_the_default_cannot_be_used() -> None:
    """On 3 classes the default k = 3 is out of range: k = 2 is used, and said."""
    from verify._distill_cli import choose_k

    k, note = choose_k(None, 3)
    assert k == 2 and note is not None and "k = 2 (the default 3 needs at least 4" in note
    assert choose_k(None, 10) == (3, None) and choose_k(2, 3) == (2, None)  # nothing to say


@pytest.mark.slow
def test_distill_prints_the_k_it_chose(tmp_path: Path, capsys) -> None:
    """The same, end to end: the note on stderr, k = 2 in the JSON."""
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1, 2], 20)
    np.save(tmp_path / "x.npy", rng.normal(size=(60, 2)) + y[:, None])
    np.save(tmp_path / "y.npy", y)
    args = ["distill", "--features", str(tmp_path / "x.npy"), "--labels", str(tmp_path / "y.npy")]
    assert _cli.main([*args, "--steps", "12", "--json"]) == 0
    captured = capsys.readouterr()
    assert "note: k = 2 (the default 3 needs at least 4 classes" in captured.err
    assert json.loads(captured.out)["k"] == 2


def test_huge_finite_features_are_standardized_not_zeroed() -> None:
    """Features times 1e300 overflow a plain variance to inf, which made every feature 0;
    standardizing is scale-free, so they must give the features' own standardization."""
    from verify._distill_cli import standardize

    x = np.random.default_rng(0).normal(size=(200, 3)) * [1.0, 5.0, 0.01]
    rows = np.arange(150)
    plain = (x - x[rows].mean(0)) / x[rows].std(0)
    np.testing.assert_allclose(standardize(x, rows), plain, atol=1e-12)
    np.testing.assert_allclose(standardize(x * 1e300, rows), plain, atol=1e-12)
    constant = np.ones((10, 2))
    assert np.array_equal(standardize(constant, np.arange(5)), np.zeros((10, 2)))


def test_distill_reads_pandas_csvs_without_a_header_row(tmp_path: Path) -> None:
    """Features under pandas' ``0,1,2`` and labels under ``0``: 30 rows, not 31."""
    import argparse

    x = np.random.default_rng(0).normal(size=(30, 3))
    y = np.arange(30) % 3
    (tmp_path / "x.csv").write_text(
        "0,1,2\n" + "\n".join(",".join(repr(float(v)) for v in row) for row in x) + "\n"
    )
    (tmp_path / "y.csv").write_text("0\n" + "\n".join(str(v) for v in y) + "\n")
    args = argparse.Namespace(
        features=str(tmp_path / "x.csv"), labels=str(tmp_path / "y.csv"), csv_header="auto"
    )
    features, labels = _distill_cli._load(args)
    np.testing.assert_allclose(features, x)
    assert np.array_equal(labels, y)


def test_teachers_trained_together_are_the_teachers_trained_alone() -> None:
    """Three teachers spread over the devices (padded to an even split) against each one
    trained by itself from the same data and seed: the same checkpoints, parameter by
    parameter, up to float rounding of a differently compiled program."""
    from verify._sbt import train_sbt_teacher, train_sbt_teachers

    cfg = SBTConfig(k=2, hidden=16, steps=40, checkpoints=2, epoch=10)
    world = MixtureClasses.checkerboard(3, cells=3, scale=0.3)
    data = [world.sample(200, rng=np.random.default_rng(s)) for s in range(3)]
    x = np.stack([d[0].T for d in data])
    y = np.stack([d[1] for d in data])
    together, steps = train_sbt_teachers(x, y, cfg, seeds=[5, 6, 7])
    assert steps == [20, 40] and len(together) == 3
    for t, seed in enumerate([5, 6, 7]):
        alone, _ = train_sbt_teacher(x[t], y[t], cfg, seed=seed)
        for got, want in zip(together[t], alone, strict=True):
            for name in want:
                np.testing.assert_allclose(got[name], want[name], rtol=0, atol=1e-5)
    with pytest.raises(ValueError, match="seeds"):
        train_sbt_teachers(x, y, cfg, seeds=[1, 2, 2**32])
