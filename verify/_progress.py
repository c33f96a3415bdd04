"""A progress bar on stderr: claims done, work done inside the current claim, elapsed time
and an estimate of the time left.

Long claims report the work they finish as they go (:func:`advance`: batches of random
worlds, grids of students trained in one compiled call), so the line moves inside a
minute-long claim too. The estimate of the time left comes from the time each remaining
claim is *expected* to take (its cells' times in the previous report under ``--out``, else
the times measured on a reference machine, :mod:`verify._typical`), scaled by how this run
is keeping pace with those expectations; claims whose cells are kept cost nothing. So it
does not jump when a short claim is followed by a long one, as a plain average would.
"""

from __future__ import annotations

import math
import sys
import threading
import time
from collections.abc import Callable, Sequence
from typing import TextIO


def clock(seconds: float) -> str:
    """``m:ss`` (``h:mm:ss`` from an hour on)."""
    minutes, secs = divmod(int(round(seconds)), 60)
    if minutes >= 60:
        return f"{minutes // 60:d}:{minutes % 60:02d}:{secs:02d}"
    return f"{minutes:d}:{secs:02d}"


#: The bar the running claims report to (one run at a time per process).
_ACTIVE: ProgressBar | None = None


def advance(what: str, count: int = 1) -> None:
    """Report ``count`` finished units of work called ``what`` (``"grids"``, ``"batches"``)
    inside the running claim; a no-op when no bar is shown."""
    bar = _ACTIVE
    if bar is not None:
        bar.advance(what, count)


class ProgressBar:
    """``[#####.....] 5/29 claims | 0:42 elapsed | ~1:51 left | thm-L: 2/3 cells, 4 grids``.

    On a terminal the line is redrawn in place (also every second, so the clock moves);
    otherwise one line is printed per finished claim, so logs stay readable.

    Args:
      total: claims to run.
      stream: where the bar goes (``None``: nowhere).
      expected: seconds each claim is expected to take, in run order (``None`` where
        unknown: such a claim is expected to take the mean of the finished ones).
      now: the clock (a test's fake one).
    """

    WIDTH = 24
    #: Redraws of the in-place line at most this often, in seconds.
    REDRAW = 0.2
    #: How far this run's pace may scale the expected times (a first, noisy claim must not
    #: turn the estimate upside down).
    PACE = (0.2, 5.0)

    def __init__(
        self,
        total: int,
        stream: TextIO | None = sys.stderr,
        *,
        expected: Sequence[float | None] | None = None,
        now: Callable[[], float] = time.perf_counter,
    ):
        self.total = total
        self.stream = stream
        self.expected = list(expected) if expected is not None else [None] * total
        if len(self.expected) != total:
            raise ValueError(f"expected: {len(self.expected)} times for {total} claims")
        self.now = now
        self.done = 0
        self.start = self.now()
        self.claim_start = self.start
        self.current = ""
        self.cells = (0, 0)
        self.work: dict[str, int] = {}
        self.taken: list[float] = []  # seconds each finished claim took
        self.last_draw = -math.inf
        self.tty = bool(stream is not None and getattr(stream, "isatty", lambda: False)())
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None
        self._lock = threading.Lock()

    # -- the estimate -------------------------------------------------------------------
    def pace(self) -> float:
        """Seconds taken per second expected, over the finished claims with an expectation
        above a tenth of a second (1 before any)."""
        pairs = [
            (t, e)
            for t, e in zip(self.taken, self.expected, strict=False)
            if e is not None and e > 0.1
        ]
        if not pairs:
            return 1.0
        ratio = sum(t for t, _ in pairs) / sum(e for _, e in pairs)
        return min(max(ratio, self.PACE[0]), self.PACE[1])

    def left(self) -> float:
        """Estimated seconds until the last claim finishes (NaN when nothing is known)."""
        mean = sum(self.taken) / len(self.taken) if self.taken else math.nan
        pace = self.pace()
        remaining = 0.0
        for i in range(self.done, self.total):
            e = self.expected[i]
            guess = pace * e if e is not None else mean
            if i == self.done:  # the running claim: what is left of it
                guess = max(guess - (self.now() - self.claim_start), 0.0)
            remaining += guess
        return remaining

    # -- drawing ------------------------------------------------------------------------
    def _line(self) -> str:
        elapsed = self.now() - self.start
        left = self.left() if self.done < self.total else 0.0
        filled = int(self.WIDTH * self.done / max(self.total, 1))
        bar = "#" * filled + "." * (self.WIDTH - filled)
        eta = "estimating" if math.isnan(left) else f"~{clock(left)} left"
        return (
            f"[{bar}] {self.done}/{self.total} claims | {clock(elapsed)} elapsed | {eta} | "
            f"{self.current}{self._inside()}"
        )

    def _inside(self) -> str:
        done, of = self.cells
        parts = [f"{done}/{of} cells"] if of else []
        parts += [f"{n} {what}" for what, n in self.work.items()]
        return f": {', '.join(parts)}" if parts else ""

    def _draw(self, final: bool = False, force: bool = False) -> None:
        if self.stream is None:
            return
        now = self.now()
        if self.tty and not (final or force) and now - self.last_draw < self.REDRAW:
            return
        self.last_draw = now
        try:
            with self._lock:
                if self.tty:
                    end = "\n" if final else ""
                    print("\r\033[K" + self._line(), end=end, file=self.stream, flush=True)
                elif final:
                    print(self._line(), file=self.stream, flush=True)
        except (OSError, ValueError):  # a closed or full stream: the run goes on, silently
            self.stream = None

    def _tick(self) -> None:
        while not self._stop.wait(1.0):
            self._draw(force=True)

    # -- events -------------------------------------------------------------------------
    def __enter__(self) -> ProgressBar:
        global _ACTIVE
        _ACTIVE = self
        if self.tty:
            self._ticker = threading.Thread(target=self._tick, daemon=True)
            self._ticker.start()
        return self

    def __exit__(self, *exc: object) -> None:
        global _ACTIVE
        _ACTIVE = None
        self._stop.set()

    def start_claim(self, claim_id: str, cells: int = 0) -> None:
        """A claim begins; it needs ``cells`` cells."""
        self.current, self.cells, self.work = claim_id, (0, cells), {}
        self.claim_start = self.now()
        self._draw(force=True)

    def cell_done(self) -> None:
        """A cell of the current claim is there (computed, read back or obtained before)."""
        done, of = self.cells
        self.cells = (done + 1, max(of, done + 1))
        self._draw()

    def advance(self, what: str, count: int = 1) -> None:
        """``count`` more units of ``what`` finished inside the current claim."""
        self.work[what] = self.work.get(what, 0) + count
        self._draw()

    def finish_claim(self, verdict: str, note: str = "") -> None:
        """The current claim ended with ``verdict`` (``note``: e.g. how long it took)."""
        self.taken.append(self.now() - self.claim_start)
        self.claim_start = self.now()  # the next claim's clock: none of it is spent yet
        self.done += 1
        self.current = f"{self.current}: {verdict}" + (f", {note}" if note else "")
        self.cells, self.work = (0, 0), {}
        self._draw(final=not self.tty or self.done == self.total)
