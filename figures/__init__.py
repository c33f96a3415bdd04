"""What a reader sees: figures drawn only from saved ``verify`` results (ARCHITECTURE.md).

``python -m figures all --results DIR --out DIR`` draws every figure whose claims are in
``DIR/report.json``; nothing here trains or samples.
"""

from figures._registry import FigureSpec as FigureSpec
from figures._registry import all_figures as all_figures

__all__ = ["FigureSpec", "all_figures"]
