"""Certificates (docs/theory.md section 4b): the bounds as property tests of the Lemma and
Theorem C, the one-sided intervals against their exact coverage, and ``verify certify``."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from helpers import EXACT_ATOL
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

import theory
from synth import FiniteLabeler, FiniteWorld, RealizableLinear, SkillfulButBad
from synth.strategies import finite_problems
from theory.strategies import set_rules
from verify import _cli

Problem = tuple[FiniteWorld, FiniteLabeler]


@pytest.mark.property
@given(finite_problems(), st.data())
def test_c1_bounds_every_classifier_at_the_exact_set_risk(
    problem: Problem, data: st.DataObject
) -> None:
    """C1 (any labels): R(h) <= R_Omega(h) / (1 - gamma), exactly, for every h."""
    world, labeler = problem
    m = labeler.membership(data.draw(set_rules(world.num_classes), label="rule"))
    h = theory.all_classifiers(world.num_points, world.num_classes)
    r_omega = theory.set_risk(h, world.joint, m)
    bound = theory.c1_bound(r_omega, float(theory.gamma(m, world.joint)))
    assert np.all(bound >= theory.risk(h, world.joint) - EXACT_ATOL)


@pytest.mark.property
@given(finite_problems(), st.data())
def test_c2_bounds_every_classifier_inside_the_condition(
    problem: Problem, data: st.DataObject
) -> None:
    """C2 (any labels, Delta_max + gamma < 1): R(h) <= (R_Omega(h) - Delta) /
    (1 - gamma - Delta_max) for every h, noisy posteriors included (the Lemma's two terms
    and Delta(x, y) <= Delta_max need no deterministic labels); outside the condition it
    does not apply (NaN)."""
    world, labeler = problem
    m = labeler.membership(data.draw(set_rules(world.num_classes), label="rule"))
    joint = world.joint
    h = theory.all_classifiers(world.num_points, world.num_classes)
    g, dm, d = (float(f(m, joint)) for f in (theory.gamma, theory.delta_max, theory.delta))
    bound = theory.c2_bound(theory.set_risk(h, joint, m), d, g, dm)
    if g + dm < 1 - EXACT_ATOL:
        assert np.all(bound >= theory.risk(h, joint) - 1e-9)  # a margin near 0 divides
    elif g + dm >= 1:
        assert np.all(np.isnan(bound))


@pytest.mark.parametrize("n", [10, 100, 1000])
@pytest.mark.parametrize("confidence", [0.9, 0.95])
def test_one_sided_bounds_cover_at_their_level_for_every_proportion(
    n: int, confidence: float
) -> None:
    """Exact coverage, from the binomial law: for p on a grid, P(upper(K) >= p) and
    P(lower(K) <= p) are at least the confidence (Clopper-Pearson is conservative)."""
    k = np.arange(n + 1)
    upper = theory.clopper_pearson_upper(k, n, confidence)
    lower = theory.clopper_pearson_lower(k, n, confidence)
    # the defining quantiles, written independently: Beta(k+1, n-k) and Beta(k, n-k+1)
    np.testing.assert_allclose(
        upper[:-1], stats.beta.ppf(confidence, k[:-1] + 1, n - k[:-1]), rtol=1e-10
    )
    np.testing.assert_allclose(
        lower[1:], stats.beta.ppf(1 - confidence, k[1:], n - k[1:] + 1), rtol=1e-10
    )
    for p in np.linspace(0.001, 0.999, 97):
        pmf = stats.binom.pmf(k, n, p)
        assert pmf[upper >= p].sum() >= confidence - 1e-12
        assert pmf[lower <= p].sum() >= confidence - 1e-12


def test_certify_with_known_indicators_matches_the_formulas() -> None:
    """By hand: 20 of 100 predictions outside the top-1 set; the 95% one-sided upper bound
    is Beta(21, 80)'s 0.95 quantile; C1 and C2 follow from it."""
    d = np.tile([[0.9, 0.1]], (100, 1))
    h = np.r_[np.ones(20, int), np.zeros(80, int)]
    cert = theory.certify(h, d, theory.TopK(1), gamma=0.1, delta_max=0.1, delta=0.05)
    ucb = stats.beta.ppf(0.95, 21, 80)
    assert cert.set_risk == 0.2 and cert.set_risk_ucb == pytest.approx(ucb)
    assert cert.c1 == pytest.approx(ucb / 0.9)
    assert cert.c2 == pytest.approx((ucb - 0.05) / 0.8)
    assert theory.certify(h, d, theory.TopK(1), gamma=0.6, delta_max=0.5, delta=0.1).c2 is None
    assert theory.certify(h, d, theory.TopK(1), gamma=0.1, delta_max=0.1).c2 is None


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"gamma": 1.2, "delta_max": 0.1}, "gamma"),
        ({"gamma": 0.1, "delta_max": 0.1, "delta": 0.3}, "exceeds delta_max"),
    ],
)
def test_certify_refuses_impossible_indicators(kwargs: dict, message: str) -> None:
    d = np.tile([[0.9, 0.1]], (10, 1))
    with pytest.raises(ValueError, match=message):
        theory.certify(np.zeros(10, int), d, theory.TopK(1), **kwargs)


