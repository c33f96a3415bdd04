"""Reports: ``report.json`` (everything, in the result schema) and ``report.md`` (a summary
for people: a legend, the findings, a paragraph per claim).

Both are written atomically and rewritten after every claim, so a stopped run leaves a
consistent partial report marked incomplete (a report holds every claim of the catalogue
or says it is incomplete; :mod:`verify._outputs` adds a run's claims to those kept).
"""

from __future__ import annotations

import json
import platform
import sys
from pathlib import Path
from typing import Any, cast

from verify._atomic import write_atomic
from verify._fingerprint import library_versions
from verify._spec import VERDICTS, Suite
from verify.schema import SCHEMA_VERSION, ClaimResult, Report


def versions() -> dict[str, str]:
    """Versions of Python, this package and the libraries results depend on."""
    from importlib import metadata

    found = dict(library_versions())
    for name in ("biased-soft-labels", "hypothesis"):
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


def build_report(
    claims: list[ClaimResult],
    *,
    suite: str,
    seed: int,
    seconds: float,
    complete: bool,
    seeds: int | None = None,
) -> Report:
    """The report of ``claims`` (in the order given)."""
    return Report(
        schema_version=SCHEMA_VERSION,
        suite=cast(Suite, suite),  # validated by the runner
        seed=seed,
        seeds=seeds,
        complete=complete,
        seconds=round(seconds, 3),
        versions=versions(),
        platform=platform.platform(),
        command=" ".join(sys.argv),
        counts={v: sum(c.verdict == v for c in claims) for v in VERDICTS},
        proved_refuted=[c.id for c in claims if c.fails_suite],
        claims=list(claims),
    )


#: The figures ``python -m figures`` draws from each claim (a test keeps this equal to the
#: figures' own registry, which ``verify`` may not import).
FIGURES: dict[str, tuple[str, ...]] = {
    "conditions/phase": ("phase-diagram",),
    **{
        f"consistency/{t}/{loss}": ("consistency-curves",)
        for t in ("sbt", "partial", "confuser", "noise")
        for loss in ("cc", "distill")
    },
    "learnability/margin": ("learning-curves", "learning-curve-collapse"),
    "learnability/collapse": ("learning-curve-collapse",),
    "partial-labels/grid": ("partial-label-grid",),
    "additive-noise/sweep": ("additive-noise",),
    "incomplete/self-training": ("self-training",),
    "sbt/headline": ("sbt-training",),
    "floors/width": ("floors-width",),
    "certificate/coverage": ("certificates",),
    "certificate/tightness": ("certificates",),
}

#: The page of ``docs/claims/`` that explains each claim, by the start of its id.
PAGES: tuple[tuple[str, str], ...] = (
    ("facts", "finite-theorems"),
    ("lemma", "finite-theorems"),
    ("thm-C", "finite-theorems"),
    ("ce-learner", "learners"),
    ("cc-surrogate", "learners"),
    ("conditions/", "learners"),
    ("thm-L", "learnability"),
    ("learnability/", "learnability"),
    ("consistency/mlp", "floors"),
    ("floors/", "floors"),
    ("consistency/", "consistency"),
    ("beyond-boundary", "consistency"),
    ("well-specified", "consistency"),
    ("partial-labels/", "applications"),
    ("additive-noise/", "applications"),
    ("incomplete/", "applications"),
    ("sbt/", "sbt-headline"),
    ("certificate/", "certificates"),
)


def claim_page(claim_id: str) -> str:
    """``docs/claims/<page>.md``: the page explaining ``claim_id``."""
    for prefix, page in PAGES:
        if claim_id.startswith(prefix):
            return f"docs/claims/{page}.md"
    return "docs/claims/README.md"


