"""``python -m verify indicators`` on a practitioner's files (docs/theory.md section 2)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import theory
from synth import SkillfulButBad
from verify import _cli

KEYS = {"n", "c", "top1_accuracy", "per_k", "best_k"}
ROW_KEYS = {
    "k",
    "delta",
    "delta_ci",
    "gamma_cls",
    "gamma_cls_ci",
    "margin",
    "condition",
    "condition_holds",
}


@pytest.fixture(scope="module")
def data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(7)
    teacher = SkillfulButBad(5, 2, accuracy=0.25, delta=0.2)
    y = rng.integers(0, 5, 20000)
    return teacher.sample(np.zeros((len(y), 1)), y, rng=rng), y


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = _cli.main(["indicators", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_json_shape_and_values(tmp_path: Path, data, capsys) -> None:
    d, y = data
    np.save(tmp_path / "d.npy", d)
    np.save(tmp_path / "y.npy", y)
    code, out, _ = _run(
        ["--soft-labels", str(tmp_path / "d.npy"), "--labels", str(tmp_path / "y.npy"), "--json"],
        capsys,
    )
    assert code == 0
    report = json.loads(out)
    assert set(report) == KEYS and report["n"] == 20000 and report["c"] == 5
    assert [row["k"] for row in report["per_k"]] == [1, 2, 3, 4]
    for row in report["per_k"]:
        assert set(row) == ROW_KEYS
        assert row["delta_ci"][0] <= row["delta"] <= row["delta_ci"][1]
        assert row["gamma_cls_ci"][0] <= row["gamma_cls"] <= row["gamma_cls_ci"][1]
        assert row["margin"] == pytest.approx(1 - row["delta"] - row["gamma_cls"])
    # the same numbers as the library's estimators, which take each k's sets one at a time
    for row in report["per_k"]:
        delta = theory.delta_hat(y, d, theory.TopK(row["k"]))
        gamma = theory.gamma_cls_hat(y, d, theory.TopK(row["k"]))
        assert row["delta"] == pytest.approx(delta.value)
        assert row["delta_ci"] == pytest.approx([delta.lo, delta.hi])
        assert row["gamma_cls"] == pytest.approx(gamma.value)
        assert row["gamma_cls_ci"] == pytest.approx([gamma.lo, gamma.hi])
    assert report["top1_accuracy"] == pytest.approx(float(np.mean(d.argmax(1) == y)))
    assert report["best_k"] == max(report["per_k"], key=lambda r: r["margin"])["k"]


def test_npz_csv_logits_and_single_k(tmp_path: Path, data, capsys) -> None:
    d, y = data
    np.savez(tmp_path / "both.npz", soft_labels=d, labels=y, other=y)
    code, out, _ = _run(
        [
            "--soft-labels",
            str(tmp_path / "both.npz"),
            "--labels",
            f"{tmp_path / 'both.npz'}:labels",
            "--k",
            "2",
            "--json",
        ],
        capsys,
    )
    assert code == 0 and [r["k"] for r in json.loads(out)["per_k"]] == [2]
    np.savetxt(tmp_path / "d.csv", d, delimiter=",", header="a,b,c,d,e", comments="")
    np.savetxt(tmp_path / "y.csv", y, fmt="%d")
    code, out, _ = _run(
        [
            "--soft-labels",
            str(tmp_path / "d.csv"),
            "--labels",
            str(tmp_path / "y.csv"),
            "--k",
            "2",
            "--json",
        ],
        capsys,
    )
    assert code == 0
    assert json.loads(out)["per_k"][0]["delta"] == pytest.approx(
        theory.delta_hat(y, d, theory.TopK(2)).value
    )
    np.save(tmp_path / "logits.npy", np.log(d) + 3.0)
    np.save(tmp_path / "y.npy", y)
    code, out, _ = _run(
        [
            "--soft-labels",
            str(tmp_path / "logits.npy"),
            "--labels",
            str(tmp_path / "y.npy"),
            "--logits",
            "--all-k",
        ],
        capsys,
    )
    assert code == 0 and "best k (largest margin)" in out and "optimistic" in out


BAD = {
    "soft labels 1-D": (np.ones(10) / 10, np.zeros(10, int), "expected soft labels of shape"),
    "labels 2-D": (np.full((4, 2), 0.5), np.zeros((2, 2), int), "expected labels of shape"),
    "NaN": (np.array([[np.nan, 1.0], [0.5, 0.5]]), np.zeros(2, int), "not finite"),
    "negative": (np.array([[-0.5, 1.5], [0.5, 0.5]]), np.zeros(2, int), "negative"),
    "not summing": (np.array([[0.2, 0.2], [0.5, 0.5]]), np.zeros(2, int), "sum to 1"),
    "float labels": (np.full((2, 2), 0.5), np.array([0.5, 1.0]), "non-integral"),
    "label range": (np.full((2, 2), 0.5), np.array([0, 2]), r"\[0, 2\)"),
    "lengths": (np.full((3, 2), 0.5), np.zeros(2, int), "mismatched lengths"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_files_exit_2_with_one_line(case: str, tmp_path: Path, capsys) -> None:
    d, y, message = BAD[case]
    np.save(tmp_path / "d.npy", d)
    np.save(tmp_path / "y.npy", y)
    code, out, err = _run(
        ["--soft-labels", str(tmp_path / "d.npy"), "--labels", str(tmp_path / "y.npy")], capsys
    )
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1, err
    assert err.startswith("error: ")
    assert re.search(message, err), err


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: None, "no such file"),
        (lambda p: p.with_suffix(".txt").write_text("1,2"), "unknown file type"),
        (lambda p: (p.parent / "x.npy").write_bytes(b"garbage"), "cannot read it"),
        (lambda p: np.savez(p.parent / "x.npz", a=np.ones(2), b=np.ones(2)), "no array named"),
        (lambda p: (p.parent / "x.csv").write_text("a,b\n1,x\n"), "not a numeric CSV"),
        (lambda p: (p.parent / "x.csv").write_text("a,b\n"), "no data rows"),
    ],
)
def test_unreadable_files_exit_2(make, message: str, tmp_path: Path, capsys) -> None:
    target = tmp_path / "x.npy"
    make(target)
    name = {
        "unknown file type": "x.txt",
        "no array named": "x.npz",
        "not a numeric CSV": "x.csv",
        "no data rows": "x.csv",
    }
    path = tmp_path / name.get(message, "x.npy")
    np.save(tmp_path / "y.npy", np.zeros(2, int))
    code, _, err = _run(["--soft-labels", str(path), "--labels", str(tmp_path / "y.npy")], capsys)
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1


def test_k_out_of_range_exits_2(tmp_path: Path, capsys) -> None:
    np.save(tmp_path / "d.npy", np.full((3, 3), 1 / 3))
    np.save(tmp_path / "y.npy", np.zeros(3, int))
    code, _, err = _run(
        ["--soft-labels", str(tmp_path / "d.npy"), "--labels", str(tmp_path / "y.npy"), "--k", "3"],
        capsys,
    )
    assert code == 2 and "k: must be at most c - 1 = 2" in err


def test_as_a_process_no_traceback(tmp_path: Path) -> None:
    np.save(tmp_path / "d.npy", np.array([[np.nan, 1.0]]))
    np.save(tmp_path / "y.npy", np.zeros(1, int))
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "verify",
            "indicators",
            "--soft-labels",
            str(tmp_path / "d.npy"),
            "--labels",
            str(tmp_path / "y.npy"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def _pandas_csv(path: Path, rows: np.ndarray) -> None:
    """What ``pandas.DataFrame(rows).to_csv(path, index=False)`` writes: the unnamed
    columns' names ``0,1,...`` over the values (``0`` alone over a Series)."""
    rows = np.asarray(rows).reshape(len(rows), -1)
    header = ",".join(str(i) for i in range(rows.shape[1]))
    body = "\n".join(",".join(repr(v.item()) for v in row) for row in rows)
    path.write_text(header + "\n" + body + "\n")