def test_class_conditional_bounds_hold_the_true_indicators() -> None:
    """A class-conditional teacher with known gamma = 0.275, Delta = Delta_max = 0.1: over
    200 labelled samples of 2000 rows, the bounds hold the true values in at least 95%
    of them (joint failure probability of the three at most 3 x 1.25%)."""
    teacher = SkillfulButBad(5, 2, accuracy=0.3, delta=0.1)
    rng = np.random.default_rng(3)
    y = rng.integers(0, 5, (200, 2000))
    d = teacher.sample(np.zeros((y.size, 1)), y.ravel(), rng=rng).reshape(200, 2000, 5)
    sets = np.asarray(theory.TopK(2)(d.reshape(-1, 5)), float).reshape(200, 2000, 5)
    onehot = np.eye(5)[y]
    inside = np.einsum("rmy,rmj->ryj", onehot, sets)
    gamma, delta_max, delta = theory.class_conditional_bounds(inside, onehot.sum(1), 0.0125)
    held = (gamma >= teacher.gamma) & (delta_max >= 0.1) & (delta <= 0.1)
    assert held.mean() >= 0.95
    # and not vacuous: about 400 rows per class put each one-sided bound (Bonferroni over
    # 20 pairs or 5 classes) within about 4 standard errors, 4 x sqrt(0.275 x 0.725 / 400)
    # = 0.09, of the truth; 0.2 leaves room for the maximum over pairs
    assert np.all(gamma < teacher.gamma + 0.2) and np.all(delta_max < 0.1 + 0.2)


def test_a_class_never_labelled_is_refused_not_left_out() -> None:
    """gamma and Delta_max are maxima over every class: a rare class missing from the
    labelled rows could hide the largest one, so the estimate refuses instead."""
    d = np.tile([[0.8, 0.1, 0.1]], (100, 1))
    with pytest.raises(ValueError, match=r"classes \[2\] have no labelled row"):
        theory.certify_class_conditional(
            np.zeros(100, int), d, theory.TopK(1), np.r_[np.zeros(50, int), np.ones(50, int)]
        )


# -- verify certify -------------------------------------------------------------------

