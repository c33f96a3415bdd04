"""What a reader sees: figures drawn only from saved ``verify`` results.

``python -m figures all --results DIR --out DIR`` draws every figure whose claims are in
``DIR/report.json``; nothing here trains or samples.
"""

import os
import signal
import sys


def _interrupted_while_loading(signum: int, frame: object) -> None:
    os.write(2, b"\ninterrupted\n")  # nothing to lose yet; native code may be mid-load
    os._exit(130)


_COMMAND = sys.argv[:1] == ["-m"]  # `python -m figures` is loading us
_SIGINT = signal.signal(signal.SIGINT, _interrupted_while_loading) if _COMMAND else None

from figures._registry import FigureSpec as FigureSpec  # noqa: E402
from figures._registry import all_figures as all_figures  # noqa: E402

if _COMMAND:
    signal.signal(signal.SIGINT, _SIGINT)

__all__ = ["FigureSpec", "all_figures"]
