"""The verification command line, its reports and its exit status."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import verify
from verify import _cli
from verify._findings import differences, findings_table
from verify._spec import CellContext, CellSpec, ClaimSpec, Judgement
from verify.schema import SCHEMA_VERSION, load_report

#: Proved claims the quick suite confirms. learnability/bound is proved too, but at quick
#: sizes Theorem L's bound is above 1 everywhere and its judge is silent (it could not fail).
PROVED_IN_QUICK = {
    "facts",
    "lemma",
    "thm-C",
    "thm-C-tightness",
    "thm-C-noisy",
    "ce-learner",
    "thm-L",
    "beyond-boundary",
    "well-specified",
    "conditions/phase",
    "partial-labels/grid",
    "additive-noise/sweep",
    "incomplete/self-training",
    "certificate/coverage",
}


def test_quick_suite_confirms_every_proved_claim(quick_report: tuple[int, dict, str, Path]) -> None:
    code, report, markdown, _ = quick_report
    assert code == 0
    assert report["complete"] is True
    assert report["schema_version"] == SCHEMA_VERSION
    by_id = {c["id"]: c for c in report["claims"]}
    assert PROVED_IN_QUICK <= set(by_id)
    for claim_id in PROVED_IN_QUICK:
        assert by_id[claim_id]["status"] == "proved"
    for c in report["claims"]:
        if c["id"] in PROVED_IN_QUICK:
            assert c["verdict"] == "confirmed", (c["id"], c["summary"], c["reason"])
        elif c["status"] == "proved":
            assert c["verdict"] == "silent", (c["id"], c["summary"], c["reason"])
    assert by_id["learnability/bound"]["verdict"] == "silent"
    for claim_id in by_id:
        assert f"`{claim_id}`" in markdown


def test_the_quick_report_validates_against_the_schema(
    quick_report: tuple[int, dict, str, Path],
) -> None:
    _, raw, _, out = quick_report
    report = load_report(out)
    assert [c.id for c in report.claims] == [s.id for s in verify.all_claims()]
    for c, spec in zip(report.claims, verify.all_claims(), strict=True):
        assert isinstance(c.measurement, spec.measurement), c.id
        # the judge gives the saved verdict again from the saved measurement
        assert spec.judge(c.measurement, spec.prediction).verdict == c.verdict
    assert report.to_json() == raw  # reading and writing back loses nothing


def test_quick_suite_reports_the_findings(quick_report: tuple[int, dict, str, Path]) -> None:
    """The CC conjecture is refuted with a certified counterexample; distillation's
    inconsistency rates are reported on both sides of the condition."""
    _, _, _, out = quick_report
    report = load_report(out)
    cc = report.claim("cc-surrogate")
    assert cc.verdict == "refuted"
    assert cc.measurement.family[0].certificate.every_maximizer_wrong is True
    ce = report.claim("ce-learner").measurement
    assert ce.inside.inconsistent.total > 0 and ce.outside.inconsistent.total > 0
    assert report.versions["numpy"] != "not installed"


def test_list_names_every_claim(capsys: pytest.CaptureFixture[str]) -> None:
    assert _cli.main(["list"]) == 0
    listed = capsys.readouterr().out
    for spec in verify.all_claims():
        assert spec.id in listed


def test_list_shows_the_sizes_of_a_suite(capsys: pytest.CaptureFixture[str]) -> None:
    assert _cli.main(["list", "--suite", "full"]) == 0
    listed = capsys.readouterr().out
    assert "learnability/curves: sizes [100, 300, 1000, 3000, 10000, 30000, 100000]" in listed
    assert "facts: worlds_per_shape 20000" in listed


@pytest.mark.parametrize("count", ["0", "1001", "1000000000"])
def test_bad_seed_count_exits_2(
    count: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Refused before any work: a billion students per setting used to run on silently
    while memory grew."""
    assert _cli.main(["run", "--claims", "facts", "--seeds", count, "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "--seeds" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "cells").exists()


def test_unknown_claim_pattern_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert _cli.main(["run", "--claims", "no-such-claim", "--out", str(tmp_path)]) == 2
    assert "matches no claim" in capsys.readouterr().err


@dataclass(frozen=True)
class _Nothing:
    value: int


def _fake(status: Any, verdict: Any) -> ClaimSpec[Any, Any]:
    def compute(ctx: CellContext) -> _Nothing:
        return _Nothing(1)

    return ClaimSpec(
        id="facts",  # an id the report schema knows, so the report reads back
        status=status,
        title="a fake claim",
        section="0",
        statement="s",
        predicts="p",
        prediction=None,
        needs=(CellSpec("fake", _Nothing, compute, sizes="facts"),),
        measurement=_Nothing,
        judge=lambda m, p: Judgement(verdict, "made up"),
        summary=lambda m: "x",
    )


@pytest.mark.parametrize(
    ("status", "verdict", "code"),
    [("proved", "refuted", 1), ("conjecture", "refuted", 0), ("proved", "confirmed", 0)],
)
def test_exit_status_fails_only_on_refuted_proved_claims(
    status: str, verdict: str, code: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_cli, "select", lambda pattern: [_fake(status, verdict)])
    assert _cli.main(["run", "--out", str(tmp_path)]) == code
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["claims"][0]["verdict"] == verdict
    assert report["proved_refuted"] == (["facts"] if code else [])


def test_judgement_rejects_unknown_verdict() -> None:
    with pytest.raises(ValueError, match="verdict"):
        Judgement("maybe", "no")  # type: ignore[arg-type]


def test_a_claim_of_several_cells_must_say_how_to_measure() -> None:
    cell = _fake("proved", "confirmed").needs[0]
    with pytest.raises(ValueError, match="measure"):
        ClaimSpec(
            id="x",
            status="proved",
            title="t",
            section="0",
            statement="s",
            predicts="p",
            prediction=None,
            needs=(cell, cell),
            measurement=_Nothing,
            judge=lambda m, p: Judgement("confirmed", "r"),
            summary=lambda m: "s",
        )


def test_progress_bar_lines_without_a_terminal() -> None:
    import io

    from verify._progress import ProgressBar

    stream = io.StringIO()
    bar = ProgressBar(2, stream)
    with bar:
        bar.start_claim("a", 1)
        bar.cell_done()
        bar.advance("grids trained")
        bar.finish_claim("confirmed", "1.5 s")
        bar.start_claim("b")
        bar.finish_claim("refuted")
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2  # one line per finished claim when not on a terminal
    assert "1/2 claims" in lines[0] and "elapsed" in lines[0] and "left" in lines[0]
    assert "a: confirmed, 1.5 s" in lines[0] and "2/2 claims" in lines[1]


def test_progress_inside_a_claim_on_a_terminal() -> None:
    """On a terminal the line shows the cells and the work finished inside the claim."""
    import io

    from verify._progress import ProgressBar, advance

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    stream = Terminal()
    with ProgressBar(1, stream) as bar:
        bar.REDRAW = 0.0
        bar.start_claim("a", 2)
        bar.cell_done()
        advance("grids trained")
        advance("grids trained")
        shown = stream.getvalue().split("\r")[-1]
        assert "a: 1/2 cells, 2 grids trained" in shown, shown
        bar.finish_claim("confirmed")
    advance("grids trained")  # no bar: nothing happens


README = Path(__file__).resolve().parents[1] / "README.md"


def _between(text: str, start: str, end: str) -> str:
    return text[text.index(start) + len(start) : text.index(end)]


def test_readme_findings_table_matches_a_fresh_quick_run(
    quick_report: tuple[int, dict, str, Path],
) -> None:
    """README's table is ``python -m verify findings`` on the quick report: every number
    within one unit of its last printed digit, every word and verdict the same."""
    _, _, _, out = quick_report
    printed = _between(README.read_text(), "<!-- findings -->", "<!-- /findings -->")
    measured = findings_table(out)
    found = differences(printed, measured)
    assert not found, "\n".join(found) + "\n\nregenerate it with:\n" + measured


def test_figure_sentences_carry_no_measured_numbers() -> None:
    """The sentences under README's figures may name the theory's constants (the boundary
    1, the tolerance 0.005, top-k sizes in identifiers), never a measurement: measured
    numbers belong to the reports."""
    text = _between(README.read_text(), "## Figures", "## Bring your own data")
    prose = re.sub(r"`[^`]*`|!\[[^\]]*\]\([^)]*\)|```.*?```", "", text, flags=re.S)
    numbers = set(re.findall(r"\d+(?:\.\d+)?%?", prose))
    assert numbers <= {"1", "0.005"}, numbers


def test_findings_differences_catch_a_changed_number() -> None:
    row = "| `x` | confirmed | floor 0.045 [0.041, 0.049]; 12/40 |"
    assert differences(row, row.replace("0.045", "0.046")) == []  # one unit: rounding
    assert differences(row, row.replace("0.045", "0.047"))
    assert differences(row, row.replace("12/40", "13/40"))
    assert differences(row, row.replace("confirmed", "refuted"))
    residue = "| `f` | confirmed | largest violation 8.9e-16 |"
    assert differences(residue, residue.replace("8.9e-16", "2.2e-16")) == []


def test_findings_command_refuses_a_missing_report(tmp_path: Path, capsys) -> None:
    assert _cli.main(["findings", "--results", str(tmp_path)]) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1
