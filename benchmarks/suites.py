"""Seconds per claim of the verification suites: this checkout against a previous release,
measured in one sitting on one machine, so every speed-up is a same-machine ratio.

    python benchmarks/suites.py                      # quick suite, every claim
    python benchmarks/suites.py --suite paper --claims cc-surrogate,thm-L,conditions/phase
    python benchmarks/suites.py --write-readme       # also put the table in benchmarks/README.md

The previous release (``--baseline``, a git revision of this repository) is checked out
into a temporary worktree and run with this environment's Python, beside this checkout.
For each suite the four runs are interleaved: the baseline cold, this checkout cold, the
baseline warm, this checkout warm.

- **cold**: an empty ``--out`` and an empty compilation cache: every cell is computed and
  every XLA program compiled (what a first run on a new machine costs);
- **warm**: the same command again on the same ``--out``: cells are read back (what a
  rerun costs). This checkout's warm run also has the compiled programs on disk; the
  baseline had no compilation cache, so it is run without one.

Each claim's seconds are those its report records (computing or reading its cells); the
wall time is the whole command's, interpreter start and imports included. Run it on an
idle machine: the times are wall times.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: The release before the compiled CC solver, thm-L's sampling and the compilation cache.
PREVIOUS_RELEASE = "1e4d380"


def _run(checkout: Path, suite: str, claims: str | None, out: Path, cache: Path | None) -> dict:
    """One ``python -m verify run`` from ``checkout``: wall seconds and per-claim seconds."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("JAX_")}
    env["PYTHONPATH"] = str(checkout)
    # An empty value turns the cache off in this checkout; the baseline never had one.
    env["JAX_COMPILATION_CACHE_DIR"] = str(cache) if cache is not None else ""
    command = [sys.executable, "-m", "verify", "run", "--suite", suite, "--out", str(out)]
    if claims:
        command += ["--claims", claims]
    start = time.perf_counter()
    proc = subprocess.run(command, cwd=checkout, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{checkout}: {' '.join(command)} failed:\n{proc.stderr[-2000:]}")
    report = json.loads((out / "report.json").read_text())
    return {
        "wall": wall,
        "claims": {c["id"]: c["seconds"] for c in report["claims"]},
        "verdicts": {c["id"]: c["verdict"] for c in report["claims"]},
    }


def measure(baseline: str, suite: str, claims: str | None, scratch: Path) -> dict:
    """The four runs of one suite, interleaved, and the checkout they ran from."""
    previous = scratch / "previous"
    if not previous.exists():
        subprocess.run(
            ["git", "worktree", "add", "--detach", str(previous), baseline],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
    runs: dict[str, dict] = {}
    cache = scratch / f"{suite}-xla"
    for temperature in ("cold", "warm"):
        for name, checkout, compiled in (
            ("previous", previous, None),
            ("current", ROOT, cache),
        ):
            out = scratch / f"{suite}-{name}"
            if temperature == "cold":
                shutil.rmtree(out, ignore_errors=True)
                if compiled is not None:
                    shutil.rmtree(compiled, ignore_errors=True)
            print(f"{suite} {temperature} {name} ...", file=sys.stderr, flush=True)
            runs[f"{name} {temperature}"] = _run(checkout, suite, claims, out, compiled)
            print(f"  {runs[f'{name} {temperature}']['wall']:.1f} s", file=sys.stderr)
    return runs


def table(suite: str, runs: dict) -> str:
    """A Markdown table: seconds per claim, cold and warm, and the cold ratio."""
    ids = list(runs["current cold"]["claims"])
    lines = [
        f"| {suite} | previous cold | this cold | speed-up | previous warm | this warm |",
        "|---|---|---|---|---|---|",
    ]

    def row(name: str, pick) -> str:  # type: ignore[no-untyped-def]
        old, new = pick("previous cold"), pick("current cold")
        ratio = f"{old / new:.1f}x" if new > 0 else "-"
        return (
            f"| {name} | {old:.1f} | {new:.1f} | {ratio} | "
            f"{pick('previous warm'):.1f} | {pick('current warm'):.1f} |"
        )

    for claim in ids:
        lines.append(row(claim, lambda run, c=claim: runs[run]["claims"].get(c, float("nan"))))
    lines.append(row("**whole command (wall)**", lambda run: runs[run]["wall"]))
    changed = [
        c
        for c in ids
        if runs["previous cold"]["verdicts"].get(c) != runs["current cold"]["verdicts"][c]
    ]
    lines.append("")
    lines.append(
        "Verdicts: "
        + (f"changed for {', '.join(changed)}." if changed else "the same for every claim.")
    )
    return "\n".join(lines)


def _machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} CPU ({cpu}), Python {platform.python_version()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--suite", action="append", help="quick (default), paper, full")
    parser.add_argument("--claims", help="comma-separated claim ids (default: every claim)")
    parser.add_argument("--baseline", default=PREVIOUS_RELEASE, help="git revision to compare")
    parser.add_argument("--write-readme", action="store_true", help="update benchmarks/README.md")
    args = parser.parse_args()
    suites = args.suite or ["quick"]
    with tempfile.TemporaryDirectory(prefix="suites-") as tmp:
        scratch = Path(tmp)
        try:
            sections = []
            for suite in suites:
                runs = measure(args.baseline, suite, args.claims, scratch)
                sections.append(table(suite, runs))
                (ROOT / "benchmarks" / f"suites-{suite}.json").write_text(
                    json.dumps(runs, indent=1) + "\n"
                )
        finally:
            subprocess.run(
                ["git", "worktree", "remove", "--force", str(scratch / "previous")],
                cwd=ROOT,
                capture_output=True,
            )
    for suite, section in zip(suites, sections, strict=True):
        command = f"python benchmarks/suites.py --suite {suite}" + (
            f" --claims {args.claims}" if args.claims else ""
        )
        text = (
            f"`{command}` on {_machine()}, {time.strftime('%Y-%m-%d')}; previous release "
            f"{args.baseline}. Seconds.\n\n{section}"
        )
        print(text + "\n")
        if args.write_readme:
            _write_readme(suite, text)


def _write_readme(suite: str, text: str) -> None:
    """Replace (or add) this suite's block of benchmarks/README.md."""
    readme = ROOT / "benchmarks" / "README.md"
    start, end = f"<!-- suites {suite} -->", f"<!-- /suites {suite} -->"
    old = readme.read_text()
    block = f"{start}\n{text}\n{end}"
    pattern = re.compile(re.escape(start) + ".*?" + re.escape(end), re.S)
    new = pattern.sub(lambda _: block, old) if pattern.search(old) else f"{old}\n{block}\n"
    readme.write_text(new)


if __name__ == "__main__":
    main()