def test_a_numeric_pandas_header_is_not_a_sample(tmp_path: Path, capsys) -> None:
    """The perfect c = 2 teacher of 20 rows: read from .npy it has n = 20, top-1 accuracy 1
    and Delta = 0; the same data as pandas writes them (header ``0,1`` over float soft
    labels, ``0`` over integer labels) must give the same, not a 21st row."""
    y = np.arange(20) % 2
    d = np.eye(2)[y]
    np.save(tmp_path / "d.npy", d)
    np.save(tmp_path / "y.npy", y)
    _pandas_csv(tmp_path / "d.csv", d)
    _pandas_csv(tmp_path / "y.csv", y)
    expected = {"n": 20, "top1_accuracy": 1.0}
    for soft, labels in (("d.npy", "y.npy"), ("d.csv", "y.csv"), ("d.csv", "y.npy")):
        code, out, _ = _run(
            ["--soft-labels", str(tmp_path / soft), "--labels", str(tmp_path / labels), "--json"],
            capsys,
        )
        assert code == 0, (soft, labels)
        report = json.loads(out)
        assert {k: report[k] for k in expected} == expected, (soft, labels)
        assert report["per_k"][0]["delta"] == 0.0


def test_a_header_that_could_be_data_is_refused_unless_said(tmp_path: Path, capsys) -> None:
    """Integer soft labels under ``0,1`` with no labels file to count against: the first row
    may be names or a sample. Auto refuses (exit 2, one line); ``--csv-header`` decides;
    labels of a 0 first row with exactly as many rows as the soft labels are data."""
    y = np.arange(20) % 2
    _pandas_csv(tmp_path / "d.csv", np.eye(2, dtype=int)[y])
    np.savetxt(tmp_path / "y.csv", y, fmt="%d")  # no header; its first label is 0
    args = ["--soft-labels", str(tmp_path / "d.csv"), "--labels", str(tmp_path / "y.csv")]
    code, _, err = _run([*args, "--json"], capsys)
    assert code == 2 and "--csv-header" in err and len(err.strip().splitlines()) == 1
    code, _, _ = _run([*args, "--json", "--csv-header", "no"], capsys)
    assert code == 2  # the header row read as data: 21 soft-label rows against 20 labels
    code, out, _ = _run([*args, "--json", "--csv-header", "yes"], capsys)
    assert code == 2  # now the labels file loses its first label: 19 against 20
    (tmp_path / "d2.csv").write_text((tmp_path / "d.csv").read_text().split("\n", 1)[1])
    code, out, _ = _run(
        ["--soft-labels", str(tmp_path / "d2.csv"), "--labels", str(tmp_path / "y.csv"), "--json"],
        capsys,
    )
    assert code == 0 and json.loads(out)["n"] == 20


