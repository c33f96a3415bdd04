"""Faults injected on purpose: nothing lost, nothing silently wrong.

A report under ``--out`` is never made worse (a rerun that fails at any write, or a run of
other claims, keeps what was there); an unwritable output or a full disk is one line and
exit status 2 before or without losing work; cells edited or damaged are recomputed; every
command keeps its exit statuses (0 success, 1 only a refuted proved claim, 2 usage, input or
environment, 130 interrupted, also while loading). Kills at random points are in the slow
tier (``test_kills_at_random_points_resume_to_the_same_report``); CSV headers and huge
features are in ``test_indicators_cli.py`` and ``test_sbt.py``.
"""

from __future__ import annotations

import errno
import json
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from figures import _cli as figures_cli
from verify import _cells, _cli, _outputs, _report
from verify._catalog import all_claims

ROOT = Path(__file__).resolve().parents[1]
FEW = "thm-C*"  # four quick claims of one cell each, about a second in all


def _report_of(out: Path) -> dict[str, Any]:
    return json.loads((out / "report.json").read_text())


def _ids(out: Path) -> list[str]:
    return [c["id"] for c in _report_of(out)["claims"]]


def _one_error_line(err: str) -> None:
    lines = [line for line in err.strip().splitlines() if not line.startswith("[")]
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert "Traceback" not in err