LEGEND = """\
## How to read this report

- **Status** of the statement a claim tests (`docs/theory.md`): `proved` (a theorem with
  its proof; a refuted proved statement is a bug, here or in the proof), `extension` (goes
  beyond the paper), `conjecture` (to be probed, not assumed).
- **Verdict**: `confirmed` (the measurement falls where the theory predicts), `refuted`
  (it does not; the smallest counterexample found is in `report.json`), `silent` (at these
  sizes the measurement cannot decide; a larger suite may).
- A refuted conjecture or extension is a **finding**, not a failure: the run exits 0. It
  exits 1 only when a `proved` statement is refuted.
- Trained claims report two references: the **floor** (how often the population minimizer
  of the student's own loss within its class disagrees with the Bayes classifier) and the
  **estimation error** (how often the students disagree with that minimizer, against the
  sample size `n`). The **margin** is `1 - Delta - gamma`.
- **Cells** are finished pieces of work (a sweep of random worlds, a grid of students)
  kept under `cells/`, keyed by everything that determines them; `cached` means read back
  from an earlier run, with the time computing it took then.
- Everything measured, raw arrays included, is in `report.json`
  (`verify.load_report(DIR)`). What each claim tests and how to read its verdict:
  `docs/claims/`. Figures: `python -m figures all --results DIR` draws them where the
  links below point.
"""


def _sizes(sizes: dict[str, dict[str, Any]]) -> str:
    def show(value: Any) -> str:
        if isinstance(value, list):
            return "[" + ", ".join(show(v) for v in value) + "]"
        return str(value).lower() if isinstance(value, bool) else str(value)

    return "; ".join(
        ", ".join(f"{k} {show(v)}" for k, v in table.items()) for table in sizes.values()
    )


def markdown_cell(text: str) -> str:
    """``text`` as one cell of a Markdown table (its ``|`` escaped)."""
    return text.replace("|", "\\|")


def render_markdown(report: Report) -> str:
    """``report.md``: a legend, the table of findings, then one short paragraph per claim
    (its statement, verdict, key numbers and links); raw measurements stay in JSON."""
    counts = ", ".join(f"{report.counts.get(v, 0)} {v}" for v in VERDICTS)
    failing = ", ".join(f"`{i}`" for i in report.proved_refuted)
    cost = sum({r.id: r.seconds for c in report.claims for r in c.cells}.values())
    lines = [
        f"# Verification report: suite `{report.suite}`",
        "",
        f"Seed {report.seed}"
        + (f", {report.seeds} students per setting" if report.seeds else "")
        + f"; {len(report.claims)} claims: {counts}; "
        + (
            f"**proved statements refuted: {failing}** (exit status 1)."
            if failing
            else "no proved statement refuted (exit status 0)."
        ),
        f"This run took {report.seconds:.1f} s; computing every cell took {cost:.1f} s. "
        + (
            "Complete."
            if report.complete
            else "**Incomplete**: not every claim is here (a subset was run, or the run was "
            "stopped)."
        ),
        "",
        LEGEND,
        "## Findings",
        "",
        "| claim | status | verdict | measured |",
        "|---|---|---|---|",
    ]
    for c in report.claims:
        verdict = f"**{c.verdict}**" if c.verdict == "refuted" else c.verdict
        link = f"[`{c.id}`](#{_anchor(c.id)})"
        lines.append(f"| {link} | {c.status} | {verdict} | {markdown_cell(c.summary)} |")
    lines += ["", "## Claims"]
    for c in report.claims:
        figures = ", ".join(f"[{f}](figures/{f}.png)" for f in FIGURES.get(c.id, ()))
        lines += [
            "",
            f"### {c.id}",
            "",
            f"**{c.title}** ({c.status}, `docs/theory.md` section {c.section}). {c.statement}",
            "",
            f"*Predicted*: {c.predicts}",
            "",
            f"*Verdict*: **{c.verdict}**: {c.reason}.",
            "",
            f"*Measured*: {c.summary}",
            "",
            *([c.table, ""] if c.table else []),
            f"Sizes: {_sizes(c.sizes)}. Time: {c.timing()}."
            + (f" Figure: {figures}." if figures else "")
            + f" About this claim: `{claim_page(c.id)}`.",
        ]
    lines += [
        "",
        "## Where it ran",
        "",
        f"{report.platform}; " + ", ".join(f"{k} {v}" for k, v in report.versions.items()),
        "",
        f"Command: `{report.command}`",
    ]
    return "\n".join(lines) + "\n"


def _anchor(claim_id: str) -> str:
    """The anchor GitHub gives the heading ``### <claim_id>``."""
    return "".join(ch for ch in claim_id.lower() if ch.isalnum() or ch in "-_ ").replace(" ", "-")


def write_report(out: Path, report: Report) -> None:
    """Write ``out/report.json`` and ``out/report.md`` atomically."""
    write_atomic(out / "report.json", json.dumps(report.to_json(), indent=1) + "\n")
    write_atomic(out / "report.md", render_markdown(report))