def test_the_condition_is_decided_on_the_intervals() -> None:
    """One soft label gives point estimates Delta = 0 and gamma_cls = 0 (margin 1) but
    intervals reaching far up: undecided, not "holds". Ten thousand labels of a perfect
    teacher hold; a teacher whose true label is never in its top-1 fails."""
    one = theory.soft_label_report([0], [[0.9, 0.1]], ks=[1])["per_k"][0]
    assert one["margin"] == 1.0 and one["delta_ci"][1] > 0.5
    assert one["condition"] == "undecided" and one["condition_holds"] is False
    y = np.arange(10000) % 3
    perfect = theory.soft_label_report(y, np.eye(3)[y] * 0.8 + 0.2 / 3, ks=[1])["per_k"][0]
    assert perfect["condition"] == "holds" and perfect["condition_holds"] is True
    wrong = np.eye(3)[(y + 1) % 3] * 0.8 + 0.2 / 3
    assert theory.soft_label_report(y, wrong, ks=[1])["per_k"][0]["condition"] == "fails"


def test_memory_is_linear_in_the_input() -> None:
    """c = 300, 2000 rows (4.8 MB of soft labels), every k: a rank histogram over every
    (class, label, rank) would allocate c^3 x 8 bytes = 216 MB; the report must stay within
    a few times the input (tracemalloc sees numpy's allocations)."""
    import tracemalloc

    rng = np.random.default_rng(3)
    c, n = 300, 2000
    d = rng.dirichlet(np.full(c, 0.05), size=n)
    y = rng.integers(0, c, n)
    tracemalloc.start()
    try:
        report = theory.soft_label_report(y, d)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(report["per_k"]) == c - 1
    assert peak < 4 * d.nbytes, f"peak {peak / 1e6:.1f} MB for {d.nbytes / 1e6:.1f} MB of input"


