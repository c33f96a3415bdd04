"""What a newcomer reads: help texts, README's examples, the theory every claim cites,
the report's summary and what a cached rerun says about time."""

from __future__ import annotations

import argparse
import io
import re
import subprocess
import sys
from pathlib import Path

import pytest

import verify
from verify import _cli
from verify._progress import ProgressBar
from verify._report import FIGURES, claim_page

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()
THEORY = ROOT / "docs" / "theory.md"


def _options(parser: argparse.ArgumentParser, path: str = "python -m verify"):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _options(sub, f"{path} {name}")
        elif action.option_strings and not isinstance(action, argparse._HelpAction):
            yield path, parser, action


def test_every_command_and_option_is_described_with_its_default() -> None:
    parser = _cli._parser()
    commands = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    (sub,) = commands
    for name, command in sub.choices.items():
        assert command.description and len(command.description) > 40, name
        assert "``" not in command.description, f"{name}: docstring markup in --help"
        helps = {a.dest: a.help for a in sub._choices_actions}
        assert helps.get(name), f"{name}: no one-line help"
    seen = 0
    for path, owner, action in _options(parser):
        seen += 1
        where = f"{path} {action.option_strings[-1]}"
        assert action.help and len(action.help) > 10, f"{where}: no description"
        shown = owner.format_help()
        if action.default is not None and action.default is not False:
            assert "default" in action.help or f"(default: {action.default})" in shown, where
        elif not isinstance(action, argparse._StoreTrueAction) and not action.required:
            # no value by default: the help must say in words what happens then
            assert "default" in action.help, f"{where}: does not say its default"
    assert seen > 20