KEYS = {
    "n",
    "set_risk",
    "set_risk_ucb",
    "c1",
    "c2",
    "gamma",
    "delta_max",
    "assumption",
    "confidence",
}


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A student that errs on about 5% of 20,000 inputs, a skillful-but-bad teacher's soft
    labels of them, and true labels of the first 3,000."""
    out = tmp_path_factory.mktemp("certify")
    world = RealizableLinear.random(5, 5, rng=0)
    teacher = SkillfulButBad(5, 2, accuracy=0.3, delta=0.1)
    x, y = world.sample(20000, rng=1)
    d = teacher.sample(x, y, rng=2)
    wrong = np.random.default_rng(3).random(len(y)) < 0.05
    h = np.where(wrong, (y + 1) % 5, y)
    paths = {"h": out / "h.npy", "d": out / "d.npy", "y": out / "y.npy", "bad": out / "bad.npy"}
    np.save(paths["h"], h)
    np.save(paths["d"], d)
    np.save(paths["y"], y[:3000])
    np.save(paths["bad"], np.full(20000, 7))
    paths["one_class"] = out / "one_class.npy"
    np.save(paths["one_class"], np.zeros(50, int))  # classes 1-4 never labelled
    return {k: str(v) for k, v in paths.items()} | {"error": str(float(wrong.mean()))}


def _certify(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = _cli.main(["certify", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_certify_end_to_end(files: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    base = ["--predictions", files["h"], "--soft-labels", files["d"], "--k", "2"]
    known = ["--gamma", str(1.1 / 4), "--delta-max", "0.1", "--delta", "0.1"]
    code, out, err = _certify([*base, *known, "--json"], capsys)
    assert code == 0, err
    report = json.loads(out)
    assert set(report) == KEYS
    error = float(files["error"])
    assert report["n"] == 20000 and report["confidence"] == 0.95
    assert error <= report["c2"] <= 2 * error  # tight for this exchangeable teacher
    assert report["c2"] < report["c1"] <= 1
    code, text, _ = _certify([*base, *known], capsys)
    assert code == 0 and "C1: R(h) <=" in text and "C2: R(h) <=" in text
    code, out, err = _certify(
        [*base, "--labels", files["y"], "--class-conditional", "--json"], capsys
    )
    assert code == 0 and "warning" in err and "class" in err
    estimated = json.loads(out)
    assert set(estimated) == KEYS and estimated["gamma"] >= 1.1 / 4 and estimated["c1"] >= error
    code, out, _ = _certify([*base, "--gamma", "0.6", "--delta-max", "0.5", "--json"], capsys)
    assert code == 0 and json.loads(out)["c2"] is None


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ([], "need the teacher's indicators"),
        (["--gamma", "0.3"], "need the teacher's indicators"),
        (["--labels", "{y}"], "say --class-conditional"),
        (["--class-conditional"], "needs --labels"),
        (["--labels", "{y}", "--class-conditional", "--gamma", "0.3"], "not both"),
        (["--gamma", "1.5", "--delta-max", "0.1"], "--gamma: must lie in [0, 1]"),
        (["--gamma", "0.3", "--delta-max", "0.1", "--delta", "0.2"], "exceeds --delta-max"),
        (["--gamma", "0.3", "--delta-max", "0.1", "--k", "5"], "--k: must lie in [1, c - 1]"),
        (["--gamma", "0.3", "--delta-max", "0.1", "--confidence", "1"], "--confidence"),
        (["--gamma", "0.3", "--delta-max", "0.1", "--predictions", "{bad}"], "{bad}"),
        (["--gamma", "0.3", "--delta-max", "0.1", "--predictions", "{y}"], "mismatched"),
        (["--gamma", "0.3", "--delta-max", "0.1", "--predictions", "nowhere.npy"], "nowhere"),
        (["--labels", "{one_class}", "--class-conditional"], "have no labelled row"),
    ],
)
def test_certify_bad_input_exits_2_with_one_line(
    files: dict[str, str], extra: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--predictions", files["h"], "--soft-labels", files["d"]]
    extra = [e.format(**files) for e in extra]
    if "--predictions" in extra:
        args = args[2:]
    code, out, err = _certify([*args, *extra], capsys)
    assert code == 2 and out == ""
    assert message.format(**files) in err and len(err.strip().splitlines()) == 1, err


def test_certify_help_describes_the_bounds(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        _cli.main(["certify", "--help"])
    text = capsys.readouterr().out
    assert "C1" in text and "C2" in text and "--class-conditional" in text


def test_the_readme_worked_example_prints_what_readme_shows(tmp_path: Path) -> None:
    """README's worked example: its Python block writes the files, its command certifies
    them, and the output README shows is the output (numbers to their printed digits)."""
    import re
    import subprocess
    import sys

    from verify._findings import differences

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    section = readme[
        readme.index("<!-- certify-example -->") : readme.index("<!-- /certify-example -->")
    ]
    (block,) = re.findall(r"```python\n(.*?)```", section, flags=re.S)
    (command,) = re.findall(r"```sh\n(.*?)```", section, flags=re.S)
    (shown,) = re.findall(r"```text\n(.*?)```", section, flags=re.S)
    subprocess.run([sys.executable, "-c", block], cwd=tmp_path, check=True, timeout=300)
    args = command.replace("\\\n", " ").split()
    assert args[:3] == ["python", "-m", "verify"]
    proc = subprocess.run(
        [sys.executable, *args[1:]], cwd=tmp_path, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr
    assert not differences(shown, proc.stdout), differences(shown, proc.stdout)


def test_the_certificates_figure_shows_the_reports_numbers(
    quick_report: tuple[int, dict, str, Path],
) -> None:
    """Each panel's curves are the report's means over seeds, read back from the artists."""
    import figures
    from verify import load_report
    from verify.schema import Certificates

    report = load_report(quick_report[3])
    (spec,) = [f for f in figures.all_figures() if f.name == "certificates"]
    fig = spec.draw(report)
    lines = {line.get_gid(): line for ax in fig.axes for line in ax.get_lines()}
    m = report.measurement("certificate/tightness", Certificates)
    for teacher in m.teachers:
        cases = [c for c in m.cases if c.teacher == teacher]
        expected: dict[str, list[float]] = {
            "true": [float(np.mean(c.true_error)) for c in cases],
            "c2": [float(np.mean(c.c2)) for c in cases],
            "c1": [float(np.mean(c.c1)) for c in cases],
            "theorem_l": [c.theorem_l for c in cases],
        }
        for key, ys in expected.items():
            line = lines[f"{key}:{teacher}"]
            np.testing.assert_allclose(np.asarray(line.get_xdata()), [c.n for c in cases])
            np.testing.assert_allclose(np.asarray(line.get_ydata()), ys)
    assert any("n (" in ax.get_xlabel() for ax in fig.axes)