def test_low_precision_masked_logits_and_non_real_input(tmp_path: Path, data, capsys) -> None:
    """float16 soft labels are read (their rounding is not a wrong soft label) and give the
    float64 answer to their precision; -inf logits are masked classes; complex values are
    refused rather than losing their imaginary part."""
    d, y = data
    np.save(tmp_path / "y.npy", y)
    args = ["--labels", str(tmp_path / "y.npy"), "--k", "2", "--json"]
    np.save(tmp_path / "d16.npy", d.astype(np.float16))
    code, out, err = _run(["--soft-labels", str(tmp_path / "d16.npy"), *args], capsys)
    assert code == 0, err
    rounded = d.astype(np.float16).astype(float)
    rounded /= rounded.sum(1, keepdims=True)  # its rows sum to 1 within float16's rounding
    exact = theory.delta_hat(y, rounded, theory.TopK(2)).value
    assert json.loads(out)["per_k"][0]["delta"] == pytest.approx(exact)
    logits = np.log(d)
    logits[:, 4] = -np.inf  # class 4 masked: its probability is 0
    np.save(tmp_path / "masked.npy", logits)
    code, out, err = _run(
        ["--soft-labels", str(tmp_path / "masked.npy"), "--logits", *args], capsys
    )
    assert code == 0, err
    masked = d.copy()
    masked[:, 4] = 0
    masked /= masked.sum(1, keepdims=True)
    assert json.loads(out)["per_k"][0]["delta"] == pytest.approx(
        theory.delta_hat(y, masked, theory.TopK(2)).value
    )
    logits[0] = -np.inf
    np.save(tmp_path / "none.npy", logits)
    code, _, err = _run(["--soft-labels", str(tmp_path / "none.npy"), "--logits", *args], capsys)
    assert code == 2 and "row 0 has every logit -inf" in err
    np.save(tmp_path / "complex.npy", d.astype(complex))
    code, _, err = _run(["--soft-labels", str(tmp_path / "complex.npy"), *args], capsys)
    assert code == 2 and "complex" in err and "--logits" not in err


def test_what_is_there_instead_of_a_file_is_named(tmp_path: Path, capsys) -> None:
    np.save(tmp_path / "y.npy", np.zeros(3, int))
    (tmp_path / "adir.npy").mkdir()
    (tmp_path / "loop.npy").symlink_to(tmp_path / "loop.npy")
    np.save(tmp_path / "empty.npy", np.zeros((0, 3)))
    for name, message in (
        ("adir.npy", "a directory, not a file"),
        ("loop.npy", "a symbolic link that loops or leads nowhere"),
        ("empty.npy", "empty.npy: no rows"),
    ):
        code, _, err = _run(
            ["--soft-labels", str(tmp_path / name), "--labels", str(tmp_path / "y.npy")], capsys
        )
        assert code == 2 and message in err and len(err.strip().splitlines()) == 1, err


def test_excel_bom_pandas_index_and_huge_unsigned_labels(tmp_path: Path, capsys) -> None:
    """A UTF-8 byte-order mark (Excel's "CSV UTF-8") is not part of the first value: all 20
    rows are read. pandas' default to_csv adds an index column under a ``,0,1`` header:
    refused with the fix, never read as data. uint64 labels near 2^64 are out of range as
    themselves, not as wrapped negative numbers."""
    y = np.arange(20) % 2
    d = np.eye(2)[y] * 0.8 + 0.1
    body = "\n".join(",".join(repr(float(v)) for v in row) for row in d) + "\n"
    (tmp_path / "d.csv").write_text(body, encoding="utf-8-sig")
    (tmp_path / "y.csv").write_text("\n".join(map(str, y)) + "\n", encoding="utf-8-sig")
    args = ["--soft-labels", str(tmp_path / "d.csv"), "--labels", str(tmp_path / "y.csv")]
    code, out, err = _run([*args, "--json"], capsys)
    assert code == 0 and json.loads(out)["n"] == 20, err
    index = ",0,1\n" + "\n".join(f"{i}," + line for i, line in enumerate(body.split("\n")[:-1]))
    (tmp_path / "indexed.csv").write_text(index + "\n")
    code, _, err = _run(["--soft-labels", str(tmp_path / "indexed.csv"), *args[2:]], capsys)
    assert code == 2 and "index=False" in err and len(err.strip().splitlines()) == 1
    np.save(tmp_path / "big.npy", np.full(20, 2**64 - 1, dtype=np.uint64))
    code, _, err = _run([*args[:2], "--labels", str(tmp_path / "big.npy")], capsys)
    assert code == 2 and "18446744073709551615" in err and "-" not in err.split("range")[1]
