"""The output directory: checked writable before any work, and a report already there is
never made worse, because a run into an ``--out`` that holds a report adds to it.

Each write of the report re-reads the one on disk under a lock and adds this run's claims
to it, so runs of different claims racing into one ``--out`` keep each other's claims.

The claims already there are kept until this run replaces them, so a rerun that fails
(a full disk, an interrupt) leaves at least the claims it found. Claims are mixed only when
they belong together: same suite, seed, ``--seeds`` and library versions, each claim
computed from the cells the current code keys (its cell hashes are the ones a rerun would
read back). Otherwise the run is refused with one line naming the difference, unless
``--replace`` starts a new report. A report is ``complete`` only when it holds every claim
of the catalogue, each current.
"""

from __future__ import annotations

import contextlib
import fcntl
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path

from verify._atomic import write_atomic
from verify.schema import ClaimResult, Report, SchemaError, load_report


class OutputRefused(Exception):
    """``--out`` cannot take this run's report; one line says why."""


def check_writable(out: Path) -> None:
    """Create ``out`` and write and remove a file in it, so that an unwritable place is found
    before the first cell is computed, not after.

    Raises:
      OutputRefused: naming ``out`` and the system's reason.
    """
    try:
        out.mkdir(parents=True, exist_ok=True)  # an existing file there: FileExistsError
        probe = out / f".write-probe-{uuid.uuid4().hex}"  # runs racing into one out
        write_atomic(probe, "probe")
        probe.unlink()
    except OSError as exc:
        reason = "a file, not a directory" if out.is_file() else (exc.strerror or str(exc))
        raise OutputRefused(f"--out {out}: cannot write there ({reason})") from None


def _difference(old: Report, settings: Mapping[str, object]) -> str | None:
    for name, value in settings.items():
        before = getattr(old, name)
        if before == value:
            continue
        if isinstance(before, dict) and isinstance(value, dict):
            changed = sorted(
                k for k in before.keys() | value.keys() if before.get(k) != value.get(k)
            )
            return f"other library versions ({', '.join(changed)})"
        return f"--{name} {before}, this run --{name} {value}"
    return None


def is_current(claim: ClaimResult, hashes: Mapping[str, str]) -> bool:
    """Whether ``claim`` was computed from the cells the current code and settings key."""
    return all(hashes.get(ref.id) == ref.key for ref in claim.cells)


def earlier_claims(
    out: Path,
    *,
    settings: Mapping[str, object],
    hashes: Mapping[str, str],
    running: set[str],
) -> dict[str, ClaimResult]:
    """The claims of ``out/report.json`` that this run may keep, by id.

    Args:
      out: the run's output directory.
      settings: ``suite``, ``seed``, ``seeds`` and ``versions`` of this run.
      hashes: cell id -> the hash of its key under this run's settings and code.
      running: ids of the claims this run computes (a stale claim among them is replaced).

    Raises:
      OutputRefused: the report cannot be read, was made with other settings, or holds a
        claim of other code that this run does not replace.
    """
    path = out / "report.json"
    if not path.exists():
        return {}
    hint = "pass --replace to start a new report there (kept cells are still reused)"
    try:
        old = load_report(path)
    except (OSError, SchemaError) as exc:
        raise OutputRefused(f"{path}: cannot be read as a report ({exc}); {hint}") from None
    difference = _difference(old, settings)
    if difference is not None:
        raise OutputRefused(f"{path} holds a run with {difference}; {hint}")
    stale = [c.id for c in old.claims if c.id not in running and not is_current(c, hashes)]
    if stale:
        shown = ", ".join(stale[:3]) + (f" and {len(stale) - 3} more" if len(stale) > 3 else "")
        raise OutputRefused(
            f"{path} holds claims computed by other code ({shown}); run them again "
            f"(--claims) or {hint}"
        )
    return {c.id: c for c in old.claims}


@contextlib.contextmanager
def _locked(out: Path) -> Iterator[None]:
    """Hold ``out``'s report lock (an advisory ``flock`` on a file kept beside it)."""
    with open(out / ".report.lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class ReportWriter:
    """Writes a run's report under ``out``, adding its claims to those kept there.

    Args:
      out: the output directory (checked writable by :func:`check_writable`).
      settings, hashes: as for :func:`earlier_claims`.
      order: every claim id of the catalogue, in suite order.
      running: ids of the claims this run computes.
      replace: start a new report (the first write ignores the one on disk).
      write: ``write(claims, complete)`` builds and writes the report files.
    """

    def __init__(
        self,
        out: Path,
        *,
        settings: Mapping[str, object],
        hashes: Mapping[str, str],
        order: Sequence[str],
        running: set[str],
        replace: bool,
        write: Callable[[list[ClaimResult], bool], None],
    ):
        self.out, self.settings, self.hashes = out, settings, hashes
        self.order, self.running, self.replace, self._write = list(order), running, replace, write
        self.wrote = False

    def _kept(self) -> dict[str, ClaimResult]:
        if self.replace and not self.wrote:
            return {}
        return earlier_claims(
            self.out, settings=self.settings, hashes=self.hashes, running=self.running
        )

    def check(self) -> None:
        """Refuse now, before any work, a report this run could not add to."""
        with _locked(self.out):
            self._kept()

    def write(self, done: Sequence[ClaimResult]) -> None:
        """The report of the claims on disk and ``done`` (which replace theirs)."""
        with _locked(self.out):
            claims = self._kept() | {c.id: c for c in done}
            merged = [claims[i] for i in self.order if i in claims]
            complete = len(merged) == len(self.order) and all(
                is_current(c, self.hashes) for c in merged
            )
            self._write(merged, complete)
            self.wrote = True
