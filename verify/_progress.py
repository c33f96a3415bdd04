"""A progress bar on stderr: claims done, elapsed time, an estimate of the time left."""

from __future__ import annotations

import sys
import time
from typing import TextIO


def clock(seconds: float) -> str:
    """``m:ss``."""
    minutes, secs = divmod(int(round(seconds)), 60)
    return f"{minutes:d}:{secs:02d}"


class ProgressBar:
    """``[#####.....] 5/9 claims | 0:42 elapsed | ~0:51 left | thm-L (3 cells)``.

    On a terminal the line is redrawn in place; otherwise one line is printed per finished
    claim, so logs stay readable. The time left assumes the remaining claims take as long
    as the finished ones did on average.
    """

    WIDTH = 24

    def __init__(self, total: int, stream: TextIO | None = sys.stderr):
        self.total = total
        self.stream = stream
        self.done = 0
        self.start = time.perf_counter()
        self.current = ""
        self.cells = 0
        self.tty = bool(stream is not None and getattr(stream, "isatty", lambda: False)())

    def _line(self) -> str:
        elapsed = time.perf_counter() - self.start
        left = elapsed / self.done * (self.total - self.done) if self.done else float("nan")
        filled = int(self.WIDTH * self.done / max(self.total, 1))
        bar = "#" * filled + "." * (self.WIDTH - filled)
        eta = f"~{clock(left)} left" if self.done else "estimating"
        cells = f" ({self.cells} cells)" if self.cells else ""
        return (
            f"[{bar}] {self.done}/{self.total} claims | {clock(elapsed)} elapsed | {eta} | "
            f"{self.current}{cells}"
        )

    def _draw(self, final: bool = False) -> None:
        if self.stream is None:
            return
        try:
            if self.tty:
                end = "\n" if final else ""
                print("\r\033[K" + self._line(), end=end, file=self.stream, flush=True)
            elif final:
                print(self._line(), file=self.stream, flush=True)
        except (OSError, ValueError):  # a closed or full stream: the run goes on, silently
            self.stream = None

    def start_claim(self, claim_id: str) -> None:
        """A claim begins."""
        self.current, self.cells = claim_id, 0
        self._draw()

    def cell_done(self) -> None:
        """A cell of the current claim finished (computed or read back)."""
        self.cells += 1
        self._draw()

    def finish_claim(self, verdict: str) -> None:
        """The current claim ended with ``verdict``."""
        self.done += 1
        self.current = f"{self.current}: {verdict}"
        self._draw(final=not self.tty or self.done == self.total)