def _full_disk_after(writes: int, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Make every file write after the first ``writes`` raise ENOSPC; returns a counter."""
    real = _report.write_atomic
    done = [0]

    def writer(path: Path, text: str) -> None:
        if done[0] >= writes:
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        done[0] += 1
        real(path, text)

    for module in (_report, _cells, _outputs):
        monkeypatch.setattr(module, "write_atomic", writer)
    return done


def test_a_run_of_other_claims_adds_to_the_report(tmp_path: Path, capsys) -> None:
    """``thm-C*`` then ``facts`` into one ``--out``: the report holds all five (it held only
    ``facts`` before), in suite order, and calls itself incomplete: a subset is never the
    suite."""
    assert _cli.main(["run", "--claims", FEW, "--out", str(tmp_path)]) == 0
    assert _report_of(tmp_path)["complete"] is False
    before = _ids(tmp_path)
    assert _cli.main(["run", "--claims", "facts", "--out", str(tmp_path)]) == 0
    order = [s.id for s in all_claims()]
    assert _ids(tmp_path) == sorted(["facts", *before], key=order.index)
    assert _report_of(tmp_path)["complete"] is False


@pytest.mark.parametrize(
    ("option", "difference"),
    [(["--seed", "1"], "--seed 0, this run --seed 1"), (["--seeds", "2"], "--seeds None")],
)
def test_a_run_of_other_settings_is_refused_unless_replacing(
    option: list[str], difference: str, tmp_path: Path, capsys
) -> None:
    assert _cli.main(["run", "--claims", FEW, "--out", str(tmp_path)]) == 0
    before = (tmp_path / "report.json").read_bytes()
    capsys.readouterr()
    assert _cli.main(["run", "--claims", "facts", *option, "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    _one_error_line(err)
    assert difference in err and "--replace" in err
    assert (tmp_path / "report.json").read_bytes() == before
    assert (
        _cli.main(["run", "--claims", "facts", *option, "--replace", "--out", str(tmp_path)]) == 0
    )
    assert _ids(tmp_path) == ["facts"]


def test_claims_of_other_code_are_not_mixed_in(tmp_path: Path, capsys) -> None:
    """A kept claim whose cells the current code would key differently (here: an edited
    key hash) is refused when this run does not replace it, and replaced when it does."""
    assert _cli.main(["run", "--claims", FEW, "--out", str(tmp_path)]) == 0
    report = _report_of(tmp_path)
    report["claims"][0]["cells"][0]["key"] = "0" * 20
    (tmp_path / "report.json").write_text(json.dumps(report))
    capsys.readouterr()
    assert _cli.main(["run", "--claims", "facts", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    _one_error_line(err)
    assert "computed by other code (thm-C)" in err
    assert _cli.main(["run", "--claims", "thm-C", "--out", str(tmp_path)]) == 0
    assert _report_of(tmp_path)["claims"][0]["cells"][0]["key"] != "0" * 20


def test_an_unreadable_report_is_not_overwritten(tmp_path: Path, capsys) -> None:
    (tmp_path / "report.json").write_text("{not json")
    assert _cli.main(["run", "--claims", "facts", "--out", str(tmp_path)]) == 2
    _one_error_line(capsys.readouterr().err)
    assert (tmp_path / "report.json").read_text() == "{not json"


def _clean_run_writes(out: Path, monkeypatch: pytest.MonkeyPatch) -> int:
    with monkeypatch.context() as patch:
        done = _full_disk_after(10**6, patch)
        assert _cli.main(["run", "--claims", FEW, "--out", str(out)]) == 0
    return done[0]


def test_a_full_disk_at_any_write_loses_nothing(tmp_path: Path, monkeypatch, capsys) -> None:
    """A complete report of four claims, then a rerun with its cells gone (so cells and
    reports are both written) on a disk that fills after j writes, for every j: one line,
    exit 2, and the report still reads back with all four claims."""
    reference = tmp_path / "reference"
    writes = _clean_run_writes(reference, monkeypatch)
    assert writes == 1 + 4 + 2 * 4  # the probe, four cells, two report files per claim
    expected = _ids(reference)
    for j in range(writes):
        out = tmp_path / f"full-after-{j}"
        _clean_run_writes(out, monkeypatch)
        for cell in (out / "cells").rglob("*.json"):
            cell.unlink()
        capsys.readouterr()
        with monkeypatch.context() as patch:
            _full_disk_after(j, patch)
            assert _cli.main(["run", "--claims", FEW, "--out", str(out)]) == 2, j
        err = capsys.readouterr().err
        _one_error_line(err)
        assert "No space left on device" in err, err
        assert _ids(out) == expected, j


def test_an_unwritable_out_is_refused_before_any_cell(tmp_path: Path, monkeypatch, capsys) -> None:
    """Under /proc, over a file, and on a full disk: one line, exit 2, no cell computed."""

    def no_cells(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("a cell was computed before the output was checked")

    monkeypatch.setattr(_cells.CellStore, "obtain", no_cells)
    (tmp_path / "a-file").write_text("")
    for out, reason in (
        (Path("/proc/verify-out"), "No such file or directory"),
        (tmp_path / "a-file", "a file, not a directory"),
        (tmp_path / "a-file" / "below", "Not a directory"),
    ):
        assert _cli.main(["run", "--claims", "facts", "--out", str(out)]) == 2
        err = capsys.readouterr().err
        _one_error_line(err)
        assert f"--out {out}: cannot write there ({reason})" in err
    with monkeypatch.context() as patch:
        _full_disk_after(0, patch)
        assert _cli.main(["run", "--claims", "facts", "--out", str(tmp_path / "full")]) == 2
    assert "No space left on device" in capsys.readouterr().err
    with pytest.raises(SystemExit) as empty:  # argparse: usage and status 2
        _cli.main(["run", "--claims", "facts", "--out", ""])
    assert empty.value.code == 2 and "an empty path" in capsys.readouterr().err


@pytest.mark.parametrize(
    "damage",
    [
        lambda text: "garbage",
        lambda text: text[: len(text) // 2],
        lambda text: json.dumps({**json.loads(text), "record": [1, 2]}),  # wrong shape
        lambda text: text.replace('"checked": ', '"checked": 1', 1),  # edited, still fits
    ],
    ids=["garbage", "truncated", "wrong-shape", "edited-value"],
)
def test_a_damaged_cell_is_recomputed_not_trusted(damage, tmp_path: Path, capsys) -> None:
    """The edited value still fits the record's type (``checked`` stays an integer): only
    the checksum kept beside it shows it was changed."""
    assert _cli.main(["run", "--claims", "facts", "--out", str(tmp_path)]) == 0
    first = _report_of(tmp_path)["claims"][0]["measurement"]
    (cell,) = (tmp_path / "cells").rglob("*.json")
    cell.write_text(damage(cell.read_text()))
    capsys.readouterr()
    assert _cli.main(["run", "--claims", "facts", "--out", str(tmp_path)]) == 0
    err = capsys.readouterr().err
    assert err.count("warning:") == 1 and str(cell) in err and "recomputing" in err
    assert _report_of(tmp_path)["claims"][0]["measurement"] == first
    assert _report_of(tmp_path)["claims"][0]["cells"][0]["computed"] is True


def test_report_and_cell_files_are_readable_by_others(tmp_path: Path) -> None:
    assert _cli.main(["run", "--claims", "facts", "--out", str(tmp_path)]) == 0
    for path in [tmp_path / "report.json", tmp_path / "report.md", *tmp_path.rglob("*.json")]:
        assert path.stat().st_mode & 0o044 == 0o044, path  # umask 022 in CI: rw-r--r--


# Exit statuses, command by command ------------------------------------------------------


def test_indicators_and_findings_exit_statuses(tmp_path: Path, capsys) -> None:
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 50)
    np.save(tmp_path / "d.npy", np.eye(3)[y] * 0.7 + 0.1)
    np.save(tmp_path / "y.npy", y)
    args = ["indicators", "--soft-labels", str(tmp_path / "d.npy"), "--labels"]
    assert _cli.main([*args, str(tmp_path / "y.npy")]) == 0
    assert _cli.main([*args, str(tmp_path / "missing.npy")]) == 2
    assert _cli.main(["findings", "--results", str(tmp_path)]) == 2
    with pytest.raises(SystemExit) as usage:
        _cli.main(["indicators", "--soft-labels"])
    assert usage.value.code == 2


def _nan_everywhere(value: Any) -> Any:
    """Every float of a measurement replaced by "nan", the form ``verify`` writes NaN in."""
    if isinstance(value, dict):
        return {k: _nan_everywhere(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_nan_everywhere(v) for v in value]
    return "nan" if isinstance(value, float) else value


def test_figures_exit_statuses(quick_report, tmp_path: Path, capsys) -> None:
    """Measurements of NaN, an unwritable ``--out`` and an unknown format are one line each
    and status 2 (a figure that cannot be drawn does not stop the others)."""
    _, report, _, _ = quick_report
    results = tmp_path / "results"
    results.mkdir()
    poisoned = {
        **report,
        "claims": [
            {**c, "measurement": _nan_everywhere(c["measurement"])} for c in report["claims"]
        ],
    }
    (results / "report.json").write_text(json.dumps(poisoned))
    draw = ["all", "--results", str(results), "--formats", "png"]
    assert figures_cli.main([*draw, "--out", str(tmp_path / "figures")]) == 2
    out, err = capsys.readouterr()
    assert "cannot be drawn from" in err and "Traceback" not in err
    assert "figures drawn" in out  # the loop went on past the failures
    (tmp_path / "a-file").write_text("")
    assert figures_cli.main([*draw, "--out", str(tmp_path / "a-file")]) == 2
    assert "cannot write there" in capsys.readouterr().err
    assert figures_cli.main([*draw[:-1], "png,xyz", "--out", str(tmp_path / "figures")]) == 2
    assert "xyz not supported" in capsys.readouterr().err


def test_a_broken_pipe_is_quiet(tmp_path: Path) -> None:
    """``... | head`` with the reader gone before the output: one line, no traceback,
    status 2."""
    y = np.arange(3000) % 5
    np.save(tmp_path / "d.npy", np.eye(5)[y] * 0.5 + 0.1)
    np.save(tmp_path / "y.npy", y)
    command = [sys.executable, "-m", "verify", "indicators", "--soft-labels"]
    proc = subprocess.Popen(
        [*command, str(tmp_path / "d.npy"), "--labels", str(tmp_path / "y.npy"), "--all-k"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
    )
    assert proc.stdout is not None
    proc.stdout.close()  # long before the table is written: loading alone takes a second
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 2 and b"Traceback" not in err, err
    assert err.decode().strip().endswith("(broken pipe)"), err


@pytest.mark.parametrize("command", [["verify", "list"], ["figures", "list"]])
def test_ctrl_c_while_loading_exits_130(command: list[str]) -> None:
    """SIGINT at several moments of loading JAX, matplotlib and the claims: always 130 and
    one line, never a traceback, an abort or a swallowed interrupt."""
    for delay in (0.15, 0.4, 0.8):
        proc = subprocess.Popen(
            [sys.executable, "-m", *command],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        time.sleep(delay)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 130 and "Traceback" not in err, (delay, proc.returncode, err)


@pytest.mark.slow
def test_kills_at_random_points_resume_to_the_same_report(tmp_path: Path) -> None:
    """SIGKILL after a random number of seconds (seeded), then rerun: the report equals an
    uninterrupted run's, whatever was in flight."""
    command = [sys.executable, "-m", "verify", "run", "--claims", "consistency/*", "--seeds", "2"]

    def claims(out: Path) -> list[dict[str, Any]]:
        return [
            {k: v for k, v in c.items() if k not in ("seconds", "cells")}
            for c in _report_of(out)["claims"]
        ]

    reference = tmp_path / "reference"
    subprocess.run([*command, "--out", str(reference)], check=True, capture_output=True, cwd=ROOT)
    rng = random.Random(10)
    for attempt in range(4):
        out = tmp_path / f"killed-{attempt}"
        proc = subprocess.Popen(
            [*command, "--out", str(out)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            cwd=ROOT,
        )
        time.sleep(rng.uniform(2.0, 25.0))
        proc.kill()
        proc.wait()
        run = subprocess.run(
            [*command, "--out", str(out)], capture_output=True, text=True, cwd=ROOT, timeout=900
        )
        assert run.returncode == 0 and "Traceback" not in run.stderr, run.stderr
        assert claims(out) == claims(reference), attempt


def test_pickled_arrays_are_refused_unloaded(tmp_path: Path, capsys) -> None:
    """An object array in .npy or .npz needs pickle, which can run code: refused without
    loading it (the marker file a malicious pickle would create never appears)."""
    marker = tmp_path / "ran"

    class Payload:
        def __reduce__(self) -> tuple[Any, tuple[str]]:
            return (Path.touch, (str(marker),))

    np.save(tmp_path / "y.npy", np.zeros(2, int))
    np.save(tmp_path / "evil.npy", np.array([Payload(), 1], dtype=object), allow_pickle=True)
    np.savez(tmp_path / "evil.npz", soft_labels=np.array([Payload(), 1], dtype=object))
    for name in ("evil.npy", "evil.npz"):
        code = _cli.main(
            [
                "indicators",
                "--soft-labels",
                str(tmp_path / name),
                "--labels",
                str(tmp_path / "y.npy"),
            ]
        )
        err = capsys.readouterr().err
        assert code == 2 and name in err and "Traceback" not in err, err
    assert not marker.exists()


def test_two_runs_into_one_out_at_once_agree(tmp_path: Path) -> None:
    """Two identical runs racing into one ``--out`` both succeed, and the report they leave
    is the report of one run alone (cells and reports are replaced atomically)."""
    command = [sys.executable, "-m", "verify", "run", "--claims", FEW]
    alone, shared = tmp_path / "alone", tmp_path / "shared"
    subprocess.run([*command, "--out", str(alone)], check=True, capture_output=True, cwd=ROOT)
    procs = [
        subprocess.Popen(
            [*command, "--out", str(shared)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        for _ in range(2)
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0 and "Traceback" not in err, err

    def measured(out: Path) -> list[tuple[str, Any, str]]:
        return [(c["id"], c["measurement"], c["verdict"]) for c in _report_of(out)["claims"]]

    assert measured(shared) == measured(alone)


def test_runs_of_different_claims_racing_into_one_out_keep_each_others(tmp_path: Path) -> None:
    """Three runs of different claims at once into one ``--out``: each write re-reads the
    report under a lock, so the report ends with every claim of the three."""
    patterns = [FEW, "facts", "lemma"]
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "verify", "run", "--claims", p, "--out", str(tmp_path)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        for p in patterns
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
    assert set(_ids(tmp_path)) == {"facts", "lemma", *_ids_of(FEW)}


def _ids_of(pattern: str) -> list[str]:
    import verify

    return [s.id for s in verify.select(pattern)]


def test_an_interrupt_swallowed_by_a_callback_is_delivered_again() -> None:
    """A Ctrl-C that lands in a garbage-collection callback (where JAX has one) cannot be
    raised there; the command's hook delivers it to the main thread instead of dropping it."""
    import gc

    def callback(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":  # once per collection, as one Ctrl-C is one interrupt
            raise KeyboardInterrupt

    previous = sys.unraisablehook
    sys.unraisablehook = _cli._deliver_swallowed_interrupts
    gc.callbacks.append(callback)
    try:
        with pytest.raises(KeyboardInterrupt):
            gc.collect()  # the callback's interrupt is unraisable here ...
            gc.callbacks.remove(callback)
            for _ in range(10**7):  # ... and arrives at the next bytecode boundary
                pass
    finally:
        if callback in gc.callbacks:
            gc.callbacks.remove(callback)
        sys.unraisablehook = previous


def test_an_unwritable_stderr_changes_nothing(tmp_path: Path) -> None:
    """``2>/dev/full``: progress and messages cannot be written; the run still finishes,
    writes its report and exits 0."""
    with open("/dev/full", "w") as full:
        proc = subprocess.run(
            [sys.executable, "-m", "verify", "run", "--claims", "facts", "--out", str(tmp_path)],
            stdout=subprocess.DEVNULL,
            stderr=full,
            cwd=ROOT,
            timeout=300,
        )
    assert proc.returncode == 0 and _ids(tmp_path) == ["facts"]


def test_usage_errors_are_one_line(capsys) -> None:
    for argv in (["run", "--suite", "nope"], ["indicators", "--k", "2", "--all-k"]):
        with pytest.raises(SystemExit) as usage:
            _cli.main(argv)
        err = capsys.readouterr().err
        assert usage.value.code == 2 and len(err.strip().splitlines()) == 1, err
        assert err.startswith("error: python -m verify ")
    with pytest.raises(SystemExit) as usage:
        figures_cli.main(["all", "--results", ".", "--out", ""])
    err = capsys.readouterr().err
    assert usage.value.code == 2 and err.startswith("error: ") and "an empty path" in err


def test_a_figure_of_some_nan_values_is_drawn_with_a_warning(
    quick_report, tmp_path: Path, capsys
) -> None:
    """One NaN in a plotted curve is a gap, not a failure: drawn, with a warning naming
    the claim, and status 0."""
    _, report, _, _ = quick_report
    edited = json.loads(json.dumps(report))
    (phase,) = [c for c in edited["claims"] if c["id"] == "conditions/phase"]
    name, values = next(
        (k, v)
        for k, v in phase["measurement"].items()
        if isinstance(v, list) and len(v) > 2 and isinstance(v[1], float)
    )
    values[1] = "nan"
    (tmp_path / "report.json").write_text(json.dumps(edited))
    code = figures_cli.main(
        ["all", "--results", str(tmp_path), "--out", str(tmp_path / "f"), "--only", "phase-diagram"]
    )
    out, err = capsys.readouterr()
    assert code == 0 and "drew phase-diagram" in out, (name, err)
    assert "warning: phase-diagram: conditions/phase hold NaN" in err