def test_figures_options_are_described_with_their_defaults(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from figures import _cli as figures_cli

    parser = figures_cli._parser()
    for path, owner, action in _options(parser, "python -m figures"):
        where = f"{path} {action.option_strings[-1]}"
        assert action.help and len(action.help) > 10, f"{where}: no description"
        if action.default not in (None, False) and "default" not in action.help:
            assert f"(default: {action.default})" in owner.format_help(), where
    assert figures_cli.main([]) == 0
    assert "python -m figures all --results" in capsys.readouterr().out


def test_no_arguments_print_the_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert _cli.main([]) == 0
    text = capsys.readouterr().out
    for command in ("run", "list", "indicators", "distill", "findings"):
        assert command in text
    proc = subprocess.run(
        [sys.executable, "-m", "verify"], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0 and "usage: python -m verify" in proc.stdout, proc.stderr


def test_distill_help_shows_no_markup_and_describes_every_option(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exit_:
        _cli.main(["distill", "--help"])
    assert exit_.value.code == 0
    text = capsys.readouterr().out
    assert "``" not in text and ":mod:" not in text
    for option in ("--teacher", "--student", "--seed ", "--seeds", "--k", "--steps"):
        line = text[text.index(option) :].split("\n")[0]
        assert len(line.split(maxsplit=2)) >= 2, f"{option} undescribed"


# -- README ---------------------------------------------------------------------------


def _python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README, flags=re.S)


def _printed(block: str) -> list[str]:
    """Comment lines right after a ``print(...)`` line: the output README promises."""
    promised, lines = [], block.splitlines()
    for i, line in enumerate(lines):
        if "print(" in line and "#" in line:
            j = i + 1
            while j < len(lines) and lines[j].strip().startswith("# "):
                promised.append(lines[j].strip()[2:])
                j += 1
    return promised


@pytest.mark.parametrize("index", range(len(_python_blocks())))
def test_readme_python_examples_run_as_written(index: int, tmp_path: Path) -> None:
    block = _python_blocks()[index]
    proc = subprocess.run(
        [sys.executable, "-c", block], capture_output=True, text=True, timeout=600, cwd=tmp_path
    )
    assert proc.returncode == 0, f"README's Python block {index + 1} fails:\n{proc.stderr}"
    for promised in _printed(block):
        if promised.endswith("..."):
            assert promised[:-3].rstrip() in proc.stdout, (promised, proc.stdout)
        else:
            assert promised in proc.stdout.splitlines(), (promised, proc.stdout)


def test_readme_says_how_to_run_without_an_active_environment() -> None:
    assert ".venv/bin/python" in README and "source .venv/bin/activate" in README


# -- the theory the claims cite -------------------------------------------------------

SECTION_REF = re.compile(
    r"docs/theory\.md`?,? sections? ([0-9][0-9a-z]*(?:(?:, | and |-)[0-9][0-9a-z]*)*)"
)


def _headings() -> set[str]:
    return set(re.findall(r"^## ([0-9][0-9a-z]*)\. ", THEORY.read_text(), flags=re.M))


def _sections(text: str) -> set[str]:
    found: set[str] = set()
    for match in SECTION_REF.finditer(text):
        for part in re.split(r", | and ", match.group(1)):
            if "-" in part:
                lo, hi = part.split("-")
                found.update(str(i) for i in range(int(lo), int(hi) + 1))
            else:
                found.add(part)
    return found


def test_every_section_a_claim_or_docstring_cites_is_a_heading_of_docs_theory() -> None:
    headings = _headings()
    assert {"1", "2", "3", "4", "4b", "5"} <= headings
    for spec in verify.all_claims():
        assert spec.section in headings, (
            f"{spec.id}: section {spec.section} is not in docs/theory.md"
        )
    cited: dict[str, set[str]] = {}
    for path in [*ROOT.glob("*/*.py"), *ROOT.glob("*/*/*.py"), ROOT / "README.md"]:
        if ".venv" in path.parts:
            continue
        for section in _sections(path.read_text()):
            cited.setdefault(section, set()).add(str(path.relative_to(ROOT)))
    assert cited, "no section references found: the pattern is wrong"
    missing = {s: sorted(files)[:3] for s, files in cited.items() if s not in headings}
    assert not missing, f"sections cited but not in docs/theory.md: {missing}"


def test_every_claim_has_a_page_that_names_it() -> None:
    for spec in verify.all_claims():
        page = ROOT / claim_page(spec.id)
        assert page.is_file(), f"{spec.id}: {page} missing"
        assert f"`{spec.id}`" in page.read_text(), f"{spec.id}: not named on {page.name}"


def test_the_report_links_each_claim_to_the_figures_drawn_from_it() -> None:
    import figures

    drawn: dict[str, set[str]] = {}
    for spec in figures.all_figures():
        for claim_id in spec.needs:
            drawn.setdefault(claim_id, set()).add(spec.name)
    assert {k: set(v) for k, v in FIGURES.items()} == drawn


# -- the report and its times ---------------------------------------------------------


def test_the_quick_report_is_a_summary_that_starts_with_a_legend(
    quick_report: tuple[int, dict, str, Path],
) -> None:
    _, report, markdown, _ = quick_report
    lines = markdown.splitlines()
    assert len(lines) < 600, f"report.md has {len(lines)} lines"
    head = "\n".join(lines[:12])
    assert "## How to read this report" in head
    for word in ("`proved`", "`conjecture`", "`extension`", "`silent`", "finding", "exits 1"):
        assert word in markdown
    assert "```json" not in markdown  # raw measurements live in report.json only
    for claim in report["claims"]:
        assert f"### {claim['id']}\n" in markdown
        assert claim["summary"] in markdown


def test_a_cached_rerun_keeps_what_computing_took(tmp_path: Path) -> None:
    specs = verify.select("thm-C-tightness,ce-learner")
    first = verify.run_claims(specs, suite="quick", seed=0, out=tmp_path, progress=None)
    stream = io.StringIO()
    again = verify.run_claims(specs, suite="quick", seed=0, out=tmp_path, progress=stream)
    for before, after in zip(first, again, strict=True):
        assert not before.cached and after.cached
        assert after.cost_seconds == pytest.approx(before.cost_seconds, abs=1e-3)
        assert after.cost_seconds > 0
        assert f"cached ({after.cost_seconds:.1f} s when computed)" in after.timing()
        assert after.timing() in stream.getvalue()
    markdown = (tmp_path / "report.md").read_text()
    assert markdown.count("Time: cached (") == 2


def test_the_estimate_of_the_time_left_follows_the_expected_times() -> None:
    """Claims expected to take 1, 10 and 100 s take twice that: after the first, a plain
    average (2 s a claim) would promise 4 s for 220 s of work; the estimate must stay
    within a factor 2 of the truth from the first claim on, and never jump 10x."""
    now = [0.0]
    bar = ProgressBar(3, None, expected=[1.0, 10.0, 100.0], now=lambda: now[0])
    estimates = []
    truth_total = 2 * 111.0
    for i, expected in enumerate((1.0, 10.0, 100.0)):
        bar.start_claim(f"c{i}", 1)
        for _ in range(4):  # samples inside the claim
            if i:  # before the first claim ends nothing is measured: the pace is 1
                assert 0.5 <= bar.left() / (truth_total - now[0]) <= 2.0, (i, bar.left())
            estimates.append(bar.left())
            now[0] += 2 * expected / 4
        bar.finish_claim("confirmed")
        if i < 2:  # between claims: all of the next ones are still to come
            assert bar.left() == pytest.approx(truth_total - now[0]), (i, bar.left())
    assert bar.left() == 0.0
    for a, b in zip(estimates, estimates[1:], strict=False):
        assert b <= 10 * a + 1.0, estimates


def test_kept_cells_are_expected_to_cost_nothing(tmp_path: Path) -> None:
    from verify._cells import CellStore, cell_key, key_hash
    from verify._runner import _expected_seconds
    from verify._suites import sizes_for

    specs = verify.select("thm-C-tightness")
    verify.run_claims(specs, suite="quick", seed=0, out=tmp_path, progress=None)
    (cell,) = specs[0].needs
    hashes = {cell.id: key_hash(cell_key(cell, sizes_for(cell.sizes, "quick"), 0))}
    store = CellStore(tmp_path / "cells")
    assert _expected_seconds(specs, store, hashes, {}, "quick") == [0.0]
    assert _expected_seconds(specs, CellStore(None), hashes, {cell.id: 7.0}, "quick") == [7.0]
