"""The verification command line, its reports and its exit status."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import verify
from verify import _cli
from verify._registry import ClaimSpec

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
    "learnability/bound",
    "conditions/phase",
    "partial-labels/grid",
    "additive-noise/sweep",
    "incomplete/self-training",
}


def test_quick_suite_confirms_every_proved_claim(quick_report: tuple[int, dict, str, Path]) -> None:
    code, report, markdown, _ = quick_report
    assert code == 0
    assert report["complete"] is True
    by_id = {c["id"]: c for c in report["claims"]}
    assert PROVED_IN_QUICK <= set(by_id)
    for claim_id in PROVED_IN_QUICK:
        assert by_id[claim_id]["status"] == "proved"
    for c in report["claims"]:
        if c["status"] == "proved":
            assert c["verdict"] == "confirmed", (c["id"], c["summary"])
    for claim_id in by_id:
        assert f"`{claim_id}`" in markdown


def test_quick_suite_reports_the_findings(quick_report: tuple[int, dict, str, Path]) -> None:
    """The CC conjecture is refuted with a certified counterexample; distillation's
    inconsistency rates are reported on both sides of the condition."""
    _, report, _, _ = quick_report
    by_id = {c["id"]: c for c in report["claims"]}
    cc = by_id["cc-surrogate"]
    assert cc["verdict"] == "refuted"
    family = cc["measurement"]["closed_form_family (synth.cc_surrogate_counterexample)"]
    assert family["a=0.2"]["every_maximizer_wrong"] is True
    assert cc["counterexample"] is not None
    ce = by_id["ce-learner"]["measurement"]["random_worlds"]
    assert ce["condition holds"]["inconsistent"]["total"] > 0
    assert ce["condition fails"]["inconsistent"]["total"] > 0
    assert report["versions"]["numpy"] != "not installed"


def test_list_names_every_claim(capsys: pytest.CaptureFixture[str]) -> None:
    assert _cli.main(["list"]) == 0
    listed = capsys.readouterr().out
    for spec in verify.all_claims():
        assert spec.id in listed


def test_bad_seed_count_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert _cli.main(["run", "--claims", "facts", "--seeds", "0", "--out", str(tmp_path)]) == 2
    assert "--seeds" in capsys.readouterr().err


def test_unknown_claim_pattern_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert _cli.main(["run", "--claims", "no-such-claim", "--out", str(tmp_path)]) == 2
    assert "matches no claim" in capsys.readouterr().err


def _fake(status: Any, verdict: Any) -> ClaimSpec:
    def run(ctx: verify.Context) -> verify.Claim:
        return verify.Claim(
            id="fake",
            statement="s",
            status=status,
            setting={},
            prediction="p",
            measurement={},
            verdict=verdict,
            summary="x",
        )

    return ClaimSpec("fake", "a fake claim", status, run)


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


def test_claim_rejects_unknown_verdict() -> None:
    with pytest.raises(ValueError, match="verdict"):
        _fake("proved", "maybe").run(verify.Context("quick", 0, "fake"))


def test_progress_bar_lines_without_a_terminal() -> None:
    import io

    from verify._progress import ProgressBar

    stream = io.StringIO()
    bar = ProgressBar(2, stream)
    bar.start_claim("a")
    bar.cell_done()
    bar.finish_claim("confirmed")
    bar.start_claim("b")
    bar.finish_claim("refuted")
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2  # one line per finished claim when not on a terminal
    assert "1/2 claims" in lines[0] and "elapsed" in lines[0] and "left" in lines[0]
    assert "a: confirmed (1 cells)" in lines[0] and "2/2 claims" in lines[1]
